"""Training in a child process: progress, Stop, errors, crashes, low priority and a capped pool."""

from __future__ import annotations

import os
import signal
import time
from pathlib import Path

import pytest
import torch

from seqcore.background import ChildJob, TrainingJob, TrainingPool, max_training_runs
from seqcore.checkpoints import load_checkpoint
from seqcore.memory import MemoryProgress, MemoryTask, run_memory_experiment
from seqcore.pipeline import FitSpec, fit
from seqcore.training import TrainConfig
from tests.synthetic import sentiment_data

SPEC = FitSpec(task="sentiment", cell="gru", embedding_dim=8, hidden_size=6, dropout=0.0)


def wait(pool_or_job, until, timeout: float = 120.0) -> None:
    deadline = time.time() + timeout
    while not until():
        assert time.time() < deadline, "timed out"
        pool_or_job.poll()
        time.sleep(0.05)


def nice_of(pid: int) -> int:
    return int(Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[16])


def test_a_job_trains_in_a_child_process_and_gives_back_the_same_model_as_in_process():
    data = sentiment_data(80)
    cfg = TrainConfig(epochs=2, batch_size=8, lr=0.01, device="cpu", report_every=2)
    job = TrainingJob("tiny", SPEC, cfg, data, data={"train": ["synthetic"]})
    pool = TrainingPool(1)
    pool.submit(job)
    assert job.state == "running" and job._process.pid != os.getpid()
    if Path("/proc").is_dir():
        assert nice_of(job._process.pid) >= min(19, os.nice(0) + 10)  # lowered: the server's pages come first
    if hasattr(os, "SCHED_IDLE"):
        assert os.sched_getscheduler(job._process.pid) == os.SCHED_IDLE  # and only on cores nothing else wants
    wait(pool, lambda: job.done)
    assert job.error is None, job.error
    assert [p.epoch for p in job.progress if p.kind == "epoch"] == [1, 2]
    assert any(p.kind == "step" for p in job.progress)
    ckpt = load_checkpoint(job.finished.folder)
    assert job.finished.card["data"] == {"train": ["synthetic"]} and job.finished.result.epochs_run == 2
    same = fit(SPEC, cfg, data)
    for (name, a), b in zip(ckpt.model.state_dict().items(), same.model.state_dict().values()):
        torch.testing.assert_close(a, b, atol=1e-6, rtol=0, msg=name)
    assert [e.id for e in job.finished.dev_examples] == [e.id for e in same.dev_examples]
    job.cleanup()
    assert not job.finished.folder.exists()


def test_stop_ends_the_run_between_steps_and_keeps_the_best_model():
    cfg = TrainConfig(epochs=200, batch_size=4, lr=0.01, patience=200, device="cpu", report_every=1)
    job = TrainingJob("long", SPEC, cfg, sentiment_data(200))
    pool = TrainingPool(1)
    pool.submit(job)
    wait(pool, lambda: job.progress)
    job.stop()
    wait(pool, lambda: job.done)
    assert job.error is None and job.finished.result.stopped_by_user
    assert job.finished.result.epochs_run < 200
    load_checkpoint(job.finished.folder)
    job.cleanup()


def test_an_error_in_training_is_reported_not_raised():
    job = TrainingJob("bad", SPEC, TrainConfig(epochs=1, device="cpu"), sentiment_data(3)[:1])
    pool = TrainingPool(1)
    pool.submit(job)
    wait(pool, lambda: job.done)
    assert job.state == "failed" and "too few to carve" in job.error


def test_a_killed_child_is_reported_and_the_server_goes_on():
    cfg = TrainConfig(epochs=200, batch_size=4, patience=200, device="cpu", report_every=1)
    job = TrainingJob("doomed", SPEC, cfg, sentiment_data(200))
    pool = TrainingPool(1)
    pool.submit(job)
    wait(pool, lambda: job.progress)
    os.kill(job._process.pid, signal.SIGKILL)  # as the kernel's out-of-memory killer would
    wait(pool, lambda: job.done)
    assert job.state == "failed" and "ended unexpectedly" in job.error and "killed" in job.error


def test_the_pool_runs_one_job_at_a_time_and_the_next_waits_its_turn():
    cfg = TrainConfig(epochs=1, batch_size=8, device="cpu")
    first, second, third = (TrainingJob(n, SPEC, cfg, sentiment_data(40)) for n in ("a", "b", "c"))
    pool = TrainingPool(1)
    for job in (first, second, third):
        pool.submit(job)
    assert (first.state, second.state, third.state) == ("running", "queued", "queued")
    assert (pool.position(second), pool.position(third)) == (0, 1)
    third.stop()  # a queued job that is stopped never starts
    wait(pool, lambda: first.done)
    wait(pool, lambda: second.state != "queued")
    assert pool.running() == 1
    wait(pool, lambda: second.done)
    assert first.error is None and second.error is None
    assert third.state == "failed" and third.started_at is None
    for job in (first, second):
        job.cleanup()


def test_the_cap_comes_from_one_setting(monkeypatch):
    monkeypatch.delenv("SEQCORE_MAX_TRAINING", raising=False)
    assert max_training_runs() == 1
    monkeypatch.setenv("SEQCORE_MAX_TRAINING", "3")
    assert max_training_runs() == 3
    monkeypatch.setenv("SEQCORE_MAX_TRAINING", "x")
    with pytest.raises(ValueError, match="SEQCORE_MAX_TRAINING"):
        max_training_runs()


