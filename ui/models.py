"""The model registry: the models shipped in models/ and those trained in this session, and their cached loaders.

The sidebar lists shipped models from their JSON cards only, so it draws before any model (and torch)
is loaded; a model's weights are loaded once per process, when a page first needs it (`st.cache_resource`).
"""

from __future__ import annotations

import gc
import json
import os
import sys
import uuid
from pathlib import Path
from typing import TYPE_CHECKING

import streamlit as st

from seqcore.cells import CELLS
from seqcore.taskspecs import TASK_SPECS, article
from ui import preloaded, state
from ui.config import COMPARED_MODELS, TASK_ORDER, TRAIN_PAGE, models_dir
from ui.entries import ModelEntry
from ui.errors import error_message
from ui.preloaded import folder_time
from ui.text import plain

if TYPE_CHECKING:  # annotations only: importing ui must not load torch
    from seqcore.batching import Example
    from seqcore.checkpoints import Checkpoint
    from seqcore.inference import Predictor
    from seqcore.readouts import Trajectory


def task_title(task: str) -> str:
    """What a task does, in words ("aspect polarity"); the task's own name when it is unknown."""
    spec = TASK_SPECS.get(task)
    return spec.title if spec else task


def set_torch_threads() -> None:
    """Run torch on SEQCORE_TORCH_THREADS threads (default 1), once torch is needed.

    The app's models are small and a server runs several sessions and a training thread at once:
    one thread per operation is about as fast on an idle machine, and on a busy 2-core machine
    several threads per operation were measured 100 times slower (they wait on each other).
    """
    import torch

    wanted = int(os.environ.get("SEQCORE_TORCH_THREADS") or 1)
    if torch.get_num_threads() != wanted:
        torch.set_num_threads(wanted)


_frozen_at = 0  # len(sys.modules) when the last freeze ran


def freeze_long_lived() -> None:
    """After a run that imported new modules (torch, spaCy, Plotly, Captum, a page's first use), move every object
    alive now out of the collector's reach: collect once, then `gc.freeze()`.

    With the app's libraries loaded a process holds over half a million objects, and each full collection
    Python starts on its own walks them all: 250-300 ms in the middle of an unlucky rerun (measured on every
    page). Frozen, they are never walked again; later garbage is still collected. Only the runs that import
    something pay for the one collection.
    """
    global _frozen_at
    if len(sys.modules) == _frozen_at:
        return
    # The first run of a server is the one a newcomer waits for: its full collection (0.3-0.5 s) would find
    # about 600 objects of garbage (measured after the first page), so it collects the young generations only.
    gc.collect() if _frozen_at else gc.collect(1)
    gc.freeze()
    _frozen_at = len(sys.modules)


def _mtime(path: Path) -> float:
    return folder_time(path)


@st.cache_data(show_spinner=False, max_entries=200)
def _read_model_info(path: str, mtime: float) -> dict:
    """Read card.json and config.json of a model folder (cached until the folder changes)."""
    folder = Path(path)
    card = json.loads((folder / "card.json").read_text(encoding="utf-8"))
    config = json.loads((folder / "config.json").read_text(encoding="utf-8"))
    return {"card": card, "config": config}


def shipped_models() -> tuple[list[ModelEntry], list[str]]:
    """Every readable model folder under models/, and a message for each folder that is not."""
    entries: list[ModelEntry] = []
    broken: list[str] = []
    root = models_dir()
    if not root.is_dir():
        return entries, broken
    for folder in sorted(p for p in root.iterdir() if p.is_dir() and not p.name.startswith(".")):
        if not (folder / "card.json").is_file():
            continue
        try:
            info = _read_model_info(str(folder), _mtime(folder))
            card, config = info["card"], info["config"]
            task, cell = card.get("task") or config["task"], card.get("cell") or config["cell"]
        except (OSError, ValueError, KeyError) as err:
            broken.append(f"{folder.name}: {error_message(err)}")
            continue
        entries.append(ModelEntry(f"shipped:{folder.name}", folder.name, "shipped", task, cell, card, str(folder), config))
    entries.sort(key=lambda e: (TASK_ORDER.get(e.task, 9), e.name))
    return entries, broken


