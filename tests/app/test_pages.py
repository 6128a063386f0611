"""AppTest: every page runs on the shipped models, on tiny fresh models and on none; the main widgets act."""

from __future__ import annotations

import re
import time
import tomllib
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from seqcore.anatomy import parameter_breakdown, parameter_totals
from seqcore.checkpoints import load_checkpoint
from seqcore.models import count_parameters
from seqcore.tokens import tokenize
from tests.app.appdata import APP, BROKEN, CONLLU, DEMO_2016, HOSTILE_XML, ROOT
from tests.app.figures import shows, trace_names, trace_types
from ui import config as ui_config
from ui.text import plain

PAGES = sorted(str(p.relative_to(ROOT)) for p in (ROOT / "app_pages").glob("[0-9]*_*.py"))


def goto(at: AppTest, page: str) -> AppTest:
    return at.switch_page(f"app_pages/{page}.py").run()


def clean(at: AppTest) -> None:
    """No traceback and no red error on the page."""
    assert not at.exception, [e.value for e in at.exception]
    assert not at.error, [e.value for e in at.error]


def tables_have_downloads(at: AppTest) -> None:
    tables = at.dataframe
    downloads = [b for b in at.get("download_button") if "CSV" in b.proto.label]
    assert len(downloads) >= len(tables), f"{len(tables)} tables but {len(downloads)} CSV downloads"


def charts(at: AppTest) -> list:
    return list(at.get("plotly_chart"))


def texts(elements) -> str:
    return "\n".join(str(e.value) for e in elements)


def test_app_structure():
    assert len(PAGES) == 12
    assert not (ROOT / "pages").exists(), "a pages/ folder beside app.py puts Streamlit in its old multipage mode"
    sources = [ROOT / "app.py", ROOT / "app_script.py", *(ROOT / "ui").glob("*.py"), *(ROOT / "app_pages").glob("*.py")]
    for src in sources:
        assert ":material/" not in src.read_text(encoding="utf-8"), f"{src.name}: material icons fetch a web font"
    for path in (ROOT / "seqcore").glob("*.py"):
        assert not re.search(r"^\s*(import|from)\s+streamlit", path.read_text(encoding="utf-8"), re.M), (
            f"{path.name} imports streamlit"
        )
    config = (ROOT / ".streamlit" / "config.toml").read_text()
    assert "gatherUsageStats = false" in config and 'address = "127.0.0.1"' in config
    server = tomllib.loads(config)["server"]
    assert server["fileWatcherType"] == "none", "a source watcher costs every new session 0.2 s of server CPU (issue 17)"


@pytest.mark.parametrize("page", [Path(p).stem for p in PAGES])
def test_every_page_on_the_shipped_models(monkeypatch, empty_dir, page):
    """Whatever models/ holds now (none at all included), every page runs without an exception.

    The data folder is hidden so the Evaluation page does not score a full test set here (seconds to minutes);
    test_shipped_cards_name_test_files_that_exist checks that each card leads to its test files.
    """
    monkeypatch.delenv("SEQCORE_MODELS_DIR", raising=False)
    monkeypatch.setenv("SEQCORE_DATA", str(empty_dir / "absent"))
    at = AppTest.from_file(APP, default_timeout=90)
    at.run()
    goto(at, page)
    assert not at.exception, [e.value for e in at.exception]
    shipped = [p for p in (ROOT / "models").glob("*/card.json")]
    if shipped:
        assert not at.error, [e.value for e in at.error]


def test_shipped_cards_name_test_files_that_exist(monkeypatch):
    """Every shipped model's card leads the Evaluation page to its test data in the project's data/ folder."""
    import json

    from seqcore.tasks import card_test_files

    monkeypatch.delenv("SEQCORE_DATA", raising=False)
    for card_path in sorted((ROOT / "models").glob("*/card.json")):
        card = json.loads(card_path.read_text())
        if card.get("test_metrics"):
            found = card_test_files(card)
            assert found is not None, (
                f"{card_path.parent.name}: its card's data entry {card.get('data')} names no test file found here"
            )
            assert all(f.is_file() and f.is_relative_to(ROOT / "data") for f in found[0])


