"""The classic pitfalls: each readout reads where it says, masking makes scores independent of padding."""

from __future__ import annotations

import numpy as np
import pytest
import torch
import torch.nn.functional as F

from seqcore.anatomy import shape_flow
from seqcore.batching import IGNORE_INDEX, Example, batch_order
from seqcore.pipeline import FitSpec, build_model, fit
from seqcore.pitfalls import (
    PAD_MARK,
    READOUTS,
    compare_readouts,
    masking_scores,
    masking_sweep,
    pad_batch,
    padded_batch,
    readout_logits,
    sequence_paradigm,
)
from seqcore.scoring import evaluate
from seqcore.tasks import build_encoder
from seqcore.training import TrainConfig
from tests.synthetic import sentiment_data, tagging_data

CFG = TrainConfig(epochs=6, batch_size=8, lr=0.02, seed=1, device="cpu", patience=6)


def untrained(task, examples, **spec):
    enc = build_encoder(task, examples, use_chars=spec.pop("use_chars", False))
    torch.manual_seed(0)
    return build_model(FitSpec(task=task, embedding_dim=6, hidden_size=5, dropout=0.0, **spec), enc).eval(), enc


@pytest.fixture(scope="module")
def trained_last():
    """A unidirectional GRU read at its last step, trained on 'positive iff the sentence has good'."""
    spec = FitSpec(task="sentiment", cell="gru", embedding_dim=8, hidden_size=8, bidirectional=False, dropout=0.0, pooling="last")
    fitted = fit(spec, CFG, sentiment_data(240, seed=1))
    return fitted.model, fitted.encoder


def test_unidirectional_last_readouts_are_literal_positions():
    examples = sentiment_data(12, seed=2)
    model, enc = untrained("sentiment", examples, cell="lstm", bidirectional=False, pooling="last")
    batch = enc.batch(examples)
    T = batch.ids.shape[1]
    assert (batch.lengths < T).any()  # some rows are padded, or the test would prove nothing
    with torch.no_grad():
        out = model.encode(batch.ids, batch.lengths)  # (B, T, H)
        last = out[torch.arange(len(examples)), batch.lengths - 1]
        torch.testing.assert_close(readout_logits(model, batch, "right"), model(**batch.inputs()))
        torch.testing.assert_close(readout_logits(model, batch, "right"), model.classify(last))
        torch.testing.assert_close(readout_logits(model, batch, "padded"), model.classify(out[:, -1]))
        torch.testing.assert_close(readout_logits(model, batch, "first"), model.classify(out[:, 0]))


def naive_encoder(model, x):
    """A bidirectional run that ignores lengths: each direction's fused module over the whole padded batch."""
    for directions in model.encoder.layers:
        fwd = directions[0](x)[0]
        bwd = directions[1](x.flip(1))[0].flip(1)
        x = torch.cat([fwd, bwd], -1)
    return x


@pytest.mark.parametrize("pooling", ["max", "mean", "last"])
def test_bidirectional_readouts_mean_forgotten_lengths_and_the_first_word(pooling):
    examples = sentiment_data(10, seed=3)
    model, enc = untrained("sentiment", examples, cell="gru", bidirectional=True, pooling=pooling, num_layers=2)
    batch = enc.batch(examples)
    B, T = batch.ids.shape
    with torch.no_grad():
        out = naive_encoder(model, model.embed(batch.ids))
        if pooling == "max":
            naive = out.max(1).values
        elif pooling == "mean":
            naive = out.mean(1)
        else:
            H = model.cfg.hidden_size
            naive = torch.cat([out[:, -1, :H], out[:, 0, H:]], -1)
        torch.testing.assert_close(readout_logits(model, batch, "padded"), model.classify(naive))
        # The first readout is the model's prediction for each sentence cut to its first word.
        firsts = enc.batch([Example(id=e.id, tokens=e.tokens[:1], label=e.label) for e in examples])
        torch.testing.assert_close(readout_logits(model, batch, "first"), model(**firsts.inputs()))
        torch.testing.assert_close(readout_logits(model, batch, "right"), model(**batch.inputs()))
        # A row as long as the batch is read the same by the right and the padded readout.
        full = batch.lengths == T
        torch.testing.assert_close(readout_logits(model, batch, "padded")[full], readout_logits(model, batch, "right")[full])


