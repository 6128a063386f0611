"""The server's warm-up (app.py's lifespan -> ui.warmup) loads exactly what the first page then uses."""

from __future__ import annotations

import os
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from seqcore.checkpoints import CheckpointError
from seqcore.remembered import recall
from tests.app.appdata import APP, ROOT
from ui import preloaded, warmup
from ui.config import DEFAULT_SENTENCE, TRAJECTORY_EXAMPLES
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


def test_warm_up_times_each_step_and_loads_the_models(monkeypatch, tmp_path, tiny_models):
    """The first start computes the first view (torch first); the next one recalls it and leaves torch for later."""
    monkeypatch.setenv("SEQCORE_CACHE_DIR", str(tmp_path))
    monkeypatch.setattr(preloaded, "asked", threading.Event())
    folders = first_page_models(tiny_models)
    assert list(warm_up(folders, wait_s=0)) == [
        "the first page's sentences",
        "the first view not remembered",
        "import torch",
        "the first page's models",
        "Plotly",
        "pandas",
        "spaCy's tokenizer",
    ]
    assert all(recall(folder, DEFAULT_SENTENCE) is not None for folder in folders)
    assert all(recall(folder, text) is not None for folder in folders for text in TRAJECTORY_EXAMPLES)
    timings = warm_up(folders, wait_s=0)
    assert list(timings) == [
        "the first page's sentences",
        "the first view remembered",
        "Plotly",
        "pandas",
        "import torch",
        "the first page's models",
        "spaCy's tokenizer",
    ]
    assert all(seconds >= 0 for seconds in timings.values())


def test_a_remembered_first_view_holds_torch_back_until_a_run_asks_for_a_model(monkeypatch, tmp_path, tiny_models):
    monkeypatch.setenv("SEQCORE_CACHE_DIR", str(tmp_path))
    monkeypatch.setattr(warmup, "_first_page_done", threading.Event())
    monkeypatch.setattr(preloaded, "asked", threading.Event())
    folders = first_page_models(tiny_models)
    warm_up(folders, wait_s=0)  # the first start: remembers the first view
    preloaded.take(folders[0], wait=0)
    preloaded.asked.clear()
    thread = threading.Thread(target=warm_up, args=(folders, 30))
    thread.start()
    time.sleep(1.0)
    assert thread.is_alive() and "pandas" in warmup.timings and "import torch" not in warmup.timings
    assert preloaded.take(folders[0], wait=30) is not None  # a run asks: the warm-up goes on and hands its model over
    assert "spaCy's tokenizer" not in warmup.timings  # spaCy still waits for the page to be drawn
    warmup._first_page_done.set()
    thread.join(30)
    assert not thread.is_alive() and "import torch" in warmup.timings


def test_streamlit_run_finds_the_app_and_its_script():
    """`streamlit run app.py` serves app_script.py through the st.App in app.py (found without running it)."""
    code = (
        "from pathlib import Path; from streamlit.web.server.app_discovery import discover_asgi_app; "
        "r = discover_asgi_app(Path('app.py')); print(r.is_asgi_app, r.import_string)"
    )
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True).stdout.split()
    assert out == ["True", "app:app"]
    assert (ROOT / "app_script.py").is_file()


def test_the_first_run_takes_the_warm_ups_models_once(tiny_models):
    """What the warm-up loaded is the model the first page's cache returns (not loaded twice), given once."""
    folder = first_page_models(tiny_models)[0]
    warm_up([folder], wait_s=0)
    warmed = preloaded.take(folder, wait=0)
    assert warmed is not None
    assert warmed.trajectory(DEFAULT_SENTENCE).tokens  # a working model
    assert preloaded.take(folder, wait=0) is None  # once: later runs load through the cache as before


def test_a_run_waits_for_a_model_the_warm_up_is_loading(tiny_models):
    folder = first_page_models(tiny_models)[0]
    preloaded.announce([folder])
    model = object()
    threading.Timer(0.3, preloaded.put, (folder, model)).start()
    started = time.perf_counter()
    assert preloaded.take(folder, wait=10) is model
    assert 0.2 < time.perf_counter() - started < 5


