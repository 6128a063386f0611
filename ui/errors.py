"""Errors on a page: any exception raised on user input is a red message naming what and where, never a traceback."""

from __future__ import annotations

import os
import traceback
from collections.abc import Iterator
from contextlib import contextmanager

import streamlit as st


def error_message(err: BaseException) -> str:
    """A one-line message for an exception: its text, or its kind when it has none."""
    text = str(err.args[0]) if isinstance(err, KeyError) and err.args else str(err)
    return text or type(err).__name__


@contextmanager
def user_errors(what: str = "") -> Iterator[None]:
    """Show any exception raised inside the block as a red message on the page, never as a traceback.

    Streamlit's own rerun and stop signals are BaseExceptions and pass through untouched.
    """
    try:
        yield
    except Exception as err:  # noqa: BLE001 - the page must go on working whatever seqcore raises
        st.error(f"{what}{': ' if what else ''}{error_message(err)}")
        if os.environ.get("SEQCORE_APP_DEBUG"):
            st.code(traceback.format_exc())
