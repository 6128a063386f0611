"""Plot builders: titles, axis titles with units, hover templates, and trace data equal to the inputs."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import numpy as np
import plotly.graph_objects as go
import pytest

from seqcore import palette, plots

TOKENS = ["the", "food", "was", "not", "the", "best"]


def assert_labelled(fig: go.Figure) -> None:
    assert fig.layout.title.text
    assert fig.layout.xaxis.title.text and fig.layout.yaxis.title.text
    for trace in fig.data:
        assert trace.hovertemplate, f"trace {trace.name} has no hover template"


def test_row_normalize():
    m = [[3, 1], [0, 0]]
    np.testing.assert_allclose(plots.row_normalize(m), [[0.75, 0.25], [0, 0]])


def test_trajectory_lines_equal_the_probabilities():
    p1 = np.random.default_rng(0).dirichlet([1, 1], size=6)
    p2 = np.random.default_rng(1).dirichlet([1, 1], size=6)
    fig = plots.trajectory_figure(TOKENS, {"GRU": (["negative", "positive"], p1), "LSTM": (["negative", "positive"], p2)})
    assert_labelled(fig)
    assert len(fig.data) == 4
    np.testing.assert_allclose(fig.data[1].y, p1[:, 1])
    np.testing.assert_allclose(fig.data[3].y, p2[:, 1])
    assert fig.data[0].line.dash != fig.data[2].line.dash  # models differ by dash
    assert fig.data[0].line.color == fig.data[2].line.color  # classes share a colour
    assert list(fig.layout.xaxis.ticktext) == [f"{i}: {w}" for i, w in enumerate(TOKENS)]  # repeated "the" keeps two places
    assert "probability" in fig.layout.yaxis.title.text
    only = plots.trajectory_figure(TOKENS, {"GRU": (["negative", "positive"], p1)}, classes=["positive"])
    assert [t.name for t in only.data] == ["GRU · P(positive)"]
    with pytest.raises(ValueError):
        plots.trajectory_figure(TOKENS, {"GRU": (["negative", "positive"], p1[:3])})


@pytest.mark.parametrize("cell,gate,zmin,zmax", [("lstm", "f", 0, 1), ("gru", "n", -1, 1), ("rnn", "h", -1, 1)])
def test_gate_heatmap_is_units_by_words(cell, gate, zmin, zmax):
    values = np.random.default_rng(2).uniform(-1, 1, size=(6, 4))
    fig = plots.gate_heatmap(values, TOKENS, cell, gate)
    assert_labelled(fig)
    np.testing.assert_allclose(np.array(fig.data[0].z), values.T)
    assert (fig.data[0].zmin, fig.data[0].zmax) == (zmin, zmax)
    assert fig.layout.yaxis.title.text == "hidden unit (index)"
    assert "word" in fig.layout.xaxis.title.text


def test_cell_state_heatmap_is_symmetric():
    fig = plots.gate_heatmap(np.array([[3.0, -1.0]]), ["x"], "lstm", "c")
    assert fig.data[0].zmin == -3.0 and fig.data[0].zmax == 3.0
    with pytest.raises(ValueError, match="no gate"):
        plots.gate_heatmap(np.zeros((1, 2)), ["x"], "gru", "f")


def test_unit_figure_and_saturation():
    gates = {"r": np.linspace(0, 1, 6), "h": np.linspace(-1, 1, 6)}
    fig = plots.unit_figure(TOKENS, gates, 3, "gru")
    assert_labelled(fig)
    np.testing.assert_allclose(fig.data[1].y, gates["h"])
    rows = [
        {
            "gate": "r",
            "name": "reset gate",
            "share_high": 0.2,
            "share_low": 0.1,
            "share_saturated": 0.3,
            "high_rule": "v > 0.9 (open)",
            "low_rule": "v < 0.1 (closed)",
        }
    ]
    sat = plots.saturation_figure(rows)
    assert_labelled(sat)
    assert sat.data[0].y == (20.0,) and sat.data[1].y == (10.0,)
    assert "%" in sat.layout.yaxis.title.text
    comp = plots.saturation_compare_figure({"A": rows, "B": rows})
    assert_labelled(comp)
    assert [t.name for t in comp.data] == ["A", "B"] and comp.data[0].y == (30.0,)


def test_confusion_counts_and_row_shares():
    m = [[8, 2], [1, 3]]
    fig = plots.confusion_figure(m, ["neg", "pos"])
    assert_labelled(fig)
    assert [list(r) for r in fig.data[0].z] == m
    assert fig.layout.xaxis.title.text == "predicted label" and fig.layout.yaxis.title.text == "gold label"
    norm = plots.confusion_figure(m, ["neg", "pos"], normalize=True)
    np.testing.assert_allclose(np.array(norm.data[0].z), [[0.8, 0.2], [0.25, 0.75]])
    assert norm.data[0].customdata[0][1] == [2, 0.2]
    with pytest.raises(ValueError):
        plots.confusion_figure(m, ["a", "b", "c"])


def test_per_class_and_training_figures():
    rows = [{"class": "a", "support": 3, "precision": 0.5, "recall": 0.25, "F1": 1 / 3}]
    fig = plots.per_class_figure(rows)
    assert_labelled(fig)
    assert [t.name for t in fig.data] == ["precision", "recall", "F1"] and fig.data[1].y == (0.25,)
    hist = [
        {"epoch": 1, "train_loss": 0.7, "dev_loss": 0.69, "dev_accuracy": 0.5},
        {"epoch": 2, "train_loss": 0.5, "dev_loss": 0.6, "dev_accuracy": 0.7},
    ]
    tr = plots.training_figure(hist)
    assert_labelled(tr)
    assert tr.data[0].y == (0.7, 0.5) and tr.data[2].y == (0.5, 0.7)
    assert "nats" in tr.layout.yaxis.title.text and tr.layout.yaxis2.title.text == "dev accuracy (0-1)"
    assert tr.layout.xaxis.title.text.startswith("epoch")


def test_aspect_mask_step_and_tag_figures():
    probs = np.array([[0.1, 0.2, 0.7], [0.6, 0.3, 0.1]])
    fig = plots.aspect_probs_figure(["food", "service"], ["negative", "neutral", "positive"], probs)
    assert_labelled(fig)
    np.testing.assert_allclose(fig.data[2].x, probs[:, 2])
    mask = np.array([[0, 1, 0, 0, 0, 0], [0, 0, 0, 0, 1, 1]])
    mf = plots.mask_figure(TOKENS, ["food", "the best"], mask)
    assert_labelled(mf)
    assert [list(r) for r in mf.data[0].z] == mask.tolist()
    rows = [
        {"unit": 0, "gate": "z", "pre-activation": 0.3, "value": 0.57},
        {"unit": 0, "gate": "h", "pre-activation": None, "value": 0.1},
    ]
    sf = plots.step_figure(rows)
    assert_labelled(sf)
    assert sf.data[0].y == (0.57,)
    tags = [
        {"position": 0, "word": "I", "predicted": "PRON", "probability": 0.9, "gold": "PRON", "correct": True},
        {"position": 1, "word": "run", "predicted": "NOUN", "probability": 0.6, "gold": "VERB", "correct": False},
    ]
    tf = plots.tag_figure(tags)
    assert_labelled(tf)
    assert tf.data[0].y == (0.9, 0.6) and tf.data[0].marker.color == (palette.CORRECT, palette.WRONG)


def test_plots_take_every_colour_from_the_palette():
    source = "".join(p.read_text(encoding="utf-8") for p in Path(plots.__file__).parent.glob("*.py"))  # the package
    assert re.findall(r"#[0-9a-fA-F]{6}\b", source) == []  # no colour literal: all from seqcore.palette
    fig = plots.trajectory_figure(TOKENS, {"GRU": (["negative", "positive"], np.full((6, 2), 0.5))})
    assert [t.line.color for t in fig.data] == [palette.BLUE, palette.ORANGE]
    bars = plots.aspect_probs_figure(["food"], ["negative", "neutral", "positive"], np.array([[0.2, 0.3, 0.5]]))
    assert [t.marker.color for t in bars.data] == [palette.BLUE, palette.GREY, palette.ORANGE]


def test_gradient_norm_figure_is_log_with_gaps_at_zero():
    lines = {
        "RNN · layer 0 forward": np.array([1e-6, 1e-4, 1e-2, 0.0, 1.0, 0.5]),
        "RNN · input x": np.linspace(0.1, 0.6, 6),
        "GRU · layer 0 forward": np.full(6, 0.1),
    }
    fig = plots.gradient_norm_figure(TOKENS, lines)
    assert_labelled(fig)
    assert fig.layout.yaxis.type == "log" and "log" in fig.layout.yaxis.title.text
    assert list(fig.data[0].y) == [1e-6, 1e-4, 1e-2, None, 1.0, 0.5]
    np.testing.assert_allclose(fig.data[1].y, lines["RNN · input x"])
    assert fig.data[0].line.color == fig.data[1].line.color != fig.data[2].line.color  # a colour per model
    assert fig.data[0].line.dash != fig.data[1].line.dash  # a dash per series within a model
    assert list(fig.layout.xaxis.ticktext) == [f"{i}: {w}" for i, w in enumerate(TOKENS)]
    with pytest.raises(ValueError, match="do not fit 6 words"):
        plots.gradient_norm_figure(TOKENS, {"x": [1.0, 2.0]})
    by_cell = plots.gradient_norm_figure(TOKENS, lines, colors={"RNN": palette.CELL_COLORS["rnn"]})
    assert by_cell.data[0].line.color == by_cell.data[1].line.color == palette.CELL_COLORS["rnn"]
    assert by_cell.data[2].line.color == fig.data[2].line.color  # a model without a colour keeps its line colour


def test_memory_figure_plots_accuracy_against_length_with_chance():
    table = {"rnn": [1.0, 0.5, None], "gru": [1.0, 1.0, 0.6], "lstm": [1.0, 0.9, 0.5]}
    fig = plots.memory_figure([10, 30, 100], table)
    assert_labelled(fig)
    assert [t.name for t in fig.data] == ["RNN", "GRU", "LSTM", "chance (50%)"]  # chance named in the legend, not on a point
    assert list(fig.data[0].y) == [1.0, 0.5, None] and list(fig.data[1].x) == [10, 30, 100]
    assert fig.data[0].line.color == palette.CELL_COLORS["rnn"]
    assert len({t.marker.symbol for t in fig.data[:3]}) == 3
    assert fig.layout.shapes[0].y0 == 0.5 and fig.layout.xaxis.type == "log" and not fig.layout.annotations
    assert fig.data[3].line.dash == fig.layout.shapes[0].line.dash == "dot"
    with pytest.raises(ValueError, match="do not fit 3 lengths"):
        plots.memory_figure([10, 30, 100], {"rnn": [1.0]})


def test_readout_and_padded_batch_figures():
    acc = {"right": 0.79, "padded": 0.74, "first": 0.56}
    fig = plots.readout_figure(acc, chance=0.5)
    assert_labelled(fig)
    assert list(fig.data[0].y) == [0.79, 0.74, 0.56] and list(fig.data[0].x) == list(acc)
    assert fig.data[1].name == "majority class (50%)" and not fig.layout.annotations  # in the legend, off the bars' labels
    tokens = [["not", "bad", "·"], ["so", "so", "good"]]
    positions = {
        "right": [{"forward": [1], "backward": [0]}, {"forward": [2], "backward": [0]}],
        "padded": [{"forward": [2], "backward": [0]}, {"forward": [2], "backward": [0]}],
    }
    pb = plots.padded_batch_figure(tokens, [2, 3], positions)
    assert_labelled(pb)
    assert [list(r) for r in pb.data[0].z] == [[1, 1, 0], [1, 1, 1]]  # padding is 0 in the grid
    assert [t.name for t in pb.data[1:]] == ["right (forward)", "right (backward)", "padded (forward)", "padded (backward)"]
    assert list(pb.data[1].x) == [1, 2] and pb.data[2].marker.symbol.endswith("-open")
    assert pb.data[1].y[0] != pb.data[3].y[0]  # readouts sit side by side within a row
    with pytest.raises(ValueError, match="same width"):
        plots.padded_batch_figure([["a"], ["b", "c"]], [1, 2], {})
    with pytest.raises(ValueError, match="positions for 1 rows"):
        plots.padded_batch_figure(tokens, [2, 3], {"right": positions["right"][:1]})


def test_masking_figure():
    rows = [
        {"padded_length": 10, "real_tokens": 50, "padded_tokens": 50, "masked_accuracy": 0.9, "counted_accuracy": 0.5,
         "counted_accuracy_pad_free": 0.95, "masked_loss": 0.3, "counted_loss": 2.0, "pad_label": "ADJ"},
        {"padded_length": 20, "real_tokens": 50, "padded_tokens": 150, "masked_accuracy": 0.9, "counted_accuracy": 0.3,
         "counted_accuracy_pad_free": 0.97, "masked_loss": 0.3, "counted_loss": 3.0, "pad_label": "ADJ"},
    ]  # fmt: skip
    fig = plots.masking_figure(rows)
    assert_labelled(fig)
    assert list(fig.data[0].x) == [50.0, 75.0] and list(fig.data[1].y) == [0.5, 0.3] and "ADJ" in fig.data[1].name
    loss = plots.masking_figure(rows, metric="loss")
    assert len(loss.data) == 2 and list(loss.data[1].y) == [2.0, 3.0] and "nats" in loss.layout.yaxis.title.text
    with pytest.raises(ValueError, match="accuracy or loss"):
        plots.masking_figure(rows, metric="f1")


def test_importing_plots_loads_neither_torch_nor_spacy():
    code = "import sys, seqcore.plots; print(sorted(m for m in ('torch', 'spacy') if m in sys.modules))"
    root = str(Path(plots.__file__).resolve().parents[2])  # seqcore/plots/__init__.py -> the project
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=root, check=True).stdout
    assert out.strip() == "[]"


def test_gate_heatmap_draws_units_in_the_given_order_with_real_indices():
    values = np.random.default_rng(3).uniform(-1, 1, size=(6, 5))
    fig = plots.gate_heatmap(values, TOKENS, "gru", "h", units=[3, 0, 4])
    assert_labelled(fig)
    np.testing.assert_allclose(np.array(fig.data[0].z), values.T[[3, 0, 4]])
    assert list(fig.data[0].y) == ["3", "0", "4"] and fig.layout.yaxis.type == "category"
    assert fig.layout.yaxis.autorange == "reversed"  # the first unit of the order is drawn on top
    default = plots.gate_heatmap(values, TOKENS, "gru", "h")
    assert list(default.data[0].y) == [0, 1, 2, 3, 4] and default.layout.yaxis.title.text == "hidden unit (index)"
    with pytest.raises(ValueError, match="not rows of a layer with 5 units"):
        plots.gate_heatmap(values, TOKENS, "gru", "h", units=[1, 5])


def test_saliency_figure_is_diverging_around_zero():
    ig = np.array([0.1, -0.4, 0.0, 0.3, 0.2, -0.05])
    gxi = np.array([0.05, -0.2, 0.01, 0.1, 0.6, 0.0])
    fig = plots.saliency_figure(TOKENS, {"integrated gradients": ig, "gradient x input": gxi}, "positive")
    assert_labelled(fig)
    hm = fig.data[0]
    np.testing.assert_allclose(np.array(hm.z), [ig, gxi])
    assert hm.zmid == 0 and hm.zmin == -0.6 and hm.zmax == 0.6
    # purple below zero, green above: a word's push, never a class colour (issue 21)
    assert hm.colorscale[0][1] == palette.DOWN and hm.colorscale[-1][1] == palette.UP
    assert "positive" in hm.colorbar.title.text and list(hm.y) == ["integrated gradients", "gradient x input"]
    assert "%{z" in hm.hovertemplate and hm.texttemplate == "%{text}" and list(hm.text[0]) == TOKENS
    flat = plots.saliency_figure(TOKENS, {"ig": np.zeros(6)}, "x")
    assert flat.data[0].zmax == 1.0  # all zero: a unit range, not a division by zero
    with pytest.raises(ValueError, match="do not fit"):
        plots.saliency_figure(TOKENS, {"ig": ig[:3]}, "positive")


def test_units_figure_bars_best_on_top_coloured_by_sign():
    rows = [
        {"layer": 0, "direction": "forward", "unit": 7, "score": 0.9, "contribution": 0.9},
        {"layer": 1, "direction": "backward", "unit": 2, "score": 0.5, "contribution": -0.5},
    ]
    fig = plots.units_figure(rows, target="positive")
    assert_labelled(fig)
    assert list(fig.data[0].y) == ["layer 0 fwd #7", "layer 1 bwd #2"] and fig.data[0].x == (0.9, 0.5)
    assert fig.data[0].marker.color == (plots.TOWARDS, plots.AGAINST)
    assert "logit(positive)" in fig.layout.title.text and "gradient x activation" in fig.layout.xaxis.title.text
    assert fig.layout.yaxis.autorange == "reversed"
    change = plots.units_figure(rows, by="change")
    assert "mean |h - h before|" in change.layout.xaxis.title.text
    final = plots.units_figure([{**rows[0], "difference": -0.2}], by="final")
    assert final.data[0].marker.color == (plots.AGAINST,) and "after - before" in final.data[0].hovertemplate
    with pytest.raises(ValueError, match="by must be"):
        plots.units_figure(rows, by="size")


def test_a_clickable_confusion_matrix_has_a_marker_on_every_cell_centre():
    m = [[5, 1, 0], [2, 7, 1], [0, 3, 9]]
    labels = ["negative", "neutral", "positive"]
    fig = plots.confusion_figure(m, labels, clickable=True)
    heat, cells = fig.data
    assert heat.hoverinfo == "skip" and cells.type == "scatter"
    # One point per cell, row by row: x the predicted label, y the gold one; its hover gives that cell's count.
    points = list(zip(cells.y, cells.x, (c[0] for c in cells.customdata)))
    assert points == [(labels[i], labels[j], m[i][j]) for i in range(3) for j in range(3)]
    assert cells.marker.opacity == 0 and cells.selected.marker.opacity == 1 and cells.unselected.marker.opacity == 0
    assert fig.layout.clickmode == "event+select" and fig.layout.hoverdistance == -1
    assert "predicted %{x}" in cells.hovertemplate and "%{customdata[0]} items" in cells.hovertemplate
    plain = plots.confusion_figure(m, labels)
    assert len(plain.data) == 1 and plain.data[0].hoverinfo is None


@pytest.mark.parametrize(
    "a,b,slots",
    [
        ("the food was good", "the food was not good", [(0, 0), (1, 1), (2, 2), (None, 3), (3, 4)]),
        ("the food was not good", "the food was good", [(0, 0), (1, 1), (2, 2), (3, None), (4, 3)]),
        ("the food was good", "the food was bad", [(0, 0), (1, 1), (2, 2), (3, 3)]),
        ("a b c", "a x y c", [(0, 0), (1, 1), (None, 2), (2, 3)]),
        ("Good", "good", [(0, 0)]),
    ],
)
def test_align_tokens(a, b, slots):
    assert plots.align_tokens(a.split(), b.split()) == slots


def test_edit_trajectory_figure_overlays_both_sentences_on_aligned_words():
    a, b = "the food was good".split(), "the food was not good".split()
    pa, pb = np.linspace(0, 1, 8).reshape(4, 2), np.linspace(1, 0, 10).reshape(5, 2)
    fig = plots.edit_trajectory_figure((a, b), ["negative", "positive"], (pa, pb))
    assert [t.name for t in fig.data] == [
        "original · P(negative)",
        "original · P(positive)",
        "edited · P(negative)",
        "edited · P(positive)",
    ]
    assert [t.line.dash for t in fig.data] == ["solid", "solid", "dash", "dash"]
    assert fig.data[0].x == (0, 1, 2, 4) and fig.data[2].x == (0, 1, 2, 3, 4)  # "not" has a place of its own
    assert fig.data[1].y == tuple(pa[:, 1]) and fig.data[3].y == tuple(pb[:, 1])
    assert fig.data[0].line.color == fig.data[2].line.color  # colour: the class
    assert list(fig.layout.xaxis.ticktext) == ["the", "food", "was", "+not", "good"]
    assert fig.layout.xaxis.title.text and fig.layout.yaxis.title.text and "%{customdata}" in fig.data[2].hovertemplate
    only = plots.edit_trajectory_figure((a, b), ["negative", "positive"], (pa, pb), classes=["positive"])
    assert len(only.data) == 2
    replaced = plots.edit_trajectory_figure((a, a[:3] + ["bad"]), ["negative", "positive"], (pa, pa))
    assert list(replaced.layout.xaxis.ticktext)[-1] == "good→bad"
    with pytest.raises(ValueError, match="do not fit 5 words"):
        plots.edit_trajectory_figure((a, b), ["negative", "positive"], (pa, pa))


def test_pattern_figure_draws_each_unit_the_range_and_the_threshold():
    states = np.array([[0.1, -0.2], [0.8, 0.6], [0.9, 0.7], [0.0, 0.1]])
    fig = plots.pattern_figure(["not", "so", "good", "."], states, ["layer 0 fwd #3", "layer 0 bwd #7"], (1, 3), 0.5)
    assert [t.name for t in fig.data] == ["layer 0 fwd #3", "layer 0 bwd #7"] and fig.data[1].y == (-0.2, 0.6, 0.7, 0.1)
    shapes = {s.type: s for s in fig.layout.shapes}
    assert (shapes["rect"].x0, shapes["rect"].x1) == (0.5, 2.5) and shapes["line"].y0 == 0.5
    assert fig.layout.xaxis.title.text and fig.layout.yaxis.title.text and "h = %{y" in fig.data[0].hovertemplate
    with pytest.raises(ValueError, match="do not fit 4 words x 3 units"):
        plots.pattern_figure(["not", "so", "good", "."], states, ["a", "b", "c"], (1, 3), 0.5)


def test_gate_heatmap_of_a_window_keeps_each_words_position():
    values = np.arange(12, dtype=float).reshape(3, 4)  # (T=3, H=4): words 10, 11, 12 of a longer sentence
    fig = plots.gate_heatmap(values, ["a", "b", "c"], "gru", "h", units=[1, 2], start=10)
    heat = fig.data[0]
    assert list(heat.x) == [10, 11, 12] and list(heat.y) == ["1", "2"]
    assert np.asarray(heat.z).tolist() == values.T[[1, 2]].tolist()
    assert list(fig.layout.xaxis.tickvals) == [10, 11, 12] and fig.layout.xaxis.ticktext[0] == "10: a"


def test_user_strings_reach_plotly_escaped():
    """Plotly draws a subset of HTML (links, bold, ...) in ticks, legends and hovers: a user's words are escaped."""
    words = ["<a href='http://x.invalid'>x</a>", "<b>b</b>"]
    fig = plots.trajectory_figure(words, {"<i>m</i>": (["<b>pos</b>", "neg"], np.full((2, 2), 0.5))})
    shown = " ".join([*fig.layout.xaxis.ticktext, *(t.name for t in fig.data), *(str(c) for c in fig.data[0].customdata)])
    assert "<a " not in shown and "<b>" not in shown and "<i>" not in shown
    assert "&lt;a href='http://x.invalid'&gt;x&lt;/a&gt;" in shown and "&lt;i&gt;m&lt;/i&gt;" in shown
    mask = plots.mask_figure(words, ["<b>t</b>"], np.ones((1, 2)))
    assert list(mask.data[0].y) == ["0: &lt;b&gt;t&lt;/b&gt;"]


