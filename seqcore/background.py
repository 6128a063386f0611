"""Train in a child process at low priority, so a server's interactive work keeps its CPU.

A `TrainingJob` runs `seqcore.pipeline.fit` in a process of its own (from a fork server, or
spawned; never a fork of the server itself, so no lock or thread of the parent is copied), lowered with `os.nice`
(and, on Linux, scheduled as SCHED_IDLE: it runs on cores nothing else wants) and limited to a few torch
threads; between two steps it also waits while the server is busy with a page and a little after
(`seqcore.foreground`). The parent polls it: progress reports arrive through a queue, Stop sets an event that
`fit` checks between steps, and the finished model comes back as a checkpoint folder (safetensors
and JSON, never a pickle of the model). A crash, a kill or a runaway run ends the child, not the
server. A `TrainingPool` caps how many jobs run at once; the others wait in a queue, in order.
A job can carry a time limit (`max_seconds`: the run then ends between two steps as Stop ends it,
keeping the best model so far), and a child whose server died ends itself and removes its files,
so nothing trains on for nobody: the server holds the only write end of a pipe the child watches,
and the kernel closes it when the server goes, however it goes.

`ChildJob` is the same machinery for any long seqcore function that takes `on_progress` and
`should_stop` (the memory experiment, `seqcore.memory.run_memory_experiment`): it is named by
"module:function", its progress reports and its return value come back through the queue, and a
`TrainingPool` queues it like a training job.

Nothing here knows of any UI: the app polls `TrainingPool.poll()` from its pages.
"""

from __future__ import annotations

import contextlib
import importlib
import multiprocessing as mp
import os
import queue
import shutil
import tempfile
import threading
import time
import traceback
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, TypeVar

from seqcore.batching import Example
from seqcore.foreground import Foreground, start_method
from seqcore.training import Progress, TrainConfig, TrainResult

DEFAULT_NICE = 10  # scheduling priority added to the child: the kernel favours the server's threads
DEFAULT_THREADS = 1  # torch threads in the child: one core stays free for the pages on a 2-core machine


@dataclass
class FinishedTraining:
    """What a finished job hands back: the checkpoint folder, the run's summary and the dev split."""

    folder: Path
    result: TrainResult
    card: dict
    dev_examples: list[Example]
    timed_out: bool = False  # ended by the job's time limit, not by a Stop


def _child(
    events: Any,
    stop: Any,
    spec: Any,
    train_cfg: TrainConfig,
    examples: list[Example],
    data: dict,
    out: str,
    nice: int,
    threads: int,
    max_seconds: float | None = None,
    server_alive: Any = None,
    foreground: Foreground | None = None,
) -> None:
    """Train in the child process and report through `events`; every outcome ends with one final event."""
    deadline = None if max_seconds is None else time.monotonic() + max_seconds
    why: list[str] = []

    def should_stop() -> bool:
        if foreground is not None:  # between two steps: let the server's pages (and their browsers) go first
            foreground.wait_quiet()
        if server_alive is not None and server_alive.poll():  # nothing is ever sent: readable means EOF, the server is gone
            why.append("orphaned")
            return True
        if deadline is not None and time.monotonic() > deadline:
            why.append("timed out")
            return True
        return stop.is_set()

    try:
        if nice and not hasattr(os, "setpriority"):
            os.nice(nice)
        import torch

        torch.set_num_threads(threads)
        from seqcore.pipeline import fit, save_fit

        fitted = fit(
            spec,
            train_cfg,
            examples,
            data=data,
            on_progress=lambda p: events.put(("progress", asdict(p))),
            should_stop=should_stop,
        )
        if "orphaned" in why:  # nobody is left to collect the model: leave nothing behind
            shutil.rmtree(Path(out).parent, ignore_errors=True)
            os._exit(3)
        save_fit(out, fitted)
        payload = {"result": fitted.result.to_dict(), "card": fitted.card, "dev": fitted.dev_examples}
        events.put(("done", {**payload, "timed_out": "timed out" in why}))
    except BaseException as err:  # noqa: BLE001 - reported to the parent, which shows it
        message = str(err.args[0]) if isinstance(err, KeyError) and err.args else str(err)
        events.put(("error", {"message": message or type(err).__name__, "trace": traceback.format_exc()}))


