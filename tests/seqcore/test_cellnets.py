"""Cell variants: LoopCell is the reference, and every view (trace, step, counts, gradients, checkpoint) agrees with it."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from torch import nn

from seqcore.anatomy import parameter_breakdown, step_detail
from seqcore.batching import Example
from seqcore.cellnets import LoopCell
from seqcore.cells import VARIANT_CELLS, cell_spec
from seqcore.checkpoints import checkpoint_to_zip, load_checkpoint, load_checkpoint_zip, save_checkpoint
from seqcore.gradflow import gradient_flow
from seqcore.inference import Predictor
from seqcore.memory import set_forget_bias
from seqcore.models import ModelConfig, SequenceModel, count_parameters
from seqcore.tasks import build_encoder
from seqcore.traces import trace_cell_steps, trace_inputs, trajectory_logits
from tests.synthetic import sentiment_data

H, E = 5, 4


def saturating(module: nn.Module, seed: int = 0) -> nn.Module:
    """Weights large enough that a wrong sign, block or peephole shows."""
    g = torch.Generator().manual_seed(seed)
    with torch.no_grad():
        for p in module.parameters():
            p.copy_(torch.rand(p.shape, generator=g) * 2.4 - 1.2)
    return module


@pytest.mark.parametrize("cell", VARIANT_CELLS)
def test_the_trace_equals_the_module_forward_on_a_padded_batch(cell):
    rnn = saturating(LoopCell(cell, E, H))
    torch.manual_seed(1)
    x = torch.randn(3, 7, E)
    lengths = torch.tensor([7, 2, 5])
    with torch.no_grad():
        out, _ = rnn(x, None, lengths)  # (B, T, H), batched and masked
    for b, n in enumerate(lengths.tolist()):
        gates = trace_cell_steps(cell, rnn, x[b, :n])  # one sentence, one token at a time, from the weights
        assert list(gates) == list(cell_spec(cell).names)
        torch.testing.assert_close(gates["h"], out[b, :n], atol=1e-5, rtol=0)
        back = trace_cell_steps(cell, rnn, x[b, :n], reverse=True)
        with torch.no_grad():
            ref = rnn(x[b, :n].flip(0).unsqueeze(0))[0][0].flip(0)
        torch.testing.assert_close(back["h"], ref, atol=1e-5, rtol=0)


@pytest.mark.parametrize("cell", VARIANT_CELLS)
def test_padding_never_changes_a_sequence(cell):
    rnn = saturating(LoopCell(cell, E, H), seed=2)
    torch.manual_seed(3)
    x = torch.randn(3, 6, E)
    lengths = torch.tensor([6, 1, 4])
    out, state = rnn(x, None, lengths)
    states = state if isinstance(state, tuple) else (state,)
    for b, n in enumerate(lengths.tolist()):
        alone, final = rnn(x[b : b + 1, :n])
        finals = final if isinstance(final, tuple) else (final,)
        torch.testing.assert_close(out[b, :n], alone[0], atol=1e-6, rtol=0)
        assert torch.count_nonzero(out[b, n:]) == 0  # zeros at padding, as a packed run gives
        for got, want in zip(states, finals):  # the final state is the one at the sequence's own length
            torch.testing.assert_close(got[:, b], want[:, 0], atol=1e-6, rtol=0)
        changed = x.clone()
        changed[b, n:] = 100.0  # garbage at padding changes nothing
        torch.testing.assert_close(rnn(changed, None, lengths)[0][b], out[b], atol=0, rtol=0)


def test_the_peephole_lstm_without_peepholes_is_pytorchs_lstm():
    ref = saturating(nn.LSTM(E, H, batch_first=True))
    rnn = LoopCell("lstm-peephole", E, H)
    with torch.no_grad():
        for name, p in ref.named_parameters():
            rnn.get_parameter(name).copy_(p)
        for name in ("p_i", "p_f", "p_o"):
            rnn.get_parameter(name).zero_()
        x = torch.randn(2, 5, E)
        torch.testing.assert_close(rnn(x)[0], ref(x)[0], atol=1e-6, rtol=0)
        rnn.get_parameter("p_f").fill_(2.0)  # a peephole changes the forget gate, and so the outputs
        assert not torch.allclose(rnn(x)[0], ref(x)[0], atol=1e-3)


@pytest.mark.parametrize(
    ("cell", "check"),
    [
        ("lstm-cifg", lambda g: np.allclose(g["f"], 1 - g["i"])),
        ("lstm-noaf", lambda g: np.allclose(g["h"], g["o"] * g["c"], atol=1e-6)),
        ("lstm-nog", lambda g: np.allclose(g["h"], np.tanh(g["c"]), atol=1e-6)),
        ("lstm-nfg", lambda g: np.allclose(g["c"][1:], g["c"][:-1] + g["i"][1:] * g["g"][1:], atol=1e-6)),
        ("lstm-nig", lambda g: np.allclose(g["c"][1:], g["f"][1:] * g["c"][:-1] + g["g"][1:], atol=1e-6)),
        ("lstm-niaf", lambda g: g["g"].max() > 1.0 or g["g"].min() < -1.0),  # no tanh: outside (-1, 1)
        ("gru-nug", lambda g: np.allclose(g["h"], g["n"])),
        ("mgu", lambda g: np.allclose(g["h"][1:], (1 - g["f"][1:]) * g["h"][:-1] + g["f"][1:] * g["n"][1:], atol=1e-6)),
    ],
)
def test_each_ablation_is_the_change_its_name_says(cell, check):
    rnn = saturating(LoopCell(cell, E, H), seed=4)
    torch.manual_seed(5)
    gates = {k: v.numpy() for k, v in trace_cell_steps(cell, rnn, 3 * torch.randn(9, E)).items()}
    assert check(gates)


def test_full_gate_recurrence_reads_the_previous_gates():
    rnn = saturating(LoopCell("lstm-fgr", E, H))
    x = torch.randn(6, E)
    before = trace_cell_steps("lstm-fgr", rnn, x)["h"]
    with torch.no_grad():
        rnn.get_parameter("R_f").zero_()
        rnn.get_parameter("R_f")[:, H : 2 * H] = 3.0  # the previous f into f
    after = trace_cell_steps("lstm-fgr", rnn, x)["h"]
    torch.testing.assert_close(before[0], after[0])  # the first step has no previous gates
    assert not torch.allclose(before[1:], after[1:], atol=1e-4)


@pytest.mark.parametrize("lengths", [torch.tensor([9, 3, 5, 9]), None])
def test_fgrs_written_out_backward_equals_the_spec_loop_values_and_gradients(lengths):
    """LSTM-FGR's forward runs FgrRecurrence (stacked weights, backward written out); the spec's own loop is the reference."""
    rnn = saturating(LoopCell("lstm-fgr", E, H)).double()
    torch.manual_seed(6)
    x = torch.randn(4, 9, E, dtype=torch.float64, requires_grad=True)
    state = tuple(torch.randn(1, 4, H, dtype=torch.float64, requires_grad=True) for _ in range(5))  # h, c, i, f, o
    results = []
    for run in (rnn.loop, rnn.forward):
        out, final = run(x, state, lengths)
        weights = torch.randn(out.shape, generator=torch.Generator().manual_seed(7), dtype=torch.float64)
        loss = (out * weights).sum() + sum((k + 1) * s.pow(2).sum() for k, s in enumerate(final))  # every output counts
        grads = torch.autograd.grad(loss, [x, *state, *rnn.parameters()])
        results.append((out, *final, *grads))
    names = ["out", "h", "c", "i", "f", "o", "x", "h0", "c0", "i0", "f0", "o0"] + [n for n, _ in rnn.named_parameters()]
    for name, want, got in zip(names, *results, strict=True):
        torch.testing.assert_close(got, want, atol=1e-10, rtol=1e-10, msg=lambda m, name=name: f"{name}: {m}")
    assert results[0][0].abs().sum() > 0 and all(g.abs().sum() > 0 for g in results[0][6:])  # nothing vanished
    if lengths is not None:
        assert torch.count_nonzero(results[1][0][1, 3:]) == 0  # zeros past the length


def test_fgrs_backward_passes_gradcheck():
    rnn = LoopCell("lstm-fgr", 3, 2).double()
    x = torch.randn(3, 5, 3, dtype=torch.float64, requires_grad=True)
    params = tuple(rnn.parameters())

    def run(x, *weights):
        named = dict(zip((n for n, _ in rnn.named_parameters()), weights))
        out, final = torch.func.functional_call(rnn, named, (x, None, torch.tensor([5, 2, 4])))
        return out, *final

    assert torch.autograd.gradcheck(run, (x, *params))


@pytest.fixture(scope="module")
def data():
    examples = sentiment_data(40)
    return examples, build_encoder("sentiment", examples)


@pytest.mark.parametrize("cell", ["lstm-peephole", "lstm-cifg", "lstm-fgr", "mgu"])
def test_a_variant_model_traces_steps_counts_and_differentiates_like_its_forward(cell, data):
    examples, encoder = data
    torch.manual_seed(0)
    cfg = ModelConfig(
        "sentiment", len(encoder.words), 2, cell=cell, embedding_dim=E, hidden_size=H, bidirectional=True, num_layers=2
    )
    model = SequenceModel(cfg).eval()
    batch = encoder.batch(examples[:5])
    with torch.no_grad():
        out = model.encode(batch.ids, batch.lengths)  # (B, T, 2H), padded batch
    for b in range(5):
        n = int(batch.lengths[b])
        x0 = model.embed(batch.ids[b : b + 1, :n])[0].detach()
        trace = trace_inputs(model, x0, examples[b].tokens)
        np.testing.assert_allclose(trace.outputs, out[b, :n].numpy(), atol=1e-5)
    tokens = examples[0].tokens
    x0 = model.embed(encoder.batch([examples[0]]).ids)[0].detach()
    trace = trace_inputs(model, x0, tokens)
    step = step_detail(model, x0, tokens, 1, "backward", 0, trace)
    np.testing.assert_allclose(step.h, trace.get(1, "backward").gates["h"][0], atol=1e-5)
    rows = parameter_breakdown(model)
    assert sum(r["parameters"] for r in rows) == count_parameters(model)
    gate_rows = {r["gate"] for r in rows if r["layer"] == 0 and r["direction"] == "forward"}
    assert gate_rows == set(cell_spec(cell).blocks)
    flow = gradient_flow(model, encoder, Example(id="x", tokens=tokens))
    with torch.no_grad():
        one = encoder.batch([Example(id="x", tokens=tokens)])
        probs = model(one.ids, one.lengths).softmax(-1)[0]
    np.testing.assert_allclose(flow.probs, probs.double().numpy(), atol=1e-5)
    assert all(v.shape == (len(tokens),) and (v > 0).any() for v in flow.hidden.values())


def test_a_variant_checkpoint_round_trips_through_a_folder_and_a_zip(tmp_path, data):
    examples, encoder = data
    torch.manual_seed(0)
    model = SequenceModel(ModelConfig("sentiment", len(encoder.words), 2, cell="lstm-fgr", embedding_dim=E, hidden_size=H)).eval()
    folder = save_checkpoint(tmp_path / "fgr", model, encoder, {"task": "sentiment"})
    for loaded in (load_checkpoint(folder), load_checkpoint_zip(checkpoint_to_zip(folder))):
        assert loaded.config.cell == "lstm-fgr"
        for name, tensor in model.state_dict().items():
            torch.testing.assert_close(loaded.model.state_dict()[name], tensor, atol=0, rtol=0)
        predictor = Predictor(loaded)
        probs = predictor.predict_text("the food was good")
        assert set(probs) == {"positive", "negative"} and abs(sum(probs.values()) - 1) < 1e-5
        trajectory = trajectory_logits(loaded.model, encoder.batch([examples[0]]).ids[0])
        assert trajectory.shape == (len(examples[0].tokens), 2)
        assert predictor.trace("the food was good").gate_names == cell_spec("lstm-fgr").names
    weights = folder / "weights.safetensors"
    from safetensors.torch import load_file, save_file

    state = load_file(str(weights))
    state["encoder.layers.0.0.R_i"] = torch.zeros(H, H)  # the wrong shape for (H, 3H)
    save_file(state, str(weights))
    with pytest.raises(ValueError, match="R_i has shape"):
        load_checkpoint(folder)


def test_the_forget_bias_goes_where_each_variant_keeps_its_forget_gate():
    for cell, block, sign in [("lstm", "f", 1.0), ("lstm-peephole", "f", 1.0), ("lstm-cifg", "i", -1.0), ("lstm-nig", "f", 1.0)]:
        model = SequenceModel(ModelConfig("sentiment", 10, 2, cell=cell, embedding_dim=E, hidden_size=H))
        set_forget_bias(model, 2.0)
        rnn = model.encoder.rnns()[0][0]
        k = cell_spec(cell).blocks.index(block)
        assert torch.all(rnn.get_parameter("bias_hh_l0")[k * H : (k + 1) * H] == sign * 2.0)
        assert torch.all(rnn.get_parameter("bias_ih_l0")[k * H : (k + 1) * H] == 0.0)
    nfg = SequenceModel(ModelConfig("sentiment", 10, 2, cell="lstm-nfg", embedding_dim=E, hidden_size=H))
    before = {k: v.clone() for k, v in nfg.state_dict().items()}
    set_forget_bias(nfg, 2.0)  # no forget gate: nothing to set
    assert all(torch.equal(before[k], v) for k, v in nfg.state_dict().items())


def test_a_loop_cell_refuses_a_fused_cell_and_a_packed_batch():
    with pytest.raises(ValueError, match="fused cell"):
        LoopCell("lstm", E, H)
    rnn = LoopCell("mgu", E, H)
    packed = nn.utils.rnn.pack_padded_sequence(torch.randn(2, 3, E), torch.tensor([3, 2]), batch_first=True)
    with pytest.raises(TypeError, match="padded batch"):
        rnn(packed)


@pytest.mark.parametrize("cell", VARIANT_CELLS)
def test_the_spec_counts_the_modules_parameters(cell):
    rnn = LoopCell(cell, E, H)
    assert sum(p.numel() for p in rnn.parameters()) == cell_spec(cell).parameters(E, H)
    assert {name for name, _ in rnn.named_parameters()} >= {"weight_ih_l0", "weight_hh_l0", "bias_ih_l0", "bias_hh_l0"}
