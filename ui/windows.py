"""Windows over long axes: draw at most a fixed number of words or hidden units at once, and say so.

A figure with one column per word and one row per unit grows with the sentence and the model: the
Gates page draws a window of `GATES_MAX_WORDS` words and `GATES_MAX_UNITS` units (ui/config.py), and
a slider moves it. Words and units keep their real positions in the figures.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import streamlit as st

from ui.text import plain

if TYPE_CHECKING:
    import plotly.graph_objects as go


@dataclass(frozen=True)
class Window:
    """Items start..stop-1 of total, shown at once."""

    start: int
    stop: int
    total: int

    @property
    def clipped(self) -> bool:
        """Whether some items are left out of the window."""
        return self.stop - self.start < self.total

    def of(self, items: Any) -> Any:
        """The window's part of a sequence or of an array's first axis."""
        return items[self.start : self.stop]


def window(label: str, total: int, size: int, key: str, what: str) -> Window:
    """All `total` items when they fit in `size`; else a slider choosing the first of `size` consecutive items."""
    if total <= size:
        return Window(0, total, total)
    start = int(
        st.slider(
            label,  # markup: a page's constant label (its call sites are checked); escaping would put backslashes in its accessible name
            0,
            total - size,
            0,
            key=key,
            help=f"At most {size:d} {plain(what)} are drawn at once; move the window to see the others.",
        )
    )
    st.caption(
        f"Showing {plain(what)} {start:d} to {start + size - 1:d} of {total:d} (0 to {total - 1:d}): "
        f"at most {size:d} are drawn at once, so the page stays quick."
    )
    return Window(start, start + size, total)


def gate_window_heatmap(
    values: Any,
    tokens: Sequence[str],
    cell: str,
    gate: str,
    words: Window,
    units: Sequence[int] | None = None,
    title: str | None = None,
) -> go.Figure:
    """A gate's heatmap (`seqcore.plots.gate_heatmap`) over a window of words, drawing the rows `units` in their
    order (None: every unit in index order); values has shape (T, H)."""
    from seqcore import plots

    return plots.gate_heatmap(words.of(values), words.of(tokens), cell, gate, title, units=units, start=words.start)


def leading(total: int, size: int) -> Window:
    """The first `size` of `total` items (all of them when they fit)."""
    return Window(0, min(total, size), total)
