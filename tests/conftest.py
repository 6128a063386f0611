"""Shared fixtures: where the real corpora live, and tiny models for fast tests."""

from __future__ import annotations

from pathlib import Path

import pytest
import torch

from seqcore.corpora import data_dir

ROOT = Path(__file__).resolve().parents[1]

# One torch thread: the tests' models are small, and on a busy 2-core machine a second OpenMP thread
# that loses its core makes every op wait for it (measured: single LSTM calls of 0.5 ms took 80-300 ms).
torch.set_num_threads(1)


@pytest.fixture(scope="session", autouse=True)
def token_cache_in_a_temporary_folder(tmp_path_factory):
    """Keep the token cache (seqcore.tokens.tokenize_many) of test runs out of the user's ~/.cache."""
    import os

    before = os.environ.get("SEQCORE_CACHE_DIR")
    os.environ["SEQCORE_CACHE_DIR"] = str(tmp_path_factory.mktemp("seqcore-cache"))
    yield
    if before is None:
        os.environ.pop("SEQCORE_CACHE_DIR", None)
    else:
        os.environ["SEQCORE_CACHE_DIR"] = before


@pytest.fixture(scope="session")
def corpora_dir() -> Path:
    """Return the data folder (the project's data/, or $SEQCORE_DATA); the corpora are part of the project."""
    folder = data_dir()
    if not folder.is_dir():
        pytest.fail(f"the data folder {folder} is missing: data/ is part of the project (or set SEQCORE_DATA)")
    return folder
