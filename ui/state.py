"""Every read and write of `st.session_state` goes through these small functions; pages never touch it.

What a browser session uploads or trains lives here, in its own session state: no other session sees it.
Keys: "model_key" (the sidebar's model), "current_sentence" (the sentence that follows the reader across
pages), "trained_models" (this session's models by key, trained or uploaded), "train_job" (this session's
training run), "uploaded_model_zips" (what became of each model zip uploaded, by content hash),
"pending_model_key" (a model to put in use on the next run), "present" (the presenter switch), "link" (what
`ui.links` read from and wrote to the URL this run), "memory_job" (this session's memory experiment),
"handled_selections" (the chart selections a page has already acted on), and the widgets' own keys.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, TypedDict

import streamlit as st

if TYPE_CHECKING:  # annotations only: importing ui must not load torch
    from seqcore.background import ChildJob
    from seqcore.batching import Example
    from seqcore.inference import Predictor
    from ui.jobs import TrainJob
    from ui.models import ModelEntry

MODEL_KEY = "model_key"
SENTENCE = "current_sentence"
TRAINED = "trained_models"
JOB = "train_job"
PRESENT = "present"
LINK = "link"
MEMORY_JOB = "memory_job"
SELECTIONS = "handled_selections"
UPLOADED = "uploaded_model_zips"
PENDING_MODEL = "pending_model_key"


class TrainedModel(TypedDict):
    """A model trained or uploaded in this session: its registry entry, the ready model, its zip and its dev split."""

    entry: ModelEntry
    predictor: Predictor
    zip: bytes
    dev_examples: list[Example]


def model_key() -> str | None:
    """The key of the model chosen in the sidebar."""
    return st.session_state.get(MODEL_KEY)


def set_model_key(key: str) -> None:
    """Make `key` the sidebar's model (before the sidebar is drawn)."""
    st.session_state[MODEL_KEY] = key


def trained_models() -> dict[str, TrainedModel]:
    """This session's trained models, by key."""
    return st.session_state.setdefault(TRAINED, {})


def trained_model(key: str) -> TrainedModel | None:
    """One of this session's trained models, or None."""
    return trained_models().get(key)


def add_trained_model(key: str, record: TrainedModel) -> None:
    """Keep a model trained in this session."""
    trained_models()[key] = record


def uploaded_zips() -> dict[str, str | tuple[str]]:
    """Model zips uploaded in this session, by content hash: the model's key, or (the reason it was refused,)."""
    return st.session_state.setdefault(UPLOADED, {})


def set_pending_model(key: str) -> None:
    """Put `key` in use on the next run (the sidebar's widget cannot change once drawn in this one)."""
    st.session_state[PENDING_MODEL] = key


def take_pending_model() -> str | None:
    """The model to put in use now, if a page asked for one on the run before (asked once)."""
    return st.session_state.pop(PENDING_MODEL, None)


def train_job() -> TrainJob | None:
    """This session's training run (running or finished), if any."""
    return st.session_state.get(JOB)


def set_train_job(job: TrainJob) -> None:
    """Remember this session's training run."""
    st.session_state[JOB] = job


def current_sentence(default: str) -> str:
    """The sentence last used on any page (the default before any)."""
    return st.session_state.get(SENTENCE, default)


def set_current_sentence(text: str) -> None:
    """Make `text` the sentence every page starts from."""
    st.session_state[SENTENCE] = text


def widget_value(key: str, default: Any = None) -> Any:
    """The value of the widget with `key` (or `default` before it is drawn)."""
    return st.session_state.get(key, default)


def has_widget(key: str) -> bool:
    """Whether the widget with `key` holds a value in this session."""
    return key in st.session_state


def set_widget(key: str, value: Any) -> None:
    """Set a widget's value before it is drawn (in a callback, or on the run before)."""
    st.session_state[key] = value


class LinkState(TypedDict):
    """What `ui.links` knows this run: the URL it last wrote, the link's values still to apply, the widgets to write back."""

    written: dict[str, str] | None  # the query parameters this session last wrote (None before the first write)
    pending: dict[str, str]  # a newly opened link's page parameters, applied by the page's `link_view`
    widgets: dict[str, str]  # parameter name -> widget key, registered by the page this run
    kept: dict[str, str]  # parameter name -> value, for state that is not one widget's
    model: str | None  # the key of the model the page shows (when it is not the sidebar's)


def link_state() -> LinkState:
    """The link bookkeeping of this session."""
    return st.session_state.setdefault(LINK, LinkState(written=None, pending={}, widgets={}, kept={}, model=None))


def presenting() -> bool:
    """Whether the presenter switch is on."""
    return bool(st.session_state.get(PRESENT, False))


def memory_job() -> ChildJob | None:
    """This session's memory experiment (running or finished), if any."""
    return st.session_state.get(MEMORY_JOB)


def set_memory_job(job: ChildJob) -> None:
    """Remember this session's memory experiment."""
    st.session_state[MEMORY_JOB] = job


def handled_selection(chart_key: str) -> Any:
    """The selection of chart `chart_key` that the page last acted on (None before any)."""
    return st.session_state.get(SELECTIONS, {}).get(chart_key)


def set_handled_selection(chart_key: str, selection: Any) -> None:
    """Remember that the page acted on this selection of chart `chart_key`, so a rerun does not act on it again."""
    st.session_state.setdefault(SELECTIONS, {})[chart_key] = selection
