"""Interactive work: a token cap with a message, trajectories whose memory grows linearly, and the helpers pages read."""

from __future__ import annotations

import ctypes
import re
from pathlib import Path

import numpy as np
import pytest
import torch

from seqcore.inference import (
    CHARS_PER_TOKEN_CAP,
    Predictor,
    TextTooLongError,
    aspect_candidates,
    aspect_probs,
    aspect_rows,
    cap_text,
    max_tokens,
    suggest_aspects,
    trajectory_table,
)
from seqcore.scoring import predict
from seqcore.traces import trajectory_logits

ROOT = Path(__file__).resolve().parents[2]
SENTIMENT = ROOT / "models" / "sentiment-lstm"


@pytest.fixture(scope="module")
def predictor() -> Predictor:
    return Predictor.load(SENTIMENT, device="cpu")


def words(n: int) -> str:
    return " ".join(f"w{i}" for i in range(n))


def test_the_cap_comes_from_one_setting(monkeypatch):
    monkeypatch.delenv("SEQCORE_MAX_TOKENS", raising=False)
    assert max_tokens() == 300
    monkeypatch.setenv("SEQCORE_MAX_TOKENS", "12")
    assert max_tokens() == 12
    monkeypatch.setenv("SEQCORE_MAX_TOKENS", "many")
    with pytest.raises(ValueError, match="SEQCORE_MAX_TOKENS must be a whole number"):
        max_tokens()


def test_cap_text_at_just_over_and_far_over_the_cap():
    at = words(10)
    assert cap_text(at, 10) == (at, None)
    kept, note = cap_text(words(11), 10)
    assert kept == words(10)
    assert (
        note
        == "The interactive views read at most 10 tokens (SEQCORE_MAX_TOKENS): the text has 11 tokens, so its last 1 were cut."
    )
    huge = words(100_000)  # about 690,000 characters: only the head is ever tokenized
    kept, note = cap_text(huge, 10)
    assert kept == words(10)
    assert note.endswith(f"the text has {len(huge):,} characters, so everything after character {len(words(10))} was cut.")
    one_long_word = "x" * (10 * CHARS_PER_TOKEN_CAP + 5)
    kept, note = cap_text(one_long_word, 10)
    assert len(kept) == 10 * CHARS_PER_TOKEN_CAP and "was cut" in note


def test_a_sentence_over_the_cap_is_refused_with_the_cap_and_the_excess(predictor, monkeypatch):
    monkeypatch.setenv("SEQCORE_MAX_TOKENS", "8")
    assert len(predictor.trajectory(words(8)).tokens) == 8
    with pytest.raises(TextTooLongError, match="has 9 tokens; one sentence is read with at most 8 .*shorten it by 1 tokens"):
        predictor.trajectory(words(9))
    with pytest.raises(TextTooLongError, match="has 9 tokens"):
        predictor.trace(words(9).split())
    with pytest.raises(TextTooLongError, match="characters"):
        predictor.predict_text("x" * (8 * CHARS_PER_TOKEN_CAP + 1))


def test_a_chunked_trajectory_equals_the_one_batch_trajectory(predictor):
    ex, _ = predictor.example(words(37))
    ids = predictor.encoder.batch([ex]).ids[0]
    with torch.no_grad():
        whole = trajectory_logits(predictor.model, ids, chunk_tokens=10_000)  # every prefix in one batch
        for chunk in (1, 37, 100, 37 * 5 + 3):
            torch.testing.assert_close(trajectory_logits(predictor.model, ids, chunk_tokens=chunk), whole, atol=1e-5, rtol=0)
        alone = predict(predictor.model, [ex], predictor.encoder).probs[0]
    torch.testing.assert_close(torch.softmax(whole[-1], -1), torch.as_tensor(alone), atol=1e-5, rtol=0)


def _peak_rss_mb(run) -> float:
    """Peak resident memory that `run` adds, in MB (Linux: reset the high-water mark, run, read it)."""
    status = Path("/proc/self/status")
    # Give freed heap back first (glibc): memory freed by earlier tests would be reused without raising RSS.
    try:
        ctypes.CDLL("libc.so.6").malloc_trim(0)
    except (OSError, AttributeError):
        pass
    Path("/proc/self/clear_refs").write_text("5")
    base = int(re.search(r"VmRSS:\s+(\d+) kB", status.read_text()).group(1))
    run()
    return (int(re.search(r"VmHWM:\s+(\d+) kB", status.read_text()).group(1)) - base) / 1024