def test_gates_grid_draws_each_gate_as_its_own_heatmap_would():
    rng = np.random.default_rng(4)
    gates = {"i": rng.random((6, 5)), "f": rng.random((6, 5)), "g": rng.uniform(-1, 1, (6, 5)), "c": rng.normal(0, 3, (6, 5))}
    tokens = [*TOKENS[:5], "an-unusually-long-token-for-a-label"]
    grid = plots.gates_grid(gates, tokens, "lstm", units=[3, 0, 4], start=10)
    assert [a.text for a in grid.layout.annotations] == [
        plots.gate_heatmap(v, tokens, "lstm", g).layout.title.text for g, v in gates.items()
    ]
    for trace, (gate, values) in zip(grid.data, gates.items(), strict=True):
        alone = plots.gate_heatmap(values, tokens, "lstm", gate, units=[3, 0, 4], start=10)
        single = alone.data[0]
        np.testing.assert_allclose(np.array(trace.z), np.array(single.z))  # the same numbers, rows and words
        assert list(trace.y) == list(single.y) and list(trace.x) == list(single.x) == list(range(10, 16))
        assert trace.hovertemplate == single.hovertemplate and list(trace.customdata[0]) == list(single.customdata[0])
        axis = grid.layout[trace.coloraxis]  # the same colour range and scale as the single heatmap
        assert (axis.cmin, axis.cmax) == (single.zmin, single.zmax) and axis.colorscale == single.colorscale
        assert gate in axis.colorbar.title.text
    # i and f share one colour bar (sigmoid, 0 to 1); g (-1 to 1) and c (unbounded) have their own
    assert grid.data[0].coloraxis == grid.data[1].coloraxis and len({t.coloraxis for t in grid.data}) == 3
    assert grid.layout.coloraxis.colorbar.title.text == "i, f value"
    # every panel labels every word at its position (a long one cut, the hover names it whole); rows labelled on the left
    for name in [k for k in grid.layout if k.startswith("xaxis")]:
        ticks = list(grid.layout[name].ticktext)
        assert list(grid.layout[name].tickvals) == list(range(10, 16)) and ticks[0] == "10: the"
        assert ticks[-1].endswith("…") and len(ticks[-1]) == 20
    assert grid.layout.yaxis.title.text and grid.layout.yaxis3.title.text and grid.layout.yaxis.autorange == "reversed"
    assert grid.layout.yaxis2.matches == "y"  # a panel beside another shares its rows
    assert grid.layout.xaxis3.title.text == "word (position: token)"
    with pytest.raises(ValueError, match="no gates"):
        plots.gates_grid({}, tokens, "lstm")


