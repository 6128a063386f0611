"""Gradients through time: exact on cases with a known answer, equal to autograd through the model's own forward."""

from __future__ import annotations

import numpy as np
import pytest
import torch
import torch.nn.functional as F
from torch import nn

from seqcore.batching import Encoder, Example
from seqcore.gradflow import fresh_like, gradient_flow, gradient_flow_text, trained_and_fresh
from seqcore.models import ModelConfig, SequenceModel
from seqcore.tokens import Vocab

WORDS = ["the", "food", "was", "not", "good", "at", "all", "but", "staff", "smiled"]
TOKENS = ["the", "food", "was", "not", "good", "at", "all", "but", "the", "staff", "smiled"]


def encoder_for(task: str, labels=("negative", "positive"), chars: bool = False) -> Encoder:
    words = Vocab(["<pad>", "<unk>", *WORDS])
    char_vocab = Vocab.build([list("".join(WORDS))]) if chars else None
    return Encoder(task, words, Vocab.labels(labels), char_vocab)


def make_model(task="sentiment", cell="rnn", hidden=1, emb=3, layers=1, bidirectional=False, pooling="last", classes=2, chars=0):
    torch.manual_seed(0)
    cfg = ModelConfig(
        task=task,
        vocab_size=len(WORDS) + 2,
        num_classes=classes,
        cell=cell,
        embedding_dim=emb,
        hidden_size=hidden,
        num_layers=layers,
        bidirectional=bidirectional,
        pooling=pooling,
        char_vocab_size=chars,
    )
    return SequenceModel(cfg).double().eval()


def test_one_unit_rnn_matches_the_product_of_local_derivatives():
    """1-unit tanh RNN, last pooling: dL/dh_t = dL/dh_{T-1} * prod_{k>t} w_hh (1 - h_k^2), by hand."""
    model, enc = make_model(), encoder_for("sentiment")
    ex = Example(id="x", tokens=TOKENS)
    flow = gradient_flow(model, enc, ex, target="positive")
    batch = enc.batch([ex])
    with torch.no_grad():
        h = model.encode(batch.ids, batch.lengths)[0, :, 0].numpy()  # (T,)
        logits = model(batch.ids, batch.lengths)[0]
    p = torch.softmax(logits, -1).numpy()
    W = model.head.weight.detach().numpy()[:, 0]  # (C,)
    g_last = float((p - np.array([0.0, 1.0])) @ W)  # dL/dh_{T-1} for target "positive"
    w = model.encoder.layers[0][0].weight_hh_l0.item()
    T = len(TOKENS)
    expected = np.array([abs(g_last * np.prod([w * (1 - h[k] ** 2) for k in range(t + 1, T)])) for t in range(T)])
    np.testing.assert_allclose(flow.hidden[(0, "forward")], expected, rtol=1e-10)
    # dL/dx_t = dL/dh_t (1 - h_t^2) W_ih: its norm is |dL/dh_t (1 - h_t^2)| ||W_ih||.
    w_ih = np.linalg.norm(model.encoder.layers[0][0].weight_ih_l0.detach().numpy())
    np.testing.assert_allclose(flow.inputs, expected * (1 - h**2) * w_ih, rtol=1e-10)
    assert flow.loss == pytest.approx(-np.log(p[1]))
    assert flow.target_label == "positive" and flow.orders_of_magnitude() > 0


def linear_rnn_model(T_weight: float = 0.25) -> SequenceModel:
    """A bidirectional RNN made exactly linear: ReLU cells whose pre-activations are all positive."""
    model = make_model(hidden=4, emb=3, bidirectional=True)
    g = torch.Generator().manual_seed(1)
    with torch.no_grad():
        model.embedding.weight.copy_(torch.rand(model.embedding.weight.shape, generator=g, dtype=torch.float64) + 0.1)
        for d in range(2):
            rnn = nn.RNN(3, 4, nonlinearity="relu", batch_first=True).double()
            rnn.weight_ih_l0.copy_(torch.rand(4, 3, generator=g, dtype=torch.float64))
            rnn.weight_hh_l0.copy_(T_weight * torch.rand(4, 4, generator=g, dtype=torch.float64))
            rnn.bias_ih_l0.fill_(0.1)
            rnn.bias_hh_l0.fill_(0.1)
            model.encoder.layers[0][d] = rnn
    return model.eval()


