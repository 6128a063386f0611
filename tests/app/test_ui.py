"""The app's side of the seam: pages go through the ui package, ui loads no torch, files stay small."""

from __future__ import annotations

import re
import subprocess
import sys

import pytest

from tests.app.appdata import APP, ROOT

APP_FILES = [
    ROOT / "app.py",
    ROOT / "app_script.py",
    *sorted((ROOT / "ui").glob("*.py")),
    *sorted((ROOT / "app_pages").glob("*.py")),
]
HEAVY = "sorted(m for m in ('torch', 'spacy') if m in sys.modules)"


def run_python(code: str, **env: str) -> str:
    """Run code in a fresh interpreter at the project root; return its last line of output."""
    import os

    done = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, env={**os.environ, **env}, timeout=300
    )
    assert done.returncode == 0, done.stderr[-3000:]
    return done.stdout.strip().splitlines()[-1]


def test_no_page_touches_session_state():
    """Pages read and write session state only through ui.state (and the widgets' own keys)."""
    for page in sorted((ROOT / "app_pages").glob("*.py")):
        assert "session_state" not in page.read_text(encoding="utf-8"), f"{page.name} reaches into st.session_state"
    for script in ("app.py", "app_script.py"):
        assert "session_state" not in (ROOT / script).read_text(encoding="utf-8")
    others = [
        p.name for p in (ROOT / "ui").glob("*.py") if p.name != "state.py" and "session_state" in p.read_text(encoding="utf-8")
    ]
    assert others == [], f"only ui/state.py touches st.session_state, not {others}"


def test_app_side_files_stay_small():
    long = {p.relative_to(ROOT).as_posix(): n for p in APP_FILES if (n := len(p.read_text(encoding="utf-8").splitlines())) > 300}
    assert long == {}, f"app-side files over 300 lines: {long}"


def test_no_tensor_math_or_thresholds_in_pages():
    for page in sorted((ROOT / "app_pages").glob("*.py")):
        text = page.read_text(encoding="utf-8")
        assert not re.search(r"^\s*(import|from)\s+(torch|numpy)\b", text, re.M), f"{page.name} imports torch or numpy"
        assert not re.search(r"\b(np|torch)\.", text), f"{page.name} does array math"


def test_importing_ui_loads_neither_torch_nor_spacy():
    assert run_python(f"import sys, ui; print({HEAVY})") == "[]"


def test_the_sidebar_lists_shipped_models_from_their_cards_alone():
    """The sidebar draws every shipped model before any model (or torch) is loaded."""
    code = f"""
import sys
from streamlit.testing.v1 import AppTest
at = AppTest.from_string("import ui\\nui.sidebar()").run()
assert not at.exception, at.exception
print(len(at.sidebar.selectbox[0].options), {HEAVY})
"""
    count, heavy = run_python(code).split(" ", 1)
    assert int(count) == len(list((ROOT / "models").glob("*/card.json"))) and int(count) > 0
    assert heavy == "[]"


def test_first_render_without_models_loads_neither_torch_nor_spacy(tmp_path):
    code = f"""
import sys
from streamlit.testing.v1 import AppTest
at = AppTest.from_file({APP!r}, default_timeout=60).run()
assert not at.exception, at.exception
print({HEAVY})
"""
    assert run_python(code, SEQCORE_MODELS_DIR=str(tmp_path)) == "[]"


def test_train_form_defaults_are_the_librarys_with_the_apps_quick_ones_on_top():
    import ui
    from seqcore.models import ModelConfig, defaults
    from seqcore.training import TrainConfig

    form = ui.train_form_defaults("aspect")
    assert form["num_layers"] == defaults(ModelConfig)["num_layers"]
    assert form["batch_size"] == defaults(TrainConfig)["batch_size"] and form["patience"] == defaults(TrainConfig)["patience"]
    assert form["bidirectional"] is True and ui.train_form_defaults("sentiment")["bidirectional"] is False
    for name, value in ui.config.APP_TRAIN_DEFAULTS.items():
        assert form[name] == value
    for name, r in ui.config.TRAIN_RANGES.items():
        assert r.low <= form[name] <= r.high, name


@pytest.mark.parametrize("name,expected", [("my model!", "my-model"), ("../etc", "etc"), ("...", "fallback")])
def test_clean_name(name, expected):
    import ui

    assert ui.clean_name(name, "fallback") == expected


def test_a_table_download_writes_its_csv_only_when_clicked():
    """Every table has a CSV download, written on click (a callable), not on every rerun; the CSV is the table's."""
    import pandas as pd

    from ui.widgets import csv_bytes

    df = pd.DataFrame([{"word": "not, bad", "p": 0.25}, {"word": "é", "p": 1.0}])
    assert csv_bytes(df).decode("utf-8").splitlines() == ["word,p", '"not, bad",0.25', "é,1.0"]
    code = """
from streamlit.testing.v1 import AppTest
at = AppTest.from_string("import ui\\nui.table([{'a': 1}], 'x', key='t')").run()
assert not at.exception, at.exception
button = at.get("download_button")[0].proto
print(button.deferred_file_id != "" and button.url == "")
"""
    assert run_python(code) == "True"


def test_the_sidebar_says_where_the_work_runs_once_a_model_is_loaded(app):
    at = app()
    from seqcore.device import describe_devices

    captions = " ".join(c.value for c in at.sidebar.caption)
    assert f"Device: {describe_devices()}." in captions.replace("\\", "")  # the first page loaded a model


def test_objects_alive_after_new_imports_are_frozen_once():
    """A run that imported modules freezes what is alive (full collections stop walking it); other runs freeze nothing."""
    code = """
import gc
import ui.models as m
m.freeze_long_lived()
a = gc.get_freeze_count()
kept = [[] for _ in range(1000)]  # new objects, no new module: not frozen
m.freeze_long_lived()
b = gc.get_freeze_count()
import colorsys  # a new module: the next call freezes again
m.freeze_long_lived()
c = gc.get_freeze_count()
print(a > 0, b == a, c >= a + 1000)
"""
    assert run_python(code) == "True True True"