def test_a_long_sentence_labels_every_kth_word_and_says_so():
    tokens = [f"w{i}" for i in range(300)]
    probs = np.full((300, 2), 0.5)
    fig = plots.trajectory_figure(tokens, {"GRU": (["negative", "positive"], probs)})
    axis = fig.layout.xaxis
    assert list(axis.tickvals) == list(range(0, 300, 5)) and len(axis.ticktext) == 60  # 300 words: 1 in 5 labelled
    assert all(t == f"{v}: w{v}" for v, t in zip(axis.tickvals, axis.ticktext, strict=True))  # every drawn tick labelled
    assert "1 word in 5 labelled" in axis.title.text and axis.title.text.startswith("word (position: token)")
    assert len(fig.data[0].x) == 300 and list(fig.data[0].customdata) == tokens  # every word still drawn, hover names it
    short = plots.trajectory_figure(tokens[:60], {"GRU": (["negative", "positive"], probs[:60])}).layout.xaxis
    assert list(short.tickvals) == list(range(60)) and short.title.text == "word (position: token)"
    panels = plots.gradient_panels_figure(tokens, {"m": {"m · layer 0 forward": np.ones(300)}}).layout.xaxis
    assert len(panels.ticktext) == 60 and "1 word in 5 labelled" in panels.title.text
