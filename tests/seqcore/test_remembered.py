"""seqcore.remembered: a model's trajectory kept on disk reads back bit for bit, and only for the same model, text and code."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys

import numpy as np
import pytest

from seqcore import remembered
from seqcore.inference import Predictor
from seqcore.readouts import Trajectory
from tests.conftest import ROOT

TEXT = "The food was not good, but the service was wonderful."


@pytest.fixture
def cache(monkeypatch, tmp_path):
    folder = tmp_path / "cache"
    monkeypatch.setenv("SEQCORE_CACHE_DIR", str(folder))
    return folder


@pytest.fixture(scope="module")
def model_folder(tmp_path_factory):
    """A copy of a shipped model (its bytes are changed by some tests)."""
    out = tmp_path_factory.mktemp("model") / "sst-rnn"
    shutil.copytree(ROOT / "models" / "sst-rnn", out)
    return out


def test_a_remembered_trajectory_reads_back_exactly(cache, model_folder):
    computed = Predictor.load(model_folder).trajectory(TEXT)
    assert remembered.recall(model_folder, TEXT) is None
    assert remembered.remember(model_folder, TEXT, computed)
    back = remembered.recall(model_folder, TEXT)
    assert back is not None
    assert back.tokens == computed.tokens and back.labels == list(computed.labels)
    assert back.probs.dtype == np.float64 and np.array_equal(back.probs, computed.probs)  # bit for bit, not close
    assert back.final() == computed.final()


def test_another_text_or_changed_weights_are_not_recalled(cache, tmp_path, model_folder):
    run = Predictor.load(model_folder).trajectory(TEXT)
    remembered.remember(model_folder, TEXT, run)
    assert remembered.recall(model_folder, TEXT + " ") is None
    changed = tmp_path / "changed"
    shutil.copytree(model_folder, changed)
    weights = changed / "weights.safetensors"
    data = bytearray(weights.read_bytes())
    data[-1] ^= 1  # one bit of the last weight
    weights.write_bytes(bytes(data))
    assert remembered.recall(changed, TEXT) is None
    same = tmp_path / "same"
    shutil.copytree(model_folder, same)  # the same bytes elsewhere: the same answer
    assert remembered.recall(same, TEXT) is not None


def test_the_key_follows_the_code_and_versions(cache, monkeypatch, model_folder):
    before = remembered.key(model_folder, TEXT)
    monkeypatch.setattr(remembered, "PACKAGES", ("torch", "spacy", "numpy", "pip"))
    remembered.code_digest.cache_clear()
    try:
        assert remembered.key(model_folder, TEXT) != before
    finally:
        remembered.code_digest.cache_clear()


def test_the_cache_off_keeps_nothing(monkeypatch, model_folder):
    monkeypatch.setenv("SEQCORE_CACHE_DIR", "off")
    run = Trajectory(tokens=["a"], labels=["negative", "positive"], probs=np.array([[0.25, 0.75]]))
    assert not remembered.remember(model_folder, TEXT, run)
    assert remembered.recall(model_folder, TEXT) is None


@pytest.mark.parametrize(
    "damage",
    [
        lambda saved: "not json {",
        lambda saved: json.dumps({**saved, "format": "other"}),
        lambda saved: json.dumps({**saved, "key": "0" * 64}),  # a file copied under another model's name
        lambda saved: json.dumps({**saved, "probs": saved["probs"][:-1]}),
        lambda saved: json.dumps({**saved, "probs": [[1.5, -0.5]] * len(saved["tokens"])}),
        lambda saved: json.dumps({**saved, "tokens": [1] * len(saved["tokens"])}),
        lambda saved: json.dumps([saved]),
    ],
)
def test_a_damaged_file_is_the_same_as_none(cache, model_folder, damage):
    run = Trajectory(tokens=["good", "food"], labels=["negative", "positive"], probs=np.array([[0.4, 0.6], [0.1, 0.9]]))
    remembered.remember(model_folder, TEXT, run)
    (path,) = cache.glob("trajectory-*.json")
    path.write_text(damage(json.loads(path.read_text())))
    assert remembered.recall(model_folder, TEXT) is None


def test_only_the_newest_files_are_kept(cache, monkeypatch, model_folder):
    monkeypatch.setattr(remembered, "KEEP", 3)
    run = Trajectory(tokens=["a"], labels=["negative", "positive"], probs=np.array([[0.5, 0.5]]))
    for k in range(5):
        assert remembered.remember(model_folder, f"text {k}", run)
    assert len(list(cache.glob("trajectory-*.json"))) == 3
    assert remembered.recall(model_folder, "text 4") is not None


def test_reading_a_remembered_answer_imports_neither_torch_nor_spacy():
    code = (
        "import sys; from seqcore import remembered, readouts; "
        "print('torch' in sys.modules, 'spacy' in sys.modules, readouts.max_tokens())"
    )
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True).stdout.split()
    assert out == ["False", "False", "300"]
