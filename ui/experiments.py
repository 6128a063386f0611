"""The memory experiment in the background: `seqcore.memory.run_memory_experiment` in a child process
(`seqcore.background.ChildJob`, at low priority), one run per browser session, queued behind the others on
one server-wide pool; finished results are kept per settings for every session, so a rerun or another
student opening the same settings sees them at once.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

import streamlit as st

from seqcore.cells import CELLS
from ui import state
from ui.childruns import ChildRuns

if TYPE_CHECKING:  # annotations only: importing ui must not load torch
    from seqcore.background import ChildJob
    from seqcore.memory import MemoryProgress, MemoryResult, MemoryRun, MemoryTask

TARGET = "seqcore.memory:run_memory_experiment"


@dataclass(frozen=True)
class MemorySettings:
    """What the page lets a reader choose; everything else is `MemoryTask`'s default."""

    lengths: tuple[int, ...]
    cells: tuple[str, ...]
    seed: int

    @classmethod
    def of(cls, lengths: Sequence[int], cells: Sequence[str], seed: int) -> MemorySettings:
        """Settings in one spelling (lengths sorted, cells in the library's order), so equal choices share a result."""
        return cls(tuple(sorted({int(n) for n in lengths})), tuple(c for c in CELLS if c in cells), int(seed))

    def task(self) -> MemoryTask:
        """The experiment these settings describe (raises ValueError for settings MemoryTask refuses)."""
        from seqcore.memory import MemoryTask

        return MemoryTask(lengths=self.lengths, cells=self.cells, seed=self.seed)


@st.cache_resource(show_spinner=False)
def _shared() -> ChildRuns[MemorySettings, MemoryResult]:
    """The server's one pool (training and experiments share it: SEQCORE_MAX_TRAINING runs at once, default 1) and
    one result store."""
    from ui.trainer import trainer

    return ChildRuns(trainer().pool)


def memory_defaults() -> tuple[tuple[int, ...], tuple[str, ...]]:
    """The library's default lengths and cells (MemoryTask's)."""
    from seqcore.memory import MemoryTask

    task = MemoryTask()
    return task.lengths, task.cells


def cached_result(settings: MemorySettings) -> MemoryResult | None:
    """A finished (not stopped) result for these settings, from any session, or None."""
    return _shared().cached(settings)


def start_memory(settings: MemorySettings) -> ChildJob:
    """Queue the experiment in a child process; it becomes this session's memory job."""
    from seqcore.background import ChildJob

    job = ChildJob("memory", TARGET, {"task": settings.task()})
    _shared().start(job)
    state.set_memory_job(job)
    return job


def job_settings(job: ChildJob) -> MemorySettings:
    """The settings a job runs."""
    task = job.kwargs["task"]
    return MemorySettings.of(task.lengths, task.cells, task.seed)


def poll_memory() -> ChildJob | None:
    """Bring this session's memory job up to date; keep its result for everyone once it finished unstopped."""
    job = state.memory_job()
    if job is None:
        return None
    return _shared().poll(job, job_settings)


def waiting_ahead(job: ChildJob) -> int:
    """Runs queued before this one on the server."""
    return _shared().ahead(job)


def finished_runs(job: ChildJob) -> list[MemoryRun]:
    """The runs of the grid that have finished so far."""
    return [p.done for p in job.progress if p.done is not None]


def partial_table(settings: MemorySettings, runs: list[MemoryRun]) -> dict[str, list[float | None]]:
    """Accuracy against length per cell from the runs finished so far (None where a run has not finished)."""
    found = {(r.cell, r.length): r.accuracy for r in runs if not r.stopped_by_user}
    return {cell: [found.get((cell, n)) for n in settings.lengths] for cell in settings.cells}


def progress_of(job: ChildJob) -> tuple[float, str]:
    """How far the grid is (0-1) and where, in words."""
    if job.state == "queued":
        return 0.0, f"waiting: {waiting_ahead(job) + 1} run(s) on this server go first..."
    reports: list[MemoryProgress] = list(job.progress)
    if not reports:
        return 0.0, "starting a process for the experiment (a few seconds)..."
    last = reports[-1]
    inner = 1.0 if last.done is not None else 0.0
    where = f"run {last.run + 1} of {last.runs}: {last.cell.upper()} on sequences of {last.length} words"
    if last.progress is not None and last.done is None:
        inner = last.progress.step / max(1, last.progress.total_steps)
        where += f", epoch {last.progress.epoch}"
        this_run = [p.progress for p in reports if p.run == last.run and p.progress is not None]
        dev = [p.dev_accuracy for p in this_run if p.kind == "epoch" and p.dev_accuracy is not None]
        if dev:
            where += f" (dev accuracy so far {dev[-1]:.0%})"
    stopping = "stopping after the current step... " if job.stop_requested else ""
    return min(1.0, (last.run + inner) / last.runs), f"{stopping}{where}; {job.elapsed():.0f} s elapsed"


def measured(result: MemoryResult) -> list[str]:
    """What was measured, cell by cell, in words: test accuracy at each length (50% is chance)."""
    lines = []
    for cell, values in result.table().items():
        parts = [f"{a:.0%} at {n}" for n, a in zip(result.task.lengths, values) if a is not None]
        if parts:
            lines.append(f"{cell.upper()}: {', '.join(parts)} words")
    return lines
