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


# --------------------------------------------------------------------------- encoded once, same weights


def main_train(model, train_examples, dev_examples, encoder, cfg):
    """The training loop of main before issue 11 (c98bdfd), copied: encode every batch every epoch, sync every step."""
    from seqcore.batching import iterate_batches
    from seqcore.scoring import evaluate, task_loss
    from seqcore.training import seed_everything

    seed_everything(cfg.seed)
    optimizer = torch.optim.Adam([p for p in model.parameters() if p.requires_grad], lr=cfg.lr, weight_decay=cfg.weight_decay)
    states, dev = [], []
    for epoch in range(1, cfg.epochs + 1):
        model.train()
        losses = []
        for batch in iterate_batches(train_examples, encoder, cfg.batch_size, shuffle=True, seed=cfg.seed + epoch):
            loss = task_loss(model(**batch.inputs()), batch.labels)
            optimizer.zero_grad(set_to_none=True)
            loss.backward()
            torch.nn.utils.clip_grad_norm_(model.parameters(), cfg.clip)
            optimizer.step()
            losses.append(loss.item())
        metrics, dev_loss = evaluate(model, dev_examples, encoder, cfg.batch_size * 2)
        states.append({k: v.clone() for k, v in model.state_dict().items()})
        dev.append((sum(losses) / len(losses), dev_loss, metrics.accuracy, metrics.macro_f1))
    return states, dev


@pytest.mark.parametrize("task", ["sentiment", "aspect", "tagging"])
def test_training_on_cpu_is_bit_identical_to_the_loop_it_replaced(task):
    from seqcore.pipeline import build_model
    from seqcore.tasks import build_encoder

    data = {"sentiment": sentiment_data(120), "aspect": aspect_data(120), "tagging": tagging_data(120)}[task]
    train_ex, dev_ex = data[:90], data[90:]
    encoder = build_encoder(task, train_ex, use_chars=task == "tagging", label_examples=dev_ex)
    spec = FitSpec(task=task, cell={"sentiment": "lstm", "aspect": "gru", "tagging": "rnn"}[task], **{**TINY, "dropout": 0.3})
    spec.bidirectional = task != "sentiment"
    cfg = TrainConfig(epochs=2, batch_size=8, lr=0.01, patience=5, seed=5, device="cpu")
    torch.manual_seed(1)
    model = build_model(spec, encoder)
    twin = build_model(spec, encoder)
    twin.load_state_dict(model.state_dict())
    per_epoch = []
    result = train(model, train_ex, dev_ex, encoder, cfg, on_progress=lambda p: p.kind == "epoch" and per_epoch.append(p))
    states, dev = main_train(twin, train_ex, dev_ex, encoder, cfg)
    assert [(p.train_loss, p.dev_loss, p.dev_accuracy, p.dev_macro_f1) for p in per_epoch] == dev  # exactly
    for k, v in model.state_dict().items():
        assert torch.equal(v, states[result.best_epoch - 1][k]), k  # best-on-dev weights, bit for bit


def test_dev_scores_on_encoded_examples_equal_evaluate():
    from seqcore.batching import EncodedExamples
    from seqcore.scoring import evaluate
    from seqcore.training import score_encoded

    for task, data in (("sentiment", sentiment_data(70)), ("aspect", aspect_data(70)), ("tagging", tagging_data(70))):
        fitted = fit(FitSpec(task=task, cell="gru", **TINY), TrainConfig(epochs=1, batch_size=8, device="cpu"), data)
        if task == "tagging":
            data[0].tags = None  # an unlabeled sentence is skipped by both
        for batch_size in (1, 7, 64):
            got = score_encoded(fitted.model, EncodedExamples(data, fitted.encoder), fitted.encoder.labels.itos, batch_size)
            assert got == evaluate(fitted.model, data, fitted.encoder, batch_size), (task, batch_size)


def poisoned_run(monkeypatch, every_step: bool, report_every: int, poison_step: int = 3):
    """Train a tiny model whose head returns NaN at its `poison_step`-th call; return (weights, error message)."""
    import seqcore.training as training

    monkeypatch.setattr(training, "_checks_every_step", lambda device, distributed: every_step)
    data = sentiment_data(60)
    fitted = fit(FitSpec(task="sentiment", cell="lstm", **TINY), TrainConfig(epochs=1, batch_size=8, device="cpu"), data)
    model, enc = fitted.model, fitted.encoder
    start = {k: v.clone() for k, v in model.state_dict().items()}
    calls = {"n": 0}
    orig = model.head.forward

    def poisoned(x):
        calls["n"] += 1
        y = orig(x)
        return y * float("nan") if calls["n"] == poison_step else y

    model.head.forward = poisoned
    cfg = TrainConfig(epochs=2, batch_size=8, lr=0.01, report_every=report_every, device="cpu")
    with pytest.raises(NonFiniteLossError, match=r"loss became nan .* at epoch 1, step 3") as info:
        train(model, data[:40], data[40:], enc, cfg)
    return start, {k: v.clone() for k, v in model.state_dict().items()}, str(info.value)


