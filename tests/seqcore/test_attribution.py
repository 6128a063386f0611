"""Unit relevance and word saliency: a hand-built unit comes first, contributions add up, IG is complete."""

from __future__ import annotations

import itertools

import numpy as np
import pytest
import torch

from seqcore.attribution import (
    final_state_change,
    make_focus,
    rank_units,
    saliency,
    span_change,
)
from seqcore.batching import Example
from seqcore.checkpoints import Checkpoint
from seqcore.inference import Predictor
from seqcore.models import ModelConfig, SequenceModel
from seqcore.tasks import build_encoder

TEXT = "the food was very good"
WORDS = ["the", "food", "was", "very", "good", "bad", "menu"]


def encoder_for(task: str, chars: bool = False):
    toks = WORDS
    if task == "sentiment":
        examples = [Example("a", toks, label="positive"), Example("b", toks, label="negative")]
    elif task == "aspect":
        labels = ["negative", "neutral", "positive"]
        examples = [Example(str(k), toks, aspects=[(1, 2)], aspect_labels=[lab]) for k, lab in enumerate(labels)]
    else:
        examples = [Example("a", toks, tags=["DET", "NOUN", "AUX", "ADV", "ADJ", "ADJ", "NOUN"])]
    return build_encoder(task, examples, use_chars=chars)


def predictor_for(task: str, seed: int = 0, chars: bool = False, **cfg) -> Predictor:
    encoder = encoder_for(task, chars)
    torch.manual_seed(seed)
    config = ModelConfig(
        task=task,
        vocab_size=len(encoder.words),
        num_classes=len(encoder.labels),
        char_vocab_size=len(encoder.chars) if chars else 0,
        char_dim=4,
        char_filters=5,
        **{"embedding_dim": 6, "hidden_size": 8, **cfg},
    )
    return Predictor(Checkpoint(SequenceModel(config).eval(), encoder, {}))


# ----------------------------------------------------------------------------- units


CARRIER, DECOY, LOUD, CLASS = 2, 4, 5, 1


def hand_build(pred: Predictor, direction: str) -> None:
    """Make unit CARRIER of layer 0 `direction` carry class CLASS; DECOY has the largest head weight but stays 0; LOUD is on but unread.

    The carrier switches on at "good" and stays on (self-recurrence or an open forget gate).
    """
    model, cfg = pred.model, pred.model.cfg
    H, d = cfg.hidden_size, 0 if direction == "forward" else 1
    rnn = model.encoder.layers[0][d]
    gates = {"rnn": ["h"], "gru": ["r", "z", "n"], "lstm": ["i", "f", "g", "o"]}[cfg.cell]
    row = lambda gate, u: gates.index(gate) * H + u  # noqa: E731
    good = pred.encoder.words.index("good")
    with torch.no_grad():
        model.embedding.weight[:, 0] = 0.0
        model.embedding.weight[good, 0] = 1.0
        for u in (CARRIER, DECOY, LOUD):
            for k in range(len(gates)):
                for p in (rnn.weight_ih_l0, rnn.weight_hh_l0, rnn.bias_ih_l0, rnn.bias_hh_l0):
                    p[row(gates[k], u)] = 0.0
        if cfg.cell == "rnn":
            rnn.weight_ih_l0[CARRIER, 0], rnn.weight_hh_l0[CARRIER, CARRIER] = 4.0, 3.0
            rnn.bias_ih_l0[LOUD] = 5.0
        elif cfg.cell == "gru":
            rnn.bias_ih_l0[row("r", CARRIER)], rnn.bias_ih_l0[row("z", CARRIER)] = 5.0, -5.0
            rnn.weight_ih_l0[row("n", CARRIER), 0], rnn.weight_hh_l0[row("n", CARRIER), CARRIER] = 4.0, 3.0
            rnn.bias_ih_l0[row("z", LOUD)], rnn.bias_ih_l0[row("n", LOUD)] = -5.0, 5.0
        else:
            for g in ("i", "f", "o"):
                rnn.bias_ih_l0[row(g, CARRIER)] = 5.0
                rnn.bias_ih_l0[row(g, LOUD)] = 5.0
            rnn.bias_ih_l0[row("g", LOUD)] = 5.0
            rnn.weight_ih_l0[row("g", CARRIER), 0] = 4.0
        head = model.head
        head.weight.copy_(0.05 * torch.randn_like(head.weight))
        head.bias.zero_()
        off = d * H
        head.weight[:, off + LOUD] = 0.0
        head.weight[:, off + DECOY] = 0.0
        head.weight[:, off + CARRIER] = 0.0
        head.weight[CLASS, off + DECOY] = 6.0
        head.weight[CLASS, off + CARRIER] = 3.0


HAND = [
    ("sentiment", False, "forward", {"pooling": "last"}),
    ("sentiment", True, "backward", {"pooling": "max"}),
    ("sentiment", True, "forward", {"pooling": "mean"}),
    ("aspect", True, "backward", {}),
    ("tagging", True, "backward", {}),
]


