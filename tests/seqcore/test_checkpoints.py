"""Checkpoints: round-trip exactly, write atomically, and refuse broken folders with a clear reason."""

from __future__ import annotations

import io
import json
import zipfile

import pytest
import torch
from safetensors.torch import load_file, save_file

from seqcore.checkpoints import FILES, CheckpointError, checkpoint_to_zip, load_checkpoint, save_checkpoint
from seqcore.pipeline import FitSpec, fit
from seqcore.training import TrainConfig
from tests.synthetic import tagging_data


@pytest.fixture(scope="module")
def fitted():
    data = tagging_data(40)
    return fit(
        FitSpec(task="tagging", cell="lstm", embedding_dim=8, hidden_size=6),
        TrainConfig(epochs=1, batch_size=8, device="cpu"),
        data,
    )


def test_round_trip_gives_identical_predictions(tmp_path, fitted):
    path = save_checkpoint(tmp_path / "m", fitted.model, fitted.encoder, fitted.card)
    assert sorted(p.name for p in path.iterdir()) == sorted(FILES)
    ck = load_checkpoint(path)
    assert ck.config == fitted.model.cfg
    batch = fitted.encoder.batch(tagging_data(5, seed=9))
    with torch.no_grad():
        assert torch.equal(ck.model(**batch.inputs()), fitted.model.eval()(**batch.inputs()))
    card = json.loads((path / "card.json").read_text())
    assert card["task"] == "tagging" and card["versions"]["torch"] == torch.__version__
    assert card["parameters"] == sum(p.numel() for p in fitted.model.parameters())


def test_save_replaces_an_existing_folder_and_leaves_no_temporaries(tmp_path, fitted):
    target = tmp_path / "m"
    save_checkpoint(target, fitted.model, fitted.encoder, {"note": "first"})
    save_checkpoint(target, fitted.model, fitted.encoder, {"note": "second"})
    assert json.loads((target / "card.json").read_text())["note"] == "second"
    assert [p.name for p in tmp_path.iterdir()] == ["m"]


@pytest.mark.parametrize(
    "breakage,message",
    [
        (lambda p: (p / "vocab.json").unlink(), "vocab.json is missing"),
        (lambda p: (p / "weights.safetensors").unlink(), "weights.safetensors is missing"),
        (lambda p: (p / "config.json").write_text("{not json"), "config.json is not valid JSON"),
        (lambda p: (p / "weights.safetensors").write_bytes(b"\x80\x03pickle"), "not a readable safetensors file"),
        (lambda p: _edit(p, "config.json", hidden_size=99), "has shape"),
        (lambda p: _edit(p, "config.json", vocab_size=5), "word vocabulary size"),
        (lambda p: _edit(p, "config.json", format_version=7), "format_version 7"),
        (lambda p: _edit(p, "config.json", attention=True), "unknown keys"),
        (lambda p: _drop_tensor(p), "missing tensors"),
        (lambda p: _nan_tensor(p), "NaN or infinite"),
    ],
)
def test_broken_checkpoints_raise_clear_errors(tmp_path, fitted, breakage, message):
    path = save_checkpoint(tmp_path / "m", fitted.model, fitted.encoder, {})
    breakage(path)
    with pytest.raises(CheckpointError, match=message):
        load_checkpoint(path)


def test_missing_folder_and_zip_export(tmp_path, fitted):
    with pytest.raises(CheckpointError, match="no checkpoint folder"):
        load_checkpoint(tmp_path / "nope")
    path = save_checkpoint(tmp_path / "m", fitted.model, fitted.encoder, {})
    names = zipfile.ZipFile(io.BytesIO(checkpoint_to_zip(path))).namelist()
    assert sorted(names) == sorted(f"m/{f}" for f in FILES)


def _edit(path, name, **changes):
    data = json.loads((path / name).read_text())
    data.update(changes)
    (path / name).write_text(json.dumps(data))


def _drop_tensor(path):
    state = load_file(str(path / "weights.safetensors"))
    state.pop("head.bias")
    save_file(state, str(path / "weights.safetensors"))


def _nan_tensor(path):
    state = load_file(str(path / "weights.safetensors"))
    state["head.bias"][0] = float("nan")
    save_file(state, str(path / "weights.safetensors"))