def test_deferred_finiteness_checks_keep_the_weights_of_the_last_check(monkeypatch):
    # One CPU process checks every step; a GPU (or torchrun) checks at report points. Both run here on the CPU.
    _, per_step, message = poisoned_run(monkeypatch, every_step=True, report_every=2)
    assert "keeps the weights of the last finite step" in message
    _, deferred, message = poisoned_run(monkeypatch, every_step=False, report_every=2)
    assert "checked every 2 steps" in message and "keeps the weights of step 2, the last check before it" in message
    for k in per_step:  # the last check (step 2) is the last finite step here
        assert torch.equal(per_step[k], deferred[k]), k
    start, late, message = poisoned_run(monkeypatch, every_step=False, report_every=5)
    assert "keeps the weights it started with" in message
    assert all(torch.equal(start[k], late[k]) for k in start)
    assert all(torch.isfinite(v).all() for v in late.values())


def test_deferred_checks_train_the_same_weights_as_per_step_checks(monkeypatch):
    import seqcore.training as training

    data = sentiment_data(80)
    cfg = TrainConfig(epochs=2, batch_size=8, lr=0.01, device="cpu", report_every=3)
    spec = FitSpec(task="sentiment", cell="gru", **{**TINY, "dropout": 0.3})
    a = fit(spec, cfg, data)
    monkeypatch.setattr(training, "_checks_every_step", lambda device, distributed: False)
    b = fit(spec, cfg, data)
    for (k, va), vb in zip(a.model.state_dict().items(), b.model.state_dict().values()):
        assert torch.equal(va, vb), k
    assert [p.train_loss for p in a.result.history] == [p.train_loss for p in b.result.history]


def test_large_batches_train():
    data = sentiment_data(300)
    fitted = fit(
        FitSpec(task="sentiment", cell="lstm", **TINY), TrainConfig(epochs=2, batch_size=512, lr=0.02, device="cpu"), data
    )
    assert fitted.result.epochs_run == 2 and len([p for p in fitted.result.history if p.kind == "epoch"]) == 2


def test_word_dropout_is_seeded_recorded_and_changes_training():
    with pytest.raises(ValueError, match="word dropout"):
        TrainConfig(word_dropout=1.0)

    def run(p: float):
        return fit(
            FitSpec(task="sentiment", cell="gru", **TINY),
            TrainConfig(epochs=1, batch_size=8, device="cpu", word_dropout=p),
            sentiment_data(40),
        )

    a, b, none = run(0.3), run(0.3), run(0.0)
    torch.testing.assert_close(a.model.embedding.weight, b.model.embedding.weight, rtol=0, atol=0)
    assert not torch.equal(a.model.embedding.weight, none.model.embedding.weight)
    assert a.card["train_config"]["word_dropout"] == 0.3


def test_init_from_fine_tunes_every_weight_and_keeps_the_vocabulary(tmp_path):
    from seqcore.checkpoints import save_checkpoint

    cfg = TrainConfig(epochs=1, batch_size=8, device="cpu")
    source = fit(FitSpec(task="sentiment", cell="gru", **TINY), cfg, sentiment_data(40))
    save_checkpoint(tmp_path / "src", source.model, source.encoder, source.card)
    start = {k: v.clone() for k, v in source.model.state_dict().items()}
    spec = FitSpec(task="sentiment", cell="lstm", hidden_size=50, init_from=str(tmp_path / "src"))  # architecture ignored
    fitted = fit(spec, TrainConfig(epochs=1, batch_size=8, lr=1e-9, device="cpu"), sentiment_data(40, seed=3))
    assert fitted.model.cfg == source.model.cfg and fitted.encoder.words.itos == source.encoder.words.itos
    for k, v in fitted.model.state_dict().items():  # lr 1e-9: still the checkpoint's weights
        torch.testing.assert_close(v, start[k])
    assert fitted.card["init_from"]["from"] == str(tmp_path / "src") and fitted.card["embeddings"] == "random"
    with pytest.raises(ValueError, match="cannot start"):
        fit(FitSpec(task="aspect", init_from=str(tmp_path / "src")), cfg, aspect_data(20))
    with pytest.raises(ValueError, match="drop --init-embeddings"):
        FitSpec(task="sentiment", init_from="a", init_embeddings="b")
