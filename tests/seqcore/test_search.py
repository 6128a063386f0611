"""Hidden-state search: patterns, scores, planted matches ranked first, highlighted segments."""

from __future__ import annotations

import random
from pathlib import Path

import numpy as np
import pytest
import torch

from seqcore.batching import Example
from seqcore.checkpoints import Checkpoint
from seqcore.inference import Predictor
from seqcore.models import ModelConfig, SequenceModel
from seqcore.search import CorpusStates, corpus_states, find_pattern, match_segments, search, text_states
from seqcore.tasks import build_encoder

ROOT = Path(__file__).resolve().parents[2]


def states_of(sentences: list[np.ndarray], directions: list[int]) -> CorpusStates:
    """A CorpusStates from per-sentence (T, U) arrays; column u is unit u of direction directions[u]."""
    lengths = [len(s) for s in sentences]
    U = len(directions)
    return CorpusStates(
        ids=[f"s{i}" for i in range(len(sentences))],
        texts=[" ".join(f"w{t}" for t in range(n)) for n in lengths],
        tokens=[[f"w{t}" for t in range(n)] for n in lengths],
        starts=np.concatenate([[0], np.cumsum(lengths)]).astype(np.int64),
        states=np.concatenate(sentences).astype(np.float32),
        unit_layer=np.zeros(U, dtype=int),
        unit_direction=np.array(directions),
        unit_index=np.arange(U),
    )


def test_pattern_is_on_over_the_span_and_off_before_in_reading_order():
    # units: 0 fwd (switches on at 2), 1 fwd (on from the start: on before too), 2 bwd (on at 2..3, off at 4), 3 bwd (on at 4)
    q = np.array(
        [
            [0.0, 0.9, 0.0, 0.0],
            [0.1, 0.9, 0.0, 0.0],
            [0.8, 0.9, 0.7, 0.9],
            [0.9, 0.9, 0.8, 0.9],
            [0.0, 0.0, 0.1, 0.9],
        ]
    )
    query = states_of([q], [0, 0, 1, 1])
    pat = find_pattern(query, (2, 4), threshold=0.5)
    assert pat.columns.tolist() == [0, 2]  # unit 1 was on before; unit 3 is on "before" in its reading order (token 4)
    assert [u["direction"] for u in pat.units] == ["forward", "backward"] and pat.tokens == ["w2", "w3"]
    np.testing.assert_allclose(pat.weights, [0.85 - 0.5, 0.75 - 0.5], atol=1e-6)
    assert find_pattern(query, (0, 2), threshold=0.5).columns.tolist() == [1]  # before token 0: the zero state, off
    assert len(find_pattern(query, (2, 4), threshold=0.95)) == 0
    assert find_pattern(query, (2, 4), threshold=0.5, direction="forward").columns.tolist() == [0]
    with pytest.raises(ValueError, match="outside the sentence's 5 tokens"):
        find_pattern(query, (3, 6))
    with pytest.raises(ValueError, match=r"no layer 1: its layers are \[0\]"):
        find_pattern(query, (2, 4), layer=1)
    with pytest.raises(ValueError, match="no backward direction"):
        find_pattern(states_of([q[:, :2]], [0, 0]), (2, 4), direction="backward")


def test_search_scores_windows_and_ranks_full_matches_first():
    on, off = 0.9, 0.0
    pat = find_pattern(states_of([np.array([[off, off], [on, on], [on, on], [off, off]])], [0, 1]), (1, 3), 0.5)
    assert len(pat) == 2
    corpus = states_of(
        [
            np.array([[off, off], [off, off], [on, off], [off, off], [off, off]]),  # s0: half a match
            np.array([[on, on], [on, on], [off, off]]),  # s1: full match at 0 (edges: the zero state is off)
            np.array([[off, off], [on, on], [on, on], [on, on], [on, on], [off, off]]),  # s2: two overlapping candidates
            np.array([[off, off], [off, off], [on, on], [on, on], [off, off]]),  # s3: full match at 2
        ],
        [0, 1],
    )
    matches = search(corpus, pat, top=10)
    first = [(m.id, m.start, m.end) for m in matches[:3]]
    assert first[:2] == [("s1", 0, 2), ("s3", 2, 4)] and matches[0].score == pytest.approx(1.0)
    assert matches[0].units_matched == 2 and matches[1].units_matched == 2
    # s2 is on over 1..4: the window at 1 has the forward unit off before it but the backward one on "before"
    # (token 3, to its right): 5 of 6 cells agree; so does the window at 3, mirrored. They do not overlap.
    s2 = [(m.start, m.score, m.units_matched) for m in matches if m.id == "s2"]
    assert s2[:2] == [(1, pytest.approx(5 / 6), 1), (3, pytest.approx(5 / 6), 1)]
    assert all(abs(a[0] - b[0]) >= 2 for a in s2 for b in s2 if a is not b)  # no overlap within a sentence
    assert [m.score for m in matches] == sorted((m.score for m in matches), reverse=True)
    assert len(search(corpus, pat, top=2)) == 2
    assert search(corpus, find_pattern(corpus, (0, 1), 0.99), top=5) == []  # an empty pattern finds nothing


# ----------------------------------------------------------------------------- a model with units for a phrase

