"""anatomy: parameter counts add up, shapes and values match the real forward pass, one step equals the trace."""

from __future__ import annotations

import itertools

import numpy as np
import pytest
import torch

from seqcore.anatomy import embed_tokens, parameter_breakdown, parameter_totals, shape_arrow, shape_flow, step_detail
from seqcore.batching import Encoder, Example
from seqcore.models import ModelConfig, SequenceModel, count_parameters
from seqcore.states import layer_states
from seqcore.tokens import Vocab
from seqcore.traces import trace_inputs

WORDS = ["the", "food", "was", "great", "but", "service", "slow", "wine", "list"]


def make(cell: str, task: str = "sentiment", layers: int = 1, bi: bool = False, chars: bool = False, seed: int = 0):
    torch.manual_seed(seed)
    words = Vocab.build([WORDS], lowercase=True)
    labels = Vocab.labels(["negative", "neutral", "positive"] if task != "tagging" else ["DET", "NOUN", "VERB", "ADJ"])
    char_vocab = Vocab.build([list("".join(WORDS))]) if chars else None
    enc = Encoder(task, words, labels, char_vocab)
    cfg = ModelConfig(
        task=task,
        vocab_size=len(words),
        num_classes=len(labels),
        cell=cell,
        embedding_dim=6,
        hidden_size=5,
        num_layers=layers,
        bidirectional=bi,
        char_vocab_size=len(char_vocab) if chars else 0,
        char_dim=4,
        char_filters=3,
    )
    model = SequenceModel(cfg).eval()
    with torch.no_grad():
        for p in model.encoder.parameters():
            p.uniform_(-0.9, 0.9)
    return model, enc


CASES = list(itertools.product(["rnn", "gru", "lstm"], ["sentiment", "aspect", "tagging"], [1, 2], [False, True]))


@pytest.mark.parametrize("cell,task,layers,bi", CASES)
def test_parameter_breakdown_sums_to_model_total(cell, task, layers, bi):
    model, _ = make(cell, task, layers, bi, chars=task == "tagging")
    rows = parameter_breakdown(model)
    assert sum(r["parameters"] for r in rows) == count_parameters(model)
    totals = parameter_totals(rows)
    assert totals[-1] == {"part": "total", "parameters": count_parameters(model)}
    gates = {"lstm": 4, "gru": 3, "rnn": 1}[cell]
    recurrent = [r for r in rows if r["component"] == "recurrent"]
    assert len(recurrent) == gates * layers * (2 if bi else 1)
    # Layer 0 gate: H x E input weights, H x H hidden weights, two H biases.
    first = recurrent[0]
    E = model.cfg.input_size
    assert first["parameters"] == 5 * E + 5 * 5 + 2 * 5
    assert f"[5 x {E}]" in first["shapes"]


@pytest.mark.parametrize("task", ["sentiment", "aspect", "tagging"])
@pytest.mark.parametrize("bi", [False, True])
def test_shape_flow_ends_at_the_model_output(task, bi):
    model, enc = make("lstm", task, 2, bi, chars=task == "tagging")
    ex = Example(id="x", tokens=["the", "wine", "list", "was", "great"], aspects=[(1, 3), (4, 5)] if task == "aspect" else [])
    rows = shape_flow(model, enc, ex)
    batch = enc.batch([ex])
    with torch.no_grad():
        out = model(**batch.inputs())
    assert rows[0]["shape"] == [1, 5]
    assert rows[-1]["shape"] == list(out.shape)
    assert rows[1]["shape"] == [1, 5, 6]
    D = 10 if bi else 5
    assert any(r["shape"] == [1, 5, D] for r in rows)
    assert shape_arrow(rows).startswith("[1, 5] -> [1, 5, 6]")


