"""Training in the background while the Train page polls: start, watch, stop, and keep the model in this session.

Today a job runs `seqcore.pipeline.fit` in a daemon thread (`TrainJob`). Pages use only the job's
interface below (running, stopping, request_stop, progress reports, elapsed, fraction, seconds_left,
epochs, error, result, card), and a finished run becomes a session model through a checkpoint folder
(`_keep_checkpoint`): switching to `seqcore.background` (a child process that hands back a folder)
changes `start_training` and the job class, not the pages.
"""

from __future__ import annotations

import json
import re
import shutil
import tempfile
import threading
import time
import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from seqcore.taskspecs import task_spec
from ui import state
from ui.config import APP_TRAIN_DEFAULTS, MIN_TRAIN_SENTENCES, REPORTS_PER_EPOCH
from ui.errors import error_message
from ui.models import ModelEntry, set_torch_threads

if TYPE_CHECKING:  # annotations only: importing ui must not load torch
    from seqcore.batching import Example
    from seqcore.pipeline import FitResult
    from seqcore.training import Progress, TrainResult


def train_form_defaults(task: str) -> dict[str, Any]:
    """The Train page's starting values for `task`: the library's defaults (the task's own direction), with the
    app's quick ones (APP_TRAIN_DEFAULTS) on top."""
    from seqcore.models import ModelConfig, defaults
    from seqcore.pipeline import FitSpec
    from seqcore.training import TrainConfig

    library = {**defaults(ModelConfig), **defaults(FitSpec), **defaults(TrainConfig)}
    return {**library, "bidirectional": task_spec(task).bidirectional, **APP_TRAIN_DEFAULTS}


def clean_name(name: str, fallback: str) -> str:
    """A model name that is safe as a folder name (letters, digits, _ . -)."""
    return re.sub(r"[^A-Za-z0-9_.-]+", "-", name).strip("-.") or fallback


def next_model_name(task: str, cell: str) -> str:
    """The default name of this session's next model: my-<task>-<cell>-<n>."""
    return f"my-{task}-{cell}-{len(state.trained_models()) + 1}"


@dataclass
class TrainJob:
    """One training run in a background thread; the page polls it. Never touches streamlit."""

    name: str
    task: str
    max_epochs: int
    stop: threading.Event = field(default_factory=threading.Event)
    done: threading.Event = field(default_factory=threading.Event)
    progress: list[Progress] = field(default_factory=list)
    started: float = field(default_factory=time.perf_counter)
    finished: float | None = None
    fitted: FitResult | None = None
    error: str | None = None
    thread: threading.Thread | None = None
    registered: str | None = None  # the session model's key, once kept
    announced: bool = False  # the page has shown the finished run once

    @property
    def running(self) -> bool:
        return not self.done.is_set()

    @property
    def stopping(self) -> bool:
        return self.stop.is_set()

    def request_stop(self) -> None:
        """End training between two steps; the best model so far (on dev) is kept."""
        self.stop.set()

    @property
    def result(self) -> TrainResult | None:
        return self.fitted.result if self.fitted is not None else None

    @property
    def card(self) -> dict:
        return self.fitted.card if self.fitted is not None else {}

    def elapsed(self) -> float:
        return (self.finished or time.perf_counter()) - self.started

    def epochs(self) -> list[dict]:
        return [vars(p) for p in list(self.progress) if p.kind == "epoch"]

    def fraction(self) -> float:
        reports = list(self.progress)
        if not reports:
            return 0.0
        last = reports[-1]
        return min(1.0, last.step / max(1, last.total_steps))

    def seconds_left(self) -> float | None:
        """Time left if every remaining step runs as fast as the steps so far (an upper bound with early stopping)."""
        reports = list(self.progress)
        if not reports or reports[-1].step == 0:
            return None
        last = reports[-1]
        return last.elapsed / last.step * max(0, last.total_steps - last.step)


