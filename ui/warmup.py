"""Warm the server up as it starts: what the first page needs is imported and loaded in a thread.

Started in a thread by `app.py`'s lifespan. A cold `streamlit run` used to import torch, spaCy and Plotly and load the first page's models only
once the browser had fetched the page and asked for its first run. Started from the server's lifespan
(`app.py`), the same work runs while the browser is still loading Streamlit's frontend; the first
run then finds the modules imported and the models loaded (handed over by `ui.preloaded`). The models' answers
to the first page's sentences are remembered on disk (`seqcore.remembered`): from the second start on, the first
page is drawn from them and torch is imported only once it is drawn (`warm_up` says both orders). Nothing here
touches Streamlit's API (no caches, no session), so it needs no script context and prints nothing.
"""

from __future__ import annotations

import json
import logging
import os
import sys
import threading
import time
from pathlib import Path

from seqcore.cells import CELLS
from ui import preloaded
from ui.config import COMPARED_MODELS, DEFAULT_SENTENCE, TASK_ORDER, TRAJECTORY_EXAMPLES, models_dir

log = logging.getLogger(__name__)
_started = threading.Event()
DEFAULT_SWITCH_INTERVAL = 0.001  # seconds (Python's default: 0.005)
FIRST_PAGE_WAIT_S = 30.0  # the longest the warm-up waits for the first page to be drawn before importing spaCy
DRAWING_S = 3.0  # after a first run, the time its browser takes to fetch the page's element code and draw it
_first_page_done = threading.Event()
_drawing: list[threading.Timer] = []  # the timer started by the first run's end
timings: dict[str, float] = {}  # step -> seconds, for bench/bench_cold_start.py and curious readers


def first_page_models(root: Path | None = None) -> list[Path]:
    """The folders of the models the first page compares when a session starts, picked as the page picks them
    (`ui.domains.trajectory_default`: the SST models when shipped, the sidebar's model first when it is one of
    them, then one per cell), but read from the JSON files directly (no Streamlit cache outside a script run)."""
    from seqcore.corpora import protocol_of

    found = []
    for folder in sorted(p for p in (root or models_dir()).iterdir() if p.is_dir() and not p.name.startswith(".")):
        try:
            card = json.loads((folder / "card.json").read_text(encoding="utf-8"))
            config = json.loads((folder / "config.json").read_text(encoding="utf-8"))
            task, cell = card.get("task") or config["task"], card.get("cell") or config["cell"]
        except (OSError, ValueError, KeyError, AttributeError):
            continue
        found.append((TASK_ORDER.get(task, 9), folder.name, cell, folder, protocol_of(card) if isinstance(card, dict) else None))
    found.sort(key=lambda f: (f[0], f[1]))
    sentiment = [f for f in found if f[0] == TASK_ORDER["sentiment"]]
    pool = [f for f in sentiment if f[4] == "sst"] or sentiment
    chosen = [found[0]] if found and found[0] in pool else []  # the sidebar starts on the first model
    for cell in CELLS:
        pick = next((f for f in pool if f[2] == cell and all(c[2] != cell for c in chosen)), None)
        if pick is not None and len(chosen) < COMPARED_MODELS:
            chosen.append(pick)
    return [f[3] for f in chosen]


def first_view_remembered(folders: list[Path]) -> bool:
    """Every first-page model's answer to the default sentence is remembered from an earlier start
    (`seqcore.remembered`): the first page can then be drawn without torch."""
    from seqcore.remembered import recall

    return bool(folders) and all(recall(folder, DEFAULT_SENTENCE) is not None for folder in folders)


def _wait_for_the_first_page_or_a_model_asked(wait_s: float) -> None:
    """Until the first page is drawn (`first_run_over`) or a run asks for a model (`ui.preloaded`), at most `wait_s`."""
    deadline = time.monotonic() + wait_s
    while not (_first_page_done.is_set() or preloaded.asked.is_set()) and time.monotonic() < deadline:
        _first_page_done.wait(min(0.02, max(0.0, deadline - time.monotonic())))


