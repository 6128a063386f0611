"""Fixtures for the app's tests: tiny models of every task, trained in seconds, and an AppTest factory."""

from __future__ import annotations

import shutil
from contextlib import contextmanager
from pathlib import Path

import pytest
import torch

from seqcore.pipeline import FitSpec, fit, save_fit
from seqcore.readers import LabeledText, read_conllu, read_semeval
from seqcore.tasks import aspect_examples, sentiment_examples, tagging_examples
from seqcore.training import TrainConfig
from tests.app.appdata import APP, CONLLU, DEMO_2014, DEMO_2016, SENTENCES


@contextmanager
def torch_threads(n: int):
    """Tiny models run far faster on one thread, above all on a busy 2-core machine (thread hand-offs dominate)."""
    before = torch.get_num_threads()
    torch.set_num_threads(n)
    try:
        yield
    finally:
        torch.set_num_threads(before)


@pytest.fixture(scope="module", autouse=True)
def one_torch_thread():
    """One torch thread while this folder's tests run; restored after each module, so other tests keep theirs."""
    with torch_threads(1):
        yield


def tiny_fit(task, cell, examples, test, **kw):
    spec = FitSpec(task, cell, embedding_dim=8, hidden_size=6, dropout=0.0, **kw)
    # dev = train: a split of so few sentences could leave a class out of train.
    return fit(spec, TrainConfig(epochs=1, batch_size=8, device="cpu"), examples, dev_examples=examples, test_examples=test)


@pytest.fixture(scope="session")
def tiny_models(tmp_path_factory) -> Path:
    """A models/ folder of five tiny models: sentiment RNN/GRU/LSTM, a 2-layer bidirectional aspect LSTM, a tagging GRU."""
    out = tmp_path_factory.mktemp("models")
    with torch_threads(1):
        _train_tiny(out)
    return out


def _train_tiny(out: Path) -> None:
    sent = sentiment_examples([LabeledText(t, lab) for t, lab in SENTENCES * 2])
    for cell in ("rnn", "gru", "lstm"):
        save_fit(out / f"tiny-sentiment-{cell}", tiny_fit("sentiment", cell, sent, sent[:8]))
    asp = aspect_examples(read_semeval(DEMO_2014).sentences) + aspect_examples(read_semeval(DEMO_2016).sentences)
    save_fit(out / "tiny-aspect-lstm", tiny_fit("aspect", "lstm", asp, asp[:6], num_layers=2))
    tags = tagging_examples(read_conllu(CONLLU.encode(), "tiny.conllu")[0])
    save_fit(out / "tiny-tagging-gru", tiny_fit("tagging", "gru", tags * 4, tags))


@pytest.fixture()
def empty_dir(tmp_path) -> Path:
    d = tmp_path / "nothing"
    d.mkdir()
    return d


@pytest.fixture()
def app(monkeypatch, tiny_models, empty_dir):
    """An AppTest of app_script.py over the tiny models and no data folder, so pages stay fast (set SEQCORE_* yourself to change that)."""
    from streamlit.testing.v1 import AppTest

    monkeypatch.setenv("SEQCORE_MODELS_DIR", str(tiny_models))
    monkeypatch.setenv("SEQCORE_DATA", str(empty_dir / "no-data"))

    def make() -> AppTest:
        at = AppTest.from_file(APP, default_timeout=90)
        at.run()
        return at

    return make


def copy_model(src: Path, dst: Path) -> Path:
    shutil.copytree(src, dst)
    return dst