def start_training(name: str, task: str, form: dict[str, Any], examples: Sequence[Example], data: dict) -> TrainJob:
    """Start training a model of `task` on `examples` with the Train page's settings; it becomes this session's job.

    `form` holds FitSpec's and TrainConfig's fields by name (cell, embedding_dim, ..., epochs, lr, ...).
    Stop sets the job's event, which `fit` checks between steps.
    """
    from seqcore.pipeline import FitSpec, fit
    from seqcore.training import TrainConfig

    if len(examples) < MIN_TRAIN_SENTENCES:
        raise ValueError(f"{len(examples)} sentences are too few to train: a dev split needs a few of them")
    set_torch_threads()
    spec = FitSpec(task=task, **{k: v for k, v in form.items() if k in FitSpec.__dataclass_fields__ and k != "task"})
    batches = max(1, -(-int(len(examples) * (1 - spec.dev_fraction)) // int(form["batch_size"])))
    train_cfg = TrainConfig(
        **{k: v for k, v in form.items() if k in TrainConfig.__dataclass_fields__ and k != "report_every"},
        report_every=max(1, batches // REPORTS_PER_EPOCH),
    )
    job = TrainJob(name=name, task=task, max_epochs=train_cfg.epochs)

    def run() -> None:
        try:
            job.fitted = fit(
                spec, train_cfg, list(examples), data=data, on_progress=job.progress.append, should_stop=job.stop.is_set
            )
        except Exception as err:  # noqa: BLE001 - reported on the page
            job.error = error_message(err)
        finally:
            job.finished = time.perf_counter()
            job.done.set()

    job.thread = threading.Thread(target=run, name=f"train-{name}", daemon=True)
    job.thread.start()
    state.set_train_job(job)
    return job


def _keep_checkpoint(name: str, task: str, folder: Path, dev_examples: list[Example]) -> ModelEntry:
    """Make a checkpoint folder one of this session's models: loaded, zipped for download, listed in the sidebar."""
    from seqcore.checkpoints import checkpoint_to_zip, load_checkpoint
    from seqcore.inference import Predictor

    checkpoint = load_checkpoint(folder)
    zipped = checkpoint_to_zip(folder)
    card = json.loads((folder / "card.json").read_text(encoding="utf-8"))
    key = f"session:{uuid.uuid4().hex[:8]}:{name}"
    entry = ModelEntry(key, name, "session", task, checkpoint.config.cell, card, None, checkpoint.config.to_dict())
    state.add_trained_model(
        key, {"entry": entry, "predictor": Predictor(checkpoint), "zip": zipped, "dev_examples": dev_examples}
    )
    return entry


def register_trained(job: TrainJob) -> ModelEntry:
    """Make a finished job's model one of this session's models, with its checkpoint as zip bytes."""
    from seqcore.pipeline import save_fit

    assert job.fitted is not None
    tmp = Path(tempfile.mkdtemp(prefix="seqcore-app-"))
    try:
        folder = save_fit(tmp / job.name, job.fitted)
        return _keep_checkpoint(job.name, job.task, folder, list(job.fitted.dev_examples))
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def collect_finished_training() -> None:
    """Register this session's finished training run, once, and make its model the sidebar's choice.

    Called by app.py before the sidebar is drawn, since a widget's state cannot change after it is drawn.
    """
    job = state.train_job()
    if job is not None and job.done.is_set() and job.fitted is not None and job.registered is None:
        entry = register_trained(job)
        job.registered = entry.key
        state.set_model_key(entry.key)


def current_job() -> TrainJob | None:
    """This session's training run (running or finished), if any."""
    return state.train_job()


def progress_text(job: TrainJob) -> str:
    """Where a running job is: epoch, step, time spent and time left."""
    reports = list(job.progress)
    if not reports:
        text = "starting..."
    else:
        last, left = reports[-1], job.seconds_left()
        text = (
            f"epoch {last.epoch} of at most {job.max_epochs}, step {last.step} of {last.total_steps}; "
            f"{job.elapsed():.0f} s elapsed" + (f", about {left:.0f} s left" if left is not None else "")
        )
    return ("stopping after the current step... " if job.stopping else "") + text


def how_it_ended(job: TrainJob) -> str:
    """A finished run in one sentence: why it ended, the epoch kept and its dev accuracy."""
    res = job.result
    if res is None:
        return "it did not finish."
    why = (
        "stopped by you"
        if res.stopped_by_user
        else "stopped early: the dev score stopped improving"
        if res.stopped_early
        else "ran every epoch"
    )
    dev = job.card.get("dev_metrics") or {}
    return f"{why} after {res.epochs_run} epoch(s); kept epoch {res.best_epoch}, dev accuracy {dev.get('accuracy', float('nan')):.1%}."


def trained_zip(job: TrainJob) -> bytes | None:
    """The finished job's model as a zip (safetensors + JSON), once it is kept in this session."""
    record = state.trained_model(job.registered) if job.registered else None
    return record["zip"] if record else None
