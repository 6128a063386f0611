"""Interactive work a server is doing right now, shared with its training children so they step aside.

SCHED_IDLE and a nice value keep a training child off a core the server wants *at that instant*, but on a
2-core machine the child still fills every gap: between two of a page's operations, while the server waits
for a browser, while a browser draws the figures the server just sent (that drawing is part of what a user
waits for). A `Foreground` is a tiny piece of shared memory: the server marks each script run with
`working()`, and a child calls `wait_quiet()` between two training steps, which sleeps while a run is in
progress or ended less than `hold` seconds ago (the browser is still drawing), at most `most` seconds in one
go so that training still moves while people keep clicking.

It imports no torch, so the app can mark its runs before any model is loaded.
"""

from __future__ import annotations

import contextlib
import multiprocessing as mp
import time
from collections.abc import Iterator
from typing import Any

HOLD_SECONDS = 0.5  # after a run ends, its browser still draws: children keep waiting this long
MOST_SECONDS = 2.0  # the longest one wait lasts: under constant use a child still takes a step every 2 s
POLL_SECONDS = 0.01


def start_method() -> str:
    """The start method seqcore's children use: a fork server where there is one, else spawn (never plain fork)."""
    return "forkserver" if "forkserver" in mp.get_all_start_methods() else "spawn"


class Foreground:
    """A count of script runs in progress and when the last one ended, readable from child processes."""

    def __init__(self, hold: float = HOLD_SECONDS, most: float = MOST_SECONDS) -> None:
        if hold < 0 or most < 0:
            raise ValueError(f"hold and most must be >= 0 seconds, got hold={hold!r}, most={most!r}")
        self.hold, self.most = hold, most
        # [runs in progress, time.monotonic() when the last ended]; CLOCK_MONOTONIC is one clock for every process
        self._state: Any = mp.get_context(start_method()).Array("d", 2)

    @contextlib.contextmanager
    def working(self) -> Iterator[None]:
        """Mark a stretch of interactive work (one script run) for as long as the block lasts."""
        with self._state.get_lock():
            self._state[0] += 1
        try:
            yield
        finally:
            with self._state.get_lock():
                self._state[0] -= 1
                self._state[1] = time.monotonic()

    def busy(self) -> bool:
        """Whether a run is in progress or ended less than `hold` seconds ago."""
        runs, ended = self._state[0], self._state[1]
        return runs > 0 or (ended > 0 and time.monotonic() - ended < self.hold)

    def wait_quiet(self) -> float:
        """Sleep while `busy()`, at most `most` seconds; return the seconds waited."""
        start = time.monotonic()
        while self.busy() and time.monotonic() - start < self.most:
            time.sleep(POLL_SECONDS)
        return time.monotonic() - start