def session_models() -> list[ModelEntry]:
    """Models trained or uploaded in this browser session (kept in its session state only)."""
    return [item["entry"] for item in state.trained_models().values()]


def keep_session_model(
    name: str, origin: str, checkpoint: Checkpoint, zipped: bytes, dev_examples: list[Example] | None = None
) -> ModelEntry:
    """Make a loaded model one of this session's models: ready to use, downloadable as `zipped`, listed in the sidebar.

    Nothing is written to disk: the model lives in this session's state and goes when the session goes.
    """
    from seqcore.inference import Predictor

    cfg = checkpoint.config
    key = f"session:{uuid.uuid4().hex[:8]}:{name}"
    entry = ModelEntry(key, name, "session", cfg.task, cfg.cell, checkpoint.card, None, cfg.to_dict(), origin)
    record = state.TrainedModel(entry=entry, predictor=Predictor(checkpoint), zip=zipped, dev_examples=list(dev_examples or []))
    state.add_trained_model(key, record)
    return entry


def all_models() -> list[ModelEntry]:
    """Shipped models, then this session's."""
    shipped, _ = shipped_models()
    return shipped + session_models()


def models_of_task(task: str) -> list[ModelEntry]:
    """Every model of one task."""
    return [m for m in all_models() if m.task == task]


@st.cache_resource(show_spinner="Loading the model...", max_entries=16)
def _load_predictor(path: str, mtime: float) -> Predictor:
    """Load a shipped model once per process (until its folder changes); the server's warm-up's copy if it has one."""
    from seqcore.inference import Predictor

    set_torch_threads()
    return preloaded.take(path) or Predictor.load(path)


def get_predictor(entry: ModelEntry) -> Predictor:
    """Return the ready-to-use model of an entry; raises CheckpointError for a broken folder."""
    if entry.source == "session":
        record = state.trained_model(entry.key)
        if record is None:
            raise KeyError(f"the model {entry.name} is no longer in this session")
        return record["predictor"]
    assert entry.path is not None  # a shipped model is a folder
    return _load_predictor(entry.path, _mtime(Path(entry.path)))


def trajectory_of(entry: ModelEntry, text: str) -> Trajectory:
    """The model's class probabilities after each word of `text`. A shipped model's answer the server's warm-up
    remembered (`seqcore.remembered`: the first page's sentences) is read back without loading the model, so a cold
    server's first page needs no torch; any other is computed."""
    if entry.source == "shipped" and entry.path is not None:
        from seqcore.remembered import recall

        found = recall(entry.path, text)
        if found is not None:
            return found
    return get_predictor(entry).trajectory(text)


def model_version(entry: ModelEntry) -> str:
    """A key that changes when the model changes: session models have unique keys, shipped ones add their folder's time."""
    return entry.key if entry.path is None else f"{entry.key}@{_mtime(Path(entry.path))}"


def card_line(entry: ModelEntry) -> str:
    """The model's one-line card: task, cell, and its test accuracy (or dev accuracy, said so)."""
    parts = [task_title(entry.task), entry.cell.upper()]
    if entry.config.get("bidirectional"):
        parts[-1] = "bidirectional " + parts[-1]
    test, dev = _metric(entry.card, "test_metrics", "accuracy"), _metric(entry.card, "dev_metrics", "accuracy")
    if test is not None:
        parts.append(f"test accuracy {test:.1%}")
    elif dev is not None:
        parts.append(f"dev accuracy {dev:.1%} (no test set)")
    else:
        parts.append("no test score")
    return " · ".join(parts)


def _metric(card: dict, split: str, name: str) -> float | None:
    """A number from a card (an uploaded card may hold anything: what is not a number is ignored)."""
    metrics = card.get(split) if isinstance(card, dict) else None
    value = metrics.get(name) if isinstance(metrics, dict) else None
    return float(value) if isinstance(value, (int, float)) and not isinstance(value, bool) else None


