"""explain: parameter counts add up, shapes match the real forward pass, one step equals the trace."""

from __future__ import annotations

import itertools

import numpy as np
import pytest
import torch

from seqcore.batching import Encoder, Example
from seqcore.explain import (
    aspect_masks,
    cell_rows,
    confusion_cells,
    embed_tokens,
    known_label_examples,
    parameter_breakdown,
    parameter_totals,
    per_class_table,
    review_aspect_examples,
    review_summary,
    saturation,
    sentence_labels_from_reviews,
    shape_arrow,
    shape_flow,
    step_detail,
    subsample,
    tag_rows,
)
from seqcore.models import ModelConfig, SequenceModel, count_parameters
from seqcore.readers import LabeledText, Problem, ReviewFile, Sentence, Target
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


def test_embed_tokens_and_aspect_masks():
    model, enc = make("lstm", "tagging", chars=True)
    x0 = embed_tokens(model, enc, ["the", "wine", "list"])
    assert x0.shape == (3, model.cfg.input_size)
    masks = aspect_masks(4, [(1, 3), (0, 1)])
    assert masks.tolist() == [[0, 1, 1, 0], [1, 0, 0, 0]]
    with pytest.raises(ValueError, match="outside"):
        aspect_masks(2, [(1, 3)])


def test_saturation_counts_each_end_and_skips_the_cell_state():
    gates = {
        "i": np.array([[0.95, 0.05], [0.5, 0.99]]),
        "f": np.full((2, 2), 0.5),
        "g": np.array([[-0.95, 0.0], [0.95, 0.2]]),
        "o": np.zeros((2, 2)),
        "c": np.full((2, 2), 5.0),
        "h": np.zeros((2, 2)),
    }
    rows = {r["gate"]: r for r in saturation("lstm", gates)}
    assert "c" not in rows
    assert rows["i"]["share_high"] == 0.5 and rows["i"]["share_low"] == 0.25
    assert rows["f"]["share_saturated"] == 0.0
    assert rows["g"]["share_high"] == 0.25 and rows["g"]["share_low"] == 0.25
    assert rows["o"]["share_low"] == 1.0
    assert rows["g"]["low_rule"].startswith("v < -0.9")
    with pytest.raises(ValueError):
        saturation("lstm", gates, threshold=0.3)


def test_confusion_helpers():
    m = [[3, 1], [0, 0]]
    cells = confusion_cells(m, ["a", "b"])
    assert cells == [{"gold": "a", "predicted": "b", "count": 1}, {"gold": "a", "predicted": "a", "count": 3}]
    rows = [{"gold": "a", "predicted": "b", "text": "x"}, {"gold": "a", "predicted": "a", "text": "y"}]
    assert cell_rows(rows, "a", "b") == [rows[0]]
    metrics = {
        "labels": ["a", "b"],
        "support": [4, 0],
        "per_class_accuracy": [0.75, 0.0],
        "precision": [1.0, 0.0],
        "recall": [0.75, 0.0],
        "f1": [0.857, 0.0],
    }
    assert per_class_table(metrics)[0]["precision"] == 1.0


def _review() -> ReviewFile:
    s1 = Sentence(
        "1",
        "great food",
        ["great", "food"],
        [(0, 5), (6, 10)],
        [Target("food", "positive", 6, 10, (1, 2)), Target(None, "negative")],
    )
    s2 = Sentence("2", "bad wine", ["bad", "wine"], [(0, 3), (4, 8)], [Target("wine", "conflict", 4, 8, (1, 2))])
    s3 = Sentence("3", "awful", ["awful"], [(0, 5)], [Target("x", "negative", 0, 5, (0, 1))])
    return ReviewFile("f.xml", "semeval2016", [s1, s2, s3], [Problem("f.xml", "bad", "9", 4)])


def test_review_adapters():
    review = _review()
    summary = review_summary(review)
    assert summary["targets"] == 4 and summary["null_targets"] == 1 and summary["conflict"] == 1 and summary["problems"] == 1
    examples, skipped = review_aspect_examples(review, ["negative", "neutral", "positive"])
    assert [ex.id for ex in examples] == ["1", "3"]
    assert skipped == {"NULL target (no span in the text)": 1, "conflict (not a class of this model)": 1}
    labeled, left = sentence_labels_from_reviews([review])
    assert labeled == [LabeledText("awful", "negative")] and left == 2


def test_small_adapters():
    assert subsample(list(range(10)), None) == list(range(10))
    sample = subsample(list(range(100)), 10, seed=1)
    assert len(sample) == 10 and sample == sorted(sample) and sample == subsample(list(range(100)), 10, seed=1)
    exs = [Example("a", ["x"], label="positive"), Example("b", ["y"], label="mixed")]
    kept, dropped = known_label_examples(exs, ["positive", "negative"])
    assert [e.id for e in kept] == ["a"] and dropped == 1
    rows = tag_rows(["I", "run"], [("I", "PRON", 0.9), ("run", "NOUN", 0.6)], ["PRON", "VERB"])
    assert [r["correct"] for r in rows] == [True, False]
    assert tag_rows(["I"], [("I", "PRON", 0.9)], None)[0]["correct"] is None
    with pytest.raises(ValueError, match="one tag per word"):
        tag_rows(["I", "run"], [("I", "PRON", 0.9), ("run", "NOUN", 0.6)], ["PRON"])


def test_review_adapter_applies_the_task_rules_for_spans_annotated_per_category():
    toks, offs = ["tasty", "pasta"], [(0, 5), (6, 11)]
    agree = Sentence(
        "a",
        "tasty pasta",
        toks,
        offs,
        [
            Target("pasta", "positive", 6, 11, (1, 2), "FOOD#QUALITY"),
            Target("pasta", "positive", 6, 11, (1, 2), "FOOD#STYLE_OPTIONS"),
        ],
    )
    clash = Sentence(
        "b",
        "tasty pasta",
        toks,
        offs,
        [Target("pasta", "positive", 6, 11, (1, 2), "FOOD#QUALITY"), Target("pasta", "negative", 6, 11, (1, 2), "FOOD#PRICES")],
    )
    examples, skipped = review_aspect_examples(
        ReviewFile("f.xml", "semeval2016", [agree, clash], []), ["negative", "neutral", "positive"]
    )
    assert [(e.id, e.aspects) for e in examples] == [("a", [(1, 2)])]
    assert skipped == {"span annotated with different polarities": 2}
