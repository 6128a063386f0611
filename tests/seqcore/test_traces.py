"""Traces: the all-steps-at-once recomputation equals the step-by-step loop and the fused torch.nn module to 1e-5."""

from __future__ import annotations

import itertools

import numpy as np
import pytest
import torch
from torch import nn

from seqcore.cells import cell_spec
from seqcore.models import ModelConfig, SequenceModel
from seqcore.traces import exact_cudnn, linear_scan, trace_cell_steps, trace_ids, trace_inputs, trace_layer, trajectory_logits

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
            assert set(lt.gates) == set(cell_spec(cell).names)
            assert all(v.shape == (n, 7) for v in lt.gates.values())
            np.testing.assert_allclose(lt.final_h, h_n[k, b].numpy(), atol=1e-5, rtol=0)
            if cell == "lstm":
                np.testing.assert_allclose(lt.final_c, c_n[k, b].numpy(), atol=1e-5, rtol=0)


def reference_outputs(model: SequenceModel, x: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor | None]:
    """Run one sentence x (T, E) through the standard multi-layer module: outputs (T, D), h_n and c_n (L * dirs, H)."""
    with torch.no_grad():
        out, state = reference_module(model)(x.unsqueeze(0))
    h_n, c_n = state if isinstance(state, tuple) else (state, None)
    return out[0], h_n[:, 0], None if c_n is None else c_n[:, 0]


@pytest.mark.parametrize("cell,layers,bi", CASES)
@pytest.mark.parametrize("T", [1, 2, 3, 17, 300])
def test_parallel_trace_equals_step_loop_and_fused_module(cell, layers, bi, T):
    model = random_model(cell, layers, bi, seed=T)
    x = torch.randn(T, 9, generator=torch.Generator().manual_seed(T))
    tokens = [f"w{i}" for i in range(T)]
    fast = trace_inputs(model, x, tokens)
    steps = trace_inputs(model, x, tokens, method="steps")
    out, h_n, c_n = reference_outputs(model, x)
    np.testing.assert_allclose(fast.outputs, out.numpy(), atol=1e-5, rtol=0)
    np.testing.assert_allclose(steps.outputs, out.numpy(), atol=1e-5, rtol=0)
    dirs = 2 if bi else 1
    assert [(lt.layer, lt.direction) for lt in fast.layers] == [(lt.layer, lt.direction) for lt in steps.layers]
    for lt_fast, lt_steps in zip(fast.layers, steps.layers):
        assert list(lt_fast.gates) == list(cell_spec(cell).names)
        for name, value in lt_fast.gates.items():
            assert value.shape == (T, 7)
            np.testing.assert_allclose(value, lt_steps.gates[name], atol=1e-5, rtol=0, err_msg=f"{name} {lt_fast}")
        k = lt_fast.layer * dirs + (1 if lt_fast.direction == "backward" else 0)
        np.testing.assert_allclose(lt_fast.final_h, h_n[k].numpy(), atol=1e-5, rtol=0)
        if c_n is not None:
            np.testing.assert_allclose(lt_fast.final_c, c_n[k].numpy(), atol=1e-5, rtol=0)


@pytest.mark.parametrize("cell", ["rnn", "gru", "lstm"])
def test_trace_of_an_empty_sentence_is_empty(cell):
    directions = random_model(cell, 1, True, 0).encoder.layers[0]
    fast = trace_layer(cell, directions, torch.zeros(0, 9))
    steps = [trace_cell_steps(cell, rnn, torch.zeros(0, 9), reverse=d == 1) for d, rnn in enumerate(directions)]
    for gates in fast + steps:
        assert list(gates) == list(cell_spec(cell).names) and all(v.shape == (0, 7) for v in gates.values())


