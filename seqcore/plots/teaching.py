"""Teaching: gradients through time, the memory experiment, readouts, padded batches, masking."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from seqcore import palette
from seqcore.plots.base import (
    DASHES,
    SYMBOLS,
    WORD_AXIS,
    _layout,
    _named_hline,
    word_ticks,
)


def gradient_norm_figure(
    tokens: Sequence[str],
    lines: Mapping[str, Sequence[float] | np.ndarray],
    title: str = "How much of the loss reaches each word",
    colors: Mapping[str, str] | None = None,
) -> go.Figure:
    """Norm of dL/dh_t (or dL/dx_t) per word on a log axis, one line per model, layer and direction.

    Names "model · series" share a colour per model and change dash within it; `colors` maps a model
    to its colour (for example `palette.CELL_COLORS` of its cell, as on the memory figure), else the
    models take the line colours in order. Zeros (no path from the loss) cannot sit on a log axis and
    are left as gaps.
    """
    fig = go.Figure()
    models: dict[str, int] = {}
    seen: dict[str, int] = {}
    for name, given in lines.items():
        values = np.asarray(given, dtype=float)
        if values.shape != (len(tokens),):
            raise ValueError(f"{name}: {values.shape} norms do not fit {len(tokens)} words")
        model = name.split(" · ")[0]
        colour = models.setdefault(model, len(models))
        dash = seen[model] = seen.get(model, -1) + 1
        fig.add_trace(
            go.Scatter(
                x=list(range(len(tokens))),
                y=[float(v) if v > 0 else None for v in values],
                mode="lines+markers",
                name=name,
                line={"color": (colors or {}).get(model, palette.line_color(colour)), "dash": DASHES[dash % len(DASHES)]},
                customdata=list(tokens),
                hovertemplate=f"{name}<br>word %{{x}}: %{{customdata}}<br>gradient norm = %{{y:.3e}}<extra></extra>",
            )
        )
    _layout(fig, title, WORD_AXIS, "gradient norm ||dL/dh_t|| (log scale)")
    fig.update_xaxes(**word_ticks(tokens))
    fig.update_yaxes(type="log", exponentformat="power")
    return fig


def gradient_panels_figure(
    tokens: Sequence[str],
    panels: Mapping[str, Mapping[str, Sequence[float] | np.ndarray]],
    colors: Mapping[str, str] | None = None,
) -> go.Figure:
    """`gradient_norm_figure` for several models at once: one panel per model ({panel title: its lines}), stacked,
    sharing the word axis (labelled under the last panel); each panel on its own log axis. One chart for the browser
    to draw instead of one per model (issue 17); lines, names, colours, dashes and hovers as on the single figure.
    """
    if not panels:
        raise ValueError("no models to draw")
    n = len(panels)
    fig = make_subplots(rows=n, cols=1, shared_xaxes=True, subplot_titles=list(panels), vertical_spacing=0.28 / n)
    for row, lines in enumerate(panels.values(), start=1):
        for trace in gradient_norm_figure(tokens, lines, colors=colors).data:
            fig.add_trace(trace.update(legendgroup=trace.name), row=row, col=1)
    _layout(fig, "", WORD_AXIS, "", height=140 + 300 * n)
    fig.update_layout(title=None, margin={"t": 40})
    fig.update_xaxes(title_text=None)
    fig.update_xaxes(**{"title_text": WORD_AXIS, **word_ticks(tokens)}, row=n, col=1)
    fig.update_yaxes(type="log", exponentformat="power", title_text="||dL/dh_t||, ||dL/dx_t|| (log)")
    return fig


def memory_figure(lengths: Sequence[int], accuracy: Mapping[str, Sequence[float | None]], chance: float = 0.5) -> go.Figure:
    """Test accuracy against sequence length, one line per cell; a dotted line marks chance."""
    fig = go.Figure()
    for k, (cell, values) in enumerate(accuracy.items()):
        if len(values) != len(lengths):
            raise ValueError(f"{cell}: {len(values)} accuracies do not fit {len(lengths)} lengths")
        fig.add_trace(
            go.Scatter(
                x=list(lengths),
                y=list(values),
                mode="lines+markers",
                name=cell.upper(),
                line={"color": palette.CELL_COLORS.get(cell, palette.line_color(k))},
                marker={"symbol": SYMBOLS[k % len(SYMBOLS)], "size": 10},
                hovertemplate=f"{cell.upper()}<br>length %{{x}} words<br>test accuracy = %{{y:.1%}}<extra></extra>",
            )
        )
    _named_hline(fig, chance, f"chance ({chance:.0%})", palette.REFERENCE, "dot")
    _layout(
        fig,
        "Remembering the first word: accuracy against sequence length",
        "sequence length (words, log scale)",
        "test accuracy (0-1)",
    )
    fig.update_xaxes(type="log", tickmode="array", tickvals=list(lengths), ticktext=[str(n) for n in lengths])
    fig.update_yaxes(range=[0, 1.02])
    return fig


# ----------------------------------------------------------------------------- teaching: pitfalls


def readout_figure(accuracy: Mapping[str, float], chance: float | None = None) -> go.Figure:
    """Bars of the accuracy of each way to read the same model; an optional dotted line marks the majority class."""
    names = list(accuracy)
    fig = go.Figure(
        go.Bar(
            x=names,
            y=[accuracy[n] for n in names],
            marker_color=[palette.line_color(k) for k in range(len(names))],
            text=[f"{accuracy[n]:.1%}" for n in names],
            textposition="outside",
            showlegend=False,
            hovertemplate="%{x}<br>accuracy = %{y:.1%}<extra></extra>",
        )
    )
    if chance is not None:
        _named_hline(fig, chance, f"majority class ({chance:.0%})", palette.REFERENCE, "dot")
    _layout(fig, "The same model, read at three places", "readout (where the sentence is read)", "accuracy (0-1)")
    fig.update_xaxes(type="category")
    fig.update_yaxes(range=[0, 1.1])
    return fig


def padded_batch_figure(
    tokens: Sequence[Sequence[str]],
    lengths: Sequence[int],
    positions: Mapping[str, Sequence[Mapping[str, Sequence[int]]]],
) -> go.Figure:
    """A padded batch as a grid (rows = sentences, columns = steps; grey = padding) with each readout's read positions.

    `positions[readout][row]` maps a direction ("forward", "backward") to the positions whose
    outputs that readout feeds to the classifier; backward positions get open markers.
    """
    B = len(tokens)
    T = max((len(r) for r in tokens), default=0)
    if len(lengths) != B or any(len(r) != T for r in tokens):
        raise ValueError("give one row of tokens per length, every row padded to the same width")
    real = [[1 if t < lengths[b] else 0 for t in range(T)] for b in range(B)]
    fig = go.Figure(
        go.Heatmap(
            z=real,
            x=list(range(T)),
            y=list(range(B)),
            zmin=0,
            zmax=1,
            colorscale=palette.PADDING_SCALE,
            showscale=False,
            text=[list(r) for r in tokens],
            texttemplate="%{text}",
            xgap=2,
            ygap=2,
            hovertemplate="sentence %{y}, step %{x}: %{text}<extra></extra>",
        )
    )
    n = max(len(positions), 1)
    for k, (readout, rows) in enumerate(positions.items()):
        if len(rows) != B:
            raise ValueError(f"{readout}: positions for {len(rows)} rows, the batch has {B}")
        offset = 0.3 * (k - (n - 1) / 2) / max(n - 1, 1)  # readouts side by side inside each row
        for direction in ("forward", "backward"):
            xs = [t for row in rows for t in row.get(direction, [])]
            ys = [b + offset for b, row in enumerate(rows) for _ in row.get(direction, [])]
            if not xs:
                continue
            symbol = SYMBOLS[k % len(SYMBOLS)] + ("-open" if direction == "backward" else "")
            fig.add_trace(
                go.Scatter(
                    x=xs,
                    y=ys,
                    mode="markers",
                    name=f"{readout} ({direction})",
                    marker={"symbol": symbol, "size": 11, "color": palette.line_color(k), "line": {"width": 2}},
                    hovertemplate=f"{readout}<br>{direction} output read at step %{{x}}<extra></extra>",
                )
            )
    _layout(
        fig, "One padded batch: where each readout reads", "step (position in the padded batch)", "sentence (row of the batch)"
    )
    fig.update_xaxes(dtick=1, range=[-0.5, T - 0.5])
    fig.update_yaxes(autorange="reversed", dtick=1)
    fig.update_layout(height=max(260, 120 + 48 * B))
    return fig


def masking_figure(rows: Sequence[Mapping], metric: str = "accuracy") -> go.Figure:
    """Masked vs counted accuracy (or loss) of the same predictions as the padding grows; rows from MaskingScores."""
    if metric not in ("accuracy", "loss"):
        raise ValueError(f"metric must be accuracy or loss, got {metric!r}")
    share = [100 * r["padded_tokens"] / (r["padded_tokens"] + r["real_tokens"]) for r in rows]
    series = [("masked (real tokens only)", f"masked_{metric}", "solid")]
    series.append((f"counted (padding labelled {rows[0]['pad_label']})" if rows else "counted", f"counted_{metric}", "dash"))
    if metric == "accuracy":
        series.append(("counted (padding scored as a hit)", "counted_accuracy_pad_free", "dot"))
    fig = go.Figure()
    fmt = ".1%" if metric == "accuracy" else ".3f"
    unit = "" if metric == "accuracy" else " nats"
    for k, (name, key, dash) in enumerate(series):
        fig.add_trace(
            go.Scatter(
                x=share,
                y=[r[key] for r in rows],
                mode="lines+markers",
                name=name,
                line={"color": palette.line_color(k), "dash": dash},
                customdata=[r["padded_length"] for r in rows],
                hovertemplate=f"{name}<br>padding %{{x:.0f}}% (padded to %{{customdata}} steps)<br>{metric} = %{{y:{fmt}}}{unit}<extra></extra>",
            )
        )
    ylabel = "token accuracy (0-1)" if metric == "accuracy" else "mean cross-entropy (nats)"
    _layout(fig, f"The same predictions: {metric} with padding masked vs counted", "padded positions (% of the batch)", ylabel)
    if metric == "accuracy":
        fig.update_yaxes(range=[0, 1.02])
    return fig


# ----------------------------------------------------------------------------- why: saliency, units, search