def test_evaluation_scores_a_shipped_model_on_its_real_test_set(monkeypatch):
    """On a fresh clone (data/ only), the Evaluation page re-scores a shipped model on its own test set, as its card says."""
    import json

    monkeypatch.delenv("SEQCORE_MODELS_DIR", raising=False)
    monkeypatch.delenv("SEQCORE_DATA", raising=False)
    card = json.loads((ROOT / "models" / "aspect-laptops-lstm" / "card.json").read_text())
    at = AppTest.from_file(APP, default_timeout=180)
    at.run()
    at.selectbox(key="model_key").set_value("shipped:aspect-laptops-lstm").run()
    goto(at, "4_evaluation")
    clean(at)
    assert at.radio(key="eval_source").value == "test"
    assert plain("Laptops_Test_Gold.xml") in texts(at.subheader)
    assert [m.value for m in at.metric if m.label == "Aspect terms"] == [str(card["test_metrics"]["n"])]
    assert [m.value for m in at.metric if m.label == "Accuracy"] == [f"{card['test_metrics']['accuracy']:.1%}"]


def test_train_offers_the_real_corpora_from_data(monkeypatch, tiny_models):
    """With no folder beside the project, Train offers every task's real corpora, a fixed-seed subset by default."""
    monkeypatch.setenv("SEQCORE_MODELS_DIR", str(tiny_models))
    monkeypatch.delenv("SEQCORE_DATA", raising=False)
    at = AppTest.from_file(APP, default_timeout=180)
    at.run()
    goto(at, "5_train")
    clean(at)
    source = at.radio(key="train_source_sentiment")
    assert source.value == "corpus:rt-polarity" and source.options[0].startswith(
        "Cornell sentence polarity (rt-polarity), train split, from data/"
    )
    assert at.number_input(key="train_limit_sentiment").value == 2000
    assert "2000 training sentences (2000 labeled sentences)" in texts(at.caption)
    at.radio(key="train_task").set_value("aspect").run()
    assert [o.split(",")[0] for o in at.radio(key="train_source_aspect").options] == [
        "A demo review file (tiny: for trying the mechanics)",
        "SemEval-2014 Restaurants",
        "SemEval-2014 Laptops",
        "SemEval-2016 Restaurants",
        "A file you upload",
    ]
    at.radio(key="train_task").set_value("tagging").run()
    assert at.radio(key="train_source_tagging").value == "corpus:ud-english-ewt"
    at.number_input(key="train_limit_tagging").set_value(200).run()
    clean(at)
    assert "200 training sentences (" in texts(at.caption) and not at.button(key="train_start").disabled


@pytest.mark.parametrize("page", [Path(p).stem for p in PAGES])
def test_every_page_on_tiny_models(app, page):
    at = app()
    goto(at, page)
    clean(at)
    tables_have_downloads(at)
    if page != "5_train":
        assert charts(at), "the page drew no chart"


@pytest.mark.parametrize("model", ["tiny-sentiment-rnn", "tiny-sentiment-lstm", "tiny-aspect-lstm", "tiny-tagging-gru"])
def test_model_pages_for_every_cell_and_task(app, model):
    at = app()
    at.selectbox(key="model_key").set_value(f"shipped:{model}").run()
    for page in ("3_gates", "4_evaluation", "6_inside"):
        goto(at, page)
        clean(at)
        tables_have_downloads(at)
    assert "The blocks add up to" in texts(at.success)


@pytest.mark.parametrize("page", [Path(p).stem for p in PAGES])
def test_every_page_without_models_points_to_train(monkeypatch, empty_dir, page):
    monkeypatch.setenv("SEQCORE_MODELS_DIR", str(empty_dir))
    monkeypatch.setenv("SEQCORE_DATA", str(empty_dir / "absent"))
    at = AppTest.from_file(APP, default_timeout=90)
    at.run()
    goto(at, page)
    clean(at)
    assert "No model yet" in texts(at.sidebar.info)
    if page not in ("2_aspects", "5_train", "11_cell_lab"):  # the cell lab trains its own models
        assert "Train" in texts(at.warning) + texts(at.info) or "No " in texts(at.warning)


def test_sidebar_lists_models_and_card_line(app):
    at = app()
    box = at.selectbox(key="model_key")
    assert set(box.options) >= {
        "tiny-sentiment-rnn",
        "tiny-sentiment-gru",
        "tiny-sentiment-lstm",
        "tiny-aspect-lstm",
        "tiny-tagging-gru",
    }
    assert box.value.startswith("shipped:tiny-sentiment")
    line = texts(at.sidebar.caption)
    assert "whole-sentence sentiment" in line and "test accuracy" in line


