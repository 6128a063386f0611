"""ui.figures.lighten: charts in fewer bytes, every hover string the same as before."""

from __future__ import annotations

import json
import math
import re
from decimal import ROUND_FLOOR, Decimal

import numpy as np
import plotly.graph_objects as go
import plotly.io as pio
import pytest
from streamlit.elements.lib.streamlit_plotly_theme import configure_streamlit_plotly_theme

from seqcore import plots
from ui.figures import lighten, round_like_js, rule, shown_rules

configure_streamlit_plotly_theme()  # the template every chart of the app carries


def js_fixed(x: float, p: int) -> str:
    """JavaScript's x.toFixed(p) (what d3-format's "f" calls), from the exact binary value: ties go up."""
    n = (Decimal(x) * Decimal(10) ** p + Decimal("0.5")).to_integral_value(rounding=ROUND_FLOOR)
    return f"{n}e-{p}"


def js_exponential(x: float, p: int) -> str:
    """JavaScript's x.toExponential(p) (d3-format's "e"): p + 1 significant digits, ties up."""
    if x == 0:
        return "0"
    e = math.floor(math.log10(abs(x)))
    for exponent in (e - 1, e, e + 1):  # log10 of a float can be one off at a power of ten
        n = (Decimal(x) / Decimal(10) ** (exponent - p) + Decimal("0.5")).to_integral_value(rounding=ROUND_FLOOR)
        if 10**p <= abs(n) < 10 ** (p + 1):
            return f"{n}e{exponent - p}"
    raise AssertionError(x)


def shown(x: float, spec: str) -> str:
    """The hover text d3-format makes of x with this format (the kinds the app's charts use)."""
    kind, digits = rule(spec)
    if spec.endswith("%"):
        return js_fixed(x * 100, digits - 2)
    return js_fixed(x, digits) if kind == "fixed" else js_exponential(x, digits - 1)


def test_rules_read_the_d3_formats_the_charts_use():
    assert rule(".3f") == ("fixed", 3)
    assert rule("+.4f") == ("fixed", 4)
    assert rule(".1%") == ("fixed", 3)
    assert rule(".0%") == ("fixed", 2)
    assert rule(".3e") == ("sig", 4)
    assert rule(".2") == ("sig", 2)
    assert rule(None) is None and rule("") is None and rule("d") is None and rule(",") is None


def test_the_finest_rule_wins_and_an_unformatted_reference_keeps_every_digit():
    rules = shown_rules("%{y:.3f} %{y:.1f} %{customdata[0]} %{customdata[1]:.1%} %{z:.0%} %{x}")
    assert rules == {"y": ("fixed", 3), "customdata": None, "z": ("fixed", 2), "x": None}
    assert shown_rules(None) == {}


@pytest.mark.parametrize("spec", [".3f", ".4f", "+.4f", ".1f", ".0f", ".1%", ".0%", ".3e"])
def test_rounding_leaves_the_hover_text_as_it_was(spec):
    rng = np.random.default_rng(17)
    values = np.concatenate(
        [
            rng.normal(0, 1, 3000),
            rng.normal(0, 1e-3, 1000),
            rng.uniform(-100, 100, 1000),
            10.0 ** rng.uniform(-8, 4, 1000),
            rng.random(1000).astype(np.float32).astype(float),  # the models' float32 values, widened
            [0.125, -0.125, 2.5, -2.5, 0.0005, 1.0, 0.1, 99.995, 1e-9],  # exact ties and edges
        ]
    )
    rounded = round_like_js(values, rule(spec))
    assert [shown(r, spec) for r in rounded] == [shown(v, spec) for v in values]


def test_rounding_keeps_zeros_nan_and_infinities():
    values = np.array([0.0, np.nan, np.inf, -np.inf, 0.123456])
    out = round_like_js(values, ("sig", 4))
    assert out[0] == 0 and np.isnan(out[1]) and out[2] == np.inf and out[3] == -np.inf and out[4] == 0.1235


def spec(fig: go.Figure) -> dict:
    return json.loads(pio.to_json(fig, validate=False))


def gates_heatmap() -> go.Figure:
    values = np.random.default_rng(0).random((40, 128)).astype(np.float32)
    return plots.gate_heatmap(values, [f"w{i}" for i in range(40)], "lstm", "i", None, units=list(range(128)))


