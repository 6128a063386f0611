"""Training: learns, is deterministic, stops early and on request, refuses non-finite losses, splits honestly."""

from __future__ import annotations

import math

import pytest
import torch

from seqcore.pipeline import FitSpec, fit
from seqcore.training import NonFiniteLossError, TrainConfig, train
from tests.synthetic import aspect_data, sentiment_data, tagging_data

TINY = dict(embedding_dim=12, hidden_size=10, dropout=0.0)


def test_each_task_learns_its_rule():
    cfg = TrainConfig(epochs=12, batch_size=8, lr=0.02, patience=12, device="cpu")
    for task, data in (("sentiment", sentiment_data(160)), ("aspect", aspect_data(160)), ("tagging", tagging_data(120))):
        fitted = fit(FitSpec(task=task, cell="gru", **TINY), cfg, data, test_examples=data[:40])
        assert fitted.result.best_score > 0.9, task
        assert fitted.card["dev_metrics"]["accuracy"] == pytest.approx(fitted.result.best_score)
        assert (
            fitted.card["test_metrics"]["n"]
            == {
                "sentiment": 40,
                "aspect": sum(len(e.aspects) for e in data[:40]),
                "tagging": sum(len(e.tokens) for e in data[:40]),
            }[task]
        )


def test_same_seed_gives_the_same_weights_on_cpu():
    data = sentiment_data(80)
    cfg = TrainConfig(epochs=2, batch_size=8, lr=0.01, device="cpu", seed=7)
    spec = FitSpec(task="sentiment", cell="lstm", **{**TINY, "dropout": 0.3})
    a, b = fit(spec, cfg, data), fit(spec, cfg, data)
    for (k, va), vb in zip(a.model.state_dict().items(), b.model.state_dict().values()):
        assert torch.equal(va, vb), k
    c = fit(spec, TrainConfig(epochs=2, batch_size=8, lr=0.01, device="cpu", seed=8), data)
    assert not torch.equal(a.model.head.weight, c.model.head.weight)


def test_progress_reports_steps_and_epochs_and_best_weights_are_restored():
    data = sentiment_data(100)
    reports = []
    cfg = TrainConfig(epochs=4, batch_size=10, lr=0.01, report_every=3, patience=10, device="cpu")
    fitted = fit(FitSpec(task="sentiment", cell="rnn", **TINY), cfg, data, on_progress=reports.append)
    epochs = [p for p in reports if p.kind == "epoch"]
    steps = [p for p in reports if p.kind == "step"]
    assert [p.epoch for p in epochs] == [1, 2, 3, 4]
    assert all(p.step % 3 == 0 for p in steps) and steps
    assert all(p.dev_accuracy is not None and p.elapsed > 0 for p in epochs)
    best = max(epochs, key=lambda p: p.dev_accuracy)
    assert fitted.result.best_epoch == best.epoch
    assert fitted.card["dev_metrics"]["accuracy"] == pytest.approx(best.dev_accuracy)


def test_early_stopping_after_patience_epochs():
    data = sentiment_data(60)
    cfg = TrainConfig(epochs=30, batch_size=8, lr=1e-9, patience=2, device="cpu")  # too small to improve
    fitted = fit(FitSpec(task="sentiment", cell="gru", **TINY), cfg, data)
    assert fitted.result.stopped_early
    assert fitted.result.epochs_run == fitted.result.best_epoch + 2


def test_should_stop_ends_training_between_steps_and_keeps_best_model():
    data = sentiment_data(100)
    calls = {"n": 0}

    def stop() -> bool:
        calls["n"] += 1
        return calls["n"] > 15  # part way through epoch 2

    cfg = TrainConfig(epochs=10, batch_size=10, lr=0.01, patience=10, device="cpu")
    fitted = fit(FitSpec(task="sentiment", cell="gru", **TINY), cfg, data, should_stop=stop)
    assert fitted.result.stopped_by_user
    assert fitted.result.epochs_run == 2
    assert fitted.result.best_epoch in (1, 2)


def test_non_finite_loss_raises_and_keeps_last_good_weights():
    data = sentiment_data(40)
    fitted = fit(FitSpec(task="sentiment", cell="lstm", **TINY), TrainConfig(epochs=1, batch_size=8, device="cpu"), data)
    model, enc = fitted.model, fitted.encoder
    before = {k: v.clone() for k, v in model.state_dict().items()}
    calls = {"n": 0}
    orig = model.head.forward

    def poisoned(x):
        calls["n"] += 1
        y = orig(x)
        return y * float("nan") if calls["n"] == 3 else y

    model.head.forward = poisoned
    with pytest.raises(NonFiniteLossError, match=r"loss became nan .* at epoch 1, step 3") as info:
        train(model, data[:30], data[30:], enc, TrainConfig(epochs=2, batch_size=8, lr=0.01, device="cpu"))
    assert all(torch.isfinite(v).all() for v in model.state_dict().values())
    changed = any(not torch.equal(before[k], v) for k, v in model.state_dict().items())
    assert changed  # the two good steps were kept
    assert info.value.result.epochs_run == 1


def test_train_config_validates():
    with pytest.raises(ValueError, match="metric must be"):
        TrainConfig(metric="loss")
    assert math.isfinite(TrainConfig().lr)


def test_init_embeddings_copies_shared_words_extends_vocab_and_can_freeze(tmp_path):
    from seqcore.checkpoints import save_checkpoint

    cfg = TrainConfig(epochs=1, batch_size=8, device="cpu")
    source = fit(FitSpec(task="sentiment", cell="gru", **TINY), cfg, sentiment_data(40))
    save_checkpoint(tmp_path / "src", source.model, source.encoder, source.card)
    data = aspect_data(40)
    spec = FitSpec(
        task="aspect", cell="lstm", embedding_dim=99, hidden_size=6, init_embeddings=str(tmp_path / "src"), freeze_embeddings=True
    )
    fitted = fit(spec, cfg, data)
    assert fitted.model.cfg.embedding_dim == 12  # taken from the source
    words = fitted.encoder.words
    assert set(source.encoder.words.itos) <= set(words.itos)  # e.g. "cheap" never occurs in aspect_data
    for w in ("good", "cheap", "food"):
        torch.testing.assert_close(
            fitted.model.embedding.weight[words.index(w)], source.model.embedding.weight[source.encoder.words.index(w)]
        )
    assert fitted.card["init_embeddings"]["frozen"] is True
    assert fitted.card["init_embeddings"]["words_copied"] == len(source.encoder.words) - 2