def test_trajectory_types_a_sentence_and_overlays_three_cells(app):
    at = app()
    goto(at, "1_trajectory")
    models = at.multiselect(key="traj_models")
    assert len(models.value) == 3
    at.text_input(key="traj_sentence").set_value("I loved the soup but hated the staff").run()
    clean(at)
    fig = charts(at)[0]
    assert shows(fig, "hated")
    assert "hated" in at.dataframe[0].value["word"].tolist()
    at.text_input(key="traj_sentence").set_value("   ").run()
    assert "empty" in texts(at.error)
    assert not at.exception
    example = ui_config.TRAJECTORY_EXAMPLES[-1]
    at.selectbox(key="traj_example").set_value(example).run()
    clean(at)
    assert at.text_input(key="traj_sentence").value == example


def test_the_sentence_follows_the_reader_across_pages(app):
    at = app()
    goto(at, "1_trajectory")
    at.text_input(key="traj_sentence").set_value("The waiter was lovely").run()
    goto(at, "3_gates")
    assert at.text_input(key="gates_sentence").value == "The waiter was lovely"


def test_aspects_demo_file_broken_file_and_own_sentence(app):
    at = app()
    goto(at, "2_aspects")
    clean(at)
    assert at.selectbox(key="asp_demo").value == "restaurants_2014_demo.xml"
    assert "Accuracy over the file" in [m.label for m in at.metric]
    assert "NULL" in texts(at.caption) or "conflict" in texts(at.caption)
    assert any(shows(c, "mask") for c in charts(at))
    # The broken demo: its problems are listed with sentence ids, above the data, and the page goes on.
    at.selectbox(key="asp_demo").set_value("broken_demo.xml").run()
    assert not at.exception
    assert "problem" in texts(at.warning)
    problems = at.dataframe[0].value
    assert {"sentence id", "line", "problem"} <= set(problems.columns) and problems["sentence id"].notna().any()
    # Browse another sentence.
    at.selectbox(key="asp_sentence").set_value(1).run()
    assert not at.exception
    # Your own sentence: the words that name an aspect are offered, common ones chosen; one pass predicts them.
    at.text_input(key="asp_own").set_value("The wine list was long but the waiter was rude").run()
    own = next(m for m in at.multiselect if m.key.startswith("asp_spans_"))
    assert own.value == [(1, 3), (7, 8)]  # "wine list" and "waiter"
    table = [d.value for d in at.dataframe if "predicted" in d.value.columns and "gold" not in d.value.columns][-1]
    assert table["term"].tolist() == ["wine list", "waiter"]
    own.set_value([(4, 5)]).run()
    assert not at.exception


def test_aspects_upload_good_and_hostile_files(app):
    at = app()
    goto(at, "2_aspects")
    at.radio(key="asp_how").set_value("Upload a file").run()
    at.file_uploader(key="asp_upload").set_value(("reviews.xml", DEMO_2016.read_bytes(), "text/xml")).run()
    clean(at)
    assert ("SemEval format", "2016") in [(m.label, str(m.value)) for m in at.metric]
    at.file_uploader(key="asp_upload").set_value(("evil.xml", HOSTILE_XML, "text/xml")).run()
    assert not at.exception
    message = texts(at.error)
    assert "evil.xml" in message and "refused at line" in message
    # The rest of the page still works.
    assert at.text_input(key="asp_own").value
    at.file_uploader(key="asp_upload").set_value(("cut.xml", b"<sentences><sentence id='1'><text>Half", "text/xml")).run()
    assert "not well-formed XML" in texts(at.error) and "line 1" in texts(at.error)


def test_gates_layers_directions_units_and_comparison(app):
    at = app()
    at.selectbox(key="model_key").set_value("shipped:tiny-aspect-lstm").run()
    goto(at, "3_gates")
    clean(at)
    heat = [t for c in charts(at) for t in trace_types(c) if t == "heatmap"]
    assert len(heat) >= 6  # i f g o c h: the panels of one chart
    assert not {"gates_left", "gates_right"} & {b.key for b in at.selectbox}  # no comparison until asked for
    at.toggle(key="gates_compare").set_value(True).run()
    clean(at)
    assert len([t for c in charts(at) for t in trace_types(c) if t == "heatmap"]) >= len(heat) + 2  # the two models side by side
    at.selectbox(key="gates_layer").set_value(1).run()
    at.selectbox(key="gates_direction").set_value("backward").run()
    at.select_slider(key="gates_unit").set_value(5).run()
    clean(at)
    assert "Unit 5" in texts(at.caption) or "unit 5" in texts(at.caption).lower()
    sat = at.dataframe
    assert any("share_saturated" in t.value.columns for t in sat)
    left, right = at.selectbox(key="gates_left"), at.selectbox(key="gates_right")
    assert "lstm" in left.value and "gru" in right.value