def warm_up(folders: list[Path] | None = None, wait_s: float = FIRST_PAGE_WAIT_S) -> dict[str, float]:
    """Import and load what the first page uses; return how long each step took (seconds).

    The models loaded are handed to the first run that asks for them (`ui.preloaded`), which waits for them
    rather than loading them a second time; their answers to the first page's sentences are remembered for the
    next start (`seqcore.remembered`). Two orders:

    - the first view remembered (every start after the first): the page draws its chart from the remembered
      answers, so only Plotly and pandas come first; torch, the models and spaCy wait until the first page is
      drawn (`first_run_over`) or a run asks for a model, at most `wait_s` seconds, so that they do not hold
      the interpreter lock while the browser fetches the page's code from this server;
    - otherwise: the first page's sentences' tokens (`seqcore.tokens.learn`: from the token cache after the
      first start), torch, the models, Plotly, pandas; spaCy once the first page is drawn.
    """

    def step(name: str, started: float) -> float:
        now = time.perf_counter()
        timings[name] = round(now - started, 3)
        return now

    timings.clear()
    folders = first_page_models() if folders is None else folders
    preloaded.announce(folders)
    try:
        t = time.perf_counter()
        from seqcore import tokens

        tokens.learn(TRAJECTORY_EXAMPLES)  # the first page's sentences: from the token cache, no spaCy (but once)
        t = step("the first page's sentences", t)
        remembered = first_view_remembered(folders)
        t = step("the first view remembered" if remembered else "the first view not remembered", t)
        if remembered:
            t = _plotly_and_pandas(step, t)
            _wait_for_the_first_page_or_a_model_asked(wait_s)
            t = time.perf_counter()
        t = _torch_and_models(folders, step, t)
        if not remembered:
            t = _plotly_and_pandas(step, t)
        # spaCy last, once the first page is drawn (in both orders): importing it (0.6 s of the interpreter lock) while
        # the browser fetches the page's element code from this server slowed that down by 0.3 s (measured); a
        # sentence typed before then imports it itself.
        _first_page_done.wait(wait_s)
        t = time.perf_counter()
        tokens.tokenizer()
        step("spaCy's tokenizer", t)
    finally:  # a failed step: no run waits for a model the warm-up will not load
        for folder in folders:
            preloaded.put(folder, None)
    return timings


def _torch_and_models(folders: list[Path], step, t: float) -> float:
    """Import torch, load the first page's models (handed to `ui.preloaded`) and remember their answers."""
    import torch  # noqa: F401  (imported here, in the warm-up's thread, not in the first run)

    from seqcore import remembered
    from seqcore.inference import Predictor
    from ui.models import set_torch_threads

    set_torch_threads()
    t = step("import torch", t)
    for folder in folders:
        predictor = None
        try:
            predictor = Predictor.load(folder)
            for text in dict.fromkeys([DEFAULT_SENTENCE, *TRAJECTORY_EXAMPLES]):  # kernels warm; the next start recalls them
                if remembered.recall(folder, text) is None:
                    remembered.remember(folder, text, predictor.trajectory(text))
        finally:
            preloaded.put(folder, predictor)
    return step("the first page's models", t)


def _plotly_and_pandas(step, t: float) -> float:
    import plotly.graph_objects as go
    import plotly.io

    plotly.io.to_json(go.Figure(go.Scatter(x=[0], y=[0])))  # Plotly's validators load on the first figure
    t = step("Plotly", t)
    import pandas  # noqa: F401  (the first page's table)

    return step("pandas", t)


def first_run_over() -> None:
    """A script run is over (app_script.py): the warm-up imports spaCy `DRAWING_S` later, once the browser has drawn."""
    if not _drawing:
        timer = threading.Timer(DRAWING_S, _first_page_done.set)
        timer.daemon = True
        _drawing.append(timer)
        timer.start()


def switch_interval() -> float:
    """The interpreter's switch interval while the warm-up runs (SEQCORE_SWITCH_INTERVAL, seconds; default 0.001).

    The warm-up imports for seconds, holding the interpreter lock in long stretches. Meanwhile the server's event
    loop serves the frontend's files and the websocket, and the first script run draws the sidebar: each time one
    of them needs the lock it waits up to the switch interval, Python's 5 ms by default. At 1 ms they get in sooner
    (bench/bench_cold_start.py compares; 0.2 ms was no better than 5 ms: the switching itself costs).
    """
    try:
        return float(os.environ.get("SEQCORE_SWITCH_INTERVAL") or DEFAULT_SWITCH_INTERVAL)
    except ValueError:
        return DEFAULT_SWITCH_INTERVAL


def warm_up_quietly() -> None:
    """`warm_up`, once per process, at a short switch interval (`switch_interval`, then Python's again); a failure
    costs nothing but time (the first run loads what it needs)."""
    if _started.is_set():
        return
    _started.set()
    before, wanted = sys.getswitchinterval(), switch_interval()
    if wanted > 0:
        sys.setswitchinterval(wanted)
    try:
        warm_up()
    except Exception:
        log.debug("warm-up failed", exc_info=True)
    finally:
        sys.setswitchinterval(before)
