"""Gates: heatmaps of every gate, one unit's lines, saturation."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import plotly.graph_objects as go
from plotly.subplots import make_subplots

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


def _gate_rows(values: np.ndarray, tokens: Sequence[str], units: Sequence[int] | None) -> tuple[np.ndarray, list]:
    """The (rows, T) array a gate heatmap draws and its row labels: every unit in index order, or `units` in order."""
    values = np.asarray(values)
    if values.ndim != 2 or values.shape[0] != len(tokens):
        raise ValueError(f"gate values of shape {values.shape} do not fit {len(tokens)} words")
    H = values.shape[1]
    z = values.T  # (H, T)
    if units is None:
        return z, list(range(H))
    rows = [int(u) for u in units]
    bad = [u for u in rows if not 0 <= u < H]
    if bad or not rows:
        raise ValueError(f"units {bad or rows} are not rows of a layer with {H} units (0..{H - 1})")
    return z[rows], [str(u) for u in rows]  # category labels: the real unit index, in the given order


def _gate_colours(z: np.ndarray, cell: str, gate: str) -> tuple[float, float, Any]:
    """A gate's colour range (0 to 1, -1 to 1, or symmetric around 0 when unbounded) and colour scale."""
    info = gate_info(cell, gate)
    if info.low is None or info.high is None:  # unbounded cell state: symmetric range around 0
        bound = float(np.abs(z).max()) if z.size else 1.0
        zmin, zmax = -bound or -1.0, bound or 1.0
    else:
        zmin, zmax = info.low, info.high
    # Sigmoid gates: dark = closed (0), yellow = open (1). Others: purple negative, white 0, green positive.
    return zmin, zmax, palette.SEQUENTIAL if info.activation == "sigmoid" else palette.DIVERGING


def _gate_trace(z: np.ndarray, rows: list, tokens: Sequence[str], gate: str, start: int, **kwargs) -> go.Heatmap:
    """One gate's heatmap trace with its hover (unit, word, value); colours come in `kwargs`."""
    return go.Heatmap(
        z=z.tolist(),
        x=list(range(start, start + z.shape[1])),
        y=rows,
        customdata=[_texts(tokens)] * len(rows),
        hovertemplate=f"unit %{{y}}<br>word %{{x}}: %{{customdata}}<br>{gate} = %{{z:.3f}}<extra></extra>",
        **kwargs,
    )


def _gate_title(cell: str, gate: str) -> str:
    info = gate_info(cell, gate)
    act = {"sigmoid": "sigmoid, 0 to 1", "tanh": "tanh range, -1 to 1", "none": "unbounded"}[info.activation]
    return f"{gate}: {info.long_name} ({act})"


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
    z, rows = _gate_rows(values, tokens, units)
    H = len(rows)
    zmin, zmax, scale = _gate_colours(z, cell, gate)
    bar = {"title": {"text": f"{gate} value"}}
    fig = go.Figure(_gate_trace(z, rows, tokens, gate, start, zmin=zmin, zmax=zmax, colorscale=scale, colorbar=bar))
    _layout(fig, title or _gate_title(cell, gate), WORD_AXIS, "hidden unit (index)", height=max(260, min(460, 80 + 12 * H)))
    fig.update_xaxes(**word_ticks(tokens, start))
    fig.update_yaxes(autorange="reversed")
    if units is not None:
        fig.update_yaxes(type="category", title_text="hidden unit (index, in the given order)")
    return fig


GRID_GAP_PX = 24  # between two columns of the gates grid (the right panel shares the left one's row labels)
GRID_TITLE_PX = 34  # a panel's title, above it
GRID_CHAR_PX = 7  # one character of a word label, written vertically under a panel
GRID_LABEL_CHARS = 20  # a longer word label is cut there, with "…" (the hover names the whole word)


def _short(label: str) -> str:
    return label if len(label) <= GRID_LABEL_CHARS else label[: GRID_LABEL_CHARS - 1] + "…"