def test_evaluation_card_demo_cell_and_upload(app):
    at = app()
    goto(at, "4_evaluation")
    clean(at)
    at.radio(key="eval_source").set_value("card").run()
    clean(at)
    assert any(shows(c, "Stored in the model card") for c in charts(at))
    # An aspect model on a demo file: metrics, confusion cell -> its examples.
    at.selectbox(key="model_key").set_value("shipped:tiny-aspect-lstm").run()
    goto(at, "4_evaluation")
    at.radio(key="eval_source").set_value("demo").run()
    clean(at)
    assert {"Accuracy", "Macro-F1"} <= {m.label for m in at.metric}
    at.selectbox(key="eval_cell").set_value(0).run()
    shown = [t.value for t in at.dataframe if "aspect term" in t.value.columns]
    assert shown and len(shown[0]) >= 1
    # A sentiment model on an uploaded labeled file with a bad line.
    at.selectbox(key="model_key").set_value("shipped:tiny-sentiment-gru").run()
    goto(at, "4_evaluation")
    at.radio(key="eval_source").set_value("upload").run()
    tsv = b"positive\tgreat food\nnegative\tawful soup\nno tab here\nmixed\tso so\n"
    at.file_uploader(key="eval_upload").set_value(("mine.tsv", tsv, "text/tab-separated-values")).run()
    clean(at)
    assert "problem" in texts(at.warning)
    assert "label this model does not know" in texts(at.caption)
    assert [m.value for m in at.metric if m.label == "Sentences"] == ["2"]


def test_evaluation_tagging_upload_per_tag_confusion(app):
    at = app()
    at.selectbox(key="model_key").set_value("shipped:tiny-tagging-gru").run()
    goto(at, "4_evaluation")
    at.radio(key="eval_source").set_value("upload").run()
    at.file_uploader(key="eval_upload").set_value(("t.conllu", CONLLU.encode(), "text/plain")).run()
    clean(at)
    assert [m.value for m in at.metric if m.label == "Words"] == ["13"]
    cm = [c for c in charts(at) if shows(c, "Confusion")]
    assert cm and shows(cm[0], "PUNCT")


def test_evaluation_test_set_from_the_card(app, monkeypatch, tmp_path, tiny_models):
    """A card that names its test files as data/... is scored on them (from SEQCORE_DATA); a k-fold card on its fold."""
    import json
    import shutil

    folder = tmp_path / "elsewhere"
    (folder / "semeval2014").mkdir(parents=True)
    shutil.copy(DEMO_2016, folder / "semeval2014" / "Restaurants_Test_Gold.xml")
    (folder / "rt-polarity").mkdir()
    (folder / "rt-polarity" / "rt-polarity.pos").write_text("a lovely film\nwarm and funny\nI loved it\n")
    (folder / "rt-polarity" / "rt-polarity.neg").write_text("a dull film\ncold and tired\nI hated it\n")
    models = tmp_path / "models"
    shutil.copytree(tiny_models / "tiny-aspect-lstm", models / "a")
    shutil.copytree(tiny_models / "tiny-sentiment-gru", models / "s")
    for name, data in (
        ("a", {"test": ["data/semeval2014/Restaurants_Test_Gold.xml"]}),
        (
            "s",
            {
                "train": ["data/rt-polarity/rt-polarity.pos", "data/rt-polarity/rt-polarity.neg"],
                "test": "fold 1 of 3 (seed 13) over the train files",
                "kfold": {"folds": 3, "fold": 1, "seed": 13},
            },
        ),
    ):
        card = json.loads((models / name / "card.json").read_text())
        card["data"] = data
        (models / name / "card.json").write_text(json.dumps(card))
    monkeypatch.setenv("SEQCORE_MODELS_DIR", str(models))
    monkeypatch.setenv("SEQCORE_DATA", str(folder))
    at = AppTest.from_file(APP, default_timeout=90)
    at.run()
    at.selectbox(key="model_key").set_value("shipped:a").run()
    goto(at, "4_evaluation")
    clean(at)
    assert at.radio(key="eval_source").value == "test"
    assert plain("Restaurants_Test_Gold.xml") in texts(at.subheader)
    at.selectbox(key="model_key").set_value("shipped:s").run()
    goto(at, "4_evaluation")
    clean(at)
    assert "fold 1 of 3" in texts(at.subheader)
    assert [m.value for m in at.metric if m.label == "Sentences"] == ["2"]


