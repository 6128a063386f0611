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


WORD_LABELS = 60  # a word axis labels at most this many words; a longer sentence labels every k-th (and says so)


def word_ticks(tokens: Sequence[str], start: int = 0) -> dict:
    """Axis settings that put each word at its position, labelled "position: word" (the first word at `start`).

    Over `WORD_LABELS` words (a long input: up to 300 tokens), only every k-th word gets a tick and its label, so
    the labels stay apart and the browser draws 60 instead of 300; the axis title then says so (every word is
    still drawn and named by the hover).
    """
    every = -(-len(tokens) // WORD_LABELS) if len(tokens) > WORD_LABELS else 1
    shown = range(0, len(tokens), every)
    ticks = {
        "tickmode": "array",
        "tickvals": [start + i for i in shown],
        "ticktext": [f"{start + i}: {plotly_text(tokens[i])}" for i in shown],
    }
    if every > 1:
        ticks["title_text"] = f"{WORD_AXIS}; 1 word in {every} labelled, hover for the others"
    return ticks


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
