"""Training does not starve the pages: a child process at low priority, a capped queue, runs that end with their session."""

from __future__ import annotations

import os
import time
from pathlib import Path

import pytest

from seqcore.background import TrainingJob
from seqcore.pipeline import FitSpec
from seqcore.training import TrainConfig
from tests.app.test_pages import goto, texts, wait_for_training
from tests.synthetic import sentiment_data
from ui.text import plain
from ui.trainer import SessionRuns, Trainer


def nice_of(pid: int) -> int:
    return int(Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[16])


def start_long_run(at):
    """Start an aspect run on a demo file that would take minutes (100 epochs of one-sentence batches)."""
    goto(at, "5_train")
    at.radio(key="train_task").set_value("aspect").run()
    at.radio(key="train_source_aspect").set_value("demo").run()
    at.number_input(key="train_epochs").set_value(100).run()
    at.number_input(key="train_patience").set_value(100).run()
    at.number_input(key="train_batch").set_value(1).run()
    at.button(key="train_start").click().run()
    return at.session_state["train_job"]


@pytest.mark.skipif(not Path("/proc").is_dir(), reason="reads the child's priority from /proc")
def test_the_train_page_trains_in_a_lowered_child_process_and_queues_the_next_run(app):
    first, second = app(), app()
    job = start_long_run(first)
    assert first.button(key="train_start").disabled  # at once, not at the next rerun: no second click starts another
    assert first.number_input(key="train_epochs").disabled
    deadline = time.time() + 60
    while job.run._process is None or not job.progress:
        assert time.time() < deadline, "the run did not start"
        time.sleep(0.2)
    pid = job.run._process.pid
    assert pid != os.getpid() and nice_of(pid) >= min(19, os.nice(0) + 10)
    # Another session's run waits its turn (one run at a time by default), and says where it is.
    queued = start_long_run(second)
    assert queued.queued
    assert plain("queued: 1 run(s) ahead of yours") in " ".join(p.proto.text for p in second.get("progress"))
    second.button(key="train_stop").click().run()  # a queued run that is stopped never starts
    wait_for_training(second)
    assert "stopped before it started" in texts(second.error)
    first.button(key="train_stop").click().run()
    wait_for_training(first)
    assert "stopped by you" in texts(first.success)
    assert not job.run._process.is_alive()


def _long_job(name: str) -> TrainingJob:
    spec = FitSpec(task="sentiment", cell="gru", embedding_dim=8, hidden_size=6, dropout=0.0)
    cfg = TrainConfig(epochs=10_000, batch_size=4, patience=10_000, device="cpu", report_every=1)
    return TrainingJob(name, spec, cfg, sentiment_data(200))


def _until(trainer: Trainer, condition, timeout: float = 90) -> None:
    deadline = time.time() + timeout
    while not condition():
        assert time.time() < deadline, "timed out"
        trainer.tick()
        time.sleep(0.05)


def test_a_run_whose_session_went_away_is_killed_unless_the_session_comes_back():
    trainer = Trainer(2, poll_seconds=0.05, orphan_seconds=1.0)
    kept, dropped = _long_job("kept"), _long_job("dropped")
    session, other = SessionRuns(trainer), SessionRuns(trainer)
    session.watch(kept)
    other.watch(dropped)
    trainer.submit(kept)
    trainer.submit(dropped)
    _until(trainer, lambda: kept.progress and dropped.progress)
    session.release()  # Streamlit releases a session's resources when it disconnects
    other.release()
    SessionRuns(trainer).watch(kept)  # ... and the first one reconnects in time and takes its run back
    _until(trainer, lambda: dropped.done)
    assert dropped.error == "the training process was ended" and not dropped._process.is_alive()
    assert dropped._folder is not None and not dropped._folder.exists()
    time.sleep(1.5)
    trainer.tick()
    assert kept.state == "running"
    kept.kill()
