"""Trajectories remembered across server starts: a model's answer to a sentence, kept on disk, keyed by what made it.

The app's first page opens on a default sentence read by three models. Computing their trajectories needs
torch, whose import holds the interpreter lock for about a second on a 2-core machine, so a cold server sent
its first chart only once torch was in. The answer is the same at every start: the same weights, the same
sentence, the same code. So the server's warm-up keeps it (`remember`, JSON under the cache folder of
`seqcore.tokens.cache_dir`), and a later start reads it back (`recall`) and draws the first page before
torch is imported (bench/bench_cold_start.py measures it).

The key is a SHA-256 of the model folder's files (names and bytes), the sentence, seqcore's own source and the
installed versions of torch, spaCy and numpy: change any of them and the answer is computed again. A missing,
unreadable or malformed file is the same as none. Nothing here imports torch or spaCy.
"""

from __future__ import annotations

import functools
import hashlib
import json
import math
import os
from pathlib import Path

import numpy as np

from seqcore.readouts import Trajectory
from seqcore.tokens import cache_dir, write_cache_file

FORMAT = "seqcore-trajectory-v1"
KEEP = 64  # files kept; the least recently written go first
PACKAGES = ("torch", "spacy", "numpy")  # their versions are part of the key (an answer computed by other code differs)
SOURCE = Path(__file__).resolve().parent  # seqcore's own source: part of the key


@functools.cache
def code_digest() -> str:
    """A SHA-256 of seqcore's Python source (every file's path and bytes) and the installed versions of `PACKAGES`."""
    from importlib.metadata import PackageNotFoundError, version

    h = hashlib.sha256(FORMAT.encode())
    for name in PACKAGES:
        try:
            h.update(f"\0{name} {version(name)}".encode())
        except PackageNotFoundError:
            h.update(f"\0{name} -".encode())
    for path in sorted(SOURCE.rglob("*.py")):
        h.update(b"\0" + str(path.relative_to(SOURCE)).encode() + b"\0")
        h.update(path.read_bytes())
    return h.hexdigest()


def _stamp(folder: Path) -> tuple:
    """What a model folder's files look like from outside (names, sizes, times): its digest is recomputed when it changes."""
    return tuple(sorted((p.name, s.st_size, s.st_mtime_ns) for p in folder.iterdir() if p.is_file() for s in [p.stat()]))


@functools.lru_cache(maxsize=64)
def _digest(folder: Path, stamp: tuple) -> str:
    h = hashlib.sha256()
    for name, *_ in stamp:
        h.update(b"\0" + name.encode() + b"\0")
        with open(folder / name, "rb") as f:
            for block in iter(lambda: f.read(1 << 20), b""):
                h.update(block)
    return h.hexdigest()


def model_digest(folder: str | os.PathLike) -> str:
    """A SHA-256 of a model folder's files, names and bytes (recomputed only when a file's size or time changes)."""
    path = Path(folder).resolve()
    return _digest(path, _stamp(path))


def key(folder: str | os.PathLike, text: str) -> str:
    """The key of a model's answer to `text`: the model's bytes, the text and the code (see the module doc)."""
    h = hashlib.sha256(f"{FORMAT}\0{code_digest()}\0{model_digest(folder)}\0".encode())
    h.update(text.encode("utf-8", "surrogatepass"))
    return h.hexdigest()


def _path(folder: str | os.PathLike, text: str) -> Path | None:
    where = cache_dir()
    if where is None:
        return None
    try:
        return where / f"trajectory-{key(folder, text)}.json"
    except OSError:  # the model folder cannot be read: nothing to remember it by
        return None


def recall(folder: str | os.PathLike, text: str) -> Trajectory | None:
    """The remembered trajectory of the model in `folder` on `text`, or None (none kept, the cache off, or a bad file)."""
    path = _path(folder, text)
    if path is None:
        return None
    try:
        saved = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return _trajectory(saved, path.name)


def _trajectory(saved: object, name: str) -> Trajectory | None:
    """The trajectory a file holds, if it is one of ours and well formed (tokens and labels strings, probabilities in [0, 1])."""
    if not isinstance(saved, dict) or saved.get("format") != FORMAT or f"trajectory-{saved.get('key')}.json" != name:
        return None
    tokens, labels, probs = saved.get("tokens"), saved.get("labels"), saved.get("probs")
    if not (isinstance(tokens, list) and isinstance(labels, list) and isinstance(probs, list)):
        return None
    if not tokens or not labels or not all(isinstance(x, str) for x in tokens + labels):
        return None
    if len(probs) != len(tokens) or any(not isinstance(row, list) or len(row) != len(labels) for row in probs):
        return None
    if not all(isinstance(p, float) and math.isfinite(p) and 0.0 <= p <= 1.0 for row in probs for p in row):
        return None
    return Trajectory(tokens=tokens, labels=labels, probs=np.array(probs, dtype=np.float64))


def remember(folder: str | os.PathLike, text: str, trajectory: Trajectory) -> bool:
    """Keep a trajectory for `recall` (written whole or not at all; the KEEP newest files kept). False if it was not kept."""
    path = _path(folder, text)
    if path is None:
        return False
    saved = {
        "format": FORMAT,
        "key": path.name.removeprefix("trajectory-").removesuffix(".json"),
        "tokens": list(trajectory.tokens),
        "labels": list(trajectory.labels),
        "probs": np.asarray(trajectory.probs, dtype=np.float64).tolist(),  # floats in JSON: read back bit for bit
    }
    data = json.dumps(saved).encode("utf-8")
    return write_cache_file(path, lambda f: f.write(data), KEEP)
