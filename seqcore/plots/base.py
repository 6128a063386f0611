"""Shared by every figure: the palette's colours, word ticks, the common layout, named reference lines."""

from __future__ import annotations

import html
from collections.abc import Sequence

import plotly.graph_objects as go

from seqcore import palette

# Every colour comes from seqcore.palette (colour-blind safe; negative blue, positive orange, and those two only for the classes).
CLASS_COLORS = palette.CLASS_COLORS
PALETTE = palette.LINES
DASHES = ["solid", "dash", "dot", "dashdot"]
SYMBOLS = ["circle", "x", "diamond", "square", "triangle-up"]
BAR_PATTERNS = ["", ".", "x"]  # bars beyond the palette's colours repeat a colour with a pattern
WORD_AXIS = "word (position: token)"
class_color = palette.class_color


def plotly_text(value: object) -> str:
    """A user's string as Plotly text: its HTML escaped, so a tag or a link in it is shown, not drawn."""
    return html.escape(str(value), quote=False)


def _texts(values: Sequence[object]) -> list[str]:
    return [plotly_text(v) for v in values]


def word_ticks(tokens: Sequence[str], start: int = 0) -> dict:
    """Axis settings that put each word at its position, labelled "position: word" (the first word at `start`)."""
    return {
        "tickmode": "array",
        "tickvals": list(range(start, start + len(tokens))),
        "ticktext": [f"{start + i}: {plotly_text(w)}" for i, w in enumerate(tokens)],
    }


def _layout(fig: go.Figure, title: str, x: str, y: str, height: int | None = None) -> go.Figure:
    fig.update_layout(
        title={"text": title},
        xaxis_title=x,
        yaxis_title=y,
        hovermode="closest",
        margin={"l": 60, "r": 20, "t": 60, "b": 60},
        legend={"orientation": "h", "y": -0.25},
    )
    if height:
        fig.update_layout(height=height)
    return fig


def _named_hline(fig: go.Figure, y: float, name: str, color: str, dash: str) -> None:
    """A horizontal line across the plot, named in the legend (a note on the line would sit on the data)."""
    fig.add_hline(y=y, line={"dash": dash, "color": color})
    fig.add_trace(
        go.Scatter(
            x=[None],
            y=[None],
            mode="lines",
            name=name,
            line={"dash": dash, "color": color},
            hovertemplate=f"{name}<extra></extra>",
        )
    )


# ----------------------------------------------------------------------------- page 1: trajectory