def test_inside_parameters_add_up_and_step(app, tiny_models):
    at = app()
    at.selectbox(key="model_key").set_value("shipped:tiny-aspect-lstm").run()
    goto(at, "6_inside")
    clean(at)
    ckpt = load_checkpoint(tiny_models / "tiny-aspect-lstm")
    total = count_parameters(ckpt.model)
    assert f"{total:,} parameters" in texts(at.success)
    assert parameter_totals(parameter_breakdown(ckpt.model))[-1]["parameters"] == total
    shapes = texts(at.code)
    n = len(tokenize(ui_config.DEFAULT_SENTENCE)[0])  # the default sentence's tokens
    assert shapes.startswith(f"[1, {n}] -> [1, {n}, 8]") and shapes.endswith("[1, 1, 3]")
    at.selectbox(key="inside_word").set_value(3).run()
    at.selectbox(key="inside_layer").set_value(1).run()
    at.selectbox(key="inside_direction").set_value("backward").run()
    at.multiselect(key="inside_units").set_value([0, 5]).run()
    clean(at)
    step = [t.value for t in at.dataframe if "pre-activation" in t.value.columns][0]
    assert set(step["unit"]) == {0, 5} and set(step["gate"]) == {"i", "f", "g", "o", "c", "h"}
    at.text_input(key="inside_terms").set_value("pizza").run()
    assert "does not occur" in texts(at.error)  # typed for this sentence: kept as typed, the page says what is wrong
    assert at.text_input(key="inside_terms").value == "pizza"
    at.text_input(key="inside_sentence").set_value("The pasta was cold but the waiter was kind .").run()
    assert not at.error and at.text_input(key="inside_terms").value == "pasta"  # a new sentence: a word of it
    assert "pizza" in texts(at.info)  # and the dropped term is named
    at.text_input(key="inside_terms").set_value("waiter").run()
    at.text_input(key="inside_sentence").set_value("The waiter was slow .").run()
    assert at.text_input(key="inside_terms").value == "waiter" and not at.error  # still in the sentence: kept


def test_tagging_typed_with_gold_and_upload(app):
    at = app()
    goto(at, "7_tagging")
    clean(at)
    at.text_input(key="tag_sentence").set_value("The soup was great .").run()
    at.text_input(key="tag_gold").set_value("DET NOUN AUX ADJ PUNCT").run()
    assert not at.exception
    rows = at.dataframe[0].value
    assert rows["gold"].tolist() == ["DET", "NOUN", "AUX", "ADJ", "PUNCT"]
    assert set(rows["mark"]) <= {"✓", "✗ wrong"}
    wrong = int((rows["mark"] == "✗ wrong").sum())
    said = f"{wrong} of 5 words tagged wrong" if wrong else "All 5 words tagged right"
    assert said in texts(at.info) and not at.error and not at.success  # neutral, not red or green
    at.text_input(key="tag_gold").set_value("DET NOUN").run()
    assert "one tag per word" in texts(at.error)
    at.radio(key="tag_how").set_value("Upload a CoNLL-U file").run()
    broken = CONLLU + "\n# sent_id = bad\n1\tOops\toops\n"
    at.file_uploader(key="tag_upload").set_value(("t.conllu", broken.encode(), "text/plain")).run()
    assert not at.exception
    assert "problem" in texts(at.warning)
    assert "Accuracy over the file" in [m.label for m in at.metric]


def wait_for_training(at: AppTest, timeout: float = 90) -> AppTest:
    end = time.time() + timeout
    while time.time() < end:
        at.run()
        job = at.session_state["train_job"]
        if job.done:
            at.run()
            return at
        time.sleep(0.3)
    raise AssertionError("training did not finish in time")