def test_linear_rnn_follows_powers_of_the_recurrent_matrix():
    """Linear recurrence: dL/dh_t = (W_hh^T)^(T-1-t) g forward and (W_hh^T)^t g backward (last pooling, both directions)."""
    model, enc = linear_rnn_model(), encoder_for("sentiment")
    ex = Example(id="x", tokens=TOKENS)
    batch = enc.batch([ex])
    with torch.no_grad():
        out = model.encode(batch.ids, batch.lengths)
        assert (out > 0).all()  # every ReLU is in its linear part, so the answer below is exact
        p = torch.softmax(model(batch.ids, batch.lengths)[0], -1).numpy()
    flow = gradient_flow(model, enc, ex)  # the predicted class
    y = np.eye(2)[flow.predicted]
    g = model.head.weight.detach().numpy().T @ (p - y)  # (2H,): dL/d[h_fwd at T-1; h_bwd at 0]
    T, H = len(TOKENS), 4
    Wf = model.encoder.layers[0][0].weight_hh_l0.detach().numpy()
    Wb = model.encoder.layers[0][1].weight_hh_l0.detach().numpy()
    mp = np.linalg.matrix_power
    fwd = [np.linalg.norm(mp(Wf.T, T - 1 - t) @ g[:H]) for t in range(T)]
    bwd = [np.linalg.norm(mp(Wb.T, t) @ g[H:]) for t in range(T)]
    np.testing.assert_allclose(flow.hidden[(0, "forward")], fwd, rtol=1e-9)
    np.testing.assert_allclose(flow.hidden[(0, "backward")], bwd, rtol=1e-9)
    # The concatenated state's norm, as the CLI prints it.
    np.testing.assert_allclose(flow.first_layer(), np.hypot(fwd, bwd), rtol=1e-9)
    # A small recurrent matrix: the gradient shrinks geometrically away from where the loss enters.
    assert flow.hidden[(0, "forward")][0] < 1e-2 * flow.hidden[(0, "forward")][-1]


def reference_norms(model: SequenceModel, enc: Encoder, ex: Example, target: int, item: int | None):
    """Independent reference: torch's own RNNCell/GRUCell/LSTMCell with the same weights, h_t kept with retain_grad."""
    cfg = model.cfg
    batch = enc.batch([ex])
    x = model.embed(batch.ids, batch.chars)[0].detach().requires_grad_(True)  # (T, E)
    T = x.shape[0]
    cell_cls = {"rnn": nn.RNNCell, "gru": nn.GRUCell, "lstm": nn.LSTMCell}[cfg.cell]
    hs: dict = {}
    layer_in = x
    for layer, directions in enumerate(model.encoder.layers):
        outs = []
        for d, rnn in enumerate(directions):
            cell = cell_cls(rnn.input_size, rnn.hidden_size).double()
            cell.load_state_dict({k.replace("_l0", ""): v for k, v in rnn.state_dict().items()})
            h = torch.zeros(1, cfg.hidden_size, dtype=torch.float64)
            c = torch.zeros_like(h)
            seq = [None] * T
            for t in range(T) if d == 0 else reversed(range(T)):
                if cfg.cell == "lstm":
                    h, c = cell(layer_in[t : t + 1], (h, c))
                else:
                    h = cell(layer_in[t : t + 1], h)
                h.retain_grad()
                seq[t] = h
            hs[(layer, ("forward", "backward")[d])] = seq
            outs.append(torch.cat(seq, 0))  # (T, H)
        layer_in = torch.cat(outs, -1)  # (T, D)
    out = layer_in.unsqueeze(0)
    if cfg.task == "sentiment":
        logits = model.classify(model.pool(out, batch.lengths))[0]
    elif cfg.task == "aspect":
        logits = model.classify(model.aspect_features(out, batch.aspect_mask))[0, item]
    else:
        logits = model.classify(out)[0, item]
    F.cross_entropy(logits.unsqueeze(0), torch.tensor([target])).backward()
    norms = {k: np.array([0.0 if h.grad is None else float(h.grad.norm()) for h in seq]) for k, seq in hs.items()}
    return norms, x.grad.norm(dim=-1).numpy(), logits.detach()


@pytest.mark.parametrize(
    "task,cell,pooling,item",
    [
        ("sentiment", "rnn", "max", None),
        ("sentiment", "gru", "mean", None),
        ("sentiment", "lstm", "last", None),
        ("aspect", "lstm", "last", 1),
        ("aspect", "gru", "last", 0),
        ("tagging", "gru", "last", 4),
        ("tagging", "lstm", "last", None),
    ],
)
def test_norms_equal_an_independent_autograd_reference(task, cell, pooling, item):
    chars = task == "tagging"
    labels = ("negative", "neutral", "positive") if task == "aspect" else ("negative", "positive")
    enc = encoder_for(task, labels, chars=chars)
    model = make_model(task, cell, hidden=5, emb=4, layers=2, bidirectional=True, pooling=pooling, classes=len(labels))
    if chars:  # rebuild with a character CNN sized to the encoder
        torch.manual_seed(0)
        model = SequenceModel(
            ModelConfig(**{**model.cfg.to_dict(), "char_vocab_size": len(enc.chars), "char_filters": 3, "char_dim": 4})
        )
        model = model.double().eval()
    ex = Example(id="x", tokens=TOKENS, aspects=[(1, 2), (9, 10)] if task == "aspect" else [])
    flow = gradient_flow(model, enc, ex, target=1, item=item)
    ref_item = item if item is not None else (len(TOKENS) - 1 if task == "tagging" else None)
    norms, x_norms, logits = reference_norms(model, enc, ex, 1, ref_item)
    assert set(flow.hidden) == set(norms) == {(0, "forward"), (0, "backward"), (1, "forward"), (1, "backward")}
    for key in norms:
        np.testing.assert_allclose(flow.hidden[key], norms[key], rtol=1e-7, atol=1e-14)
    np.testing.assert_allclose(flow.inputs, x_norms, rtol=1e-7, atol=1e-14)
    np.testing.assert_allclose(flow.probs, torch.softmax(logits, -1).numpy(), rtol=1e-9)
    assert flow.item == ref_item


