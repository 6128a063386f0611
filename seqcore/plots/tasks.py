"""Aspects and tagging: aspect probabilities, aspect masks, one step, tags."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
import plotly.graph_objects as go

from seqcore import palette
from seqcore.plots.base import (
    BAR_PATTERNS,
    PALETTE,
    WORD_AXIS,
    _layout,
    _texts,
    class_color,
    plotly_text,
    word_ticks,
)


def aspect_probs_figure(terms: Sequence[str], labels: Sequence[str], probs: np.ndarray) -> go.Figure:
    """Horizontal stacked bars: each aspect's predicted probability of every class; probs is (A, C)."""
    probs = np.asarray(probs)
    if probs.shape != (len(terms), len(labels)):
        raise ValueError(f"probabilities of shape {probs.shape} do not fit {len(terms)} aspects x {len(labels)} classes")
    names = [f"{i}: {plotly_text(t)}" for i, t in enumerate(terms)]
    fig = go.Figure()
    for k, label in enumerate(labels):
        fig.add_trace(
            go.Bar(
                y=names,
                x=probs[:, k].tolist(),
                orientation="h",
                name=plotly_text(label),
                marker_color=class_color(label, k),
                hovertemplate=f"aspect %{{y}}<br>P({plotly_text(label)}) = %{{x:.3f}}<extra></extra>",
            )
        )
    fig.update_layout(barmode="stack")
    _layout(
        fig,
        "Predicted polarity of each aspect",
        "probability (0-1, stacked over classes)",
        "aspect term",
        height=max(220, 90 + 45 * len(terms)),
    )
    fig.update_xaxes(range=[0, 1])
    fig.update_yaxes(type="category", autorange="reversed")
    return fig


def mask_figure(tokens: Sequence[str], names: Sequence[str], masks: np.ndarray) -> go.Figure:
    """The binary aspect mask: one row per aspect, 1 under the aspect's tokens, 0 elsewhere; masks is (A, T)."""
    masks = np.asarray(masks)
    if masks.shape != (len(names), len(tokens)):
        raise ValueError(f"a mask of shape {masks.shape} does not fit {len(names)} aspects x {len(tokens)} words")
    rows = [f"{i}: {plotly_text(n)}" for i, n in enumerate(names)]
    fig = go.Figure(
        go.Heatmap(
            z=masks.tolist(),
            x=list(range(len(tokens))),
            y=rows,
            zmin=0,
            zmax=1,
            colorscale=palette.HIGHLIGHT_SCALE,
            texttemplate="%{z}",
            showscale=False,
            customdata=[_texts(tokens)] * len(rows),
            xgap=2,
            ygap=2,
            hovertemplate="aspect %{y}<br>word %{x}: %{customdata}<br>mask = %{z}<extra></extra>",
        )
    )
    _layout(fig, "Aspect mask (1 = the aspect's tokens)", WORD_AXIS, "aspect term", height=max(180, 110 + 40 * len(rows)))
    fig.update_xaxes(**word_ticks(tokens))
    fig.update_yaxes(type="category", autorange="reversed")
    return fig


# ----------------------------------------------------------------------------- page 6 and 7


def step_figure(rows: Sequence[Mapping]) -> go.Figure:
    """Grouped bars of each gate's value for a few units at one step (rows from `StepDetail.table`)."""
    gates = list(dict.fromkeys(r["gate"] for r in rows))
    fig = go.Figure()
    for k, gate in enumerate(gates):
        sel = [r for r in rows if r["gate"] == gate]
        fig.add_trace(
            go.Bar(
                x=[f"unit {r['unit']}" for r in sel],
                y=[r["value"] for r in sel],
                name=gate,
                marker_color=PALETTE[k % len(PALETTE)],
                marker_pattern_shape=BAR_PATTERNS[k // len(PALETTE) % len(BAR_PATTERNS)],  # colours repeat: a hatch too
                customdata=[r["pre-activation"] if r["pre-activation"] is not None else float("nan") for r in sel],
                hovertemplate=f"{gate}, %{{x}}<br>value = %{{y:.4f}}<br>pre-activation = %{{customdata:.4f}}<extra></extra>",
            )
        )
    fig.update_layout(barmode="group")
    _layout(fig, "Gate values at this step", "hidden unit (index)", "value after the activation (unitless)")
    return fig


def tag_figure(rows: Sequence[Mapping]) -> go.Figure:
    """Bars of the predicted tag's probability per word: black where it matches gold, vermillion where not, light grey without gold."""
    colors = [palette.UNKNOWN if r["correct"] is None else (palette.CORRECT if r["correct"] else palette.WRONG) for r in rows]
    fig = go.Figure(
        go.Bar(
            x=[r["position"] for r in rows],
            y=[r["probability"] for r in rows],
            marker_color=colors,
            customdata=[_texts([r["word"], r["predicted"], r["gold"] or "-"]) for r in rows],
            hovertemplate="word %{x}: %{customdata[0]}<br>predicted %{customdata[1]}, P = %{y:.3f}<br>gold %{customdata[2]}<extra></extra>",
        )
    )
    _layout(fig, "Confidence in each predicted tag", WORD_AXIS, "P(predicted tag) (probability, 0-1)")
    fig.update_xaxes(**word_ticks([r["word"] for r in rows]))
    fig.update_yaxes(range=[0, 1.02])
    return fig


# ----------------------------------------------------------------------------- teaching: gradients through time