def _context() -> Any:
    """A fork server where there is one (a clean single-threaded process that has imported seqcore once, so
    each child starts in a fraction of a second), else spawn. Never a plain fork of a threaded server."""
    ctx = mp.get_context(start_method())
    if start_method() == "forkserver":
        ctx.set_forkserver_preload(["seqcore.pipeline"])
    return ctx


def _lower(pid: int, nice: int, idle: bool) -> None:
    """Lower a child at once from the parent (it needs seconds of imports before its own code runs): `nice` more,
    and on Linux SCHED_IDLE when `idle` (it runs only on a core nothing else wants; a nice value still gets a
    share of a busy core)."""
    if nice and hasattr(os, "setpriority"):
        os.setpriority(os.PRIO_PROCESS, pid, min(19, os.getpriority(os.PRIO_PROCESS, pid) + nice))
    if idle and hasattr(os, "SCHED_IDLE"):
        with contextlib.suppress(OSError):
            os.sched_setscheduler(pid, os.SCHED_IDLE, os.sched_param(0))


def _result_from_dict(d: dict) -> TrainResult:
    history = [Progress(**p) for p in d.get("history", [])]
    keep = {k: v for k, v in d.items() if k not in ("history", "dev_metrics")}
    return TrainResult(**keep, history=history)


class _ChildProcess:
    """What a job in a child process shares: its state, Stop, kill, polling its events, and its clock.

    A job class declares the fields (`error`, `progress`, `_process`, `_events`, `_stop`, ...), `_ended()`
    (whether its final result came) and `_handle()` (one event from the child).
    """

    what = "process"  # how messages name the child
    error: str | None
    started_at: float | None
    ended_at: float | None
    nice: int
    idle: bool
    _process: Any
    _events: Any
    _stop: Any
    _stop_requested: bool

    def _ended(self) -> bool:
        raise NotImplementedError

    def _handle(self, kind: str, payload: Any) -> None:
        raise NotImplementedError

    def _released(self) -> None:
        """Give back what the job holds once it failed or was killed (nothing by default)."""

    @property
    def state(self) -> str:
        """One of queued, running, done, failed."""
        if self.error is not None:
            return "failed"
        if self._ended():
            return "done"
        return "queued" if self._process is None else "running"

    @property
    def done(self) -> bool:
        return self.state in ("done", "failed")

    @property
    def stop_requested(self) -> bool:
        return self._stop_requested

    def _launch(self, ctx: Any, target: Any, args: tuple, name: str) -> None:
        """Start `target(*args)` in a lowered child process (the pool calls `start`, which calls this)."""
        self._process = ctx.Process(target=target, args=args, name=name, daemon=True)
        self._process.start()
        _lower(self._process.pid, self.nice, self.idle)
        self.started_at = time.perf_counter()
        if self._stop_requested:
            self._stop.set()

    def stop(self) -> None:
        """Ask the child to end at its next check between two steps; a queued job is dropped."""
        self._stop_requested = True
        if self._stop is not None:
            self._stop.set()
        elif self._process is None and not self.done:
            self.error = "stopped before it started"
            self.ended_at = time.perf_counter()

    def kill(self) -> None:
        """End the child at once and give back what it holds (a session that goes away calls this)."""
        if self._process is not None and self._process.is_alive():
            self._process.kill()
            self._process.join(5)
        if not self.done:
            self.error = f"the {self.what} was ended"
            self.ended_at = time.perf_counter()
        self._released()

    def poll(self) -> None:
        """Read every event the child has sent; notice a child that died without a word."""
        if self._process is None or self.done:
            return
        while not self.done:
            try:
                # A dead child may still have its last event in the pipe: wait a moment for it.
                event = self._events.get(timeout=1.0) if not self._process.is_alive() else self._events.get_nowait()
            except queue.Empty:
                break
            self._handle(*event)
        if not self.done and not self._process.is_alive():
            code = self._process.exitcode
            why = " (killed: out of memory, or ended by the system)" if code is not None and code < 0 else ""
            self.error = f"the {self.what} ended unexpectedly with exit code {code}{why}"
            self.ended_at = time.perf_counter()
        if self.done:
            self._process.join(10)
            if self.error is not None:
                self._released()  # a failed run leaves nothing to collect

    def elapsed(self) -> float:
        """Seconds since the job started (0 while queued)."""
        if self.started_at is None:
            return 0.0
        return (self.ended_at or time.perf_counter()) - self.started_at


