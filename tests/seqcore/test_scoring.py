"""scoring: prediction tables, and inference that never loads the trainer."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from seqcore.scoring import tag_rows

ROOT = Path(__file__).resolve().parents[2]


def test_tag_rows():
    rows = tag_rows(["I", "run"], [("I", "PRON", 0.9), ("run", "NOUN", 0.6)], ["PRON", "VERB"])
    assert [r["correct"] for r in rows] == [True, False]
    assert tag_rows(["I"], [("I", "PRON", 0.9)], None)[0]["correct"] is None
    with pytest.raises(ValueError, match="one tag per word"):
        tag_rows(["I", "run"], [("I", "PRON", 0.9), ("run", "NOUN", 0.6)], ["PRON"])


def test_importing_inference_does_not_load_the_trainer():
    code = "import sys, seqcore.inference; assert 'seqcore.training' not in sys.modules, 'seqcore.training was imported'"
    subprocess.run([sys.executable, "-c", code], cwd=ROOT, check=True)
