"""Links that reproduce a view: every page keeps its main state in the URL (`st.query_params`).

Parameters: `model` (a shipped model's name, or the key of a model trained in this session), `text` (the
sentence), `text2` (a second sentence, where a page has one), `layer`, `direction`, `unit`, `aspect` (terms,
comma-separated), `threshold`, and `present=1` (presenter mode). `/gates?model=sentiment-gru&text=not+bad+at+all`
opens the Gates page on that model and sentence.

Each run: app_script.py calls `follow_link()` before the sidebar (when the URL is not the one this session last
wrote, a link was opened or edited: its model and presenter switch apply at once, the rest waits for the
page); the page calls `link_view(entry, text=..., layer=...)` with its widgets' keys before it draws them
(the link's values are checked against that model and set; whatever does not fit is named in one gentle
message and left at its default); app_script.py calls `write_link()` when the page is done (after `st.stop()`
too), which writes the widgets' current values back. Nothing in a link can raise: every value is parsed here.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

import streamlit as st
from streamlit.delta_generator import DeltaGenerator

from ui import state
from ui.config import LINK_SHOWN_CHARS, LINK_TERM_CHARS, LINK_TEXT_CHARS, SATURATION
from ui.models import ModelEntry, all_models
from ui.text import md_plain

NAMES = ("model", "text", "text2", "layer", "direction", "unit", "aspect", "threshold", "present")
PAGE_NAMES = frozenset(NAMES) - {"model", "present"}  # what a page's widgets hold
DIRECTIONS = ("forward", "backward")  # seqcore.traces.DIRECTIONS (importing it here would load torch)
ON, OFF = frozenset({"1", "true", "yes", "on"}), frozenset({"0", "false", "no", "off"})


def inert(value: str, limit: int = LINK_SHOWN_CHARS) -> str:
    """A value from the URL as Markdown that shows it as typed: shortened, one line, every markup character escaped."""
    short = value if len(value) <= limit else value[: limit - 1] + "…"
    return md_plain(short)


def link_name(entry: ModelEntry) -> str:
    """How a model is named in a link: a shipped model by its folder name, a session model by its key."""
    return entry.name if entry.source == "shipped" else entry.key


def _url() -> dict[str, str]:
    return {k: str(v) for k, v in st.query_params.to_dict().items()}


def _say(notes: Sequence[str]) -> None:
    if notes:
        st.info(
            "This link could not be followed in full: "
            + "; ".join(notes)
            + ". Those parts show the default view.",  # markup: values quoted through inert()
            icon="🔗",
        )


def _follow_model(raw: str, notes: list[str]) -> None:
    models = all_models()
    shipped = {m.name: m for m in models if m.source == "shipped"}
    entry = next((m for m in models if m.key == raw), None) or shipped.get(raw.removeprefix("shipped:"))
    if entry is not None:
        state.set_model_key(entry.key)
        return
    if raw.startswith("session:"):
        name = raw.split(":", 2)[-1]
        notes.append(
            f"the model {inert(name)} was trained in another browser session, and a model trained in the app stays in "
            "the session that trained it (download its zip on the Train page to keep it)"
        )
    else:
        known = ", ".join(shipped) or "none"
        notes.append(f"there is no model named {inert(raw)} here (shipped models: {known})")


def follow_link() -> None:
    """Read the URL once per run (app_script.py, before the sidebar): apply a newly opened link's model and presenter switch."""
    link = state.link_state()
    link["widgets"], link["kept"], link["model"], link["pending"] = {}, {}, None, {}
    url = _url()
    if url == link["written"] or (link["written"] is None and not url):
        return  # the widgets hold the view; nothing new came from the URL
    notes: list[str] = []
    unknown = [name for name in url if name not in NAMES]
    if unknown:
        notes.append(f"{', '.join(inert(n) for n in unknown)}: not a link setting (these are {', '.join(NAMES)})")
    if "model" in url:
        _follow_model(url["model"], notes)
    if "present" in url:
        raw = url["present"].strip().lower()
        if raw in ON | OFF:
            state.set_widget(state.PRESENT, raw in ON)
        else:
            notes.append(f"present={inert(url['present'])} is neither 1 nor 0")
    link["pending"] = {k: v for k, v in url.items() if k in PAGE_NAMES}
    _say(notes)


def _whole(raw: str) -> int | None:
    try:
        return int(raw.strip())
    except ValueError:
        return None


