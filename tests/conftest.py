"""Shared fixtures: where the real corpora live, and tiny models for fast tests."""

from __future__ import annotations

from pathlib import Path

import pytest
import torch

from seqcore.corpora import data_dir

ROOT = Path(__file__).resolve().parents[1]

torch.set_num_threads(max(1, torch.get_num_threads()))


@pytest.fixture(scope="session")
def corpora_dir() -> Path:
    """Return the data folder (the project's data/, or $SEQCORE_DATA); the corpora are part of the project."""
    folder = data_dir()
    if not folder.is_dir():
        pytest.fail(f"the data folder {folder} is missing: data/ is part of the project (or set SEQCORE_DATA)")
    return folder
