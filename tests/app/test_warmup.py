"""The server's warm-up (app.py's lifespan -> ui.warmup) loads exactly what the first page then uses."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from streamlit.testing.v1 import AppTest

from tests.app.appdata import APP, ROOT
from ui.warmup import first_page_models, warm_up


def first_page_choice(monkeypatch, models: Path) -> list[str]:
    monkeypatch.setenv("SEQCORE_MODELS_DIR", str(models))
    at = AppTest.from_file(APP, default_timeout=300).run()
    assert not at.exception, [e.value for e in at.exception]
    return [key.removeprefix("shipped:") for key in at.multiselect(key="traj_models").value]


def test_the_warm_up_picks_the_shipped_models_the_first_page_compares(monkeypatch):
    assert [p.name for p in first_page_models(ROOT / "models")] == first_page_choice(monkeypatch, ROOT / "models")


def test_the_warm_up_picks_the_tiny_models_too(monkeypatch, tiny_models):
    assert [p.name for p in first_page_models(tiny_models)] == first_page_choice(monkeypatch, tiny_models)


def test_no_sentiment_model_first_means_nothing_to_load(tmp_path):
    assert first_page_models(tmp_path) == []
    (tmp_path / "broken").mkdir()
    (tmp_path / "broken" / "card.json").write_text("not json")
    assert first_page_models(tmp_path) == []  # an unreadable folder is skipped, as the sidebar skips it


def test_warm_up_times_each_step_and_loads_the_models(tiny_models):
    timings = warm_up(first_page_models(tiny_models))
    assert list(timings) == ["import torch", "spaCy's tokenizer", "Plotly", "pandas", "the first page's models"]
    assert all(seconds >= 0 for seconds in timings.values())


def test_streamlit_run_finds_the_app_and_its_script():
    """`streamlit run app.py` serves app_script.py through the st.App in app.py (found without running it)."""
    code = (
        "from pathlib import Path; from streamlit.web.server.app_discovery import discover_asgi_app; "
        "r = discover_asgi_app(Path('app.py')); print(r.is_asgi_app, r.import_string)"
    )
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True).stdout.split()
    assert out == ["True", "app:app"]
    assert (ROOT / "app_script.py").is_file()