@dataclass
class TrainingJob(_ChildProcess):
    """One training run in a child process; `poll()` brings its news into this object."""

    what = "training process"

    name: str
    spec: Any
    train_cfg: TrainConfig
    examples: Sequence[Example]
    data: dict = field(default_factory=dict)
    nice: int = DEFAULT_NICE
    threads: int = DEFAULT_THREADS
    max_seconds: float | None = None  # end the run (keeping the best model so far) after this long
    idle: bool = True  # Linux: schedule the child as SCHED_IDLE, on cores nothing else wants
    foreground: Foreground | None = None  # the server's interactive work: the child waits between steps while it runs
    progress: list[Progress] = field(default_factory=list)
    error: str | None = None
    finished: FinishedTraining | None = None
    queued_at: float = field(default_factory=time.perf_counter)
    started_at: float | None = None
    ended_at: float | None = None
    _process: Any = None
    _events: Any = None
    _stop: Any = None
    _folder: Path | None = None
    _alive: Any = None  # the write end of the pipe the child watches; closed when this server process ends
    _stop_requested: bool = False

    def _ended(self) -> bool:
        return self.finished is not None

    def _released(self) -> None:
        self.cleanup()

    def start(self) -> None:
        """Start the child process (the pool calls this when a slot is free)."""
        ctx = _context()
        self._events, self._stop = ctx.Queue(), ctx.Event()
        self._folder = Path(tempfile.mkdtemp(prefix="seqcore-train-"))
        out = str(self._folder / self.name)
        alive_r, self._alive = ctx.Pipe(duplex=False)
        args = (
            self._events,
            self._stop,
            self.spec,
            self.train_cfg,
            list(self.examples),
            self.data,
            out,
            self.nice,
            self.threads,
            self.max_seconds,
            alive_r,
            self.foreground,
        )
        self._launch(ctx, _child, args, f"seqcore-train-{self.name}")
        alive_r.close()  # the child has its own copy; this process keeps only the write end

    def cleanup(self) -> None:
        """Remove the job's temporary checkpoint folder."""
        if self._folder is not None:
            shutil.rmtree(self._folder, ignore_errors=True)
        if self._alive is not None and self.done:
            self._alive.close()
            self._alive = None

    def _handle(self, kind: str, payload: dict) -> None:
        if kind == "progress":
            self.progress.append(Progress(**payload))
            return
        self.ended_at = time.perf_counter()
        if kind == "done":
            assert self._folder is not None
            result = _result_from_dict(payload["result"])
            self.finished = FinishedTraining(
                self._folder / self.name, result, payload["card"], payload["dev"], bool(payload.get("timed_out"))
            )
        else:
            self.error = payload["message"]

    def fraction(self) -> float:
        """Share of the planned steps done (an upper bound on the work left when early stopping)."""
        if not self.progress:
            return 0.0
        last = self.progress[-1]
        return min(1.0, last.step / max(1, last.total_steps))

    def seconds_left(self) -> float | None:
        """Time left if every remaining step runs as fast as the steps so far."""
        if not self.progress or self.progress[-1].step == 0:
            return None
        last = self.progress[-1]
        return last.elapsed / last.step * max(0, last.total_steps - last.step)

    def epochs(self) -> list[dict]:
        """The epoch reports so far, as dicts (for a chart or a table)."""
        return [asdict(p) for p in self.progress if p.kind == "epoch"]


def _run_target(
    events: Any, stop: Any, target: str, kwargs: dict, nice: int, threads: int, foreground: Foreground | None = None
) -> None:
    """Call `target` in the child with progress and Stop relayed; every outcome ends with one final event."""

    def should_stop() -> bool:
        if foreground is not None:
            foreground.wait_quiet()
        return bool(stop.is_set())

    try:
        if nice and not hasattr(os, "setpriority"):
            os.nice(nice)
        import torch

        torch.set_num_threads(threads)
        module, _, name = target.partition(":")
        function = getattr(importlib.import_module(module), name)
        result = function(**kwargs, on_progress=lambda p: events.put(("progress", p)), should_stop=should_stop)
        events.put(("done", result))
    except BaseException as err:  # noqa: BLE001 - reported to the parent, which shows it
        message = str(err.args[0]) if isinstance(err, KeyError) and err.args else str(err)
        events.put(("error", {"message": message or type(err).__name__, "trace": traceback.format_exc()}))


