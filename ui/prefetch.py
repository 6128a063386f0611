"""The browser fetches the first page's element code while the server still works on the page.

Streamlit's frontend loads each kind of element's code (a JavaScript chunk) only when the first element of
that kind arrives, and a cold start's first page arrives in pieces: the sidebar, then the page's text boxes,
then (once the models have read the sentence) its chart, metrics and table. On a cold start the browser asked
for Plotly's chunk (4.7 MB) only when the chart arrived, then spent over a second fetching, compiling and
running it (and the data frame's, 1.2 MB with its helpers) before the page was drawn.

`prefetch_chunks` draws, first in every run, a hidden script that imports those chunks at once, from the
address the frontend itself imports them from (a browser imports a module once): their code is ready by the
time the elements arrive. bench/bench_cold_start.py measures the first page with and without it.

The script is a constant (no user string) and reaches only this server. A chunk Streamlit's static folder
does not hold (another Streamlit build) is left out; with none, nothing is drawn and pages load as before.
"""

from __future__ import annotations

import functools
import json
import os
from pathlib import Path

import streamlit as st

# The kinds of element the first page draws that Streamlit's main bundle lacks, the slowest first.
CHUNKS = ("PlotlyChart", "DataFrame", "DownloadButton", "Metric", "Multiselect", "TextInput")
SCRIPT_ID = "seqcore-prefetch"


@functools.cache
def chunk_files(kinds: tuple[str, ...] = CHUNKS) -> tuple[str, ...]:
    """The file names (`<Kind>.<hash>.js`) of those chunks in Streamlit's static folder, in `kinds`' order; a kind
    with no single file is left out."""
    folder = Path(st.__file__).parent / "static" / "static" / "js"
    found = [sorted(folder.glob(f"{kind}.*.js")) for kind in kinds]
    return tuple(files[0].name for files in found if len(files) == 1)


def prefetch_html(files: tuple[str, ...]) -> str:
    """A style that hides the element, and a script importing `files` from the folder the frontend's own entry
    script (`static/js/index.*.js`) came from."""
    script = (  # window.seqcorePrefetch: each import's outcome (tests/app/test_browser.py reads it)
        "(() => {const entry = document.querySelector('script[src*=\"/static/js/index.\"]'); if (!entry) return;"
        f"window.seqcorePrefetch = Promise.allSettled({json.dumps(list(files))}"
        ".map((file) => import(new URL(file, entry.src).href)));})()"
    )
    hide = f'[data-testid="stElementContainer"]:has(#{SCRIPT_ID}) {{display: none;}}'
    return f"<style>{hide}</style><script id={SCRIPT_ID!r}>{script}</script>"


def prefetch_chunks() -> None:
    """Ask the browser to import the first page's chunks now (a hidden element in the sidebar).
    SEQCORE_PREFETCH=0 turns it off (bench/bench_cold_start.py compares)."""
    files = chunk_files()
    if files and os.environ.get("SEQCORE_PREFETCH", "1") != "0":
        st.sidebar.html(prefetch_html(files), unsafe_allow_javascript=True)
