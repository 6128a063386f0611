"""Traces: the step-by-step recomputation equals the fused torch.nn module to 1e-5."""

from __future__ import annotations

import itertools

import numpy as np
import pytest
import torch
from torch import nn

from seqcore.models import GATE_NAMES, ModelConfig, SequenceModel
from seqcore.traces import trace_ids, trace_inputs, trajectory_logits

CASES = list(itertools.product(["rnn", "gru", "lstm"], [1, 2], [False, True]))


def random_model(cell: str, layers: int, bi: bool, seed: int, task: str = "sentiment", pooling: str = "last") -> SequenceModel:
    torch.manual_seed(seed)
    cfg = ModelConfig(
        task=task,
        vocab_size=60,
        num_classes=3,
        cell=cell,
        embedding_dim=9,
        hidden_size=7,
        num_layers=layers,
        bidirectional=bi,
        pooling=pooling,
    )
    model = SequenceModel(cfg)
    with torch.no_grad():  # larger weights than the default init, so gates saturate and errors would show
        for p in model.encoder.parameters():
            p.uniform_(-0.8, 0.8)
    return model.eval()


def reference_module(model: SequenceModel) -> nn.RNNBase:
    """Copy seqcore's per-layer, per-direction weights into one standard multi-layer torch.nn module."""
    cfg = model.cfg
    kinds = {"lstm": nn.LSTM, "gru": nn.GRU, "rnn": nn.RNN}
    ref = kinds[cfg.cell](
        cfg.input_size, cfg.hidden_size, num_layers=cfg.num_layers, bidirectional=cfg.bidirectional, batch_first=True
    )
    with torch.no_grad():
        for layer, directions in enumerate(model.encoder.layers):
            for d, rnn in enumerate(directions):
                suffix = f"_l{layer}" + ("_reverse" if d == 1 else "")
                for name in ("weight_ih", "weight_hh", "bias_ih", "bias_hh"):
                    getattr(ref, name + suffix).copy_(getattr(rnn, name + "_l0"))
    return ref.eval()


@pytest.mark.parametrize("cell,layers,bi", CASES)
@pytest.mark.parametrize("seed", [0, 1])
def test_trace_matches_fused_module(cell, layers, bi, seed):
    model = random_model(cell, layers, bi, seed)
    ref = reference_module(model)
    gen = torch.Generator().manual_seed(seed)
    lengths = torch.randint(1, 12, (5,), generator=gen)
    T = int(lengths.max())
    ids = torch.randint(2, 60, (5, T), generator=gen) * (torch.arange(T) < lengths.unsqueeze(1))
    with torch.no_grad():
        x = model.embed(ids)  # (B, T, E)
        packed = nn.utils.rnn.pack_padded_sequence(x, lengths, batch_first=True, enforce_sorted=False)
        out, state = ref(packed)
        out, _ = nn.utils.rnn.pad_packed_sequence(out, batch_first=True)
    h_n = state[0] if cell == "lstm" else state  # (L * dirs, B, H)
    c_n = state[1] if cell == "lstm" else None
    dirs = 2 if bi else 1
    for b in range(5):
        n = int(lengths[b])
        trace = trace_inputs(model, x[b, :n], [f"w{i}" for i in range(n)])
        np.testing.assert_allclose(trace.outputs, out[b, :n].numpy(), atol=1e-5, rtol=0)
        assert len(trace.layers) == layers * dirs
        for lt in trace.layers:
            k = lt.layer * dirs + (1 if lt.direction == "backward" else 0)
            assert set(lt.gates) == set(GATE_NAMES[cell])
            assert all(v.shape == (n, 7) for v in lt.gates.values())
            np.testing.assert_allclose(lt.final_h, h_n[k, b].numpy(), atol=1e-5, rtol=0)
            if cell == "lstm":
                np.testing.assert_allclose(lt.final_c, c_n[k, b].numpy(), atol=1e-5, rtol=0)


def test_gates_obey_their_ranges_and_lstm_identity():
    model = random_model("lstm", 1, False, 3)
    tr = trace_ids(model, torch.tensor([4, 9, 2, 33, 7]), list("abcde"))
    g = tr.get(0).gates
    for name in "ifo":
        assert (g[name] > 0).all() and (g[name] < 1).all()
    assert (np.abs(g["g"]) < 1).all()
    np.testing.assert_allclose(g["h"], g["o"] * np.tanh(g["c"]), atol=1e-6)
    c_prev = np.vstack([np.zeros((1, 7)), g["c"][:-1]])
    np.testing.assert_allclose(g["c"], g["f"] * c_prev + g["i"] * g["g"], atol=1e-6)
    with pytest.raises(KeyError, match="no trace for layer 1"):
        tr.get(1)


def test_trace_of_a_trained_model_matches(tmp_path):
    from seqcore.batching import Encoder, Example
    from seqcore.tokens import Vocab
    from seqcore.training import TrainConfig, train

    words = [f"w{i}" for i in range(20)]
    rng = np.random.default_rng(0)
    examples = []
    for i in range(80):
        toks = list(rng.choice(words, size=rng.integers(2, 9)))
        examples.append(Example(id=str(i), tokens=toks, label="positive" if "w3" in toks else "negative"))
    enc = Encoder("sentiment", Vocab.build([e.tokens for e in examples]), Vocab.labels(["negative", "positive"]))
    torch.manual_seed(0)
    model = SequenceModel(
        ModelConfig(
            task="sentiment",
            vocab_size=len(enc.words),
            num_classes=2,
            cell="gru",
            embedding_dim=8,
            hidden_size=6,
            num_layers=2,
            bidirectional=True,
        )
    )
    train(model, examples[:60], examples[60:], enc, TrainConfig(epochs=3, batch_size=8, lr=0.01, device="cpu"))
    ref = reference_module(model)
    batch = enc.batch(examples[:1])
    with torch.no_grad():
        out, _ = ref(model.embed(batch.ids))
    trace = trace_ids(model, batch.ids[0], examples[0].tokens)
    np.testing.assert_allclose(trace.outputs, out[0].numpy(), atol=1e-5, rtol=0)


@pytest.mark.parametrize(
    "cell,bi,pooling", list(itertools.product(["rnn", "gru", "lstm"], [False, True], ["last", "mean", "max"]))
)
def test_every_trajectory_point_equals_the_prefix_alone(cell, bi, pooling):
    model = random_model(cell, 2, bi, 5, pooling=pooling)
    ids = torch.tensor([5, 17, 3, 44, 8, 21])
    with torch.no_grad():
        traj = trajectory_logits(model, ids)
        for k in range(1, len(ids) + 1):
            alone = model(ids[:k].unsqueeze(0), torch.tensor([k]))[0]
            torch.testing.assert_close(traj[k - 1], alone, atol=1e-5, rtol=0)


def test_trajectory_needs_a_sentiment_model():
    model = random_model("gru", 1, True, 0, task="tagging")
    with pytest.raises(ValueError, match="needs a whole-sentence"):
        trajectory_logits(model, torch.tensor([3, 4]))