def gates_grid(
    gates: Mapping[str, np.ndarray],
    tokens: Sequence[str],
    cell: str,
    units: Sequence[int] | None = None,
    start: int = 0,
    columns: int = 2,
) -> go.Figure:
    """Every gate's heatmap (as `gate_heatmap`: units x words; values (T, H) each) as the panels of one figure,
    `columns` side by side in the order given: one chart for the browser to draw instead of one per gate.

    Each panel keeps its title and its word labels (written vertically under it; a word label over
    `GRID_LABEL_CHARS` characters is cut, the hover names the whole word); panels side by side draw the same units
    in the same order, so they share the row axis, labelled on the left. Gates with the same colour range share
    one colour bar, at the right, named by its gates ("i, f, o value": the sigmoid gates, 0 to 1). The hover names
    the unit, the word and the gate's value, as on a single heatmap.
    """
    names = list(gates)
    if not names:
        raise ValueError("no gates to draw")
    cols = min(columns, len(names))
    n_rows = -(-len(names) // cols)
    arrays = {g: _gate_rows(gates[g], tokens, units) for g in names}
    labels = arrays[names[0]][1]
    ticks = word_ticks(tokens, start)
    ticks["ticktext"] = [_short(t) for t in ticks["ticktext"]]
    word_title = ticks.pop("title_text", WORD_AXIS)  # says so when a long window labels 1 word in k
    longest = max((len(t) for t in ticks["ticktext"]), default=1)
    words_px = GRID_CHAR_PX * longest + 16  # vertical labels under a panel
    gap = GRID_TITLE_PX + words_px  # between two rows of panels: the upper one's words and the lower one's title
    panel = max(180, min(340, 12 * len(labels)))  # plot height of one panel, px: up to 12 px per unit
    top, bottom = GRID_TITLE_PX + 10, words_px + 40  # the last row's words and the word axis' title
    plot = n_rows * panel + (n_rows - 1) * gap
    fig = make_subplots(
        rows=n_rows,
        cols=cols,
        shared_yaxes=True,
        subplot_titles=[_gate_title(cell, g) for g in names],
        horizontal_spacing=GRID_GAP_PX / 1000 if cols > 1 else 0.0,  # of the plot's width: about 1000 px on a wide page
        vertical_spacing=gap / plot if n_rows > 1 else 0.0,
    )
    groups: dict[tuple, list[str]] = {}  # (zmin, zmax, scale) -> the gates drawn with it
    colours = {g: _gate_colours(arrays[g][0], cell, g) for g in names}
    for g in names:
        zmin, zmax, scale = colours[g]
        groups.setdefault((zmin, zmax, tuple(map(tuple, scale))), []).append(g)
    axes = {}
    for n, ((zmin, zmax, _), members) in enumerate(groups.items()):
        name = "coloraxis" if n == 0 else f"coloraxis{n + 1}"
        axes.update({g: name for g in members})
        fig.layout[name] = {
            "cmin": zmin,
            "cmax": zmax,
            "colorscale": colours[members[0]][2],
            "colorbar": {
                "title": {"text": f"{', '.join(members)} value", "side": "right"},
                "x": 1.01,
                "xanchor": "left",
                "y": 1 - (n + 0.5) / len(groups),
                "yanchor": "middle",
                "len": 0.9 / len(groups),
                "thickness": 12,
            },
        }
    for k, gate in enumerate(names):
        r, c = divmod(k, cols)
        fig.add_trace(_gate_trace(arrays[gate][0], labels, tokens, gate, start, coloraxis=axes[gate]), row=r + 1, col=c + 1)
    fig.update_xaxes(**ticks, tickangle=-90)
    fig.update_xaxes(title_text=word_title, row=n_rows)
    unit_title = "hidden unit (index, in the given order)" if units is not None else "hidden unit (index)"
    fig.update_yaxes(title_text=unit_title, col=1)
    fig.update_yaxes(autorange="reversed")
    if units is not None:
        fig.update_yaxes(type="category")
    fig.update_layout(
        height=int(plot + top + bottom),
        margin={"l": 60, "r": 90, "t": top, "b": bottom},
        hovermode="closest",
    )
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
