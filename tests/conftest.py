"""Shared fixtures: where the real data lives, and tiny models for fast tests."""

from __future__ import annotations

from pathlib import Path

import pytest
import torch

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared" / "data"

torch.set_num_threads(max(1, torch.get_num_threads()))


@pytest.fixture(scope="session")
def shared_data() -> Path:
    """Return ../shared/data; tests that need it fail loudly in CI if it is missing."""
    if not SHARED.is_dir():
        pytest.fail(f"the real data folder {SHARED} is missing: CI provides it beside the repo")
    return SHARED