@pytest.mark.skipif(not Path("/proc/self/clear_refs").exists(), reason="peak memory is read from Linux's /proc")
def test_trajectory_memory_grows_at_most_linearly_with_length(predictor):
    # A bidirectional model runs every prefix; in one batch that is T^2 token positions (1,000 words: 4.3 GB).
    predictor.trajectory(words(20))  # warm up allocator and caches
    short = min(_peak_rss_mb(lambda: predictor.trajectory(words(150))) for _ in range(2))
    long = min(_peak_rss_mb(lambda: predictor.trajectory(words(300))) for _ in range(2))
    assert long <= 2.0 * short + 8.0, f"peak memory {short:.1f} MB at 150 tokens but {long:.1f} MB at 300"


def test_aspect_candidates_and_the_terms_offered_first():
    candidates = aspect_candidates("The wine list was long but the waiter was rude")
    assert ((1, 3), "wine list") in candidates and ((7, 8), "waiter") in candidates
    assert all(any(c.isalpha() for c in text) for _, text in candidates)
    assert suggest_aspects(candidates) == [(1, 3), (7, 8)]  # "wine list" wins over "wine"
    assert suggest_aspects(aspect_candidates("It rocks")) == [(0, 2)]  # no common aspect: the longest candidate
    with pytest.raises(ValueError, match="no word that could be an aspect term"):
        suggest_aspects(aspect_candidates("... !"))


def test_trajectory_rows_and_the_final_prediction(predictor):
    traj = predictor.trajectory("not bad at all")
    label, p = traj.final()
    assert label == traj.labels[int(traj.probs[-1].argmax())] and p == pytest.approx(float(traj.probs[-1].max()))
    rows = trajectory_table({"a": traj, "b": traj})
    assert [r["word"] for r in rows] == traj.tokens
    assert rows[-1]["a predicts"] == label and rows[0][f"b P({traj.labels[0]})"] == round(float(traj.probs[0, 0]), 4)


def test_aspect_example_rows_and_probabilities():
    aspect = Predictor.load(ROOT / "models" / "aspect-restaurants-lstm", device="cpu")
    ex = aspect.aspect_example("The pasta was great but the waiter was rude", ["pasta", " waiter ", ""])
    assert ex.aspects == [(1, 2), (6, 7)]
    with pytest.raises(ValueError, match="name at least one aspect term"):
        aspect.aspect_example("The pasta was great", [" ", ""])
    preds = aspect.predict_aspects("The pasta was great but the waiter was rude", spans=ex.aspects)
    rows = aspect_rows(preds, ["positive", "negative"])
    assert [r["term"] for r in rows] == ["pasta", "waiter"] and [r["tokens"] for r in rows] == ["1-1", "6-6"]
    assert [r["correct"] for r in rows] == ["✓" if p.label == g else "✗" for p, g in zip(preds, ["positive", "negative"])]
    assert "gold" not in aspect_rows(preds)[0]
    probs = aspect_probs(preds, aspect.labels)
    assert probs.shape == (2, 3) and np.allclose(probs.sum(1), 1.0, atol=1e-5)
    assert aspect_probs([], aspect.labels).shape == (0, 3)


def test_turns_find_each_turning_word_with_its_clause_and_probabilities():
    import numpy as np

    from seqcore.inference import Trajectory, turns

    tokens = "It is far from perfect , but it is not dull at all .".split()
    p = np.linspace(0.0, 1.0, len(tokens))
    found = turns(Trajectory(tokens, ["negative", "positive"], np.stack([1 - p, p], axis=1)))
    assert [(t["word"], t["clause"]) for t in found] == [
        ("far", "far from perfect"),
        ("but", "but it is"),
        ("not", "not dull at all"),
    ]
    assert found[0]["before"] == p[1] and found[0]["after"] == p[4]  # after "is", after "perfect"
    first = turns(Trajectory(["Not", "good"], ["negative", "positive"], np.array([[0.4, 0.6], [0.9, 0.1]])))
    assert first == [{"word": "Not", "position": 0, "clause": "Not good", "before": None, "after": 0.1}]
    far = turns(Trajectory(["far", "away"], ["negative", "positive"], np.array([[0.5, 0.5], [0.5, 0.5]])))
    assert far == []  # "far" turns only in "far from"
