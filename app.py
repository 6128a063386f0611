"""`streamlit run app.py`: the server, with the first page's heavy work started as the server starts.

Streamlit finds `app` (an `st.App`) here and serves `app_script.py`, the script every session runs.
Its lifespan starts `ui.warmup` in a thread once the runtime is up: torch, spaCy's tokenizer, Plotly,
pandas and the first page's models load while the browser is still fetching Streamlit's frontend,
instead of after it asks for its first run (bench/bench_cold_start.py measures the difference).
"""

from __future__ import annotations

import contextlib
import os
import threading
from collections.abc import AsyncIterator
from typing import Any

import streamlit as st


def _warm_up() -> None:
    from ui.warmup import warm_up_quietly  # imported here: `ui` builds Streamlit caches, which need the runtime

    warm_up_quietly()


@contextlib.asynccontextmanager
async def lifespan(_app: Any) -> AsyncIterator[None]:
    """Start the warm-up beside the server (never in its event loop), then serve. SEQCORE_WARM_UP=0 turns it off."""
    if os.environ.get("SEQCORE_WARM_UP", "1") != "0":
        threading.Thread(target=_warm_up, name="seqcore-warm-up", daemon=True).start()
    yield


app = st.App("app_script.py", lifespan=lifespan)