TINY_MEMORY = MemoryTask(
    lengths=(3, 4), cells=("rnn", "gru"), train_size=40, dev_size=10, test_size=10, epochs=2, hidden_size=4, embedding_dim=3
)


def test_a_child_job_runs_a_seqcore_function_and_gives_back_its_progress_and_result():
    job = ChildJob("memory", "seqcore.memory:run_memory_experiment", {"task": TINY_MEMORY})
    pool = TrainingPool(1)
    pool.submit(job)
    assert job.state == "running" and job._process.pid != os.getpid()
    if Path("/proc").is_dir():
        assert nice_of(job._process.pid) >= min(19, os.nice(0) + 10)
    wait(pool, lambda: job.done)
    assert job.error is None, job.error
    assert all(isinstance(p, MemoryProgress) for p in job.progress)
    assert [p.run for p in job.progress if p.done is not None] == [0, 1, 2, 3]
    same = run_memory_experiment(TINY_MEMORY)  # the child computed what this process computes
    assert job.result.table() == same.table() and not job.result.stopped
    assert job.elapsed() > 0


def test_stop_reaches_the_function_in_the_child():
    long = MemoryTask(lengths=(30,), cells=("rnn",), train_size=400, epochs=25, solved_at=2.0, hidden_size=8)
    job = ChildJob("memory", "seqcore.memory:run_memory_experiment", {"task": long})
    pool = TrainingPool(1)
    pool.submit(job)
    wait(pool, lambda: any(p.progress is not None for p in job.progress))
    job.stop()
    wait(pool, lambda: job.done)
    assert job.error is None and job.result.stopped and job.stop_requested


def test_a_failing_or_unknown_target_is_reported_and_a_foreign_one_refused():
    job = ChildJob("nothing", "seqcore.memory:no_such_function")
    pool = TrainingPool(1)
    pool.submit(job)
    wait(pool, lambda: job.done)
    assert job.state == "failed" and "no_such_function" in job.error
    with pytest.raises(ValueError, match="seqcore function"):
        ChildJob("evil", "os:system", {"command": "true"})
    with pytest.raises(ValueError, match="seqcore function"):
        ChildJob("vague", "seqcore.memory")


def test_a_child_job_waits_its_turn_behind_training():
    first = TrainingJob("a", SPEC, TrainConfig(epochs=1, batch_size=8, device="cpu"), sentiment_data(40))
    second = ChildJob("memory", "seqcore.memory:run_memory_experiment", {"task": TINY_MEMORY})
    pool = TrainingPool(1)
    pool.submit(first)
    pool.submit(second)
    assert (first.state, second.state, pool.position(second)) == ("running", "queued", 0)
    wait(pool, lambda: second.done)
    assert first.error is None and second.error is None and second.result.runs
    first.cleanup()


def test_a_time_limit_ends_the_run_like_stop_and_says_so():
    cfg = TrainConfig(epochs=500, batch_size=4, lr=0.01, patience=500, device="cpu", report_every=1)
    job = TrainingJob("timed", SPEC, cfg, sentiment_data(200), max_seconds=1.0)
    pool = TrainingPool(1)
    pool.submit(job)
    wait(pool, lambda: job.done)
    assert job.error is None, job.error
    assert job.finished.timed_out and job.finished.result.stopped_by_user and job.finished.result.epochs_run < 500
    load_checkpoint(job.finished.folder)  # the best model so far is kept, as with Stop
    job.cleanup()


@pytest.mark.skipif(not Path("/proc").is_dir(), reason="reads the child's parent from /proc")
def test_a_child_whose_server_died_ends_itself_and_leaves_no_files(tmp_path):
    """A stand-in server starts a job and is killed; its child notices it was re-parented and exits, removing its folder."""
    import subprocess
    import sys

    root = Path(__file__).resolve().parents[2]
    script = f"""
import sys, time
sys.path.insert(0, {str(root)!r})
from seqcore.background import TrainingJob, TrainingPool
from seqcore.pipeline import FitSpec
from seqcore.training import TrainConfig
from tests.synthetic import sentiment_data
spec = FitSpec(task="sentiment", cell="gru", embedding_dim=8, hidden_size=6, dropout=0.0)
cfg = TrainConfig(epochs=10000, batch_size=4, patience=10000, device="cpu", report_every=1)
job = TrainingJob("orphan", spec, cfg, sentiment_data(200))
pool = TrainingPool(1)
pool.submit(job)
while not job.progress:
    pool.poll()
    time.sleep(0.05)
print(job._process.pid, job._folder, flush=True)
time.sleep(600)
"""
    server = subprocess.Popen([sys.executable, "-c", script], stdout=subprocess.PIPE, text=True, cwd=root)
    try:
        pid, folder = server.stdout.readline().split()
    finally:
        server.kill()
        server.wait()
    deadline = time.time() + 60
    while Path(f"/proc/{pid}").exists() and "zombie" not in _state(int(pid)):
        assert time.time() < deadline, "the orphaned child went on training"
        time.sleep(0.2)
    assert not Path(folder).exists()


def _state(pid: int) -> str:
    try:
        return "zombie" if Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] == "Z" else "alive"
    except OSError:
        return "gone"
