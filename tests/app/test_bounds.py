"""Bounded work per request and clear errors: the sentence cap, the Gates window, unreadable files."""

from __future__ import annotations

import json
import shutil

import pytest
from streamlit.testing.v1 import AppTest

import ui
from tests.app.appdata import APP, ROOT
from tests.app.test_pages import charts, clean, goto, texts


def words(n: int) -> str:
    return " ".join(f"w{i}" for i in range(n))


def heatmaps(at: AppTest) -> list[dict]:
    return [d for c in charts(at) for d in json.loads(c.proto.spec)["data"] if d.get("type") == "heatmap"]


@pytest.mark.parametrize(
    "text,cut",
    [(words(12), None), (words(13), "its last 1 were cut"), ("word " * 200_000, "everything after character")],
    ids=["at the cap", "just over", "far over"],
)
def test_the_sentence_cap_cuts_and_says_so(app, monkeypatch, text, cut):
    monkeypatch.setenv("SEQCORE_MAX_TOKENS", "12")
    at = app()
    goto(at, "1_trajectory")
    at.text_input(key="traj_edit").set_value("").run()  # no edited copy: the one sentence is the one capped
    at.text_input(key="traj_sentence").set_value(text).run()
    clean(at)
    table = next(d.value for d in at.dataframe if "word" in d.value.columns)
    assert len(table) == 12
    if cut is None:
        assert not at.warning
    else:
        assert "at most 12 tokens (SEQCORE\\_MAX\\_TOKENS)" in texts(at.warning) and cut in texts(at.warning)
    # Every page that reads a typed sentence reads the cut one.
    for page, key in (("3_gates", "gates_sentence"), ("6_inside", "inside_sentence"), ("2_aspects", "asp_own")):
        goto(at, page)
        assert at.text_input(key=key).value == text
        clean(at)
        said = [w.value for w in at.warning if w.value.startswith("The interactive views read at most 12 tokens")]
        assert (cut is None) == (not said)


def test_gates_draws_a_window_of_words_and_units(app, monkeypatch):
    monkeypatch.setattr(ui.config, "GATES_MAX_UNITS", 4)  # the tiny models have 6 units
    at = app()
    at.selectbox(key="model_key").set_value("shipped:tiny-aspect-lstm").run()
    goto(at, "3_gates")
    at.toggle(key="gates_compare").set_value(True).run()  # the side-by-side heatmaps are windowed too
    at.text_input(key="gates_sentence").set_value(words(100)).run()
    clean(at)
    size = ui.config.GATES_MAX_WORDS
    assert f"Showing words 0 to {size - 1} of 100" in texts(at.caption)
    assert "Showing hidden units 0 to 3 of 6" in texts(at.caption)
    maps = heatmaps(at)
    assert len(maps) >= 8 and all(len(m["x"]) == size for m in maps)
    assert all(len(m["y"]) == 4 for m in maps)
    ranked = [str(u) for u in heatmaps(at)[0]["y"]]  # the rows keep the units' ranking order
    at.slider(key="gates_words").set_value(40).run()
    at.slider(key="gates_rows").set_value(2).run()
    clean(at)
    first = heatmaps(at)[0]
    assert first["x"][0] == 40 and first["x"][-1] == 40 + size - 1
    assert len(first["y"]) == 4 and [str(u) for u in first["y"]][:2] == ranked[2:]  # the window moved down the order
    # A short sentence and a small model need no window.
    at.text_input(key="gates_sentence").set_value(words(5)).run()
    monkeypatch.setattr(ui.config, "GATES_MAX_UNITS", 128)
    at.run()
    assert not [s for s in at.slider if s.key in ("gates_words", "gates_rows")]
    assert all(len(m["x"]) == 5 for m in heatmaps(at))


def _deny(monkeypatch, *victims: str) -> None:
    """Make reading these files fail as unreadable files do (chmod 000 does not stop root, who runs CI)."""
    real_open = open

    def guarded(file, *args, **kwargs):
        if str(file).endswith(victims):
            raise PermissionError(13, "Permission denied", str(file))
        return real_open(file, *args, **kwargs)

    monkeypatch.setattr("builtins.open", guarded)
    monkeypatch.setattr("io.open", guarded)


def test_unreadable_weights_and_cards_are_red_messages_naming_the_file(monkeypatch, tmp_path, tiny_models, empty_dir):
    models = tmp_path / "models"
    shutil.copytree(tiny_models / "tiny-sentiment-gru", models / "weights-locked")
    shutil.copytree(tiny_models / "tiny-aspect-lstm", models / "card-locked")
    shutil.copytree(tiny_models / "tiny-tagging-gru", models / "fine")
    monkeypatch.setenv("SEQCORE_MODELS_DIR", str(models))
    monkeypatch.setenv("SEQCORE_DATA", str(empty_dir / "absent"))
    _deny(monkeypatch, "card-locked/card.json", "weights-locked/weights.safetensors")
    at = AppTest.from_file(APP, default_timeout=90)
    at.run()
    sidebar_errors = texts(at.sidebar.error)
    assert "card-locked/card.json cannot be read (Permission denied)" in sidebar_errors.replace("\\", "")
    at.selectbox(key="model_key").set_value("shipped:weights-locked").run()
    goto(at, "3_gates")
    assert not at.exception
    message = texts(at.error).replace("\\", "")
    assert "weights-locked/weights.safetensors cannot be read (Permission denied)" in message
    at.selectbox(key="model_key").set_value("shipped:fine").run()  # the rest of the app goes on working
    goto(at, "7_tagging")
    assert not at.exception and not at.main.error


def test_unreadable_data_files_are_red_messages_naming_the_file(app, monkeypatch, tmp_path):
    at = app()
    goto(at, "2_aspects")
    _deny(monkeypatch, "restaurants_2014_demo.xml")
    at.run()
    assert not at.exception
    message = texts(at.error).replace("\\", "")
    assert "restaurants_2014_demo.xml cannot be read (Permission denied): check its permissions" in message
    monkeypatch.undo()
    # A corpus of the data folder (a copy, so no cached read hides the refusal).
    data = tmp_path / "data"
    shutil.copytree(ROOT / "data" / "rt-polarity", data / "rt-polarity")
    monkeypatch.setenv("SEQCORE_DATA", str(data))
    _deny(monkeypatch, "rt-polarity.pos")
    goto(at, "5_train")
    assert not at.exception
    assert "rt-polarity.pos cannot be read (Permission denied)" in texts(at.error).replace("\\", "")
    assert at.button(key="train_start").disabled
