"""Explanations: word saliency, unit rankings, hidden-state search patterns."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
import plotly.graph_objects as go

from seqcore import palette
from seqcore.plots.base import (
    DASHES,
    PALETTE,
    WORD_AXIS,
    _layout,
    word_ticks,
)

SALIENCY_SCALE = palette.DIVERGING  # purple below zero, white at zero, green above: no class colour
TOWARDS, AGAINST = palette.TOWARDS, palette.AGAINST


def saliency_figure(
    tokens: Sequence[str], rows: Mapping[str, Sequence[float]], target: str, title: str | None = None
) -> go.Figure:
    """Coloured words: one row per method (e.g. integrated gradients, gradient x input), values (T,) per row.

    Diverging purple-white-green centred on zero with symmetric bounds: green words push the target
    class's logit up, purple ones push it down (never the class colours). The word is written in its cell; the hover gives the number.
    """
    names = list(rows)
    if not names:
        raise ValueError("give at least one row of attributions")
    z = np.array([np.asarray(rows[n], dtype=float) for n in names])  # (R, T)
    if z.shape != (len(names), len(tokens)):
        raise ValueError(f"attributions of shape {z.shape} do not fit {len(names)} rows x {len(tokens)} words")
    bound = float(np.abs(z).max()) if z.size else 0.0
    bound = bound if bound > 0 else 1.0
    fig = go.Figure(
        go.Heatmap(
            z=z.tolist(),
            x=list(range(len(tokens))),
            y=names,
            zmin=-bound,
            zmax=bound,
            zmid=0.0,
            colorscale=SALIENCY_SCALE,
            text=[list(tokens)] * len(names),
            texttemplate="%{text}",
            xgap=2,
            ygap=2,
            colorbar={"title": {"text": f"attribution to logit({target})", "side": "right"}},
            hovertemplate="%{y}<br>word %{x}: %{text}<br>attribution = %{z:.4f} (logit units)<extra></extra>",
        )
    )
    _layout(
        fig,
        title or f"Which words drove logit({target}): green pushes towards it, purple away",
        WORD_AXIS,
        "method",
        height=max(260, 160 + 50 * len(names)),  # room for the colour bar and its title
    )
    fig.update_xaxes(**word_ticks(tokens))
    fig.update_yaxes(type="category", autorange="reversed")
    return fig


def unit_label(row: Mapping) -> str:
    """Name a unit as "layer 0 fwd #17"."""
    return f"layer {row['layer']} {'fwd' if row['direction'] == 'forward' else 'bwd'} #{row['unit']}"


SIGNED = {
    "relevance": "signed contribution (logit units)",
    "change": "signed contribution (logit units)",
    "final": "after - before (state units)",
}


def units_figure(
    rows: Sequence[Mapping], by: str = "relevance", target: str | None = None, title: str | None = None
) -> go.Figure:
    """Horizontal bars of ranked units, best on top; rows have layer, direction, unit, score and a signed value.

    by="relevance": bar = |gradient x activation| of the target logit, green when the unit pushes
    towards the class (contribution >= 0), purple and hatched when against. by="change": bar = mean |h - h before|
    over the range, coloured by contribution. by="final": rows from `attribution.final_state_change`,
    bar = |after - before|, green when the state went up. Two legend entries say what the colours mean.
    """
    if by not in ("relevance", "change", "final"):
        raise ValueError(f"by must be relevance, change or final, not {by!r}")
    names = [unit_label(r) for r in rows]
    signed = [float(r.get("difference" if by == "final" else "contribution", 0.0)) for r in rows]
    colors = [TOWARDS if c >= 0 else AGAINST for c in signed]
    hatches = ["" if c >= 0 else palette.DOWN_PATTERN for c in signed]
    what = f"logit({target})" if target else "the logit"
    fig = go.Figure(
        go.Bar(
            y=names,
            x=[float(r["score"]) for r in rows],
            orientation="h",
            marker_color=colors,
            marker_pattern_shape=hatches,
            customdata=signed,
            name="units",
            showlegend=False,
            hovertemplate=f"%{{y}}<br>score = %{{x:.4f}}<br>{SIGNED[by]} = %{{customdata:+.4f}}<extra></extra>",
        )
    )
    if by == "relevance":
        x_title = "relevance: |sum over words of gradient x activation| (logit units)"
        default = f"Units that matter for {what}"
    elif by == "change":
        x_title = "change over the selected words: mean |h - h before| (state units)"
        default = "Units that change most over the selected words"
    else:
        x_title = "|final state after the edit - final state before| (state units)"
        default = "Units whose final state changed most"
    up, down = ("went up", "went down") if by == "final" else (f"pushes towards {what}", f"pushes against {what}")
    for name, color, hatch in ((up, TOWARDS, ""), (f"{down} (hatched)", AGAINST, palette.DOWN_PATTERN)):
        fig.add_trace(
            go.Bar(
                x=[None],
                y=[None],
                name=name,
                marker_color=color,
                marker_pattern_shape=hatch,
                hovertemplate=f"{name}<extra></extra>",
            )
        )
    _layout(fig, title or default, x_title, "hidden unit (layer, direction, index)", height=max(240, 90 + 22 * len(rows)))
    fig.update_yaxes(type="category", autorange="reversed")
    fig.update_xaxes(rangemode="tozero")
    return fig


def pattern_figure(
    tokens: Sequence[str],
    states: np.ndarray,
    names: Sequence[str],
    span: tuple[int, int],
    threshold: float,
    title: str | None = None,
) -> go.Figure:
    """The hidden states of a search pattern's units over the query sentence, as LSTMVis draws them.

    `states` (T, P): one line per unit (named by `names`, e.g. "layer 0 fwd #17"); the selected words
    `span` (I:J, end exclusive) are shaded and the threshold drawn: a pattern unit is above it at every
    selected word and below it just before them (in its reading order).
    """
    states = np.asarray(states, dtype=float)
    if states.shape != (len(tokens), len(names)):
        raise ValueError(f"states of shape {states.shape} do not fit {len(tokens)} words x {len(names)} units")
    fig = go.Figure()
    x = list(range(len(tokens)))
    for k, name in enumerate(names):
        fig.add_trace(
            go.Scatter(
                x=x,
                y=states[:, k].tolist(),
                mode="lines",
                name=name,
                line={"color": PALETTE[k % len(PALETTE)], "width": 1.5, "dash": DASHES[k // len(PALETTE) % len(DASHES)]},
                customdata=list(tokens),
                hovertemplate=f"{name}<br>word %{{x}}: %{{customdata}}<br>h = %{{y:.3f}}<extra></extra>",
            )
        )
    fig.add_vrect(x0=span[0] - 0.5, x1=span[1] - 0.5, fillcolor=palette.HIGHLIGHT, opacity=0.15, line_width=0)
    fig.add_hline(y=threshold, line={"color": palette.BLACK, "dash": "dash"})
    _layout(
        fig,
        title
        or f"The pattern's {len(names)} units over the sentence (shaded: the selected words; dashed: the threshold {threshold:.2f})",
        WORD_AXIS,
        "hidden state h (tanh range, -1 to 1)",
    )
    fig.update_xaxes(**word_ticks(tokens))
    fig.update_yaxes(range=[-1.05, 1.05])
    return fig