@pytest.mark.parametrize("cell", ["rnn", "gru", "lstm"])
@pytest.mark.parametrize("task,bi,direction,extra", HAND)
def test_hand_built_carrier_unit_ranks_first(cell, task, bi, direction, extra):
    pred = predictor_for(task, cell=cell, bidirectional=bi, **extra)
    hand_build(pred, direction)
    focus = {"aspect": {"aspect": "food"}, "tagging": {"token": 1}}.get(task, {})
    ranking = rank_units(pred, TEXT, **focus)
    assert ranking.target == pred.labels[CLASS]  # the carrier makes CLASS the prediction
    best = ranking.ranked(top=3)
    assert (best[0].layer, best[0].direction, best[0].unit) == (0, direction, CARRIER)
    assert best[0].contribution > 0.3 and best[0].contribution > 5 * best[1].score
    lu = ranking.get(0, direction)
    assert ranking.order(0, direction)[0] == CARRIER
    # Gradient alone would pick DECOY (largest head weight), activation alone LOUD: both contribute nothing.
    assert abs(lu.contribution[DECOY]) < 1e-6 and abs(lu.contribution[LOUD]) < 1e-6
    assert abs(lu.states[:, LOUD]).min() > 0.5 and abs(lu.states[:, DECOY]).max() < 1e-6


CASES = [
    ("sentiment", "last"),
    ("sentiment", "mean"),
    ("sentiment", "max"),
    ("aspect", "last"),
    ("tagging", "last"),
]


@pytest.mark.parametrize("cell,impl", list(itertools.product(["rnn", "gru", "lstm"], ["padded", "packed"])))
@pytest.mark.parametrize("task,pooling", CASES)
def test_top_layer_contributions_sum_to_the_logit(cell, impl, task, pooling):
    pred = predictor_for(task, seed=3, cell=cell, num_layers=2, bidirectional=True, pooling=pooling, rnn_impl=impl)
    focus = {"aspect": {"aspect": "very good"}, "tagging": {"token": 2}}.get(task, {})
    ranking = rank_units(pred, TEXT + " food", target=0, **focus)
    top = sum(lu.contribution.sum() for lu in ranking.layers if lu.layer == 1)
    assert top + ranking.head_bias == pytest.approx(ranking.logit, abs=1e-5)
    assert ranking.target == pred.labels[0]
    scores = [r.score for r in ranking.ranked()]
    assert scores == sorted(scores, reverse=True) and len(scores) == 2 * 2 * 8


def test_span_change_reads_before_in_each_direction():
    h = np.array([[0.0, 1.0], [0.5, 1.0], [1.0, -1.0], [0.2, 0.0]])  # (T=4, H=2)
    np.testing.assert_allclose(span_change(h, (1, 3), "forward"), [(0.5 + 1.0) / 2, (0.0 + 2.0) / 2])
    np.testing.assert_allclose(span_change(h, (1, 3), "backward"), [(0.3 + 0.8) / 2, (1.0 + 1.0) / 2])
    np.testing.assert_allclose(span_change(h, (0, 1), "forward"), [0.0, 1.0])  # before token 0: the zero initial state
    np.testing.assert_allclose(span_change(h, (3, 4), "backward"), [0.2, 0.0])  # after the last token: zero too
    with pytest.raises(ValueError, match="outside the sentence's 4 tokens"):
        span_change(h, (2, 5), "forward")


def test_ranking_by_change_over_a_span():
    pred = predictor_for("sentiment", cell="gru", bidirectional=True)
    ranking = rank_units(pred, TEXT, span=(3, 5))
    rows = ranking.ranked(by="change", top=5)
    assert len(rows) == 5 and [r.score for r in rows] == sorted((r.score for r in rows), reverse=True)
    lu = ranking.get(0, rows[0].direction)
    assert rows[0].score == pytest.approx(span_change(lu.states, (3, 5), rows[0].direction)[rows[0].unit])
    with pytest.raises(ValueError, match="needs a word range"):
        rank_units(pred, TEXT).ranked(by="change")
    with pytest.raises(ValueError, match="outside the sentence's 5 tokens"):
        rank_units(pred, TEXT, span=(4, 9))


def test_focus_errors_name_what_is_wrong():
    sent, asp, tag = predictor_for("sentiment"), predictor_for("aspect"), predictor_for("tagging")
    with pytest.raises(ValueError, match="does not occur"):
        make_focus(asp, TEXT, aspect="pizza")
    with pytest.raises(ValueError, match="explains one aspect"):
        make_focus(asp, TEXT)
    with pytest.raises(ValueError, match="token index 5 is out of range"):
        make_focus(tag, TEXT, token=5)
    with pytest.raises(ValueError, match="explains one token"):
        make_focus(tag, TEXT)
    with pytest.raises(ValueError, match="unknown class 'happy'"):
        make_focus(sent, TEXT, target="happy")
    with pytest.raises(ValueError, match="aspect models only"):
        make_focus(sent, TEXT, aspect="food")
    with pytest.raises(ValueError, match="empty"):
        make_focus(sent, "   ")
    f = make_focus(asp, ["the", "Food", "was", "good"], aspect="food")  # given tokens: the term is matched on tokens
    assert f.aspect_span == (1, 2) and f.item == "aspect 'Food' (tokens 1:2)"
    assert make_focus(asp, TEXT, aspect=(3, 5)).aspect_span == (3, 5)


