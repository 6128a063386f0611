"""`streamlit run app.py`: the server, with the first page's heavy work started as the server starts.

Streamlit finds `app` (an `st.App`) here and serves `app_script.py`, the script every session runs.
Its lifespan starts `ui.warmup` in a thread once the runtime is up: torch, spaCy's tokenizer, Plotly,
pandas and the first page's models load while the browser is still fetching Streamlit's frontend,
instead of after it asks for its first run (bench/bench_cold_start.py measures the difference). Beside it,
another thread loads torch's C++ libraries without holding the interpreter lock (`_load_torch_libraries`).
"""

from __future__ import annotations

import contextlib
import os
import threading
from collections.abc import AsyncIterator
from typing import Any

import streamlit as st

# torch's C++ libraries, the dependencies first; loading them is a third of `import torch` (0.3 s of 1.6 s measured)
TORCH_LIBRARIES = ("libc10.so", "libtorch_cpu.so")


def _load_torch_libraries() -> None:
    """Load torch's C++ libraries (not torch itself) in a thread of their own, while the warm-up imports other things.

    Python holds its interpreter lock while it loads an extension's libraries for `import torch`; `ctypes` lets go
    of it while loading, so this runs on the other core beside the warm-up. `import torch` then finds them loaded
    (the same files: the dynamic loader keeps one copy, with the same local symbol scope as torch's own load).
    """
    import ctypes
    import importlib.util

    spec = importlib.util.find_spec("torch")  # finds the package without importing it
    if spec is None or not spec.submodule_search_locations:
        return
    folder = os.path.join(next(iter(spec.submodule_search_locations)), "lib")
    for name in TORCH_LIBRARIES:
        path = os.path.join(folder, name)
        if not os.path.exists(path):
            return
        try:
            ctypes.CDLL(path)
        except OSError:
            return


def _warm_up() -> None:
    from ui.warmup import warm_up_quietly  # imported here: `ui` builds Streamlit caches, which need the runtime

    warm_up_quietly()


@contextlib.asynccontextmanager
async def lifespan(_app: Any) -> AsyncIterator[None]:
    """Start the warm-up (and the load of torch's libraries) beside the server, never in its event loop, then serve.
    SEQCORE_WARM_UP=0 turns both off."""
    if os.environ.get("SEQCORE_WARM_UP", "1") != "0":
        threading.Thread(target=_load_torch_libraries, name="seqcore-torch-libraries", daemon=True).start()
        threading.Thread(target=_warm_up, name="seqcore-warm-up", daemon=True).start()
    yield


app = st.App("app_script.py", lifespan=lifespan)