def test_compare_readouts_on_a_trained_model(trained_last):
    model, enc = trained_last
    test = sentiment_data(96, seed=9)
    cmp = compare_readouts(model, enc, test, batch_size=16, seed=4, draw_size=5)
    metrics, _ = evaluate(model, test, enc)
    assert cmp.accuracy["right"] == pytest.approx(metrics.accuracy)  # the right readout is the model itself
    assert cmp.accuracy["right"] > 0.85
    # "good" sits anywhere: the first word alone cannot tell.
    assert cmp.accuracy["first"] < cmp.accuracy["right"] - 0.15
    assert cmp.accuracy["padded"] <= cmp.accuracy["right"]  # a GRU may hold its state through a few padding steps
    assert cmp.n == 96 and sum(cmp.correct.values()) == round(sum(cmp.accuracy.values()) * 96)
    lengths = [len(ex.tokens) for ex in test]
    order = batch_order(lengths, 16, shuffle=True, bucket=False, seed=4)
    cells = sum(len(b) * max(lengths[i] for i in b) for b in order)
    assert cmp.padding_share == pytest.approx(1 - sum(lengths) / cells)
    assert "16" in cmp.order and "no length bucketing" in cmp.order
    assert [r["readout"] for r in cmp.rows()] == [
        "last relevant step (right)",
        "last padded position (wrong)",
        "step 0 (the Theano bug)",
    ]
    drawn = cmp.batch
    assert len(drawn.tokens) == 5
    T = len(drawn.tokens[0])
    for b, n in enumerate(drawn.lengths):
        assert drawn.tokens[b][n:] == [PAD_MARK] * (T - n) and PAD_MARK not in drawn.tokens[b][:n]
        assert drawn.positions["right"][b] == {"forward": [n - 1]}
        assert drawn.positions["padded"][b] == {"forward": [T - 1]}
        assert drawn.positions["first"][b] == {"forward": [0]}
    assert set(drawn.predicted) == set(READOUTS) and all(len(v) == 5 for v in drawn.predicted.values())
    assert "last padded position" in cmp.descriptions["padded"]


def test_compare_readouts_refuses_other_tasks_and_unlabeled_data():
    tags = tagging_data(5)
    model, enc = untrained("tagging", tags, cell="rnn", bidirectional=False)
    with pytest.raises(ValueError, match="not a tagging model"):
        compare_readouts(model, enc, tags)
    sent = sentiment_data(5)
    model, enc = untrained("sentiment", sent, cell="rnn", bidirectional=False)
    with pytest.raises(ValueError, match="no labeled sentences"):
        compare_readouts(model, enc, [Example(id="u", tokens=["good"])])


def test_mean_pooling_positions_cover_the_believed_length():
    sent = sentiment_data(8, seed=5)
    model, enc = untrained("sentiment", sent, cell="gru", bidirectional=True, pooling="mean")
    drawn = compare_readouts(model, enc, sent, batch_size=8, draw_size=8).batch
    T = len(drawn.tokens[0])
    for b, n in enumerate(drawn.lengths):
        assert drawn.positions["right"][b] == {"forward": list(range(n)), "backward": list(range(n))}
        assert drawn.positions["padded"][b]["forward"] == list(range(T))
        assert drawn.positions["first"][b]["backward"] == [0]


@pytest.fixture(scope="module")
def tagger():
    examples = tagging_data(40, seed=1)
    enc = build_encoder("tagging", examples, use_chars=True)
    torch.manual_seed(0)
    model = build_model(FitSpec(task="tagging", cell="lstm", embedding_dim=6, hidden_size=5, dropout=0.0), enc).eval()
    return model, enc, examples


