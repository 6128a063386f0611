"""Presenter mode's charts and tables: `seqcore.presenter.for_projector` on the figure, and its title as a heading above
it; a table's rows as a readable list, or a sentence saying where the table is.

A Plotly title is one SVG line: a long one is cut at the chart's edge, and Plotly misplaces one broken into lines.
A Streamlit heading wraps like any text, so in presenter mode the title leaves the figure and is written above it.
"""

from __future__ import annotations

from typing import Any

import pandas as pd
import streamlit as st

from ui.config import PRESENTER_FONT
from ui.text import md_plain


def for_room(fig: Any) -> None:
    """Make `fig` readable on a projector and write its title above it (call it just before drawing the figure)."""
    from seqcore.presenter import for_projector, title_text

    title = title_text(fig)
    fig.update_layout(title_text="")
    for_projector(fig, PRESENTER_FONT)
    if title:
        st.markdown("#### " + md_plain(title))  # markup: the title's text escaped by md_plain


SUMMARY_ROWS, SUMMARY_COLUMNS = 8, 6  # a table this small is listed row by row in presenter mode


def _cell(value: Any) -> str:
    if isinstance(value, float):
        return f"{value:.3g}"
    return str(value)


def rows_summary(df: pd.DataFrame) -> str:
    """A small table as a Markdown list a room can read: one line per row, "first column: the others, named"."""
    first, *rest = list(df.columns)
    lines = []
    for _, row in df.iterrows():
        others = " · ".join(f"{md_plain(str(c))} {md_plain(_cell(row[c]))}" for c in rest)
        lines.append(f"- **{md_plain(_cell(row[first]))}**" + (f": {others}" if others else ""))
    return "\n".join(lines)


def table_for_room(df: pd.DataFrame, caption: str | None, summary: str | None) -> None:
    """Presenter mode's stand-in for a table: its caption, then `summary` (Markdown escaped by the caller), or a small
    table's rows as a list (`rows_summary`), or a sentence saying where the table is."""
    if not summary and 0 < len(df) <= SUMMARY_ROWS and len(df.columns) <= SUMMARY_COLUMNS:
        summary = rows_summary(df)
    if caption:
        st.caption(caption)  # markup: checked at the call sites of ui.table (tests/app/test_markup.py)
    if summary:
        st.markdown(summary)  # markup: escaped by the caller or by rows_summary
    else:
        st.caption(f"Presenter mode leaves this table ({len(df):,} rows) out: turn it off in the sidebar to read it.")