def test_unit_rows_read_one_unit_of_every_gate_word_by_word():
    model = random_model("lstm", 1, False, 0)
    tokens = ["a", "b", "c"]
    lt = trace_inputs(model, torch.randn(3, 9), tokens).get(0)
    rows = lt.unit_rows(tokens, 2)
    assert [r["word"] for r in rows] == tokens and [r["position"] for r in rows] == [0, 1, 2]
    assert list(rows[0])[2:] == list(cell_spec("lstm").names)
    assert [r["f"] for r in rows] == [round(float(v), 4) for v in lt.gates["f"][:, 2]]


def test_trace_rejects_an_unknown_method():
    with pytest.raises(ValueError, match="method must be one of"):
        trace_inputs(random_model("gru", 1, False, 0), torch.zeros(2, 9), ["a", "b"], method="fast")


def sequential_scan(a: torch.Tensor, b: torch.Tensor) -> torch.Tensor:
    y, out = torch.zeros_like(b[0]), []
    for t in range(len(a)):
        y = a[t] * y + b[t]
        out.append(y)
    return torch.stack(out)


@pytest.mark.parametrize("T", [1, 2, 3, 4, 5, 31, 64, 300])
def test_linear_scan_equals_a_sequential_loop(T):
    gen = torch.Generator().manual_seed(T)
    for shape in ((T,), (T, 6), (T, 2, 3)):
        a = torch.rand(shape, generator=gen, dtype=torch.float64)
        a[a < 0.1] = 0.0  # a closed forget gate cuts the past off exactly
        a[a > 0.9] = 1.0
        b = torch.randn(shape, generator=gen, dtype=torch.float64)
        a_before, b_before = a.clone(), b.clone()
        torch.testing.assert_close(linear_scan(a, b), sequential_scan(a, b), atol=1e-12, rtol=1e-12)
        # A strided view along time, as the trace scans both directions of a layer: (T, 2, ...).
        a2, b2 = torch.stack([a, 2 * a]).transpose(0, 1), torch.stack([b, -b]).transpose(0, 1)
        got = linear_scan(a2, b2).transpose(0, 1)
        torch.testing.assert_close(got[0], sequential_scan(a, b), atol=1e-12, rtol=1e-12)
        torch.testing.assert_close(got[1], sequential_scan(2 * a, -b), atol=1e-12, rtol=1e-12)
        assert torch.equal(a, a_before) and torch.equal(b, b_before)  # the inputs are left alone


def test_linear_scan_rejects_mismatched_shapes():
    with pytest.raises(ValueError, match="one shape"):
        linear_scan(torch.ones(3, 2), torch.ones(3, 4))


@pytest.mark.skipif(not torch.cuda.is_available(), reason="needs a CUDA device")
@pytest.mark.parametrize("cell", ["rnn", "gru", "lstm"])
def test_trace_on_cuda_equals_the_cpu_trace(cell):
    model = random_model(cell, 2, True, 0)
    x = torch.randn(40, 9, generator=torch.Generator().manual_seed(0))
    cpu = trace_inputs(model, x, ["w"] * 40)
    cuda = trace_inputs(model.cuda(), x.cuda(), ["w"] * 40)  # cuDNN's TF32 alone would leave a 2e-4 gap
    np.testing.assert_allclose(cuda.outputs, cpu.outputs, atol=1e-5, rtol=0)
    for lt_cuda, lt_cpu in zip(cuda.layers, cpu.layers):
        for name, value in lt_cuda.gates.items():
            np.testing.assert_allclose(value, lt_cpu.gates[name], atol=1e-5, rtol=0)


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


def test_exact_cudnn_turns_tf32_off_for_cuda_tensors_only_and_restores_it():
    rnn = torch.backends.cudnn.rnn
    before = rnn.fp32_precision

    class FakeCuda:  # exact_cudnn reads only .is_cuda
        is_cuda = True

    with exact_cudnn(torch.zeros(1)):
        assert rnn.fp32_precision == before
    with exact_cudnn(FakeCuda()):
        assert rnn.fp32_precision == "ieee"
    assert rnn.fp32_precision == before