def test_a_gate_heatmap_halves_and_shows_the_same_hover_values():
    before = spec(gates_heatmap())
    fig = lighten(gates_heatmap())
    after = spec(fig)
    assert len(json.dumps(after)) < 0.55 * len(json.dumps(before))
    t0, t1 = before["data"][0], after["data"][0]
    fmt = re.search(r"%\{z:([^}]*)\}", t0["hovertemplate"]).group(1)
    assert [shown(v, fmt) for row in t0["z"] for v in row] == [shown(v, fmt) for row in t1["z"] for v in row]
    assert {k: v for k, v in t0.items() if k != "z"} == {k: v for k, v in t1.items() if k != "z"}  # labels, hover, colours
    assert list(after["layout"]["template"]["data"]) == ["heatmap"]  # the only trace type drawn
    assert after["layout"]["template"]["layout"] == before["layout"]["template"]["layout"]
    unmeasured = {"ticklabeloverflow": "allow"}  # the one layout change: labels drawn without measuring each
    assert {k: v for k, v in after["layout"].items() if k != "template"} == {
        k: ({**v, **unmeasured} if k in ("xaxis", "yaxis") else v) for k, v in before["layout"].items() if k != "template"
    }


def test_positions_and_default_hovers_keep_every_digit():
    x = [0.123456789, 1.987654321]
    fig = go.Figure(
        [
            go.Scatter(x=x, y=x, customdata=x, hovertemplate="%{y:.2f}"),  # x positions a point: kept; y shown with 2 decimals
            go.Scatter(x=x, y=x, customdata=x),  # Plotly's default hover prints x and y in full
            go.Heatmap(z=[x], hovertemplate="%{z}"),  # shown unformatted: kept
        ]
    )
    data = spec(lighten(fig))["data"]
    assert data[0]["x"] == x and data[0]["y"] == [0.12, 1.99] and data[0]["customdata"] == [0.1235, 1.988]
    assert data[1]["x"] == x and data[1]["y"] == x and data[1]["customdata"] == x
    assert data[2]["z"] == [x]


def test_the_shared_template_is_not_trimmed():
    before = spec(go.Figure())["layout"]["template"]
    lighten(go.Figure(go.Bar(x=[1], y=[0.5])))
    assert spec(go.Figure())["layout"]["template"] == before  # pio's default template is untouched


def test_tick_labels_of_cartesian_charts_are_drawn_unmeasured():
    fig = lighten(plots.gate_heatmap(np.zeros((3, 2)), ["a", "b", "c"], "gru", "z"))
    layout = spec(fig)["layout"]
    assert layout["xaxis"]["ticklabeloverflow"] == "allow" and layout["yaxis"]["ticklabeloverflow"] == "allow"
    grid = spec(lighten(plots.gates_grid({g: np.zeros((3, 2)) for g in "rzn"}, ["a", "b", "c"], "gru")))["layout"]
    axes = [k for k in grid if k.startswith(("xaxis", "yaxis"))]
    assert len(axes) == 8 and all(grid[k]["ticklabeloverflow"] == "allow" for k in axes)
    kept = go.Figure(go.Scatter(x=[1], y=[1]))
    kept.update_xaxes(ticklabeloverflow="hide past domain")  # a chart's own choice is kept
    assert spec(lighten(kept))["layout"]["xaxis"]["ticklabeloverflow"] == "hide past domain"
    pie = spec(lighten(go.Figure(go.Pie(values=[1, 2]))))["layout"]
    assert "xaxis" not in pie  # no cartesian axes are made up for a chart without them


def test_long_lines_lose_their_markers_short_ones_keep_them():
    long, short = list(range(300)), list(range(40))
    fig = lighten(
        go.Figure(
            [
                go.Scatter(x=long, y=long, mode="lines+markers", hovertemplate="%{y:.2f}"),
                go.Scatter(x=short, y=short, mode="lines+markers"),
                go.Scatter(x=long, y=long, mode="markers"),  # a scatter of points: its markers are the data
            ]
        )
    )
    data = spec(fig)["data"]
    assert [d["mode"] for d in data] == ["lines", "lines+markers", "markers"]
    assert data[0]["hovertemplate"] == "%{y:.2f}" and len(data[0]["y"]) == 300  # every point still hovered
