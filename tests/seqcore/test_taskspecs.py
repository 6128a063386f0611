"""taskspecs: one spec per task, read by the model config, the readers for a task, the CLI and the app."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from seqcore import models
from seqcore.readers import KIND_NAMES
from seqcore.taskspecs import ASPECT_LABELS, TASK_SPECS, TASKS, task_spec

ROOT = Path(__file__).resolve().parents[2]


def test_every_task_has_one_spec_and_the_model_config_knows_them_all():
    assert TASKS == ("sentiment", "aspect", "tagging") == models.TASKS
    for name, spec in TASK_SPECS.items():
        assert spec.name == name and spec.title and spec.item and spec.items and spec.reads and spec.upload_help
        assert set(spec.file_kinds) <= set(KIND_NAMES), name
        assert spec.upload_types and all(not t.startswith(".") for t in spec.upload_types)
    assert task_spec("aspect").class_order == ASPECT_LABELS
    assert [task_spec(t).bidirectional for t in TASKS] == [False, True, True]
    assert [task_spec(t).use_chars for t in TASKS] == [False, False, True]


def test_an_unknown_task_is_named_with_the_known_ones():
    with pytest.raises(ValueError, match="unknown task 'poetry': use sentiment, aspect or tagging"):
        task_spec("poetry")
    with pytest.raises(ValueError, match="task must be one of"):
        models.ModelConfig(task="poetry", vocab_size=4, num_classes=2)


def test_importing_taskspecs_loads_neither_torch_nor_spacy():
    code = "import sys, seqcore.taskspecs; print(sorted(m for m in ('torch', 'spacy') if m in sys.modules))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, check=True).stdout
    assert out.strip() == "[]"
