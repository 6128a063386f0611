"""The server's training runs: one capped pool per server process, polled by a thread, and runs whose session went away.

One `Trainer` per server process (`st.cache_resource`) holds the `seqcore.background.TrainingPool` that caps
concurrent runs (SEQCORE_MAX_TRAINING, default 1; the others queue, in order) and a thread that polls it, so
runs start, finish and are noticed whether or not a page is open. Each browser session's runs are a
session-scoped resource (`session_runs`): Streamlit releases it when the session disconnects, and its runs
are killed `TRAIN_ORPHAN_SECONDS` later unless the session reconnects and takes them back.
"""

from __future__ import annotations

import contextlib
import threading
import time
from collections.abc import Iterator
from typing import TYPE_CHECKING

import streamlit as st

from ui.config import POLL_SECONDS, TRAIN_ORPHAN_SECONDS

if TYPE_CHECKING:  # annotations only: importing ui must not load torch
    from seqcore.background import TrainingJob, TrainingPool
    from seqcore.foreground import Foreground


class Trainer:
    """The server's training runs: a capped pool, a thread that polls it, and the runs whose session went away."""

    def __init__(self, max_running: int, poll_seconds: float = POLL_SECONDS, orphan_seconds: float = TRAIN_ORPHAN_SECONDS):
        from seqcore.background import TrainingPool

        self.pool: TrainingPool = TrainingPool(max_running, foreground())
        self.orphan_seconds = orphan_seconds
        self._orphans: dict[int, tuple[TrainingJob, float]] = {}
        self._lock = threading.Lock()
        self._thread = threading.Thread(target=self._loop, args=(poll_seconds,), name="seqcore-trainer", daemon=True)
        self._thread.start()

    def _loop(self, every: float) -> None:
        while True:
            time.sleep(every)
            try:
                self.tick()
            except Exception:  # noqa: BLE001, S112 - the poller must outlive any one bad run
                continue

    def tick(self) -> None:
        """Bring every run's news in, start queued runs, and kill runs abandoned for longer than `orphan_seconds`."""
        self.pool.poll()
        now = time.monotonic()
        with self._lock:
            for key, (job, since) in list(self._orphans.items()):
                if job.done:
                    del self._orphans[key]
                elif now - since > self.orphan_seconds:
                    job.kill()
                    del self._orphans[key]

    def submit(self, job: TrainingJob) -> None:
        self.pool.submit(job)

    def orphan(self, job: TrainingJob) -> None:
        """Its session went away: kill the run unless a session takes it back in time."""
        with self._lock:
            if not job.done:
                self._orphans.setdefault(id(job), (job, time.monotonic()))

    def adopt(self, job: TrainingJob) -> None:
        """A session (back again) watches the run: it is nobody's orphan."""
        with self._lock:
            self._orphans.pop(id(job), None)


@st.cache_resource(show_spinner=False)
def foreground() -> Foreground:
    """The server's interactive work, shared with its training children (they wait between steps while it runs)."""
    from seqcore.foreground import Foreground  # no torch

    return Foreground()


@contextlib.contextmanager
def page_work() -> Iterator[None]:
    """Mark one script run as interactive work: training children step aside until it (and its drawing) is over."""
    with foreground().working():
        yield


@st.cache_resource(show_spinner=False)
def trainer() -> Trainer:
    """The one Trainer of this server process."""
    from seqcore.background import max_training_runs

    return Trainer(max_training_runs())


class SessionRuns:
    """The runs one browser session started; released (by Streamlit) when the session disconnects."""

    def __init__(self, owner: Trainer) -> None:
        self.owner = owner
        self.jobs: list[TrainingJob] = []

    def watch(self, job: TrainingJob) -> None:
        if not any(j is job for j in self.jobs):
            self.jobs.append(job)
        self.owner.adopt(job)

    def release(self) -> None:
        for job in self.jobs:
            self.owner.orphan(job)


@st.cache_resource(scope="session", on_release=SessionRuns.release, show_spinner=False)
def session_runs() -> SessionRuns:
    """This session's runs (a session-scoped resource: released when the session goes away)."""
    return SessionRuns(trainer())
