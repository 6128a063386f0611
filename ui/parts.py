"""Parts of a page that rerun alone when one of their own controls changes (issue 17).

`@ui.part` is `st.fragment`: a widget drawn inside the function reruns that function only, with the
arguments of its last whole run, and the browser redraws that part only; on a whole run the function runs
in place as before. Whatever a part draws depends on its arguments and its own widgets only, so it shows the
same numbers either way (tests/app/test_fragments.py compares a part's own rerun with a whole rerun).

A part's own rerun also gets what app_script.py gives a whole run: training children step aside while it
works (`ui.page_work`), an error in it is shown as a message rather than a traceback, and the view is
written back to the URL afterwards (`ui.write_link`), so a link still opens what the reader sees.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any, TypeVar

import streamlit as st
from streamlit.runtime.scriptrunner import get_script_run_ctx

from ui.errors import user_errors
from ui.links import write_link
from ui.trainer import page_work

F = TypeVar("F", bound=Callable[..., Any])


def rerunning_alone() -> bool:
    """Whether this script run is a fragment's own rerun, not a run of the whole page."""
    ctx = get_script_run_ctx()
    return bool(ctx is not None and ctx.fragment_ids_this_run)


def part(fn: F) -> F:
    """Make `fn` a part of its page that reruns alone when one of its widgets changes (st.fragment)."""

    @functools.wraps(fn)
    def run(*args: Any, **kwargs: Any) -> Any:
        if not rerunning_alone():
            return fn(*args, **kwargs)
        with page_work(), user_errors("This part of the page stopped"):
            try:
                return fn(*args, **kwargs)
            finally:  # also after st.stop(), as app_script.py does
                write_link()

    return st.fragment(run)  # type: ignore[return-value]
