"""The memory experiment: data with a known rule, progress, Stop, and a cell that really learns a short lag."""

from __future__ import annotations

import pytest
import torch

from seqcore.memory import MemoryTask, memory_examples, run_memory_experiment, set_forget_bias, train_memory
from seqcore.models import ModelConfig, SequenceModel

TINY = {"train_size": 60, "dev_size": 20, "test_size": 20, "epochs": 2, "hidden_size": 4, "embedding_dim": 3}


def test_examples_are_labelled_by_their_first_word_and_the_rest_is_noise():
    examples = memory_examples(200, 12, noise_words=5, seed=3)
    assert len(examples) == 200 and all(len(ex.tokens) == 12 for ex in examples)
    assert all(ex.label == ex.tokens[0] and ex.label in ("A", "B") for ex in examples)
    assert {t for ex in examples for t in ex.tokens[1:]} == {f"x{i}" for i in range(5)}
    assert 60 < sum(ex.label == "A" for ex in examples) < 140  # both classes, roughly balanced
    assert [ex.tokens for ex in memory_examples(5, 4, seed=3)] == [ex.tokens for ex in memory_examples(5, 4, seed=3)]
    with pytest.raises(ValueError, match="length >= 2"):
        memory_examples(3, 1)


def test_task_checks_its_settings():
    with pytest.raises(ValueError, match="length must be >= 2"):
        MemoryTask(lengths=(1, 10))
    with pytest.raises(ValueError, match="cells must be some of"):
        MemoryTask(cells=("transformer",))
    with pytest.raises(ValueError, match="lr > 0"):
        MemoryTask(lr=0)
    with pytest.raises(ValueError, match="noise_words"):
        MemoryTask(noise_words=0)


def test_forget_bias_is_set_on_every_lstm_direction():
    model = SequenceModel(
        ModelConfig(task="sentiment", vocab_size=5, num_classes=2, cell="lstm", hidden_size=3, bidirectional=True)
    )
    set_forget_bias(model, 2.0)
    for rnn in model.encoder.layers[0]:
        assert torch.equal(rnn.bias_hh_l0[3:6], torch.full((3,), 2.0)) and torch.equal(rnn.bias_ih_l0[3:6], torch.zeros(3))


def test_a_gru_learns_a_short_lag():
    run = train_memory("gru", 4, MemoryTask(train_size=300, dev_size=60, test_size=200, epochs=15, lr=0.03, hidden_size=8))
    assert run.accuracy > 0.9 and run.dev_accuracy >= run.accuracy - 0.1
    assert not run.stopped_by_user and run.epochs_run <= 15


def test_grid_reports_progress_and_fills_the_table():
    seen = []
    task = MemoryTask(lengths=(3, 5), cells=("rnn", "lstm"), **TINY)
    result = run_memory_experiment(task, on_progress=seen.append)
    assert [(r.length, r.cell) for r in result.runs] == [(3, "rnn"), (3, "lstm"), (5, "rnn"), (5, "lstm")]
    assert set(result.table()) == {"rnn", "lstm"} and all(len(v) == 2 for v in result.table().values())
    assert all(0.0 <= a <= 1.0 for v in result.table().values() for a in v)
    assert not result.stopped and result.seconds > 0
    starts = [p.run for p in seen if p.progress is None and p.done is None]
    assert starts == [0, 1, 2, 3] and all(p.runs == 4 for p in seen)
    assert sum(p.done is not None for p in seen) == 4
    assert any(p.progress is not None and p.progress.kind == "epoch" for p in seen)
    assert len(result.rows()) == 4 and {"cell", "length", "accuracy", "seconds"} <= set(result.rows()[0])


class StopAfter:
    """A should_stop that says yes from its n-th call on."""

    def __init__(self, n: int) -> None:
        self.n, self.calls = n, 0

    def __call__(self) -> bool:
        self.calls += 1
        return self.calls >= self.n


def test_stop_ends_the_grid_and_keeps_what_was_done():
    task = MemoryTask(lengths=(3, 5), cells=("gru",), **TINY)
    done: list = []
    result = run_memory_experiment(task, on_progress=lambda p: p.done and done.append(p.done), should_stop=lambda: bool(done))
    assert result.stopped and len(result.runs) == 1 and result.runs[0].length == 3 and not result.runs[0].stopped_by_user
    assert result.table() == {"gru": [result.runs[0].accuracy, None]}
    # Stopped in the middle of the first run (third check: after one batch): kept, flagged, left out of the table.
    result = run_memory_experiment(task, should_stop=StopAfter(3))
    assert result.stopped and len(result.runs) == 1 and result.runs[0].stopped_by_user
    assert result.table() == {"gru": [None, None]}
