"""Hidden-state search (the core idea of LSTMVis, Strobelt et al. 2017): find where the same units fire.

1. States: run the model once over a corpus (batched, on the model's device) and keep every
   token's hidden state h_t of every layer and direction: a `CorpusStates`, one row per token,
   one column per (layer, direction, unit). Compute it once per model and corpus and reuse it.
2. Pattern: select a word range I:J (end exclusive) of a sentence. The pattern is the set S of
   units that are on (h > threshold) at every token of the range and off (h <= threshold) just
   before it, in the unit's reading order: token I-1 for the forward direction, token J for the
   backward one (the zero initial state when the range touches the sentence's edge).
3. Search: every window of the same length L = J - I in the corpus is scored by the weighted share
   of the pattern's (unit, position) cells that agree with it, over the L positions and the one before:

       score = sum_{u in S} w_u (#{t in window: h_t,u > threshold} + [h_before,u <= threshold]) / (sum_u w_u (L + 1))
       w_u   = mean_{t in I..J-1} h_t,u - threshold     (of the selected range, so w_u > 0)

   1.0 means every pattern unit is on over the whole window and off just before it. The weight
   says how clearly a unit is on in the selection: a unit barely above the threshold (often one
   that carries context rather than the words) counts little, so it cannot drown the units the
   words switch on hard (with equal weights, a hand-built test model's planted phrases tied with
   half-phrase decoys). A unit matches a window when it is on at all L positions and off before.
   Matches in one sentence do not overlap; the best come first (ties: more matched units, then
   corpus order).

Computing the states is one batched forward pass over the corpus; the search itself is numpy over
a (tokens x |S|) boolean matrix and cumulative sums, milliseconds for ~700 sentences (see
bench/bench_explain.py for measured numbers). A corpus's sentences are read by `seqcore.tasks.corpus_examples`.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np
import torch

from seqcore.batching import Example, batch_order
from seqcore.states import DIRECTIONS, layer_states

THRESHOLD = 0.3  # h > 0.3 counts as on: tanh-bounded states, LSTMVis's usual default range


@dataclass
class CorpusStates:
    """Every token's hidden states of a corpus for one model: rows are tokens, columns (layer, direction, unit).

    Sentence s owns rows starts[s]:starts[s + 1]. `states` is float32 (N, U); unit_layer, unit_direction
    (0 forward, 1 backward) and unit_index (the unit's index within its layer and direction) are (U,).
    """

    ids: list[str]
    texts: list[str]
    tokens: list[list[str]]
    starts: np.ndarray  # (S + 1,)
    states: np.ndarray  # (N, U)
    unit_layer: np.ndarray  # (U,)
    unit_direction: np.ndarray  # (U,)
    unit_index: np.ndarray  # (U,)

    def __len__(self) -> int:
        return len(self.ids)

    @property
    def nbytes(self) -> int:
        return int(self.states.nbytes)

    def sentence_states(self, s: int) -> np.ndarray:
        """Return sentence s's states (T, U)."""
        return self.states[self.starts[s] : self.starts[s + 1]]

    def columns(self, layer: int | None = None, direction: str | None = None) -> np.ndarray:
        """Return the column indices of one layer and/or direction (all when None)."""
        keep = np.ones(len(self.unit_index), dtype=bool)
        if layer is not None:
            keep &= self.unit_layer == layer
        if direction is not None:
            keep &= self.unit_direction == DIRECTIONS.index(direction)
        return np.flatnonzero(keep)

    def describe_units(self, columns: Sequence[int] | np.ndarray) -> list[dict]:
        """Return {"layer", "direction", "unit"} for each column."""
        return [
            {
                "layer": int(self.unit_layer[c]),
                "direction": DIRECTIONS[int(self.unit_direction[c])],
                "unit": int(self.unit_index[c]),
            }
            for c in columns
        ]


def _unlabeled(ex: Example) -> Example:
    return Example(id=ex.id, tokens=list(ex.tokens), text=ex.text or " ".join(ex.tokens))


@torch.no_grad()
def corpus_states(
    model,
    encoder,
    examples: Sequence[Example],
    batch_size: int = 128,
    progress: Callable[[int, int], None] | None = None,
) -> CorpusStates:
    """Run `model` over `examples` once, in length-bucketed batches on the model's device, and keep every token's states.

    Labels are ignored (a corpus need not be labeled). `progress(done, total)` is called after each batch.
    This is batch work: pass a Predictor's `batch_model` (the GPU when present, `seqcore.device.device_for("batch")`).
    """
    examples = [_unlabeled(ex) for ex in examples if ex.tokens]
    if not examples:
        raise ValueError("the corpus has no sentences with tokens to search")
    lengths = [len(ex.tokens) for ex in examples]
    starts = np.concatenate([[0], np.cumsum(lengths)]).astype(np.int64)  # (S + 1,)
    states: np.ndarray | None = None
    meta: list[tuple[int, int, int]] = []  # (layer, direction index, units) of each layer-direction
    done = 0
    for positions in batch_order(lengths, batch_size, bucket=True):
        batch = encoder.batch([examples[i] for i in positions])
        per_layer = layer_states(model, batch.ids, batch.lengths, batch.chars)  # [(layer, dir, (B, T, H))]
        if states is None:
            meta = [(layer, DIRECTIONS.index(d), h.shape[-1]) for layer, d, h in per_layer]
            states = np.zeros((int(starts[-1]), sum(m[2] for m in meta)), dtype=np.float32)
        rows = torch.cat([h for _, _, h in per_layer], dim=-1).float().cpu().numpy()  # (B, T, U)
        for b, i in enumerate(positions):
            states[starts[i] : starts[i + 1]] = rows[b, : lengths[i]]
        done += len(positions)
        if progress is not None:
            progress(done, len(examples))
    assert states is not None  # at least one batch ran: the corpus is not empty
    unit_layer = np.concatenate([np.full(H, layer) for layer, _, H in meta])
    unit_direction = np.concatenate([np.full(H, d) for _, d, H in meta])
    unit_index = np.concatenate([np.arange(H) for _, _, H in meta])
    return CorpusStates(
        ids=[ex.id for ex in examples],
        texts=[ex.text for ex in examples],
        tokens=[ex.tokens for ex in examples],
        starts=starts,
        states=states,
        unit_layer=unit_layer,
        unit_direction=unit_direction,
        unit_index=unit_index,
    )


def text_states(predictor, text: str | list[str]) -> CorpusStates:
    """Return the states of one sentence (a corpus of one) for choosing a pattern."""
    ex, _ = predictor.example(text)
    return corpus_states(predictor.model, predictor.encoder, [ex])


# ----------------------------------------------------------------------------- pattern


@dataclass
class Pattern:
    """The units on over tokens start:end of a sentence and off just before it, at `threshold`."""

    columns: np.ndarray  # (P,) column indices into CorpusStates.states
    units: list[dict]  # {"layer", "direction", "unit"} per column
    weights: np.ndarray  # (P,) mean state over the range minus the threshold
    directions: np.ndarray  # (P,) 0 forward, 1 backward
    threshold: float
    start: int
    end: int
    tokens: list[str]  # the selected words

    @property
    def length(self) -> int:
        return self.end - self.start

    def __len__(self) -> int:
        return len(self.columns)


def before_states(sentence: np.ndarray, start: int, end: int, directions: np.ndarray) -> np.ndarray:
    """Return each unit's state just before start:end in its reading order; zero (the initial state) at the edges."""
    T, U = sentence.shape
    before = np.zeros(U, dtype=sentence.dtype)
    fwd, bwd = directions == 0, directions == 1
    if start > 0:
        before[fwd] = sentence[start - 1, fwd]
    if end < T:
        before[bwd] = sentence[end, bwd]
    return before


def find_pattern(
    query: CorpusStates,
    span: tuple[int, int],
    threshold: float = THRESHOLD,
    sentence: int = 0,
    layer: int | None = None,
    direction: str | None = None,
) -> Pattern:
    """Return the units of sentence `sentence` of `query` that are on over `span` and off just before it.

    `layer`/`direction` restrict the pattern to one layer and/or direction (all by default).
    """
    states = query.sentence_states(sentence)  # (T, U)
    T = states.shape[0]
    start, end = int(span[0]), int(span[1])
    if not 0 <= start < end <= T:
        raise ValueError(
            f"the span {start}:{end} is outside the sentence's {T} tokens: use I:J with 0 <= I < J <= {T} (end exclusive)"
        )
    layers = sorted(set(query.unit_layer.tolist()))
    if layer is not None and layer not in layers:
        raise ValueError(f"the model has no layer {layer}: its layers are {layers} (0-based)")
    if direction is not None and DIRECTIONS.index(direction) not in set(query.unit_direction.tolist()):
        raise ValueError(f"the model has no {direction} direction: it reads forward only")
    allowed = np.zeros(states.shape[1], dtype=bool)
    allowed[query.columns(layer, direction)] = True
    on = (states[start:end] > threshold).all(axis=0)  # (U,)
    off = before_states(states, start, end, query.unit_direction) <= threshold
    columns = np.flatnonzero(on & off & allowed)
    weights = states[start:end, columns].mean(0) - threshold  # (P,) > 0: how clearly each unit is on
    return Pattern(
        columns=columns,
        units=query.describe_units(columns),
        weights=weights,
        directions=query.unit_direction[columns],
        threshold=float(threshold),
        start=start,
        end=end,
        tokens=query.tokens[sentence][start:end],
    )


# ----------------------------------------------------------------------------- search


@dataclass
class Match:
    """A window of a corpus sentence where the pattern's units fire."""

    sentence: int  # position in the corpus
    id: str
    text: str
    tokens: list[str]
    start: int
    end: int
    score: float  # share of the pattern's (unit, position) cells that agree, 0-1
    units_matched: int  # pattern units on over the whole window and off just before it

    def to_dict(self) -> dict:
        return {
            "id": self.id,
            "text": self.text,
            "start": self.start,
            "end": self.end,
            "score": self.score,
            "units_matched": self.units_matched,
            "tokens": list(self.tokens),
        }


def search(corpus: CorpusStates, pattern: Pattern, top: int = 10) -> list[Match]:
    """Return the `top` best non-overlapping windows of `corpus` for `pattern`, best first (see the module docstring)."""
    P, L = len(pattern), pattern.length
    if P == 0 or top < 1:
        return []
    n_rows = corpus.states.shape[0]
    on = corpus.states[:, pattern.columns] > pattern.threshold  # (N, P)
    fwd = pattern.directions == 0  # (P,)
    sizes = np.diff(corpus.starts)  # (S,)
    sentence = np.repeat(np.arange(len(sizes)), sizes)  # (N,) each row's sentence
    position = np.arange(n_rows) - corpus.starts[sentence]  # (N,) each row's token index
    starts = np.flatnonzero(position + L <= sizes[sentence])  # (W,) windows that fit in their sentence
    if starts.size == 0:
        return []
    csum = np.zeros((n_rows + 1, P), dtype=np.int32)
    np.cumsum(on, axis=0, out=csum[1:])
    on_in_window = csum[starts + L] - csum[starts]  # (W, P) positions where each unit is on
    # Off just before: the previous row for forward units, the next row for backward ones; the zero state at edges.
    first = position[starts] == 0  # (W,)
    last = position[starts] + L == sizes[sentence[starts]]  # (W,)
    zero_off = 0.0 <= pattern.threshold
    prev = on[np.maximum(starts - 1, 0)]  # (W, P)
    nxt = on[np.minimum(starts + L, n_rows - 1)]  # (W, P)
    on_before = np.where(fwd, prev, nxt)  # (W, P)
    at_edge = np.where(fwd, first[:, None], last[:, None])  # (W, P)
    off_before = np.where(at_edge, zero_off, ~on_before)  # (W, P)
    w = pattern.weights.astype(np.float64)  # (P,)
    score = ((on_in_window + off_before) @ w) / (w.sum() * (L + 1))  # (W,)
    matched = ((on_in_window == L) & off_before).sum(1)  # (W,)
    order = np.lexsort((starts, -matched, -score))  # best score, then more matched units, then corpus order
    taken: dict[int, list[int]] = {}
    matches: list[Match] = []
    for w in order:
        r = starts[w]
        s = int(sentence[r])
        a = int(position[r])
        if any(abs(a - b) < L for b in taken.get(s, [])):
            continue  # overlaps a better window of the same sentence
        taken.setdefault(s, []).append(a)
        matches.append(Match(s, corpus.ids[s], corpus.texts[s], corpus.tokens[s], a, a + L, float(score[w]), int(matched[w])))
        if len(matches) == top:
            break
    return matches


def match_segments(text: str, tokens: Sequence[str], start: int, end: int) -> list[tuple[str, bool]]:
    """Split `text` into (piece, highlighted) segments, highlighting tokens start:end; the pieces join to `text`.

    Tokens are found left to right in the text (spaCy tokens are substrings of it). When a token
    cannot be found (text rebuilt from CoNLL-U words, say), the tokens joined by spaces are used.
    """
    if not 0 <= start < end <= len(tokens):
        raise ValueError(f"the span {start}:{end} is outside the {len(tokens)} tokens")
    offsets, pos = [], 0
    for tok in tokens:
        at = text.find(tok, pos)
        if at < 0:
            return _join(tokens, start, end)
        offsets.append((at, at + len(tok)))
        pos = at + len(tok)
    a, b = offsets[start][0], offsets[end - 1][1]
    segments = [(text[:a], False), (text[a:b], True), (text[b:], False)]
    return [(piece, hit) for piece, hit in segments if piece]


def _join(tokens: Sequence[str], start: int, end: int) -> list[tuple[str, bool]]:
    before, inside, after = " ".join(tokens[:start]), " ".join(tokens[start:end]), " ".join(tokens[end:])
    segments = [(before + " " if before else "", False), (inside, True), (" " + after if after else "", False)]
    return [(piece, hit) for piece, hit in segments if piece]