# ----------------------------------------------------------------------------- saliency


SALIENCY = [
    ("sentiment", "lstm", {"pooling": "max", "bidirectional": True}, {}),
    ("sentiment", "rnn", {"pooling": "last"}, {"target": "negative"}),
    ("aspect", "gru", {"bidirectional": True, "num_layers": 2}, {"aspect": "food"}),
    ("tagging", "lstm", {"bidirectional": True}, {"token": 3}),
]


@pytest.mark.parametrize("chars", [False, True])
@pytest.mark.parametrize("task,cell,cfg,focus", SALIENCY)
def test_integrated_gradients_are_complete(task, cell, cfg, focus, chars):
    pred = predictor_for(task, seed=1, chars=chars, cell=cell, **cfg)
    with torch.no_grad():
        for p in pred.model.parameters():
            p.mul_(2.0)  # sharper nonlinearities than the default init (one case needs 100 steps)
    sal = saliency(pred, TEXT + " menu", **focus)
    gap = sal.logit - sal.baseline_logit
    assert sal.converged and sal.completeness_error <= 0.01
    assert sal.attributions.sum() == pytest.approx(gap, rel=0.01, abs=1e-5)
    assert len(sal.attributions) == len(sal.grad_x_input) == 6 == len(sal.tokens)
    # The baseline is a sentence of padding tokens: padding word ids and (for character models) no characters.
    f = make_focus(pred, TEXT + " menu", **focus)
    zero_chars = None if f.chars is None else torch.zeros_like(f.chars)
    with torch.no_grad():
        logits = pred.model(torch.zeros_like(f.ids), f.lengths, f.aspect_mask, zero_chars)
    item = logits if task == "sentiment" else (logits[:, 0] if task == "aspect" else logits[:, f.token_index])
    assert sal.baseline_logit == pytest.approx(item[0, f.target_index].item(), abs=1e-5)
    if chars:
        np.testing.assert_allclose(sal.word_attributions + sal.char_attributions, sal.attributions, atol=1e-9)
        assert np.abs(sal.char_attributions).sum() > 0
    else:
        assert sal.char_attributions is None
    d = sal.to_dict()
    assert set(d) >= {"tokens", "attributions", "target", "logit", "baseline_logit", "method"}
    assert "LayerIntegratedGradients" in d["method"]


def test_character_attributions_stay_with_their_token():
    pred = predictor_for("tagging", seed=2, chars=True, cell="lstm", bidirectional=False)
    sal = saliency(pred, TEXT, token=1)  # forward only: tokens after 1 cannot move its tag
    assert np.all(sal.word_attributions[2:] == 0) and np.all(sal.char_attributions[2:] == 0)
    assert np.abs(sal.char_attributions[:2]).sum() > 0


def test_steps_double_until_the_cap():
    pred = predictor_for("sentiment", seed=0, cell="gru", bidirectional=True, pooling="max")
    sal = saliency(pred, TEXT, steps=4, max_steps=16, tolerance=0.0)
    assert sal.steps == 16 and "16 steps" in sal.method
    with pytest.raises(ValueError, match="steps must be"):
        saliency(pred, TEXT, steps=0)


def test_final_state_change_between_two_sentences():
    pred = predictor_for("sentiment", cell="lstm", bidirectional=True)
    same = final_state_change(pred, TEXT, TEXT)
    assert len(same) == 16 and max(r["score"] for r in same) == 0.0
    rows = final_state_change(pred, TEXT, "the food was very bad", top=5)
    assert len(rows) == 5 and rows[0]["score"] > 0
    assert [r["score"] for r in rows] == sorted((r["score"] for r in rows), reverse=True)
    assert rows[0]["difference"] == pytest.approx(rows[0]["after"] - rows[0]["before"])


def test_saliency_leaves_other_threads_passes_alone():
    """Captum hooks the embedding while it integrates; a server's other sessions, in threads of their own, share
    the model and must get their own logits meanwhile (the integral runs on a private copy)."""
    import threading

    pred = predictor_for("sentiment", seed=0, cell="gru", bidirectional=True, pooling="max")
    f = make_focus(pred, TEXT)
    with torch.no_grad():
        expected = pred.model(f.ids, f.lengths).clone()
    before = {name: len(m._forward_hooks) + len(m._forward_pre_hooks) for name, m in pred.model.named_modules()}
    done, changed = threading.Event(), []

    def other_session() -> None:
        while not done.is_set():
            with torch.no_grad():
                if not torch.allclose(pred.model(f.ids, f.lengths), expected, atol=1e-6):
                    changed.append(1)

    thread = threading.Thread(target=other_session)
    thread.start()
    try:
        for _ in range(3):
            saliency(pred, TEXT, steps=64, max_steps=64, tolerance=0.0)
    finally:
        done.set()
        thread.join()
    assert changed == []
    assert {name: len(m._forward_hooks) + len(m._forward_pre_hooks) for name, m in pred.model.named_modules()} == before