def current_model() -> ModelEntry | None:
    """The model chosen in the sidebar, or None when there is none."""
    models = {m.key: m for m in all_models()}
    key = state.model_key()
    return models.get(key) if key is not None else None


def _loaded(entry: ModelEntry) -> tuple[ModelEntry, Predictor] | None:
    try:
        return entry, get_predictor(entry)
    except Exception as err:  # noqa: BLE001 - a broken checkpoint must not take the page down
        st.error(f"The model {plain(entry.name)} could not be loaded: {plain(error_message(err))}")
        return None


def point_to_train(message: str, link: str = "Train one on the Train page") -> None:
    """Say that no model fits, and link to the Train page (both texts are Markdown: callers escape what they quote)."""
    st.warning(message)  # markup: checked at the call sites (tests/app/test_markup.py)
    st.page_link(TRAIN_PAGE, label=link, icon="🏋️")  # markup: checked at the call sites


def model_for_task(task: str, key: str, note: bool = True) -> tuple[ModelEntry, Predictor] | None:
    """The model a task page uses: the sidebar's when it fits, else a page-level choice of fitting models.

    With no model of the task, say so, point to the Train page and return None. `note=False` leaves out the
    sentence that the sidebar's model does another task (for a page whose sections need several tasks).
    """
    current = current_model()
    if current is not None and current.task == task:
        st.caption(f"Model: **{plain(current.label)}** ({plain(card_line(current))}). Change it in the sidebar.")
        return _loaded(current)
    fitting = models_of_task(task)
    if not fitting:
        point_to_train(
            f"No {plain(task_title(task))} model is available: none is shipped in models/ and none was trained in this session.",
            f"Train {plain(article(task))} model on the Train page",
        )
        return None
    if current is not None and note:
        st.info(
            f"The sidebar's model does {plain(task_title(current.task))}; this page needs "
            f"{plain(article(task_title(task)))} model, so pick one here."
        )
    by_key = {m.key: m for m in fitting}
    chosen = st.selectbox(
        f"{plain(task_title(task).capitalize())} model", list(by_key), key=key, format_func=lambda k: by_key[k].label
    )
    entry = by_key[chosen]
    st.caption(plain(card_line(entry)))
    return _loaded(entry)


def any_model() -> tuple[ModelEntry, Predictor] | None:
    """The sidebar's model, whatever its task; None (with a pointer to Train) when there is none."""
    entry = current_model()
    if entry is None:
        point_to_train("No model is available: none is shipped in models/ and none was trained in this session.")
        return None
    st.caption(f"Model: **{plain(entry.label)}** ({plain(card_line(entry))}). Change it in the sidebar.")
    return _loaded(entry)


def comparison_default(models: list[ModelEntry], most: int = COMPARED_MODELS) -> list[str]:
    """The models compared at first: the sidebar's (when it is one of them), then one per cell not yet chosen."""
    current = current_model()
    chosen = [current] if current is not None and current in models else []
    for cell in CELLS:  # one model per cell, so the default compares the cells
        pick = next((m for m in models if m.cell == cell and all(c.cell != cell for c in chosen)), None)
        if pick is not None and len(chosen) < most:
            chosen.append(pick)
    return [m.key for m in chosen]


def side_by_side_default(models: list[ModelEntry], entry: ModelEntry) -> tuple[str, str]:
    """Two models to compare at first: an LSTM and a GRU, of the sidebar model's task when there are such."""

    def first_key(cell: str, fallback: int) -> str:
        same_task = [m for m in models if m.cell == cell and m.task == entry.task]
        any_task = [m for m in models if m.cell == cell]
        return (same_task or any_task or [models[fallback]])[0].key

    left, right = first_key("lstm", 0), first_key("gru", 1)
    if left == right:
        right = next(m.key for m in models if m.key != left)
    return left, right
