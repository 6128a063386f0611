"""The models the server's warm-up loaded, handed once to the first run that asks for them.

The warm-up (`ui.warmup`, started as the server starts) loads the first page's models while the browser is
still fetching Streamlit's frontend. The pages' model cache is Streamlit's (`ui.models._load_predictor`), which
the warm-up cannot fill outside a script run, so the first run used to load each of those models a second
time. Now the cache's loader takes the warm-up's copy; if the warm-up has said it will load a model and is
still at it, the loader waits for it (at most `WAIT_S`) instead of reading the same files beside it on the
same cores. A copy is given once, and only while its folder is unchanged (`folder_time`); otherwise the
loader loads the model itself, as before.
"""

from __future__ import annotations

import threading
from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # annotations only: importing ui must not load torch
    from seqcore.inference import Predictor

WAIT_S = 30.0  # the longest a run waits for a model the warm-up is loading (seconds)

_lock = threading.Lock()
asked = threading.Event()  # set once a run asks for a model: a warm-up holding back its torch import goes on at once
_coming: dict[str, threading.Event] = {}  # folder -> set once the warm-up is done with it (loaded or not)
_loaded: dict[str, tuple[float, Predictor]] = {}  # folder -> (its folder_time when loaded, the model)


def folder_time(path: Path) -> float:
    """The newest modification time of a model folder's files (0.0 if it cannot be read): it changes when the model does."""
    try:
        return max(p.stat().st_mtime for p in path.iterdir())
    except (OSError, ValueError):
        return 0.0


def _key(path: str | Path) -> str:
    return str(Path(path).resolve())


def announce(folders: Iterable[Path]) -> None:
    """The warm-up will load these folders' models (a run asking for one waits for it)."""
    with _lock:
        for folder in folders:
            _coming.setdefault(_key(folder), threading.Event())


def put(folder: Path, predictor: Predictor | None) -> None:
    """The warm-up is done with a folder: its loaded model, or None when loading failed."""
    key = _key(folder)
    with _lock:
        event = _coming.get(key)
        if event is None:  # not announced, or a run stopped waiting for it and loaded its own
            return
        if predictor is not None:
            _loaded[key] = (folder_time(Path(folder)), predictor)
        event.set()


def take(path: str | Path, wait: float = WAIT_S) -> Predictor | None:
    """The warm-up's model of a folder, once (waiting for it while it loads); None if it has none or the folder changed."""
    asked.set()
    key = _key(path)
    with _lock:
        event = _coming.get(key)
    if event is None:
        return None
    event.wait(wait)
    with _lock:
        _coming.pop(key, None)
        found = _loaded.pop(key, None)
    if found is None or found[0] != folder_time(Path(path)):
        return None
    return found[1]
