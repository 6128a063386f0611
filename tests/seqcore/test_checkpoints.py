"""Checkpoints: round-trip exactly, write atomically, and refuse broken folders with a clear reason."""

from __future__ import annotations

import io
import json
import os
import re
import zipfile

import pytest
import torch
from safetensors.torch import load_file, save_file

from seqcore.checkpoints import (
    FILES,
    CheckpointError,
    ZipLimits,
    checkpoint_to_zip,
    load_checkpoint,
    load_checkpoint_zip,
    save_checkpoint,
)
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


# ----------------------------------------------------------------------------- model zips from users


def _zip(entries: dict[str, bytes], **kw) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, data in entries.items():
            zf.writestr(name, data, **kw)
    return buf.getvalue()


@pytest.fixture()
def zipped(tmp_path, fitted) -> dict[str, bytes]:
    """The four files of a good checkpoint, by name."""
    path = save_checkpoint(tmp_path / "m", fitted.model, fitted.encoder, {"note": "zipped"})
    return {name: (path / name).read_bytes() for name in FILES}


def test_a_downloaded_zip_round_trips(tmp_path, fitted):
    path = save_checkpoint(tmp_path / "m", fitted.model, fitted.encoder, {"note": "home"})
    data = checkpoint_to_zip(path)
    ck = load_checkpoint_zip(data, name="m.zip")
    (tmp_path / "m.zip").write_bytes(data)
    from_file = load_checkpoint(tmp_path / "m.zip")  # the CLI passes a path: a zip file is accepted too
    batch = fitted.encoder.batch(tagging_data(5, seed=9))
    with torch.no_grad():
        expected = fitted.model.eval()(**batch.inputs())
        assert torch.equal(ck.model(**batch.inputs()), expected)
        assert torch.equal(from_file.model(**batch.inputs()), expected)
    assert ck.card["note"] == "home"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["m", "m.zip"]  # nothing left beside it


def test_a_zip_without_a_folder_is_accepted(zipped):
    assert load_checkpoint_zip(_zip(zipped)).card["note"] == "zipped"


@pytest.mark.parametrize(
    "edit,message",
    [
        (lambda z: {f"m/{k}": v for k, v in z.items() if k != "vocab.json"}, "lacks vocab.json"),
        (lambda z: {**{f"m/{k}": v for k, v in z.items()}, "m/model.pkl": b"\x80\x04pickle"}, "unexpected file 'm/model.pkl'"),
        (lambda z: {**z, "weights.safetensors": b"\x80\x04\x95pickle bytes"}, "not a readable safetensors file"),
        (lambda z: {**{f"m/{k}": v for k, v in z.items()}, "../evil.json": b"{}"}, "zip slip"),
        (lambda z: {**{k: v for k, v in z.items() if k != "card.json"}, "/etc/card.json": b"{}"}, "zip slip"),
        (lambda z: {**{k: v for k, v in z.items() if k != "card.json"}, "m/../../card.json": b"{}"}, "zip slip"),
        (lambda z: {**{k: v for k, v in z.items() if k != "card.json"}, "C:\\card.json": b"{}"}, "zip slip"),
        (lambda z: {**{k: v for k, v in z.items() if k != "card.json"}, "a/b/card.json": b"{}"}, "nested"),
        (lambda z: {**{k: v for k, v in z.items() if k != "card.json"}, "other/card.json": z["card.json"]}, "different folders"),
        (lambda z: {**z, "config.json": _json_edit(z["config.json"], hidden_size=7)}, "has shape"),
        # A config asking for a huge model is refused from the header, before anything is allocated.
        (lambda z: {**z, "config.json": _json_edit(z["config.json"], hidden_size=10**6)}, "has shape"),
        (lambda z: {**z, "config.json": b"\xff\xfe not json"}, "config.json is not valid JSON"),
    ],
)
def test_a_hostile_or_broken_zip_is_refused_with_a_named_reason(zipped, edit, message):
    with pytest.raises(CheckpointError, match=re.escape(message)):
        load_checkpoint_zip(_zip(edit(dict(zipped))), name="upload.zip")


def test_a_zip_bomb_is_refused_before_it_is_unpacked(zipped):
    bomb = {**zipped, "weights.safetensors": b"\0" * (4 * 2**20)}  # deflates to a few kB
    data = _zip(bomb)
    assert len(data) < 100_000
    with pytest.raises(CheckpointError, match="over the 1,000,000-byte limit.*zip bomb"):
        load_checkpoint_zip(data, limits=ZipLimits(max_unpacked_bytes=1_000_000))


def test_too_many_entries_too_large_not_a_zip_and_a_symlink_are_refused(zipped, tmp_path):
    many = {**zipped, **{f"x{i}/": b"" for i in range(20)}}
    with pytest.raises(CheckpointError, match="holds 24 entries"):
        load_checkpoint_zip(_zip(many))
    with pytest.raises(CheckpointError, match="over the 100-byte limit for a model zip"):
        load_checkpoint_zip(_zip(zipped), limits=ZipLimits(max_zip_bytes=100))
    with pytest.raises(CheckpointError, match="not a zip file"):
        load_checkpoint_zip(b"PK\x03\x04 not really a zip")
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        for name, data in zipped.items():
            info = zipfile.ZipInfo(name)
            if name == "card.json":
                info.external_attr = 0o120777 << 16  # a symbolic link to wherever its data points
                data = b"/etc/passwd"
            zf.writestr(info, data)
    with pytest.raises(CheckpointError, match="symbolic link"):
        load_checkpoint_zip(buf.getvalue())
    (tmp_path / "notes.txt").write_text("hello")
    with pytest.raises(CheckpointError, match="not a model zip"):
        load_checkpoint(tmp_path / "notes.txt")


def _deny(monkeypatch, victim: str):
    """Make reading one file fail as an unreadable file does (chmod 000 does not stop root, who runs CI)."""
    real_open = open

    def guarded(file, *args, **kwargs):
        if str(file).endswith(victim):
            raise PermissionError(13, "Permission denied", str(file))
        return real_open(file, *args, **kwargs)

    monkeypatch.setattr("builtins.open", guarded)
    monkeypatch.setattr("io.open", guarded)


@pytest.mark.parametrize("victim", ["weights.safetensors", "card.json"])
def test_an_unreadable_file_is_named_as_unreadable_not_missing(tmp_path, fitted, monkeypatch, victim):
    path = save_checkpoint(tmp_path / "m", fitted.model, fitted.encoder, {})
    if os.geteuid() != 0:
        (path / victim).chmod(0)
    else:
        _deny(monkeypatch, victim)
    with pytest.raises(CheckpointError, match=f"{victim} cannot be read \\(Permission denied\\)"):
        load_checkpoint(path)


def _json_edit(data: bytes, **changes) -> bytes:
    return json.dumps({**json.loads(data), **changes}).encode()