@pytest.mark.parametrize("cell", ["rnn", "gru", "lstm"])
def test_input_gradients_equal_autograd_through_the_fused_forward(cell):
    """dL/dx_t equals the gradient through SequenceModel's own (whole-sequence, fused) forward."""
    model = make_model("sentiment", cell, hidden=6, emb=5, layers=2, bidirectional=True, pooling="max")
    enc = encoder_for("sentiment")
    ex = Example(id="x", tokens=TOKENS)
    batch = enc.batch([ex])
    x0 = model.embed(batch.ids).detach().requires_grad_(True)
    logits = model.classify(model.pool(model.encoder(x0, batch.lengths), batch.lengths))
    flow = gradient_flow(model, enc, ex)
    F.cross_entropy(logits, torch.tensor([flow.predicted])).backward()
    np.testing.assert_allclose(flow.inputs, x0.grad[0].norm(dim=-1).numpy(), rtol=1e-9)
    np.testing.assert_allclose(flow.probs, torch.softmax(logits[0].detach(), -1).numpy(), rtol=1e-12)


def test_tagging_token_gets_no_gradient_from_steps_off_its_path():
    """Token k's loss cannot reach forward steps after k, nor backward steps before k: exact zeros."""
    model = make_model("tagging", "lstm", hidden=4, emb=3, bidirectional=True, classes=2)
    enc = encoder_for("tagging", ("NOUN", "VERB"))
    k = 4
    flow = gradient_flow(model, enc, Example(id="x", tokens=TOKENS), item=k)
    fwd, bwd = flow.hidden[(0, "forward")], flow.hidden[(0, "backward")]
    assert (fwd[k + 1 :] == 0).all() and (fwd[: k + 1] > 0).all()
    assert (bwd[:k] == 0).all() and (bwd[k:] > 0).all()


def test_readout_last_lets_the_loss_enter_only_at_the_end():
    model = make_model("sentiment", "gru", hidden=4, emb=3, bidirectional=False, pooling="max")
    enc = encoder_for("sentiment")
    own = gradient_flow_text(model, enc, TOKENS)
    last = gradient_flow_text(model, enc, TOKENS, readout="last")
    assert not np.allclose(own.hidden[(0, "forward")], last.hidden[(0, "forward")])
    model.cfg.pooling = "last"
    np.testing.assert_allclose(gradient_flow_text(model, enc, TOKENS).hidden[(0, "forward")], last.hidden[(0, "forward")])
    with pytest.raises(ValueError, match="pooling must be one of"):
        gradient_flow_text(model, enc, TOKENS, readout="median")


def test_text_input_aspects_and_errors():
    enc = encoder_for("aspect", ("negative", "neutral", "positive"))
    model = make_model("aspect", "gru", hidden=3, emb=3, bidirectional=True, classes=3)
    flow = gradient_flow_text(model, enc, "The food was not good", aspect="food")
    assert flow.tokens == ["The", "food", "was", "not", "good"] and flow.item == 0
    same = gradient_flow(model, enc, Example(id="x", tokens=flow.tokens, aspects=[(1, 2)]))
    np.testing.assert_allclose(flow.first_layer(), same.first_layer())
    with pytest.raises(ValueError, match="needs an aspect term"):
        gradient_flow_text(model, enc, "The food was good")
    with pytest.raises(ValueError, match="does not occur"):
        gradient_flow_text(model, enc, "The food was good", aspect="wine")
    with pytest.raises(ValueError, match="needs an aspect"):
        gradient_flow(model, enc, Example(id="x", tokens=["food"]))
    with pytest.raises(ValueError, match="aspect 3 does not exist"):
        gradient_flow(model, enc, Example(id="x", tokens=["food"], aspects=[(0, 1)]), item=3)
    sent = make_model()
    senc = encoder_for("sentiment")
    with pytest.raises(ValueError, match="empty"):
        gradient_flow_text(sent, senc, "   ")
    with pytest.raises(ValueError, match="unknown class 'happy'"):
        gradient_flow_text(sent, senc, "good food", target="happy")
    with pytest.raises(ValueError, match="outside 0..1"):
        gradient_flow_text(sent, senc, "good food", target=5)
    with pytest.raises(ValueError, match="aspect term applies to aspect models"):
        gradient_flow_text(sent, senc, "good food", aspect="food")
    with pytest.raises(ValueError, match="token position applies to tagging"):
        gradient_flow_text(sent, senc, "good food", token=0)
    tag = make_model("tagging", "rnn", hidden=2, emb=2, classes=2)
    with pytest.raises(ValueError, match="outside the sentence's 2 tokens"):
        gradient_flow_text(tag, encoder_for("tagging", ("A", "B")), "good food", token=2)
    with pytest.raises(ValueError, match="readout applies to sentence"):
        gradient_flow_text(tag, encoder_for("tagging", ("A", "B")), "good food", readout="last")


