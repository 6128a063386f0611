"""Scores: confusion matrices, per-class bars, training curves."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from seqcore import palette
from seqcore.plots.base import (
    PALETTE,
    _layout,
)


def row_normalize(confusion: Sequence[Sequence[float]] | np.ndarray) -> np.ndarray:
    """Divide each row of a confusion matrix by its sum; an empty row stays 0."""
    m = np.asarray(confusion, dtype=np.float64)
    sums = m.sum(axis=1, keepdims=True)
    return np.divide(m, sums, out=np.zeros_like(m), where=sums > 0)


def confusion_figure(
    confusion: Sequence[Sequence[int]],
    labels: Sequence[str],
    normalize: bool = False,
    title: str | None = None,
    clickable: bool = False,
) -> go.Figure:
    """Confusion matrix heatmap: gold labels down, predicted labels across; counts or row shares.

    `clickable` lays one invisible marker on each cell's centre (a heatmap cannot be selected by a click
    in Plotly, a scatter point can): a click selects the nearest centre, the cell under the pointer, whose
    x is the predicted label and y the gold label; the selected cell gets an outline. The hover moves to
    the markers, with the same text.
    """
    counts = np.asarray(confusion, dtype=np.int64)
    if counts.shape != (len(labels), len(labels)):
        raise ValueError(f"a confusion matrix of shape {counts.shape} does not fit {len(labels)} labels")
    shares = row_normalize(counts)
    z = shares if normalize else counts
    custom = np.stack([counts, shares], axis=-1).tolist()  # (C, C, 2): count and row share for the hover
    hover = "gold %{y}, predicted %{x}<br>%{customdata[0]} items, %{customdata[1]:.1%} of the gold row<extra></extra>"
    fig = go.Figure(
        go.Heatmap(
            z=z.tolist(),
            x=list(labels),
            y=list(labels),
            colorscale=palette.COUNTS,
            customdata=custom,
            zmin=0,
            zmax=1 if normalize else max(1, int(counts.max(initial=0))),
            texttemplate="%{z:.0%}" if normalize else "%{z}",
            colorbar={"title": {"text": "share of gold row" if normalize else "items"}},
            hovertemplate=hover,
            hoverinfo="skip" if clickable else None,
        )
    )
    if clickable:
        n = len(labels)
        fig.add_trace(
            go.Scatter(
                x=[labels[j] for i in range(n) for j in range(n)],  # (C * C,) row by row: gold i, predicted j
                y=[labels[i] for i in range(n) for j in range(n)],
                mode="markers",
                marker={"symbol": "square-open", "size": 26, "color": palette.HIGHLIGHT, "opacity": 0, "line": {"width": 3}},
                selected={"marker": {"opacity": 1}},
                unselected={"marker": {"opacity": 0}},
                customdata=[custom[i][j] for i in range(n) for j in range(n)],
                hovertemplate=hover,
                name="cells",
                showlegend=False,
            )
        )
        # Every point in the plot area is nearest to its own cell's centre, so a click anywhere in a cell selects it.
        fig.update_layout(hovermode="closest", hoverdistance=-1, clickmode="event+select")
    default = "Confusion matrix, row-normalized (share of each gold class)" if normalize else "Confusion matrix (counts of items)"
    _layout(fig, title or default, "predicted label", "gold label", height=max(320, min(800, 140 + 32 * len(labels))))
    fig.update_xaxes(type="category", side="bottom")
    fig.update_yaxes(type="category", autorange="reversed")
    return fig


def per_class_figure(rows: Sequence[Mapping]) -> go.Figure:
    """Grouped bars of precision, recall and F1 per class (rows from `metrics.per_class_table`)."""
    fig = go.Figure()
    for k, metric in enumerate(("precision", "recall", "F1")):
        fig.add_trace(
            go.Bar(
                x=[r["class"] for r in rows],
                y=[r[metric] for r in rows],
                name=metric,
                marker_color=PALETTE[k],
                customdata=[r["support"] for r in rows],
                hovertemplate=f"class %{{x}}<br>{metric} = %{{y:.3f}}<br>support %{{customdata}} items<extra></extra>",
            )
        )
    fig.update_layout(barmode="group")
    _layout(fig, "Precision, recall and F1 per class", "class (gold label)", "score (0-1)")
    fig.update_xaxes(type="category")
    fig.update_yaxes(range=[0, 1.02])
    return fig


# ----------------------------------------------------------------------------- page 5: training


def training_figure(history: Sequence[Mapping]) -> go.Figure:
    """Train and dev loss (left axis) and dev accuracy (right axis) per epoch; rows are epoch reports."""
    epochs = [int(h["epoch"]) for h in history]
    fig = make_subplots(specs=[[{"secondary_y": True}]])
    fig.add_trace(
        go.Scatter(
            x=epochs,
            y=[h["train_loss"] for h in history],
            mode="lines+markers",
            name="train loss",
            line={"color": palette.line_color(0)},
            hovertemplate="epoch %{x}<br>train loss = %{y:.4f} nats<extra></extra>",
        ),
        secondary_y=False,
    )
    fig.add_trace(
        go.Scatter(
            x=epochs,
            y=[h.get("dev_loss") for h in history],
            mode="lines+markers",
            name="dev loss",
            line={"color": palette.line_color(1)},
            hovertemplate="epoch %{x}<br>dev loss = %{y:.4f} nats<extra></extra>",
        ),
        secondary_y=False,
    )
    fig.add_trace(
        go.Scatter(
            x=epochs,
            y=[h.get("dev_accuracy") for h in history],
            mode="lines+markers",
            name="dev accuracy",
            line={"color": palette.line_color(2), "dash": "dash"},
            hovertemplate="epoch %{x}<br>dev accuracy = %{y:.1%}<extra></extra>",
        ),
        secondary_y=True,
    )
    _layout(fig, "Training curves", "epoch (passes over the training set)", "loss (mean cross-entropy, nats)")
    fig.update_yaxes(title_text="loss (mean cross-entropy, nats)", secondary_y=False, rangemode="tozero")
    fig.update_yaxes(
        title_text="dev accuracy (0-1)",
        secondary_y=True,
        range=[0, 1.02],
        tickmode="array",
        tickvals=[0, 0.2, 0.4, 0.6, 0.8, 1.0],
        showgrid=False,
    )
    fig.update_xaxes(dtick=1, range=[0.5, max(epochs + [1]) + 0.5])
    return fig


# ----------------------------------------------------------------------------- page 2: aspects
