"""A cold server's first page, drawn from the answers its warm-up remembered: no torch, the same numbers."""

from __future__ import annotations

import json
import os
import subprocess
import sys

from tests.app.appdata import ROOT
from ui import preloaded
from ui.config import DEFAULT_SENTENCE
from ui.warmup import first_page_models, warm_up

# A fresh process opens the first page in AppTest and reports whether torch came in, and the page's table.
FIRST_PAGE = """
import json, sys
from streamlit.testing.v1 import AppTest
at = AppTest.from_file("app_script.py", default_timeout=120).run()
assert not at.exception, [e.value for e in at.exception]
table = at.dataframe[0].value
print(json.dumps({"torch": "torch" in sys.modules, "columns": list(table.columns), "rows": table.to_dict("records")}))
"""


def first_page(env: dict[str, str]) -> dict:
    out = subprocess.run(
        [sys.executable, "-c", FIRST_PAGE], cwd=ROOT, env={**os.environ, **env}, capture_output=True, text=True, timeout=600
    )
    assert out.returncode == 0, out.stderr[-3000:]
    return json.loads(out.stdout.strip().splitlines()[-1])


def test_the_first_page_needs_no_torch_once_remembered_and_shows_the_computed_numbers(tmp_path, tiny_models, monkeypatch):
    env = {"SEQCORE_CACHE_DIR": str(tmp_path / "cache"), "SEQCORE_MODELS_DIR": str(tiny_models)}
    monkeypatch.setenv("SEQCORE_CACHE_DIR", env["SEQCORE_CACHE_DIR"])
    before = first_page(env)  # nothing remembered yet: the page loads the models (torch) and computes
    assert before["torch"]
    folders = first_page_models(tiny_models)
    warm_up(folders, wait_s=0)  # the server's first start: computes the first view and remembers it
    for folder in folders:
        preloaded.take(folder, wait=0)
    after = first_page(env)
    assert not after["torch"]  # drawn from the remembered answers
    assert after["columns"] == before["columns"] and after["rows"] == before["rows"]  # the numbers the models compute
    assert {row["word"] for row in after["rows"]} <= set(DEFAULT_SENTENCE.replace(",", " ,").replace(".", " .").split())


def test_a_changed_model_is_computed_again(tmp_path, tiny_models, monkeypatch):
    env = {"SEQCORE_CACHE_DIR": str(tmp_path / "cache"), "SEQCORE_MODELS_DIR": str(tiny_models)}
    monkeypatch.setenv("SEQCORE_CACHE_DIR", env["SEQCORE_CACHE_DIR"])
    folders = first_page_models(tiny_models)
    warm_up(folders, wait_s=0)
    for folder in folders:
        preloaded.take(folder, wait=0)
    card = folders[0] / "config.json"
    saved = card.read_text()
    try:
        card.write_text(saved.rstrip() + "\n\n")  # the same model, other bytes: not the model that was remembered
        assert first_page(env)["torch"]
    finally:
        card.write_text(saved)