def test_fresh_like_is_untrained_same_size_seeded_and_leaves_the_global_rng_alone():
    model = make_model("sentiment", "lstm", hidden=6, emb=4, bidirectional=True, pooling="max")
    torch.manual_seed(123)
    before = torch.rand(3)
    torch.manual_seed(123)
    a, b, c = fresh_like(model, seed=1), fresh_like(model, seed=1), fresh_like(model, seed=2)
    assert torch.equal(torch.rand(3), before)  # the caller's random stream is untouched
    assert a.cfg == model.cfg and a.cfg is not model.cfg and not a.training
    sa, sb, sc, sm = a.state_dict(), b.state_dict(), c.state_dict(), model.state_dict()
    assert sa.keys() == sm.keys() and all(sa[k].shape == sm[k].shape for k in sa)
    assert all(torch.equal(sa[k], sb[k]) for k in sa)
    assert not torch.equal(sa["head.weight"], sc["head.weight"])
    assert not torch.equal(sa["encoder.layers.0.0.weight_hh_l0"].double(), sm["encoder.layers.0.0.weight_hh_l0"])
    flow = gradient_flow_text(a, encoder_for("sentiment"), TOKENS)
    assert flow.hidden[(0, "forward")].shape == (len(TOKENS),)


def test_to_dict_and_lines():
    model = make_model("sentiment", "gru", hidden=3, emb=3, bidirectional=True, pooling="max")
    flow = gradient_flow_text(model, encoder_for("sentiment"), TOKENS)
    d = flow.to_dict()
    assert d["tokens"] == TOKENS and len(d["hidden"]) == 2 and len(d["input_grad_norms"]) == len(TOKENS)
    assert set(d["probs"]) == {"negative", "positive"} and d["predicted"] == d["target"]
    lines = flow.lines("GRU")
    assert list(lines) == ["GRU · layer 0 forward", "GRU · layer 0 backward", "GRU · input x"]
    assert list(flow.lines(inputs=False)) == ["layer 0 forward", "layer 0 backward"]


def test_trained_and_fresh_differentiate_the_same_class():
    model = make_model("sentiment", "rnn", hidden=4, emb=3, bidirectional=True, pooling="max")
    enc = encoder_for("sentiment")
    flows = trained_and_fresh("RNN", model, enc, TOKENS, seed=3, readout="last")
    assert list(flows) == ["RNN", "RNN (untrained)"]
    trained, fresh = flows.values()
    assert fresh.target == trained.target and fresh.tokens == trained.tokens
    assert not np.allclose(fresh.hidden[(0, "forward")], trained.hidden[(0, "forward")])
    again = gradient_flow_text(fresh_like(model, 3), enc, TOKENS, target=trained.target, readout="last")
    np.testing.assert_allclose(again.hidden[(0, "forward")], fresh.hidden[(0, "forward")])
    kept = trained_and_fresh("RNN", model, enc, TOKENS, seed=3, twin=fresh_like(model, 3), readout="last")  # a kept twin
    for a, b in zip(kept.values(), flows.values(), strict=True):
        for key in a.hidden:
            np.testing.assert_array_equal(a.hidden[key], b.hidden[key])
        np.testing.assert_array_equal(a.inputs, b.inputs)


def test_text_over_the_token_cap_is_refused(monkeypatch):
    model, enc = make_model(), encoder_for("sentiment")
    monkeypatch.setenv("SEQCORE_MAX_TOKENS", "3")
    with pytest.raises(ValueError, match="at most 3"):
        gradient_flow_text(model, enc, "the food was not good")
    assert gradient_flow_text(model, enc, "the food was").tokens == ["the", "food", "was"]
