"""Training while the Train page polls: start, queue, watch, stop, and keep the model in this session.

A run is a `seqcore.background.TrainingJob`: `seqcore.pipeline.fit` in a child process at low priority
on one torch thread, so a training run cannot take the pages' CPU (or the server, if it crashes). The
server's runs are `ui.trainer`'s: a capped pool with a queue, a time limit, and runs killed when their
session goes away. Pages use only `TrainJob`'s interface.
"""

from __future__ import annotations

import re
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from seqcore.taskspecs import task_spec
from ui import state
from ui.config import APP_TRAIN_DEFAULTS, MIN_TRAIN_SENTENCES, REPORTS_PER_EPOCH, TRAIN_MAX_SECONDS
from ui.models import ModelEntry, keep_session_model
from ui.trainer import session_runs, trainer

if TYPE_CHECKING:  # annotations only: importing ui must not load torch
    from seqcore.background import TrainingJob
    from seqcore.batching import Example
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
    """One training run of this session, as the Train page sees it (the run itself is `seqcore.background`'s)."""

    name: str
    task: str
    max_epochs: int
    run: TrainingJob
    registered: str | None = None  # the session model's key, once kept
    announced: bool = False  # the page has shown the finished run once
    started: float = field(default_factory=time.perf_counter)

    @property
    def running(self) -> bool:
        """Queued or training."""
        return not self.run.done

    @property
    def queued(self) -> bool:
        return self.run.state == "queued"

    @property
    def done(self) -> bool:
        return self.run.done

    @property
    def stopping(self) -> bool:
        return self.run.stop_requested

    def request_stop(self) -> None:
        """End training between two steps; the best model so far (on dev) is kept. A queued run is dropped."""
        self.run.stop()

    @property
    def progress(self) -> list[Progress]:
        return list(self.run.progress)

    @property
    def error(self) -> str | None:
        return self.run.error

    @property
    def result(self) -> TrainResult | None:
        return self.run.finished.result if self.run.finished is not None else None

    @property
    def card(self) -> dict:
        return self.run.finished.card if self.run.finished is not None else {}

    @property
    def timed_out(self) -> bool:
        return self.run.finished is not None and self.run.finished.timed_out

    def elapsed(self) -> float:
        return self.run.elapsed()

    def epochs(self) -> list[dict]:
        return self.run.epochs()

    def fraction(self) -> float:
        return self.run.fraction()

    def seconds_left(self) -> float | None:
        """Time left if every remaining step runs as fast as the steps so far (an upper bound with early stopping)."""
        return self.run.seconds_left()


def start_training(name: str, task: str, form: dict[str, Any], examples: Sequence[Example], data: dict) -> TrainJob:
    """Queue a run of `task` on `examples` with the Train page's settings; it becomes this session's job.

    `form` holds FitSpec's and TrainConfig's fields by name (cell, embedding_dim, ..., epochs, lr, ...).
    """
    from seqcore.background import TrainingJob
    from seqcore.pipeline import FitSpec
    from seqcore.training import TrainConfig

    if len(examples) < MIN_TRAIN_SENTENCES:
        raise ValueError(f"{len(examples)} sentences are too few to train: a dev split needs a few of them")
    spec = FitSpec(task=task, **{k: v for k, v in form.items() if k in FitSpec.__dataclass_fields__ and k != "task"})
    batches = max(1, -(-int(len(examples) * (1 - spec.dev_fraction)) // int(form["batch_size"])))
    train_cfg = TrainConfig(
        **{k: v for k, v in form.items() if k in TrainConfig.__dataclass_fields__ and k != "report_every"},
        report_every=max(1, batches // REPORTS_PER_EPOCH),
    )
    run = TrainingJob(name, spec, train_cfg, list(examples), data=dict(data), max_seconds=TRAIN_MAX_SECONDS)
    job = TrainJob(name=name, task=task, max_epochs=train_cfg.epochs, run=run)
    session_runs().watch(run)
    trainer().submit(run)
    state.set_session_value(state.JOB, job)
    return job


def queue_place(job: TrainJob) -> tuple[int, int]:
    """(runs ahead of this queued job, training runs this server allows at once)."""
    pool = trainer().pool
    return pool.position(job.run) + pool.running(), pool.max_running


def register_trained(job: TrainJob) -> ModelEntry:
    """Make a finished run's model one of this session's models (loaded, zipped for download); remove its folder."""
    from seqcore.checkpoints import checkpoint_to_zip, load_checkpoint

    finished = job.run.finished
    assert finished is not None
    try:
        checkpoint = load_checkpoint(finished.folder)
        zipped = checkpoint_to_zip(finished.folder)
    finally:
        job.run.cleanup()
    return keep_session_model(job.name, "trained", checkpoint, zipped, list(finished.dev_examples))


def collect_session_models() -> None:
    """Put this session's newest model in use: a finished training run (registered once) or an uploaded zip.

    Called by app_script.py before the sidebar is drawn, since a widget's state cannot change after it is drawn.
    """
    pending = state.take_pending_model()
    if pending is not None and state.trained_model(pending) is not None:
        state.set_model_key(pending)
    job = current_job()
    if job is None:
        return
    trainer().tick()
    if job.running:
        session_runs().watch(job.run)  # a session that reconnected takes its run back
    elif job.run.finished is not None and job.registered is None:
        entry = register_trained(job)
        job.registered = entry.key
        state.set_model_key(entry.key)


def current_job() -> TrainJob | None:
    """This session's training run (queued, running or finished), if any."""
    return state.session_value(state.JOB)


def progress_text(job: TrainJob) -> str:
    """Where a job is: its place in the queue, or epoch, step, time spent and time left."""
    if job.queued:
        ahead, slots = queue_place(job)
        return (
            f"queued: {ahead} run(s) ahead of yours; this server trains {slots} model(s) at once "
            "(SEQCORE_MAX_TRAINING), and yours starts when a slot is free"
        )
    reports = job.progress
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
        f"stopped at the time limit of {TRAIN_MAX_SECONDS / 60:.0f} minutes"
        if job.timed_out
        else "stopped by you"
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