def _parse(name: str, raw: str, entry: ModelEntry | None, sentence: str) -> tuple[Any, str | None]:
    """The widget value a link's `name=raw` stands for, or a sentence saying why it does not fit."""
    cfg = entry.config if entry is not None else {}
    model = f"{inert(entry.name)} has" if entry is not None else "the model has"
    shown = f"{name}={inert(raw)}"
    if name in ("text", "text2"):
        if not raw.strip():
            return None, f"{name} is empty"
        if len(raw) > LINK_TEXT_CHARS:
            return None, f"{name} is {len(raw):,} characters long (a link carries at most {LINK_TEXT_CHARS:,})"
        return raw, None
    if name in ("layer", "unit"):
        value = _whole(raw)
        count = int(cfg.get("num_layers", 1) if name == "layer" else cfg.get("hidden_size", 0))
        if value is None:
            return None, f"{shown} is not a whole number"
        if entry is not None and not 0 <= value < count:
            what = "layer(s)" if name == "layer" else "hidden units"
            return None, f"{shown} does not exist: {model} {count} {what}, numbered from 0"
        return value, None
    if name == "direction":
        allowed = DIRECTIONS if cfg.get("bidirectional", entry is None) else DIRECTIONS[:1]
        way = raw.strip().lower()
        if way not in allowed:
            return None, f"{shown} is not a direction this model reads ({' or '.join(allowed)})"
        return way, None
    if name == "threshold":
        try:
            number = float(raw)
        except ValueError:
            number = math.nan
        if not SATURATION.low <= number <= SATURATION.high:  # NaN fails too
            return None, f"{shown} is not a threshold between {SATURATION.low:g} and {SATURATION.high:g}"
        return round(round(number / SATURATION.step) * SATURATION.step, 6), None
    # aspect: terms that occur in the sentence
    terms = [t.strip() for t in raw.split(",") if t.strip()]
    if not terms or len(raw) > LINK_TERM_CHARS:
        return None, f"aspect must name one or more terms of the sentence, at most {LINK_TERM_CHARS} characters"
    missing = [t for t in terms if t.lower() not in sentence.lower()]
    if missing:
        return None, f"the aspect term {inert(missing[0])} does not occur in the sentence"
    return ", ".join(terms), None


def link_view(entry: ModelEntry | None = None, **widgets: str | None) -> dict[str, Any]:
    """Make this page's widgets follow a newly opened link, and be written back to the URL after the run.

    Call it before drawing the widgets, with the model the page shows and each linked parameter's widget
    key (`text="gates_sentence", layer="gates_layer", ...`); a key of None means the page applies that value
    itself (it gets it in the returned dict) and reports it with `keep_in_link`. Returns the values applied.
    """
    unknown = set(widgets) - PAGE_NAMES
    if unknown:
        raise ValueError(f"not link parameters: {sorted(unknown)} (they are {sorted(PAGE_NAMES)})")
    link = state.link_state()
    link["widgets"] = {name: key for name, key in widgets.items() if key is not None}
    link["model"] = entry.key if entry is not None else None
    pending, link["pending"] = link["pending"], {}
    notes, applied = [], {}
    text_key = widgets.get("text")
    sentence = pending.get("text") or (state.widget_value(text_key) if text_key else None) or state.current_sentence("")
    for name, raw in pending.items():
        if name not in widgets:
            notes.append(f"this page has no {name} setting")
            continue
        if name == "aspect" and entry is not None and entry.task != "aspect":
            notes.append(f"aspect terms apply to aspect models, and {inert(entry.name)} is not one")
            continue
        value, problem = _parse(name, raw, entry, sentence)
        if problem is not None:
            notes.append(problem)
            continue
        applied[name] = value
        key = widgets[name]
        if key is not None:
            state.set_widget(key, value)
        if name == "text":
            state.set_current_sentence(value)
    _say(notes)
    return applied


def keep_in_link(name: str, value: str) -> None:
    """Write `name=value` to the URL after this run (state a page keeps outside one widget, such as chosen terms)."""
    if name not in PAGE_NAMES:
        raise ValueError(f"{name!r} is not a link parameter (they are {sorted(PAGE_NAMES)})")
    state.link_state()["kept"][name] = value


def _as_text(value: Any) -> str | None:
    if value is None or isinstance(value, (list, tuple, dict)):
        return None
    if isinstance(value, float):
        return f"{value:g}"
    return str(value)


def write_link() -> None:
    """Write the view's state to the URL (app_script.py, once the page is done): the model, the linked widgets, presenter mode."""
    link = state.link_state()
    params: dict[str, str] = {}
    key = link["model"] or state.model_key()
    entry = next((m for m in all_models() if m.key == key), None)
    if entry is not None:
        params["model"] = link_name(entry)
    for name, widget in link["widgets"].items():
        if name == "aspect" and entry is not None and entry.task != "aspect":
            continue  # a term box left from another model
        text = _as_text(state.widget_value(widget)) if state.has_widget(widget) else None
        if text is not None and text.strip() and len(text) <= LINK_TEXT_CHARS:  # an empty box is left out
            params[name] = text
    params.update(link["kept"])
    if state.presenting():
        params["present"] = "1"
    if _url() != params:
        st.query_params.from_dict(params)
    link["written"] = params


def spans_for_terms(candidates: Sequence[tuple[Any, str]], terms: str | None) -> list:
    """The candidate spans whose words are among comma-separated `terms` (case-insensitive), in the terms' order."""
    if not terms:
        return []
    by_words = {label.lower(): span for span, label in candidates}
    wanted = [t.strip().lower() for t in terms.split(",")]
    return [by_words[t] for t in wanted if t in by_words]


# ----------------------------------------------------------------------------- presenter mode


def presenter_switch() -> None:
    """The sidebar's presenter switch (`present=1` in the URL)."""
    st.toggle(
        "Presenter mode",
        key=state.PRESENT,
        help="For a projector: hides tables and secondary controls (tucked into 'More controls') and enlarges chart text.",
    )


def presenting() -> bool:
    """Whether the presenter switch is on."""
    return state.presenting()


def secondary(parent: DeltaGenerator | None = None, what: str = "") -> DeltaGenerator:
    """Where a secondary control goes: `parent` (or the page) normally; in presenter mode a closed expander named for
    what it holds ("More controls: seed"), so a page with several says which is which."""
    where = parent if parent is not None else st.container()
    label = f"More controls: {what}" if what else "More controls"
    return where.expander(label, expanded=False) if presenting() else where  # markup: `what` is a page's constant
