"""Gates: heatmaps of every gate, one unit's lines, saturation."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
import plotly.graph_objects as go

from seqcore import palette
from seqcore.cells import gate_info
from seqcore.plots.base import (
    DASHES,
    PALETTE,
    SYMBOLS,
    WORD_AXIS,
    _layout,
    _texts,
    word_ticks,
)


def gate_heatmap(
    values: np.ndarray,
    tokens: Sequence[str],
    cell: str,
    gate: str,
    title: str | None = None,
    units: Sequence[int] | None = None,
    start: int = 0,
) -> go.Figure:
    """Heatmap of one gate or state: hidden units (rows) x words (columns); values has shape (T, H).

    `units` lists the rows to draw, top to bottom (a ranking, or its top k); rows keep their real
    unit index as label. None draws every unit in index order. `start` is the position of the first
    word given (a window over a longer sentence): words keep their position in the sentence.
    """
    values = np.asarray(values)
    if values.ndim != 2 or values.shape[0] != len(tokens):
        raise ValueError(f"gate values of shape {values.shape} do not fit {len(tokens)} words")
    info = gate_info(cell, gate)
    T, H = values.shape
    z = values.T  # (H, T)
    rows: list = list(range(H))
    if units is not None:
        rows = [int(u) for u in units]
        bad = [u for u in rows if not 0 <= u < H]
        if bad or not rows:
            raise ValueError(f"units {bad or rows} are not rows of a layer with {H} units (0..{H - 1})")
        z = z[rows]  # (k, T) in the given order
        rows = [str(u) for u in rows]  # category labels: the real unit index, in the given order
        H = len(rows)
    if info.low is None or info.high is None:  # unbounded cell state: symmetric range around 0
        bound = float(np.abs(z).max()) if z.size else 1.0
        zmin, zmax = -bound or -1.0, bound or 1.0
    else:
        zmin, zmax = info.low, info.high
    # Sigmoid gates: dark = closed (0), yellow = open (1). Others: purple negative, white 0, green positive.
    scale = palette.SEQUENTIAL if info.activation == "sigmoid" else palette.DIVERGING
    fig = go.Figure(
        go.Heatmap(
            z=z.tolist(),
            x=list(range(start, start + T)),
            y=rows,
            zmin=zmin,
            zmax=zmax,
            colorscale=scale,
            customdata=[_texts(tokens)] * H,
            colorbar={"title": {"text": f"{gate} value"}},
            hovertemplate=f"unit %{{y}}<br>word %{{x}}: %{{customdata}}<br>{gate} = %{{z:.3f}}<extra></extra>",
        )
    )
    act = {"sigmoid": "sigmoid, 0 to 1", "tanh": "tanh range, -1 to 1", "none": "unbounded"}[info.activation]
    _layout(
        fig,
        title or f"{gate}: {info.long_name} ({act})",
        WORD_AXIS,
        "hidden unit (index)",
        height=max(260, min(460, 80 + 12 * H)),
    )
    fig.update_xaxes(**word_ticks(tokens, start))
    fig.update_yaxes(autorange="reversed")
    if units is not None:
        fig.update_yaxes(type="category", title_text="hidden unit (index, in the given order)")
    return fig


def unit_figure(tokens: Sequence[str], gates: Mapping[str, np.ndarray], unit: int, cell: str) -> go.Figure:
    """Lines of one hidden unit's value of every gate and state across the words; each array is (T,)."""
    fig = go.Figure()
    x = list(range(len(tokens)))
    for k, (name, values) in enumerate(gates.items()):
        values = np.asarray(values)
        if values.shape != (len(tokens),):
            raise ValueError(f"gate {name}: values of shape {values.shape} do not fit {len(tokens)} words")
        info = gate_info(cell, name)
        fig.add_trace(
            go.Scatter(
                x=x,
                y=values.tolist(),
                mode="lines+markers",
                name=f"{name} ({info.long_name})",
                line={"color": PALETTE[k % len(PALETTE)], "dash": DASHES[k // len(PALETTE) % len(DASHES)]},
                marker={"symbol": SYMBOLS[k % len(SYMBOLS)]},  # a second cue: colours repeat after len(PALETTE) lines
                customdata=_texts(tokens),
                hovertemplate=f"{name}, unit {unit}<br>word %{{x}}: %{{customdata}}<br>value = %{{y:.3f}}<extra></extra>",
            )
        )
    _layout(fig, f"Unit {unit} across the sentence", WORD_AXIS, "gate or state value (unitless)")
    fig.update_xaxes(**word_ticks(tokens))
    return fig


def saturation_figure(rows: Sequence[Mapping], title: str = "Saturated gate values") -> go.Figure:
    """Stacked bars per gate: the share of values near the top and near the bottom of its range (in %)."""
    names = [f"{r['gate']} ({r['name']})" for r in rows]
    fig = go.Figure()
    fig.add_trace(
        go.Bar(
            x=names,
            y=[100 * r["share_high"] for r in rows],
            name="near the top",
            marker_color=palette.UP,
            customdata=[r["high_rule"] for r in rows],
            hovertemplate="%{x}<br>%{customdata}: %{y:.1f}% of values<extra></extra>",
        )
    )
    fig.add_trace(
        go.Bar(
            x=names,
            y=[100 * r["share_low"] for r in rows],
            name="near the bottom (hatched)",
            marker_color=palette.DOWN,
            marker_pattern_shape=palette.DOWN_PATTERN,
            customdata=[r["low_rule"] for r in rows],
            hovertemplate="%{x}<br>%{customdata}: %{y:.1f}% of values<extra></extra>",
        )
    )
    fig.update_layout(barmode="stack")
    _layout(fig, title, "gate (activation)", "share of values (% of units x words)")
    fig.update_yaxes(range=[0, 100])
    return fig


def saturation_compare_figure(summaries: Mapping[str, Sequence[Mapping]]) -> go.Figure:
    """Grouped bars of the saturated share (both ends) of every gate, one colour per model."""
    fig = go.Figure()
    for k, (model, rows) in enumerate(summaries.items()):
        fig.add_trace(
            go.Bar(
                x=[f"{r['gate']} ({r['name']})" for r in rows],
                y=[100 * r["share_saturated"] for r in rows],
                name=model,
                marker_color=PALETTE[k % len(PALETTE)],
                hovertemplate=f"{model}<br>%{{x}}: %{{y:.1f}}% saturated<extra></extra>",
            )
        )
    fig.update_layout(barmode="group")
    _layout(fig, "Saturated share per gate, model by model", "gate (long name)", "saturated values (% of units x words)")
    fig.update_yaxes(range=[0, 100])
    return fig


# ----------------------------------------------------------------------------- page 4: evaluation