@pytest.mark.parametrize("task", ["sentiment", "aspect", "tagging"])
@pytest.mark.parametrize("cell,bi", list(itertools.product(["rnn", "gru", "lstm"], [False, True])))
def test_shape_flow_values_are_the_models_own(task, cell, bi):
    """Every layer's output equals what the encoder computes in the model's forward pass; the logits equal model(...)."""
    model, enc = make(cell, task, 2, bi, chars=task == "tagging", seed=5)
    ex = Example(id="x", tokens=["the", "wine", "list", "was", "great"], aspects=[(1, 3), (4, 5)] if task == "aspect" else [])
    rows = shape_flow(model, enc, ex, values=True)
    assert [{k: r[k] for k in ("stage", "shape", "meaning")} for r in rows] == shape_flow(model, enc, ex)
    by_stage = {r["stage"]: r["value"] for r in rows}
    batch = enc.batch([ex])
    with torch.no_grad():
        logits = model(**batch.inputs())
        embedded = model.embed(batch.ids, batch.chars)
    torch.testing.assert_close(by_stage["output head (logits)"], logits, atol=1e-6, rtol=0)
    torch.testing.assert_close(by_stage["softmax (probabilities)"], torch.softmax(logits, dim=-1), atol=1e-6, rtol=0)
    recurrent_input = by_stage["recurrent input"] if task == "tagging" else by_stage["word embedding"]
    torch.testing.assert_close(recurrent_input, embedded, atol=1e-6, rtol=0)
    title = {"rnn": "RNN", "gru": "GRU", "lstm": "LSTM"}[cell]
    states = layer_states(model, batch.ids, batch.lengths, batch.chars)
    assert len(states) == 2 * (2 if bi else 1)
    for layer, direction, h in states:
        torch.testing.assert_close(by_stage[f"layer {layer} {direction} {title}"], h, atol=1e-6, rtol=0)
    with torch.no_grad():
        top = model.encode(batch.ids, batch.lengths, batch.chars)
    last = by_stage["layer 1 concatenated"] if bi else by_stage[f"layer 1 forward {title}"]
    torch.testing.assert_close(last, top, atol=1e-6, rtol=0)


@pytest.mark.parametrize("cell,layers,bi", list(itertools.product(["rnn", "gru", "lstm"], [1, 2], [False, True])))
def test_step_detail_equals_trace(cell, layers, bi):
    model, enc = make(cell, "sentiment", layers, bi, seed=3)
    tokens = ["the", "food", "was", "great", "but", "slow"]
    x0 = model.embed(torch.tensor([enc.words.encode(tokens)]))[0].detach()
    trace = trace_inputs(model, x0, tokens)
    for layer in range(layers):
        for direction in ("forward", "backward") if bi else ("forward",):
            lt = trace.get(layer, direction)
            for t in range(len(tokens)):
                step = step_detail(model, x0, tokens, layer, direction, t, trace)
                np.testing.assert_allclose(step.h, lt.gates["h"][t], atol=1e-5)
                for gate, part in step.parts.items():
                    np.testing.assert_allclose(part["value"], lt.gates[gate][t], atol=1e-5)
                if cell == "lstm":
                    np.testing.assert_allclose(step.c, lt.gates["c"][t], atol=1e-5)
                edge = 0 if direction == "forward" else len(tokens) - 1
                assert (step.prev_t is None) == (t == edge)
    step = step_detail(model, x0, tokens, 0, "forward", 2)
    rows = step.table([0, 1])
    assert {r["unit"] for r in rows} == {0, 1}
    assert rows[0]["pre-activation"] == pytest.approx(rows[0]["W_i x + b_i"] + rows[0]["W_h h + b_h"]) or cell == "gru"
    with pytest.raises(ValueError, match="outside"):
        step_detail(model, x0, tokens, 0, "forward", 99)


def test_embed_tokens():
    model, enc = make("lstm", "tagging", chars=True)
    x0 = embed_tokens(model, enc, ["the", "wine", "list"])
    assert x0.shape == (3, model.cfg.input_size)
