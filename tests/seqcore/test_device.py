"""Devices: one place decides where each kind of work runs; SEQCORE_DEVICE overrides; a Predictor copies its model once."""

from __future__ import annotations

import pytest
import torch

import seqcore.device as device_mod
from seqcore.checkpoints import Checkpoint
from seqcore.device import describe_devices, device_for, devices_in_use, resolve_device, same_device
from seqcore.inference import Predictor
from seqcore.pipeline import FitSpec, fit
from seqcore.training import TrainConfig
from tests.synthetic import sentiment_data


@pytest.fixture
def no_override(monkeypatch):
    monkeypatch.delenv("SEQCORE_DEVICE", raising=False)


@pytest.fixture(scope="module")
def predictor() -> Predictor:
    fitted = fit(
        FitSpec(task="sentiment", cell="gru", embedding_dim=8, hidden_size=6, dropout=0.0),
        TrainConfig(epochs=1, batch_size=8, device="cpu"),
        sentiment_data(40),
    )
    return Predictor(Checkpoint(fitted.model, fitted.encoder, fitted.card))


def test_interactive_work_runs_on_the_cpu_and_batch_work_on_the_best_device(no_override, monkeypatch):
    assert device_for("interactive") == torch.device("cpu")
    assert device_for("batch") == device_mod.pick_device()
    assert resolve_device("auto") == device_for("batch") and resolve_device(None) == device_for("batch")
    # With a GPU present, interactive work still stays on the CPU.
    monkeypatch.setattr(device_mod, "pick_device", lambda: torch.device("cuda"))
    assert device_for("batch") == torch.device("cuda")
    assert device_for("interactive") == torch.device("cpu")
    with pytest.raises(ValueError, match="work must be one of"):
        device_for("training")


def test_seqcore_device_overrides_both_and_a_bad_value_says_what_is_wrong(monkeypatch):
    monkeypatch.setenv("SEQCORE_DEVICE", "cpu")
    monkeypatch.setattr(device_mod, "pick_device", lambda: torch.device("cuda"))
    assert device_for("interactive") == device_for("batch") == torch.device("cpu")
    assert devices_in_use()["override"] == "SEQCORE_DEVICE=cpu"
    assert describe_devices() == "everything on cpu (SEQCORE_DEVICE=cpu)"
    monkeypatch.setenv("SEQCORE_DEVICE", "auto")
    assert device_for("batch") == torch.device("cuda")
    monkeypatch.setenv("SEQCORE_DEVICE", "gpu please")
    with pytest.raises(ValueError, match=r"SEQCORE_DEVICE names 'gpu please', which is not a device"):
        device_for("batch")
    if not torch.cuda.is_available():
        monkeypatch.setenv("SEQCORE_DEVICE", "cuda")
        with pytest.raises(ValueError, match="SEQCORE_DEVICE names cuda, but this machine has no CUDA device: use cpu"):
            device_for("interactive")
        with pytest.raises(ValueError, match="the device setting names cuda:3, but this machine has no CUDA device"):
            resolve_device("cuda:3")


def test_describe_devices_names_where_each_kind_of_work_runs(no_override, monkeypatch):
    monkeypatch.setattr(device_mod, "pick_device", lambda: torch.device("cpu"))
    assert describe_devices() == "everything on cpu (no GPU found)"
    monkeypatch.setattr(device_mod, "pick_device", lambda: torch.device("mps"))
    assert describe_devices() == "sentences on cpu; training and files on mps"
    assert devices_in_use() == {"interactive": "cpu", "batch": "mps", "override": None}


def test_same_device():
    assert same_device(torch.device("cpu"), torch.device("cpu"))
    assert not same_device(torch.device("cpu"), torch.device("meta"))
    assert same_device(torch.device("cuda:1"), torch.device("cuda:1"))


def test_predictor_keeps_its_model_for_sentences_and_copies_it_once_for_batch_work(predictor, no_override, monkeypatch):
    assert predictor.device == torch.device("cpu")
    assert predictor.batch_model is predictor.model  # one device: no copy
    # A different batch device (the meta device stands in for a GPU): one copy, cached, the sentence model untouched.
    monkeypatch.setattr(device_mod, "pick_device", lambda: torch.device("meta"))
    copy = predictor.batch_model
    assert copy is not predictor.model and next(copy.parameters()).device.type == "meta"
    assert predictor.batch_model is copy
    assert predictor.device == torch.device("cpu")
    assert not copy.training


def test_predictor_scores_files_on_the_batch_model_like_evaluate(predictor, no_override):
    from seqcore.scoring import evaluate, predict

    data = sentiment_data(30, seed=5)
    metrics, loss = predictor.evaluate(data)
    expected, expected_loss = evaluate(predictor.model, data, predictor.encoder)
    assert metrics == expected and loss == expected_loss
    assert predictor.predict_examples(data).pred == predict(predictor.model, data, predictor.encoder).pred


def test_full_float32_turns_cudnn_tf32_off_for_cuda_only_and_restores_it():
    rnn = torch.backends.cudnn.rnn
    before = rnn.fp32_precision
    with device_mod.full_float32(torch.device("cpu")):
        assert rnn.fp32_precision == before
    with device_mod.full_float32(torch.device("cuda")):
        assert rnn.fp32_precision == "ieee"
    assert rnn.fp32_precision == before


def test_warm_up_starts_nothing_off_cuda():
    assert device_mod.warm_up(torch.device("cpu")) is None
