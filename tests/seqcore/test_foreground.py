"""The server's interactive work, seen from training children: they wait between steps while it runs."""

from __future__ import annotations

import multiprocessing as mp
import time

import pytest

from seqcore.background import TrainingJob, TrainingPool
from seqcore.foreground import Foreground, start_method
from seqcore.training import TrainConfig
from tests.seqcore.test_background import SPEC, wait
from tests.synthetic import sentiment_data


def _report_busy(foreground: Foreground, out) -> None:
    out.put(foreground.busy())


def test_busy_while_working_and_for_hold_seconds_after():
    fg = Foreground(hold=0.2, most=1.0)
    assert not fg.busy()  # nothing has run yet
    with fg.working():
        assert fg.busy()
        with fg.working():  # two sessions' runs at once
            assert fg.busy()
        assert fg.busy()  # one is still running
    assert fg.busy()  # its browser is still drawing
    time.sleep(0.3)
    assert not fg.busy()


def test_a_wait_lasts_at_most_most_seconds_and_returns_at_once_when_quiet():
    fg = Foreground(hold=0.0, most=0.2)
    assert fg.wait_quiet() < 0.05
    with fg.working():
        waited = fg.wait_quiet()
    assert 0.2 <= waited < 0.6


def test_bad_bounds_are_refused():
    with pytest.raises(ValueError, match="hold and most must be >= 0"):
        Foreground(hold=-1)


def test_a_child_process_sees_the_server_working():
    fg = Foreground(hold=0.0)
    ctx = mp.get_context(start_method())
    out = ctx.Queue()
    with fg.working():
        child = ctx.Process(target=_report_busy, args=(fg, out))
        child.start()
        seen_busy = out.get(timeout=60)
        child.join(60)
    child = ctx.Process(target=_report_busy, args=(fg, out))
    child.start()
    seen_quiet = out.get(timeout=60)
    child.join(60)
    assert seen_busy is True and seen_quiet is False


def test_training_pauses_between_steps_while_the_server_works_and_goes_on_after():
    fg = Foreground(hold=0.0, most=60.0)
    cfg = TrainConfig(epochs=500, batch_size=4, lr=0.01, patience=500, device="cpu", report_every=1)
    job = TrainingJob("polite", SPEC, cfg, sentiment_data(200))
    pool = TrainingPool(1, foreground=fg)
    pool.submit(job)
    assert job.foreground is fg
    try:
        wait(pool, lambda: sum(p.kind == "step" for p in job.progress) >= 3)
        with fg.working():
            time.sleep(0.5)  # the step in flight when the page started may still report
            pool.poll()
            before = len(job.progress)
            time.sleep(1.5)
            pool.poll()
            during = len(job.progress) - before
        wait(pool, lambda: len(job.progress) >= before + during + 5)  # it goes on once the page is done
        assert during == 0
    finally:
        job.kill()
        wait(pool, lambda: job.done)