def test_train_one_epoch_joins_the_sidebar_and_downloads(app):
    at = app()
    goto(at, "5_train")
    clean(at)
    at.radio(key="train_source_sentiment").set_value("demo").run()
    at.number_input(key="train_epochs").set_value(1).run()
    at.number_input(key="train_hidden").set_value(8).run()
    at.button(key="train_start").click().run()
    assert not at.exception
    wait_for_training(at)
    clean(at)
    assert "ran every epoch" in texts(at.success)
    box = at.selectbox(key="model_key")
    assert box.value.startswith("session:") and box.value.endswith("my-sentiment-gru-1")
    assert any(b.proto.label.startswith("Download the model") for b in at.get("download_button"))
    trained = at.session_state["trained_models"][box.value]
    import io
    import zipfile

    names = zipfile.ZipFile(io.BytesIO(trained["zip"])).namelist()
    assert sorted(n.split("/")[1] for n in names) == ["card.json", "config.json", "vocab.json", "weights.safetensors"]
    # The new model works on the other pages.
    for page in ("1_trajectory", "3_gates", "6_inside", "8_gradients", "9_pitfalls", "4_evaluation"):
        goto(at, page)
        clean(at)
        if page == "8_gradients":
            assert box.value in at.multiselect(key="grad_models").value
            assert any("my-sentiment-gru-1 · trained" in trace_names(c) for c in charts(at))
        if page == "9_pitfalls":  # read out three ways on the dev split it held out
            assert at.radio(key="pit_source").value == "dev" and "last relevant step (right)" in [m.label for m in at.metric]
    at.radio(key="eval_source").set_value("dev").run()
    clean(at)
    # Another browser session does not see it.
    other = app()
    assert not any(k.startswith("session:") for k in other.selectbox(key="model_key").options)


def test_train_stop_keeps_the_best_model_so_far(app):
    at = app()
    goto(at, "5_train")
    at.radio(key="train_task").set_value("aspect").run()
    at.radio(key="train_source_aspect").set_value("demo").run()
    at.number_input(key="train_epochs").set_value(100).run()
    at.number_input(key="train_patience").set_value(100).run()
    at.number_input(key="train_batch").set_value(1).run()
    at.button(key="train_start").click().run()
    assert at.button(key="train_stop")
    at.button(key="train_stop").click().run()
    wait_for_training(at)
    clean(at)
    assert "stopped by you" in texts(at.success)
    job = at.session_state["train_job"]
    assert job.result.stopped_by_user and job.result.epochs_run < 100
    assert at.selectbox(key="model_key").value.endswith("my-aspect-gru-1")


def test_train_upload_broken_file_shows_the_readers_error(app):
    at = app()
    goto(at, "5_train")
    at.radio(key="train_task").set_value("aspect").run()
    at.radio(key="train_source_aspect").set_value("upload").run()
    at.file_uploader(key="train_upload_aspect").set_value(("evil.xml", HOSTILE_XML, "text/xml")).run()
    assert not at.exception
    assert "refused" in texts(at.error)
    assert at.button(key="train_start").disabled
    at.file_uploader(key="train_upload_aspect").set_value(("b.xml", BROKEN.read_bytes(), "text/xml")).run()
    assert not at.exception and "problem" in texts(at.warning)


def test_the_train_presets_set_their_boxes_and_say_how_long_they_take(app):
    """Issue 21: a default run long enough to point at Stop ("full", about 30 s) and a quick one; each says its time."""
    from ui.config import TRAIN_PRESET_KEYS, TRAIN_PRESET_TIMES, TRAIN_PRESETS

    at = goto(app(), "5_train")
    preset = at.radio(key="train_preset")
    assert preset.value == "full"
    for name, option in zip(TRAIN_PRESETS, preset.options):
        assert option.startswith(f"{name}: ") and TRAIN_PRESET_TIMES[name] in option
    for field, key in TRAIN_PRESET_KEYS.items():
        assert at.number_input(key=key).value == TRAIN_PRESETS["full"][field]
    preset.set_value("quick").run()
    for field, key in TRAIN_PRESET_KEYS.items():
        assert at.number_input(key=key).value == TRAIN_PRESETS["quick"][field]
    at.number_input(key="train_epochs").set_value(2).run()  # a box stays the reader's after the preset
    assert at.number_input(key="train_epochs").value == 2 and not at.exception and not at.warning
