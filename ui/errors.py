"""Errors on a page: any exception raised on user input is a red message naming what and where, never a traceback."""

from __future__ import annotations

import os
import traceback
from collections.abc import Iterator
from contextlib import contextmanager

import streamlit as st

from ui.text import plain


def error_message(err: BaseException) -> str:
    """A one-line message for an exception: its text, or its kind when it has none; a file the system
    could not open is named with the reason (an unreadable file is not a missing one)."""
    if isinstance(err, FileNotFoundError) and err.filename:
        return f"no such file: {err.filename}"
    if isinstance(err, PermissionError) and err.filename:
        return f"{err.filename} cannot be read ({err.strerror or 'permission denied'}): check its permissions"
    if isinstance(err, OSError) and err.filename:
        return f"{err.filename} cannot be read ({err.strerror or err})"
    text = str(err.args[0]) if isinstance(err, KeyError) and err.args else str(err)
    return text or type(err).__name__


@contextmanager
def user_errors(what: str = "") -> Iterator[None]:
    """Show any exception raised inside the block as a red message on the page, never as a traceback.

    `what` and the message are shown as plain text (a message may quote a file's name or content).
    Streamlit's own rerun and stop signals are BaseExceptions and pass through untouched.
    """
    try:
        yield
    except Exception as err:  # noqa: BLE001 - the page must go on working whatever seqcore raises
        st.error(f"{plain(what)}{': ' if what else ''}{plain(error_message(err))}")
        if os.environ.get("SEQCORE_APP_DEBUG"):
            st.code(traceback.format_exc())