@dataclass
class ChildJob(_ChildProcess):
    """Run `target(**kwargs, on_progress=..., should_stop=...)` in a child process; `poll()` brings its news here.

    `target` is "seqcore.module:function" (only seqcore's own functions run this way). Progress
    reports arrive in `progress` as the function sends them, its return value in `result`; they
    cross the process boundary through a multiprocessing queue, so both must be plain data
    (dataclasses of numbers and strings), never a model.
    """

    name: str
    target: str
    kwargs: dict = field(default_factory=dict)
    nice: int = DEFAULT_NICE
    threads: int = DEFAULT_THREADS
    idle: bool = True  # Linux: schedule the child as SCHED_IDLE, on cores nothing else wants
    foreground: Foreground | None = None  # the server's interactive work: the child waits between steps while it runs
    progress: list[Any] = field(default_factory=list)
    result: Any = None
    error: str | None = None
    finished: bool = False
    queued_at: float = field(default_factory=time.perf_counter)
    started_at: float | None = None
    ended_at: float | None = None
    _process: Any = None
    _events: Any = None
    _stop: Any = None
    _stop_requested: bool = False

    def __post_init__(self) -> None:
        module, sep, name = self.target.partition(":")
        if not sep or not name or not (module == "seqcore" or module.startswith("seqcore.")):
            raise ValueError(f"target must name a seqcore function as 'seqcore.module:function', got {self.target!r}")

    def _ended(self) -> bool:
        return self.finished

    def start(self) -> None:
        """Start the child process (the pool calls this when a slot is free)."""
        ctx = _context()
        self._events, self._stop = ctx.Queue(), ctx.Event()
        args = (self._events, self._stop, self.target, dict(self.kwargs), self.nice, self.threads, self.foreground)
        self._launch(ctx, _run_target, args, f"seqcore-{self.name}")

    def _handle(self, kind: str, payload: Any) -> None:
        if kind == "progress":
            self.progress.append(payload)
        elif kind == "done":
            self.result, self.finished, self.ended_at = payload, True, time.perf_counter()
        else:
            self.error, self.ended_at = payload["message"], time.perf_counter()


Job = TypeVar("Job", "TrainingJob", ChildJob)


class TrainingPool:
    """At most `max_running` jobs (training or any `ChildJob`) run at once; the others wait, first come first served."""

    def __init__(self, max_running: int = 1, foreground: Foreground | None = None) -> None:
        if max_running < 1:
            raise ValueError(f"max_running must be >= 1, got {max_running}")
        self.max_running = max_running
        self.foreground = foreground  # given to every job that has none: its child steps aside while the server works
        self._jobs: list[TrainingJob | ChildJob] = []
        self._lock = threading.Lock()  # several sessions poll from their own threads

    def submit(self, job: Job) -> Job:
        """Queue a job; it starts at once when a slot is free."""
        if job.foreground is None:
            job.foreground = self.foreground
        with self._lock:
            self._jobs.append(job)
        self.poll()
        return job

    def poll(self) -> None:
        """Bring every job's news in and start queued jobs while slots are free."""
        with self._lock:
            for job in self._jobs:
                job.poll()
            self._jobs = [j for j in self._jobs if not j.done]
            running = sum(j.state == "running" for j in self._jobs)
            for job in self._jobs:
                if running >= self.max_running:
                    break
                if job.state == "queued" and not job.stop_requested:
                    job.start()
                    running += 1

    def position(self, job: TrainingJob | ChildJob) -> int:
        """Jobs ahead of `job` in the queue (0 when it runs or is first in line)."""
        with self._lock:
            waiting = [j for j in self._jobs if j.state == "queued"]
            return waiting.index(job) if job in waiting else 0

    def running(self) -> int:
        with self._lock:
            return sum(j.state == "running" for j in self._jobs)


def max_training_runs() -> int:
    """Concurrent training runs per server: SEQCORE_MAX_TRAINING, default 1."""
    raw = os.environ.get("SEQCORE_MAX_TRAINING") or "1"
    try:
        n = int(raw)
    except ValueError as e:
        raise ValueError(f"SEQCORE_MAX_TRAINING must be a whole number, got {raw!r}") from e
    return max(1, n)
