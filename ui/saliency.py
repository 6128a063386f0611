"""Which words drove the answer (integrated gradients) and what an edit changed (before and after), for the pages.

The numbers come from `seqcore.attribution`. Integrated gradients cost 0.1-6 s for a 40-token sentence on a
2-core CPU (bench/bench_explain.py), so saliency is computed only when the reader turns it on, and every
answer is cached by model version and inputs (`st.cache_data`); final states cost milliseconds.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import TYPE_CHECKING

import pandas as pd
import streamlit as st

from ui import state
from ui.config import CHANGED_UNITS_TOP
from ui.explain import Focus, Text, text_arg
from ui.models import ModelEntry, get_predictor, model_version
from ui.parts import part
from ui.text import md_plain
from ui.widgets import chart, table

if TYPE_CHECKING:  # annotations only: importing ui must not load torch
    from seqcore.attribution import Saliency
    from seqcore.inference import Predictor


@st.cache_data(show_spinner=False, max_entries=64)
def _saliency(
    version: str, text: Text, aspect: tuple[int, int] | None, token: int | None, target: str, _predictor: Predictor
) -> Saliency:
    from seqcore.attribution import saliency

    return saliency(_predictor, text_arg(text), aspect=aspect, token=token, target=target or None)


def word_saliency(entry: ModelEntry, predictor: Predictor, text: Text, focus: Focus) -> Saliency:
    """Integrated gradients and gradient x input of one logit (`seqcore.attribution.saliency`), cached by model and inputs."""
    return _saliency(model_version(entry), text, focus.aspect, focus.token, focus.target, predictor)


def saliency_rows(sal: Saliency) -> pd.DataFrame:
    """One row per token: its integrated-gradients attribution and gradient x input (logit units)."""
    df = pd.DataFrame({"position": range(len(sal.tokens)), "word": sal.tokens, "integrated gradients": sal.attributions}).assign(
        **{"gradient x input": sal.grad_x_input}
    )
    if sal.char_attributions is not None:
        df["IG: word part"] = sal.word_attributions
        df["IG: character part"] = sal.char_attributions
    return df.round(5)


def draw_saliency(sal: Saliency, name: str, key: str) -> None:
    """Coloured words for one sentence, the completeness check and the numbers as a table."""
    from seqcore import plots

    rows = {"integrated gradients": sal.attributions.tolist(), "gradient x input": sal.grad_x_input.tolist()}
    chart(
        plots.saliency_figure(
            sal.tokens, rows, sal.target, title=f"{name}: which words drove logit({sal.target}) for the {sal.item}"
        ),
        "Each word coloured by how much it moved the logit: green towards the class, purple away, white not at all "
        "(the colour bar is centred on zero); hover a word for its number. Top row: integrated gradients from a "
        "sentence of padding tokens; bottom row: gradient x input (first order, a quick check).",
        key=f"{key}_chart",
    )
    total, gap = float(sal.attributions.sum()), sal.logit - sal.baseline_logit
    message = (
        f"Completeness: the attributions add up to {total:+.4f}; logit({md_plain(sal.target)}) - logit(baseline) = "
        f"{sal.logit:.4f} - {sal.baseline_logit:.4f} = {gap:+.4f}; error {sal.completeness_error:.2%} "
        f"after {sal.steps} steps. {md_plain(sal.method[:1].upper() + sal.method[1:])}."
    )
    if sal.converged:
        st.caption(message)  # markup: its user strings went through md_plain above
    else:
        st.warning(message + " The integral did not converge within 1%: read the colours as approximate.")  # markup: same
    with st.expander("The attributions as numbers"):
        table(saliency_rows(sal), f"saliency_{key}", key=f"{key}_table", caption="One row per word (logit units).")


@part  # the toggle reruns only this part of the page (issue 17)
def show_saliency(
    entry: ModelEntry, predictor: Predictor | None, sentences: Mapping[str, Text], focus: Focus, key: str, same_class: bool = True
) -> None:
    """A toggle; when on, integrated gradients for each named sentence (cached), drawn as coloured words.

    With `same_class`, every sentence explains the class the first one explains (its prediction, unless chosen),
    so an edit's colours read against the same logit. With no `predictor`, the entry's model is loaded when the
    toggle is on (a page drawn from remembered answers loads no model until then).
    """
    on = st.toggle(
        "Show which words drove the answer (integrated gradients: up to a few seconds, then remembered)",
        key=key,
        help="Computed on demand, once per model, sentence and choice.",
    )
    if not on:
        st.caption("Turn it on to colour the words by how much each one moved the answer.")
        return
    if predictor is None:
        predictor = get_predictor(entry)
    for k, (name, text) in enumerate(sentences.items()):
        with st.spinner(f"Integrated gradients for {name}..."):
            sal = word_saliency(entry, predictor, text, focus)
        draw_saliency(sal, name, f"{key}_{k}")
        if same_class and k == 0:
            focus = Focus(focus.aspect, focus.token, sal.target)


# ----------------------------------------------------------------------------- before and after

NOT = re.compile(r"\bnot\s+", re.IGNORECASE)
AUXILIARY = re.compile(r"\b(is|was|are|were|am|be|been|will|would|can|could|should|does|do|did|has|have|had)\b\s*", re.IGNORECASE)


def negation_edit(text: str) -> str:
    """Flip the sentence's negation, as a first edit to compare: drop its first "not", else add one after its
    first auxiliary verb ("the food was good" -> "the food was not good"), else put "Not" in front."""
    if NOT.search(text):
        return NOT.sub("", text, count=1)
    aux = AUXILIARY.search(text)
    if aux is not None:
        return f"{text[: aux.end(1)]} not{text[aux.end(1) :]}"
    return f"Not {text.strip()}" if text.strip() else text


def edited_copy_input(text: str, key: str, label: str) -> str:
    """A second sentence box for an edited copy of `text`: empty at first, so nothing is compared until the reader
    types an edit; a button fills in a suggestion (`text` with its negation flipped) to edit further."""
    edited = st.text_input(
        label,  # markup: a page's constant label (its call sites are checked); escaping would put backslashes in its accessible name
        key=key,
        help="Edit a word or two of the first sentence; leave it empty for no comparison.",
    )
    st.button(
        "Suggest an edit (flip the negation)",
        key=f"{key}_suggest",
        on_click=state.set_widget,
        args=(key, negation_edit(text)),
        help="Fills the box with the first sentence, 'not' added or taken away; edit it further if you like.",
    )
    return edited


@st.cache_data(show_spinner=False, max_entries=64)
def _final_change(version: str, before: str, after: str, _predictor: Predictor) -> list[dict]:
    from seqcore.attribution import final_state_change

    return final_state_change(_predictor, before, after)


def state_change_rows(entry: ModelEntry, predictor: Predictor, before: str, after: str, top: int | None = None) -> list[dict]:
    """Units ranked by how much their final state moved from `before` to `after` (`final_state_change`), cached."""
    rows = _final_change(model_version(entry), before, after, predictor)
    return rows[: CHANGED_UNITS_TOP if top is None else top]
