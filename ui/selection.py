"""Clicks on charts read as a page's choice: a confusion cell clicked on the heatmap becomes the cell whose examples are listed.

`st.plotly_chart(..., on_select="rerun", selection_mode="points")` returns the chart's selection on every rerun,
and a selection stays until the reader clicks elsewhere. So a click counts once: the helper remembers (in
`ui.state`) the selection it acted on, and a later choice in the list picker (the keyboard way in) is kept.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from ui import state


def selected_point(event: Any) -> dict | None:
    """The first selected point of a chart's selection event, or None."""
    try:
        points = event["selection"]["points"]
    except (KeyError, TypeError):
        return None
    return dict(points[0]) if points else None


def clicked_cell(events: Mapping[str, Any]) -> tuple[str, str] | None:
    """The (gold, predicted) confusion cell newly clicked on one of the charts (chart key -> selection event), else None.

    The charts are `seqcore.plots.confusion_figure(..., clickable=True)`: a point's x is the predicted label,
    its y the gold label. A selection the page already acted on returns None, so the list picker keeps any
    choice made after the click.
    """
    clicked = None
    for key, event in events.items():
        point = selected_point(event)
        cell = (str(point["y"]), str(point["x"])) if point and "x" in point and "y" in point else None
        if cell != state.handled_selection(key):
            state.set_handled_selection(key, cell)
            if cell is not None:
                clicked = cell
    return clicked


def clickable_chart(fig: Any, caption: str, key: str) -> Any:
    """Show a figure whose points can be clicked (one at a time), a sentence under it; return its selection event."""
    import streamlit as st

    if state.presenting():
        from ui.presenter import for_room

        for_room(fig)
    from ui.figures import lighten

    event = st.plotly_chart(lighten(fig), key=key, config={"displaylogo": False}, on_select="rerun", selection_mode="points")
    st.caption(caption)  # markup: checked at the call sites (tests/app/test_markup.py)
    return event


def follow_clicked_cell(events: Mapping[str, Any], cells: Sequence[Mapping[str, Any]], picker_key: str) -> tuple[str, str] | None:
    """Make a newly clicked confusion cell the choice of the list picker `picker_key` (drawn after the charts).

    `cells` are the picker's options (`seqcore.metrics.confusion_cells`: the non-empty cells). Returns the
    clicked (gold, predicted) cell, or None when nothing new was clicked; an empty cell leaves the picker as it is.
    """
    clicked = clicked_cell(events)
    if clicked is not None:
        index = {(str(c["gold"]), str(c["predicted"])): k for k, c in enumerate(cells)}
        if clicked in index:
            state.set_widget(picker_key, index[clicked])
    return clicked