def test_masked_scores_ignore_padding_counted_scores_drift(tagger):
    model, enc, examples = tagger
    batch_examples = examples[:8]
    sweep = masking_sweep(model, enc, batch_examples, factors=(1, 2, 4))
    longest = max(len(e.tokens) for e in batch_examples)
    assert [s.padded_length for s in sweep] == [longest, 2 * longest, 4 * longest]
    assert len({s.real_tokens for s in sweep}) == 1 and sweep[0].real_tokens == sum(len(e.tokens) for e in batch_examples)
    # The same predictions at every real token: masked numbers do not move.
    for s in sweep[1:]:
        assert s.masked_accuracy == sweep[0].masked_accuracy
        assert s.masked_loss == pytest.approx(sweep[0].masked_loss, rel=1e-6)
    assert sweep[0].padding_share < sweep[1].padding_share < sweep[2].padding_share
    assert sweep[-1].counted_accuracy_pad_free > sweep[0].counted_accuracy_pad_free >= sweep[0].masked_accuracy
    assert len({round(s.counted_loss, 6) for s in sweep}) == 3


def test_counted_scores_by_hand(tagger):
    model, enc, examples = tagger
    batch_examples = examples[:6]
    s = masking_scores(model, enc, batch_examples, pad_to=20, pad_label=1)
    batch = pad_batch(enc.batch(batch_examples), 20)
    with torch.no_grad():
        logits = model(**batch.inputs())  # (B, 20, C)
    labels = batch.labels.clone()
    labels[labels == IGNORE_INDEX] = 1
    pred = logits.argmax(-1)
    assert s.padded_length == 20 and s.rows == 6 and s.pad_label == enc.labels.itos[1]
    assert s.real_tokens + s.padded_tokens == 120
    assert s.counted_accuracy == pytest.approx(float((pred == labels).float().mean()))
    assert s.counted_loss == pytest.approx(float(F.cross_entropy(logits.reshape(-1, logits.shape[-1]), labels.reshape(-1))))
    real = batch.labels != IGNORE_INDEX
    assert s.masked_accuracy == pytest.approx(float((pred == batch.labels)[real].float().mean()))
    with pytest.raises(ValueError, match="pad_label must be a class index"):
        masking_scores(model, enc, batch_examples, pad_label=99)
    with pytest.raises(ValueError, match="cannot pad a batch"):
        pad_batch(batch, 3)
    with pytest.raises(ValueError, match="factors must be >= 1"):
        masking_sweep(model, enc, batch_examples, factors=(0.5,))


def test_padded_batch_is_the_worst_random_batch():
    examples = tagging_data(60, seed=2)
    chosen = padded_batch(examples, batch_size=8, seed=3)
    lengths = [len(e.tokens) for e in examples]

    def share(batch):
        n = [len(e.tokens) for e in batch]
        return 1 - sum(n) / (max(n) * len(n))

    others = [[examples[i] for i in b] for b in batch_order(lengths, 8, shuffle=True, bucket=False, seed=3)]
    assert chosen in others and all(share(chosen) >= share(b) for b in others)
    assert share(chosen) > 0.3


def test_paradigms_reuse_shape_flow_and_show_the_other_reading(tagger):
    model, enc, examples = tagger
    ex = examples[0]
    T = len(ex.tokens)
    p = sequence_paradigm(model, enc, ex)
    assert p.kind == "many-to-many" and p.other_kind == "many-to-one"
    assert p.stages == shape_flow(model, enc, ex)
    assert p.output_shape == [1, T, len(enc.labels)] and p.other_stages[-1]["shape"] == [1, len(enc.labels)]
    sent = sentiment_data(6)
    smodel, senc = untrained("sentiment", sent, cell="gru", bidirectional=True, pooling="max")
    q = sequence_paradigm(smodel, senc, sent[0])
    assert q.kind == "many-to-one" and q.other_kind == "many-to-many"
    assert q.output_shape == [1, 2] and q.other_stages[-1]["shape"] == [1, len(sent[0].tokens), 2]
    assert np.prod(q.other_stages[0]["shape"]) == len(sent[0].tokens) * 10  # (1, T, 2H)
