"""Experiments that run in a child process on the server's one pool, with results kept for every session.

The memory experiment (`ui.experiments`) and the cell lab (`ui.celllab`) each keep one `ChildRuns`: a run is
queued on the pool training shares (SEQCORE_MAX_TRAINING at once), polled by the session that started it, and
its result, once finished and not stopped, is kept under its settings so the next class sees it at once.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Hashable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Generic, TypeVar

if TYPE_CHECKING:  # annotations only: importing ui must not load torch
    from seqcore.background import ChildJob, TrainingPool

K = TypeVar("K", bound=Hashable)
R = TypeVar("R")


@dataclass
class ChildRuns(Generic[K, R]):
    pool: TrainingPool
    results: dict[K, R] = field(default_factory=dict)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def cached(self, key: K) -> R | None:
        """A finished (not stopped) result for these settings, from any session, or None."""
        with self.lock:
            return self.results.get(key)

    def start(self, job: ChildJob) -> ChildJob:
        """Queue `job` on the server's pool."""
        self.pool.submit(job)
        return job

    def poll(self, job: ChildJob, key_of: Callable[[ChildJob], K]) -> ChildJob:
        """Bring `job` up to date; keep its result for everyone once it finished unstopped."""
        self.pool.poll()
        job.poll()
        result: Any = job.result
        if job.done and result is not None and not result.stopped:
            with self.lock:
                self.results.setdefault(key_of(job), result)
        return job

    def ahead(self, job: ChildJob) -> int:
        """Runs queued before `job` on the server."""
        return self.pool.position(job)
