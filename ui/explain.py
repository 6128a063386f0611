"""Why did the model answer that: what to explain, and which units matter.

The numbers come from `seqcore.attribution` (its docstring gives the equations); this module draws the
choice of what to explain (the aspect, token and class a reader picks, a word range), caches the unit
ranking by model version and inputs (`st.cache_data`: milliseconds to compute, but asked on every rerun),
and draws it the same way on every page. Word saliency and before/after are in `ui.saliency`.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

import pandas as pd
import streamlit as st

from ui import state
from ui.config import UNITS_TOP, UNITS_TOP_RANGE
from ui.models import ModelEntry, model_version
from ui.text import md_plain, plain
from ui.widgets import chart, table

if TYPE_CHECKING:  # annotations only: importing ui must not load torch
    from seqcore.attribution import UnitRanking
    from seqcore.inference import Predictor

Text = str | tuple[str, ...]  # a typed sentence, or the words of a file's sentence
PREDICTED = ""  # the class choice that means "the class the model predicts"
# Words whose range is a good first selection: negation and contrast change what a sentence says.
TURNING_WORDS = frozenset({"not", "n't", "no", "never", "but", "although", "though", "however", "yet"})


def text_key(*parts: object) -> str:
    """A short hash naming widgets whose options depend on a sentence (they start afresh on a new one)."""
    return hashlib.sha256(repr(parts).encode()).hexdigest()[:10]


def sentence_tokens(predictor: Predictor, text: Text) -> list[str]:
    """The tokens the model reads for `text` (raises EmptyTextError / TextTooLongError with the reason)."""
    return predictor.example(list(text) if isinstance(text, tuple) else text)[0].tokens


def text_arg(text: Text) -> str | list[str]:
    """The sentence as seqcore takes it: a string, or a list of words."""
    return list(text) if isinstance(text, tuple) else text


@dataclass(frozen=True)
class ModelHead:
    """What the choice of a focus needs of a model: its task and class labels, known without loading it (a
    remembered trajectory's labels: `ui.trajectory_of`)."""

    task: str
    labels: Sequence[str]


@dataclass(frozen=True)
class Focus:
    """What to explain: an aspect (token span) of an aspect model or a token of a tagger, and a class ("": predicted)."""

    aspect: tuple[int, int] | None = None
    token: int | None = None
    target: str = PREDICTED


def pick_focus(
    predictor: Predictor | ModelHead,
    text: Text,
    key: str,
    *,
    tokens: Sequence[str] | None = None,
    aspects: Sequence[tuple[tuple[int, int], str]] | None = None,
) -> Focus:
    """Draw the choice of what to explain for the model's task, and return it.

    aspect models: one aspect (`aspects` as (token span, term) pairs; by default every word and word pair,
    the likely aspect terms first); taggers: one token; every task: the class, the predicted one by default.
    """
    task, tag = predictor.task, text_key(text)
    left, right = st.columns(2)
    aspect = token = None
    if task == "aspect":
        from seqcore.inference import aspect_candidates, suggest_aspects

        options = list(aspects) if aspects is not None else aspect_candidates(str(text))
        if not options:
            raise ValueError("the sentence has no word that could be an aspect term")
        names = dict(options)
        spans = list(names)
        first = spans[0] if aspects is not None else suggest_aspects(options)[0]
        aspect = left.selectbox(
            "Aspect to explain",
            spans,
            index=spans.index(first),
            key=f"{key}_aspect_{tag}",
            format_func=lambda sp: f"{names[sp]} [tokens {sp[0]}:{sp[1]}]",
        )
    elif task == "tagging":
        if tokens is not None:
            words = list(tokens)
        elif isinstance(predictor, ModelHead):
            raise TypeError("a tagger's token to explain needs the sentence's tokens or the loaded model")
        else:
            words = sentence_tokens(predictor, text)
        token = left.selectbox(
            "Token to explain", range(len(words)), key=f"{key}_token_{tag}", format_func=lambda i: f"{i}: {words[i]}"
        )
    labels = predictor.labels
    target = (left if task == "sentiment" else right).selectbox(
        "Class to explain",
        [PREDICTED, *labels],
        key=f"{key}_class_{text_key(*labels)}",
        format_func=lambda c: "the predicted class" if c == PREDICTED else c,
        help="Explain the logit of the class the model predicts, or of another class (why not that one?).",
    )
    return Focus(aspect, token, target or PREDICTED)


def default_span(tokens: Sequence[str]) -> tuple[int, int]:
    """A first word range I:J to select: a negation or contrast word and the word after it, else the middle two words."""
    n = len(tokens)
    at = next((i for i, t in enumerate(tokens) if t.lower() in TURNING_WORDS), None)
    start = at if at is not None else max(0, n // 2 - 1)
    return start, min(n, start + 2)


def word_range(tokens: Sequence[str], key: str, label: str, help: str | None = None) -> tuple[int, int]:
    """A range slider over the sentence's tokens; return the range as (I, J), token indices, end exclusive."""
    n = len(tokens)
    if n == 1:
        st.caption(f"{md_plain(label)}: the sentence's one token, 0:1.")
        return 0, 1
    start, end = default_span(tokens)
    low, high = st.select_slider(
        label,  # markup: a page's constant label (its call sites are checked); escaping would put backslashes in its accessible name
        options=list(range(n)),
        value=(start, end - 1),
        key=f"{key}_{text_key(*tokens)}",
        format_func=lambda i: f"{i}: {md_plain(tokens[i])}",  # a select slider's options are Markdown too
        help=help,  # markup: callers' literals (tests/app/test_markup.py checks word_range's calls)
    )
    return int(low), int(high) + 1


# ----------------------------------------------------------------------------- units that matter


@st.cache_data(show_spinner=False, max_entries=128)
def _ranking(
    version: str,
    text: Text,
    aspect: tuple[int, int] | None,
    token: int | None,
    target: str,
    span: tuple[int, int] | None,
    _predictor: Predictor,
) -> UnitRanking:
    from seqcore.attribution import rank_units

    return rank_units(_predictor, text_arg(text), aspect=aspect, token=token, target=target or None, span=span)


def unit_ranking(
    entry: ModelEntry, predictor: Predictor, text: Text, focus: Focus, span: tuple[int, int] | None = None
) -> UnitRanking:
    """Every hidden unit scored for one logit (`seqcore.attribution.rank_units`), cached by model and inputs."""
    return _ranking(model_version(entry), text, focus.aspect, focus.token, focus.target, span, predictor)


def ranked_rows(ranking: UnitRanking, layer: int, direction: str, by: str, top: int | None = None) -> list[dict]:
    """The ranked units of one layer and direction as rows (layer, direction, unit, score, contribution[, change])."""
    rows = [r.to_dict() for r in ranking.ranked(by) if r.layer == layer and r.direction == direction]
    return rows if top is None else rows[:top]


def shown_units(ranking: UnitRanking, layer: int, direction: str, by: str, top: int | None) -> list[int]:
    """The unit indices to draw, best first: the top `top` of the ranking (all when None)."""
    order = [int(u) for u in ranking.order(layer, direction, by)]
    return order if top is None else order[:top]


def top_units_input(hidden: int, key: str) -> int | None:
    """The number of ranked units to draw (UNITS_TOP at first) and a toggle to draw them all; None means all."""
    left, right = st.columns(2)
    every = right.toggle(f"Show all {hidden:d} units", key=f"{key}_all", help="Every unit of the layer, in ranking order.")
    top = left.number_input(
        "Units shown (the best ranked)",
        int(UNITS_TOP_RANGE.low),
        max(int(UNITS_TOP_RANGE.low), min(int(UNITS_TOP_RANGE.high), hidden)),
        min(UNITS_TOP, hidden),
        int(UNITS_TOP_RANGE.step),
        key=f"{key}_top",
        disabled=every,
    )
    return None if every else int(top)


def show_ranking(ranking: UnitRanking, layer: int, direction: str, by: str, top: int | None, key: str) -> None:
    """Draw the ranking of one layer and direction (bars) and its table with a CSV download."""
    from seqcore import plots

    rows = ranked_rows(ranking, layer, direction, by, top)
    where = f"layer {layer} {direction}"
    target = md_plain(ranking.target)
    what = (
        f"how much each unit's state changes over tokens {ranking.span[0]:d}:{ranking.span[1]:d} (mean \\|h - h before\\|)"
        if by == "change" and ranking.span is not None
        else f"\\|gradient x activation\\| of logit({target}) summed over the words"
    )
    chart(
        plots.units_figure(rows, by, ranking.target, title=f"Units of {where} ranked for the {ranking.item}"),
        f"Bars: {what}; green units push towards {target}, purple (hatched) ones against it. Labels keep the real unit index.",  # markup: what and target escaped above
        key=f"{key}_chart",
    )
    best = ranking.ranked(by, top=1)
    if best and len(ranking.layers) > 1:
        b = best[0]
        st.caption(
            f"Over all {len(ranking.layers)} layer-directions, the top unit is layer {b.layer:d} {md_plain(b.direction)} "
            f"\\#{b.unit:d}."
        )
    table(
        pd.DataFrame(rows).round(5),
        f"units_{where.replace(' ', '_')}",
        key=f"{key}_table",
        caption="The ranking as numbers: score (what the bars show) and the signed contribution to the logit (logit units).",
    )


def ranked_unit_slider(order: Sequence[int], key: str, label: str) -> int:
    """A slider over a layer's units in ranking order, starting at the top-ranked unit; return the chosen unit.

    It follows the top of the ranking (a new sentence, layer or item) until the reader moves it; a unit set by a
    link, or chosen by hand, stays while it is a unit of the layer.
    """
    top_key = f"{key}_top"
    last_top, current = state.widget_value(top_key), state.widget_value(key)
    if current not in order or (current == last_top and order[0] != last_top):
        state.set_widget(key, order[0])
    state.set_widget(top_key, order[0])
    rank = {u: k + 1 for k, u in enumerate(order)}
    return int(
        st.select_slider(
            label,  # markup: a page's constant label (its call sites are checked); escaping would put backslashes in its accessible name
            options=list(order),
            key=key,
            format_func=lambda u: f"#{u} (rank {rank[u]})",
        )
    )


def terms_input(key: str, text: str, tokens: Sequence[str], label: str = "Aspect term(s), separated by commas") -> str:
    """A box for aspect terms that follows the sentence: when the sentence changes, terms that no longer occur in
    `text` give way to a default (its second token, the first of a one-word sentence, as the pages first offer), with a
    note saying which were dropped. Terms typed for this very sentence are kept as typed (the page says what is wrong
    with them)."""
    default = tokens[min(1, len(tokens) - 1)]
    kept, before = state.widget_value(key), state.session_value(f"{key}_sentence")
    state.set_session_value(f"{key}_sentence", text)
    if kept is None:
        state.set_widget(key, default)
    elif before is not None and before != text:
        missing = [t.strip() for t in str(kept).split(",") if t.strip() and t.strip().lower() not in text.lower()]
        if missing:
            state.set_widget(key, default)
            st.info(f"Not in the new sentence, so set back to {plain(repr(default))}: {plain(', '.join(missing))}.")
    return st.text_input(label, key=key)  # markup: a fixed label