def test_a_changed_folder_or_a_failed_load_hands_nothing_over(tmp_path):
    folder = tmp_path / "m"
    folder.mkdir()
    (folder / "config.json").write_text("{}")
    preloaded.announce([folder])
    preloaded.put(folder, object())  # type: ignore[arg-type]
    (folder / "card.json").write_text("{}")  # the folder changed after the warm-up loaded it
    os.utime(folder / "card.json", (time.time() + 5, time.time() + 5))
    assert preloaded.take(folder, wait=0) is None
    preloaded.announce([folder])
    preloaded.put(folder, None)  # the warm-up could not load it: the run loads it, without waiting
    started = time.perf_counter()
    assert preloaded.take(folder, wait=10) is None
    assert time.perf_counter() - started < 1
    assert preloaded.take(tmp_path / "never-announced", wait=10) is None


def test_a_failing_warm_up_leaves_no_run_waiting(tmp_path):
    broken = tmp_path / "broken"
    broken.mkdir()
    with pytest.raises(CheckpointError):
        warm_up([broken], wait_s=0)
    started = time.perf_counter()
    assert preloaded.take(broken, wait=10) is None
    assert time.perf_counter() - started < 1


@pytest.mark.parametrize(("setting", "during"), [(None, 0.001), ("0.002", 0.002), ("junk", 0.001)])
def test_the_warm_up_runs_at_a_short_switch_interval_then_restores_it(monkeypatch, setting, during):
    if setting is None:
        monkeypatch.delenv("SEQCORE_SWITCH_INTERVAL", raising=False)
    else:
        monkeypatch.setenv("SEQCORE_SWITCH_INTERVAL", setting)
    seen: list[float] = []
    monkeypatch.setattr(warmup, "_started", threading.Event())
    monkeypatch.setattr(warmup, "warm_up", lambda: seen.append(sys.getswitchinterval()))
    before = sys.getswitchinterval()
    warmup.warm_up_quietly()
    warmup.warm_up_quietly()  # once per process
    assert seen == [pytest.approx(during)]
    assert sys.getswitchinterval() == before


@pytest.mark.skipif(not Path("/proc/self/maps").exists(), reason="reads Linux's /proc/self/maps")
def test_torch_libraries_load_without_torch_then_torch_uses_them():
    """app.py loads torch's C++ libraries in a thread (the interpreter lock let go); `import torch` then works as ever."""
    code = (
        "import sys, app; app._load_torch_libraries(); "
        "maps = open('/proc/self/maps').read(); "
        "print(all(name in maps for name in app.TORCH_LIBRARIES), 'torch' in sys.modules); "
        "import torch; print(torch.nn.GRU(3, 4)(torch.ones(1, 2, 3))[0].shape == (1, 2, 4))"
    )
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True).stdout.split()
    assert out == ["True", "False", "True"]


def test_spacy_waits_for_the_first_page_to_be_drawn(monkeypatch, tiny_models):
    """The warm-up imports spaCy last, after the first run's end plus the browser's drawing time (or its wait's end)."""
    done = threading.Event()
    monkeypatch.setattr(warmup, "_first_page_done", done)
    monkeypatch.setattr(warmup, "_drawing", [])
    monkeypatch.setattr(warmup, "DRAWING_S", 0.2)
    monkeypatch.setattr(preloaded, "asked", threading.Event())
    steps: list[str] = []
    thread = threading.Thread(target=lambda: steps.extend(warm_up(first_page_models(tiny_models), wait_s=30)))
    thread.start()
    time.sleep(1.0)
    assert thread.is_alive() and not done.is_set()  # everything else loaded, spaCy waiting for the page
    warmup.first_run_over()
    thread.join(10)
    assert done.is_set() and steps[-1] == "spaCy's tokenizer"
