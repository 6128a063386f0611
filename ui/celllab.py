"""The cell lab in the background: `seqcore.celllab.run_lab` in a child process (`seqcore.background.ChildJob`, at low
priority), one lab per browser session, queued on the server's one pool behind training and the memory experiment;
finished results are kept per settings for every session, so the same choice shows its result at once.
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
    from seqcore.celllab import LabProgress, LabResult, LabRun, LabSettings

TARGET = "seqcore.celllab:run_lab"
LAB_TASKS = ("memory", "sentiment")  # what the page offers: the memory task at a length, or sentiment on a subset
# What the page runs beyond the reader's choices: small enough for seconds per run on a shared CPU.
LAB_EPOCHS = 3  # sentiment: epochs per run
LAB_TEST_SIZE = 500  # sentiment: sentences of the fixed test sample
LAB_MAX_SECONDS = 60.0  # each run's time budget
CHANCE = {"memory": 0.5}  # the memory task's two signals, A and B (seqcore.memory); sentiment's classes are unbalanced
SIGNIFICANCE = 0.05  # the level at which a Welch p-value is called significant in words


@dataclass(frozen=True)
class LabChoice:
    """What the page lets a reader choose; everything else is `LabSettings`' default or the page's constants above."""

    task: str
    variants: tuple[str, ...]
    seeds: int
    length: int
    subset: int

    @classmethod
    def of(cls, task: str, variants: Sequence[str], seeds: int, length: int, subset: int) -> LabChoice:
        """Choices in one spelling (variants in the library's order; the unused size fixed), so equal choices share a result."""
        memory = task == "memory"
        return cls(
            task, tuple(c for c in CELLS if c in variants), int(seeds), int(length) if memory else 0, 0 if memory else int(subset)
        )

    def settings(self) -> LabSettings:
        """The experiment these choices describe (raises ValueError for choices LabSettings refuses)."""
        from seqcore.celllab import LabSettings

        sizes = {"length": self.length} if self.task == "memory" else {"subset": self.subset}
        return LabSettings(
            task=self.task,
            variants=self.variants,
            seeds=self.seeds,
            epochs=LAB_EPOCHS,
            test_size=LAB_TEST_SIZE,
            max_seconds=LAB_MAX_SECONDS,
            **sizes,
        )


@st.cache_resource(show_spinner=False)
def _shared() -> ChildRuns[LabChoice, LabResult]:
    """The server's one pool (shared with training and the memory experiment) and the lab's result store."""
    from ui.trainer import trainer

    return ChildRuns(trainer().pool)


def lab_defaults() -> tuple[tuple[str, ...], str | None]:
    """Greff et al.'s vanilla LSTM and its eight variants, and the baseline they are compared with."""
    from seqcore.celllab import BASELINES, GREFF_VARIANTS

    return GREFF_VARIANTS, BASELINES["lstm"]


def baseline_of(variants: Sequence[str]) -> str | None:
    """The baseline drawn in blue: the vanilla LSTM when chosen, else the GRU when chosen."""
    from seqcore.celllab import BASELINES

    return next((b for b in BASELINES.values() if b in variants), None)


def cached_result(choice: LabChoice) -> LabResult | None:
    """A finished (not stopped) result for these choices, from any session, or None."""
    return _shared().cached(choice)


def start_lab(choice: LabChoice) -> ChildJob:
    """Queue the lab in a child process; it becomes this session's lab job."""
    from seqcore.background import ChildJob

    job = ChildJob("celllab", TARGET, {"settings": choice.settings()})
    _shared().start(job)
    state.set_lab_job(job)
    return job


def job_choice(job: ChildJob) -> LabChoice:
    """The choices a job runs."""
    s = job.kwargs["settings"]
    return LabChoice.of(s.task, s.variants, s.seeds, s.length, s.subset)


def poll_lab() -> ChildJob | None:
    """Bring this session's lab job up to date; keep its result for everyone once it finished unstopped."""
    job = state.lab_job()
    if job is None:
        return None
    return _shared().poll(job, job_choice)


def finished_runs(job: ChildJob) -> list[LabRun]:
    """The runs that have finished so far."""
    return [p.done for p in job.progress if p.done is not None]


def partial_result(job: ChildJob) -> LabResult:
    """A result of the runs finished so far (its summary fills in as they arrive)."""
    from seqcore.celllab import LabResult

    return LabResult(job.kwargs["settings"], finished_runs(job))


def progress_of(job: ChildJob) -> tuple[float, str]:
    """How far the lab is (0-1) and where, in words."""
    if job.state == "queued":
        return 0.0, f"waiting: {_shared().ahead(job) + 1} run(s) on this server go first..."
    reports: list[LabProgress] = list(job.progress)
    if not reports:
        return 0.0, "starting a process for the lab (a few seconds)..."
    last = reports[-1]
    inner = 1.0 if last.done is not None else 0.0
    where = f"run {last.run + 1} of {last.runs}: {last.variant} with seed {last.seed}"
    if last.progress is not None and last.done is None:
        inner = last.progress.step / max(1, last.progress.total_steps)
        where += f", epoch {last.progress.epoch}"
    stopping = "stopping after the current step... " if job.stop_requested else ""
    return min(1.0, (last.run + inner) / last.runs), f"{stopping}{where}; {job.elapsed():.0f} s elapsed"


def measured(result: LabResult) -> list[str]:
    """What was measured, variant by variant, in words: mean ± spread, and the test against the baseline."""
    lines = []
    for r in result.summary():
        line = f"{r['variant']}: {r['accuracy_mean']:.1%} ± {r['accuracy_std']:.1%} over {r['seeds']} seeds"
        if r["p_value"] is not None:
            verdict = "significant" if r["p_value"] < SIGNIFICANCE else "not significant"
            line += f" ({r['difference']:+.1%} against {r['vs']}, Welch p = {r['p_value']:.3f}, {verdict} at {SIGNIFICANCE:.0%})"
        lines.append(line)
    return lines


def parameter_counts(choice: LabChoice) -> tuple[dict[str, int], int, int]:
    """Parameters of one recurrent layer of each chosen variant, at the sizes the chosen task trains (input, hidden)."""
    from seqcore.cells import cell_spec
    from seqcore.memory import MemoryTask

    if choice.task == "memory":
        E, H = MemoryTask.embedding_dim, MemoryTask.hidden_size
    else:
        settings = choice.settings()
        E, H = settings.embedding_dim, settings.hidden_size
    return {v: cell_spec(v).parameters(E, H) for v in choice.variants}, E, H


def findings(variants: Sequence[str]) -> list[dict]:
    """The published finding for each chosen variant, as table rows."""
    from seqcore.cells.variants import PAPER_FINDINGS

    return [{"variant": v, "published finding": PAPER_FINDINGS[v]} for v in variants if v in PAPER_FINDINGS]


def paper_summary() -> str:
    """Greff et al.'s findings in one sentence."""
    from seqcore.cells.variants import PAPER_SUMMARY

    return PAPER_SUMMARY
