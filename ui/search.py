"""Hidden-state search for the pages (`seqcore.search`, LSTMVis's idea): a corpus's states computed once, then searched.

A corpus is what the one data picker (`ui.sources.pick_data`) returned: a model's test set, its dev split,
a demo file or an upload. Its hidden states (float32, one row per token, one column per unit) are computed
once per model version and corpus, with a progress bar, and kept in a per-process store (`st.cache_resource`)
of at most SEARCH_STATES_CACHED corpora; a search over them is numpy on a boolean matrix, milliseconds.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

import streamlit as st

from seqcore import corpora, palette
from ui import config
from ui.config import SEARCH_STATES_CACHED
from ui.models import ModelEntry, model_version
from ui.sources import Picked
from ui.text import html_text  # ui.search.html_text: the escaping of match_html

if TYPE_CHECKING:  # annotations only: importing ui must not load torch
    import numpy as np

    from seqcore.batching import Example
    from seqcore.inference import Predictor
    from seqcore.search import CorpusStates, Match, Pattern

SEARCH_KINDS = ("test", "dev", "demo", "upload")  # the data picker's choices of a corpus to search
NEAR_MISSES = 10  # units drawn when no unit makes the pattern: those closest to it
HIGHLIGHT = f"background:{palette.MATCH_BACKGROUND};padding:0 2px;border-radius:3px"  # the matched words


@st.cache_data(show_spinner="Reading the test set's sentences from the data folder...", max_entries=8)
def _card_test_sentences(version: str, root: str, _card: dict) -> list[Example]:
    from seqcore.tasks import card_test_files, corpus_examples

    found = card_test_files(_card)
    if found is None:
        raise ValueError("the model's card names no test files")
    examples, _ = corpus_examples("aspect", found.files)
    return examples


@st.cache_data(show_spinner=False, max_entries=16)
def _file_sentences(task: str, data_key: str, _picked: Picked) -> list[Example]:
    from seqcore.tasks import parsed_corpus_examples

    assert _picked.parsed is not None
    return parsed_corpus_examples(_picked.parsed)


def corpus_sentences(entry: ModelEntry, picked: Picked) -> tuple[str, list[Example]] | None:
    """The sentences to search in what the picker returned, and a key naming them (None when nothing is chosen).

    A file gives every sentence with tokens, labeled or not; an aspect model's test set every sentence of
    its SemEval test file (aspects or not, as the CLI's `search` reads it); other test sets and dev splits
    the examples the model was scored on.
    """
    if picked.examples is None or picked.data_key is None:
        return None
    if picked.parsed is not None:
        return picked.data_key, _file_sentences(entry.task, picked.data_key, picked)
    if picked.kind == "test" and entry.task == "aspect":
        root = str(corpora.data_dir())
        return f"{picked.data_key}:every-sentence", _card_test_sentences(model_version(entry), root, entry.card)
    return picked.data_key, list(picked.examples)


def units_of(predictor: Predictor) -> int:
    """The number of state columns a corpus's states hold for this model: layers x directions x hidden units."""
    cfg = predictor.model.cfg
    return cfg.num_layers * cfg.num_directions * cfg.hidden_size


def fitting_sentences(examples: Sequence[Example], units: int, megabytes: float | None = None) -> int:
    """How many of the first sentences fit in `megabytes` of float32 states with `units` columns (a server's memory
    is shared: a big upload is searched in its first sentences rather than not at all)."""
    budget, used = (config.SEARCH_STATES_MB if megabytes is None else megabytes) * 1e6, 0.0
    for k, ex in enumerate(examples):
        used += len(ex.tokens) * units * 4
        if used > budget:
            return k
    return len(examples)


class StatesStore:
    """Corpus states by (model version, corpus key), the least recently used dropped beyond `size` (thread-safe)."""

    def __init__(self, size: int) -> None:
        self.size = size
        self.items: OrderedDict[tuple[str, str], CorpusStates] = OrderedDict()
        self.lock = threading.Lock()

    def get(self, key: tuple[str, str]) -> CorpusStates | None:
        with self.lock:
            found = self.items.get(key)
            if found is not None:
                self.items.move_to_end(key)
            return found

    def put(self, key: tuple[str, str], states: CorpusStates) -> None:
        with self.lock:
            self.items[key] = states
            self.items.move_to_end(key)
            while len(self.items) > self.size:
                self.items.popitem(last=False)


@st.cache_resource(show_spinner=False)
def states_store() -> StatesStore:
    """The process's store of corpus states (shared by sessions: keys name the model version and the corpus content)."""
    return StatesStore(SEARCH_STATES_CACHED)


def corpus_states_for(entry: ModelEntry, predictor: Predictor, corpus_key: str, examples: Sequence[Example]) -> CorpusStates:
    """The corpus's hidden states for this model: computed once (batched, on the model's device, with a progress bar)."""
    from seqcore.device import full_float32
    from seqcore.search import corpus_states

    key = (model_version(entry), corpus_key)
    store = states_store()
    found = store.get(key)
    if found is not None:
        return found
    bar = st.progress(0.0, text=f"Computing the hidden states of {len(examples):,} sentences (once per model and corpus)...")

    def progress(done: int, total: int) -> None:
        bar.progress(done / total, text=f"Hidden states: {done:,} of {total:,} sentences")

    try:
        model = predictor.batch_model  # a whole corpus: the batch device (the GPU when there is one)
        with full_float32(next(model.parameters()).device):
            states = corpus_states(model, predictor.encoder, list(examples), progress=progress)
    finally:
        bar.empty()
    store.put(key, states)
    return states


@dataclass
class Found:
    """A search's answer: the pattern, its matches, and the pattern units' states over the query sentence."""

    pattern: Pattern
    matches: list[Match]
    tokens: list[str]
    states: np.ndarray  # (T, P) the query sentence's states of the pattern's units (or of the nearest misses)
    names: list[str]  # (P,) "layer 0 fwd #17"
    near_misses: bool = False  # the pattern is empty: `states` are the units closest to joining it


def find_matches(
    predictor: Predictor,
    text: str | list[str],
    corpus: CorpusStates,
    span: tuple[int, int],
    threshold: float,
    layer: int | None,
    direction: str | None,
    top: int,
) -> Found:
    """The pattern of units on over `span` of `text` and off just before it, and its best matches in `corpus`."""
    from seqcore.plots import unit_label
    from seqcore.search import find_pattern, search, text_states

    query = text_states(predictor, text)
    pattern = find_pattern(query, span, threshold, layer=layer, direction=direction)
    sentence = query.sentence_states(0)  # (T, U)
    columns, near = pattern.columns, False
    if not len(columns):  # show the units nearest to the pattern: the highest lowest state over the range
        considered = query.columns(layer, direction)
        lowest = sentence[span[0] : span[1], considered].min(axis=0)  # (U',)
        columns, near = considered[(-lowest).argsort(kind="stable")[:NEAR_MISSES]], True
    names = [unit_label(u) for u in query.describe_units(columns)]
    return Found(pattern, search(corpus, pattern, top), query.tokens[0], sentence[:, columns], names, near)


def match_html(match: Match) -> str:
    """A match's sentence as HTML: every piece escaped, the matched words marked."""
    from seqcore.search import match_segments

    pieces = []
    for piece, hit in match_segments(match.text, match.tokens, match.start, match.end):
        text = html_text(piece)
        pieces.append(f'<mark style="{HIGHLIGHT}">{text}</mark>' if hit else text)
    return "".join(pieces)


def show_matches(matches: Sequence[Match], pattern_size: int) -> None:
    """The matches, best first: rank, score, units matched of the pattern's, sentence id, and the sentence highlighted."""
    lines = []
    for k, m in enumerate(matches, start=1):
        lines.append(
            f"<li style='margin-bottom:0.4rem'><b>{k}.</b> score {m.score:.3f} · {m.units_matched} of {pattern_size} units "
            f"· <code>{html_text(m.id)}</code> · tokens {m.start}:{m.end}<br>{match_html(m)}</li>"
        )
    body = "".join(lines)  # every user string in it went through html_text
    st.markdown(f"<ol style='list-style:none;padding-left:0'>{body}</ol>", unsafe_allow_html=True)  # markup: html_text


def match_rows(matches: Sequence[Match]) -> list[dict]:
    """The matches as table rows."""
    return [
        {
            "rank": k,
            "id": m.id,
            "matched words": " ".join(m.tokens[m.start : m.end]),
            "start": m.start,
            "end": m.end,
            "score": round(m.score, 4),
            "units matched": m.units_matched,
            "text": m.text,
        }
        for k, m in enumerate(matches, start=1)
    ]