FILL = "the food was very nice and staff were friendly but room is small we ordered pasta wine for two people".split()


def made_up_corpus(seed: int) -> tuple[list[Example], set]:
    """Filler sentences; every 8th has "zorp blick" planted, others only half of it (decoys)."""
    rng = random.Random(seed)
    examples, planted = [], set()
    for i in range(40):
        toks = [rng.choice(FILL) for _ in range(rng.randint(4, 12))]
        at = rng.randint(1, len(toks) - 1)
        if i % 8 == 1:
            toks[at:at] = ["zorp", "blick"]
            planted.add((f"m{i}", at))
        elif i % 8 == 3:
            toks[at:at] = ["zorp"]
        elif i % 8 == 5:
            toks[at:at] = ["blick"]
        examples.append(Example(id=f"m{i}", tokens=toks, text=" ".join(toks)))
    return examples, planted


def phrase_model(examples: list[Example], bidirectional: bool, seed: int) -> Predictor:
    """A random RNN whose units 0 and 1 (each direction) fire on "zorp" and "blick"; the rest carry context."""
    vocab = [Example("x", ex.tokens + ["zorp", "blick"], label="a") for ex in examples] + [Example("y", ["we"], label="b")]
    enc = build_encoder("sentiment", vocab)
    cfg = ModelConfig("sentiment", len(enc.words), 2, cell="rnn", embedding_dim=8, hidden_size=10, bidirectional=bidirectional)
    torch.manual_seed(seed)
    model = SequenceModel(cfg).eval()
    zorp, blick = enc.words.index("zorp"), enc.words.index("blick")
    with torch.no_grad():
        emb = model.embedding.weight
        emb[:, :2] = 0.0
        emb[zorp], emb[blick] = 0.0, 0.0
        emb[zorp, 0], emb[blick, 1] = 1.0, 1.0
        for rnn in model.encoder.layers[0]:
            rnn.weight_ih_l0[:, :2] = 0.0
            rnn.weight_hh_l0.mul_(2.0)  # context units with a memory
            for u in (0, 1):
                rnn.weight_ih_l0[u], rnn.weight_hh_l0[u] = 0.0, 0.0
                rnn.bias_ih_l0[u], rnn.bias_hh_l0[u] = 0.0, 0.0
                rnn.weight_ih_l0[u, :2] = 4.0
    return Predictor(Checkpoint(model, enc, {}))


@pytest.mark.parametrize("bidirectional", [False, True])
@pytest.mark.parametrize("seed", [0, 1, 2, 3])
def test_search_ranks_planted_phrases_first(bidirectional, seed):
    examples, planted = made_up_corpus(seed)
    pred = phrase_model(examples, bidirectional, seed)
    corpus = corpus_states(pred.model, pred.encoder, examples, batch_size=8)
    pattern = find_pattern(text_states(pred, "we ate zorp blick today"), (2, 4))
    assert {0, 1} <= {u["unit"] for u in pattern.units}
    matches = search(corpus, pattern, top=10)
    k = len(planted)
    assert {(m.id, m.start) for m in matches[:k]} == planted
    assert all(m.end - m.start == 2 and m.tokens[m.start : m.end] == ["zorp", "blick"] for m in matches[:k])
    assert matches[k].score < matches[k - 1].score  # decoys (half the phrase) score strictly lower


def test_corpus_states_match_one_sentence_at_a_time():
    examples, _ = made_up_corpus(5)
    pred = phrase_model(examples, True, 5)
    corpus = corpus_states(pred.model, pred.encoder, examples[:12], batch_size=5)
    assert len(corpus) == 12 and corpus.states.shape == (sum(len(e.tokens) for e in examples[:12]), 20)
    assert corpus.describe_units([0, 10, 19]) == [
        {"layer": 0, "direction": "forward", "unit": 0},
        {"layer": 0, "direction": "backward", "unit": 0},
        {"layer": 0, "direction": "backward", "unit": 9},
    ]
    for i in (0, 7, 11):
        alone = text_states(pred, examples[i].tokens)
        np.testing.assert_allclose(corpus.sentence_states(i), alone.sentence_states(0), atol=1e-6)
    seen = []
    corpus_states(pred.model, pred.encoder, examples[:12], batch_size=5, progress=lambda d, n: seen.append((d, n)))
    assert seen[-1] == (12, 12) and len(seen) == 3
    with pytest.raises(ValueError, match="no sentences"):
        corpus_states(pred.model, pred.encoder, [])


# ----------------------------------------------------------------------------- segments


def test_match_segments_highlight_the_matched_words():
    text = "The pasta, sadly, was  not good."
    tokens = ["The", "pasta", ",", "sadly", ",", "was", "not", "good", "."]
    segs = match_segments(text, tokens, 6, 8)
    assert "".join(p for p, _ in segs) == text
    assert [p for p, hit in segs if hit] == ["not good"]
    assert match_segments(text, tokens, 0, 1)[0] == ("The", True)
    rebuilt = match_segments("can not", ["can", "n't"], 1, 2)  # a token not in the text: fall back to joined tokens
    assert rebuilt == [("can ", False), ("n't", True)]
    with pytest.raises(ValueError, match="outside"):
        match_segments(text, tokens, 8, 10)
