"""AppTest: units that matter (Gates), which words drove the answer (trajectory, aspects, tagging), before and after.

Every page answer is checked against seqcore computed here, independently of the app's caches: the heatmap
rows are the ranking's order, the coloured words are the integrated gradients, the changed units are
`final_state_change`. On every shipped model, on the tiny models, and on a model trained in the app.
"""

from __future__ import annotations

import numpy as np
import pytest

import ui
from seqcore.attribution import final_state_change, rank_units, saliency
from seqcore.readers import read_semeval
from tests.app.appdata import CONLLU, DEMO_2014
from tests.app.explainkit import (
    MODELS,
    SHIPPED,
    clean,
    figure,
    goto,
    has_figure,
    predictor,
    start,
    table,
    texts,
    use_model,
    widget,
)
from tests.app.test_pages import wait_for_training


@pytest.fixture()
def shipped(monkeypatch, empty_dir):
    """The shipped models; the data folder hidden (nothing here needs a test set)."""
    monkeypatch.delenv("SEQCORE_MODELS_DIR", raising=False)
    monkeypatch.setenv("SEQCORE_DATA", str(empty_dir / "absent"))


def heatmap_rows(at, gate: str) -> list[int]:
    """The rows of one gate's panel of the gates chart (its trace is the one whose hover names the gate)."""
    traces = [d for d in figure(at, "gates_heat")["data"] if f"<br>{gate} = " in d["hovertemplate"]]
    assert len(traces) == 1, f"one panel for gate {gate}"
    return [int(u) for u in traces[0]["y"]]


def focus_of(at, prefix: str) -> dict:
    """The aspect or token the page explains (the widgets that follow the sentence)."""
    found = {}
    for kind, name in (("aspect", "aspect"), ("token", "token")):
        boxes = [w for w in at.selectbox if (w.key or "").startswith(f"{prefix}_{kind}_")]
        if boxes:
            found[name] = boxes[0].value
    return found


def saliency_z(at, key: str) -> dict[str, list[float]]:
    data = figure(at, key)["data"][0]
    return dict(zip(data["y"], data["z"]))


# ----------------------------------------------------------------------------- units that matter


@pytest.mark.skipif(not SHIPPED, reason="no shipped model in models/")
def test_gates_rank_units_on_every_shipped_model(shipped):
    at = start()
    for name in SHIPPED:
        use_model(at, name)
        goto(at, "3_gates")
        clean(at)
        text = at.text_input(key="gates_sentence").value
        ranking = rank_units(predictor(MODELS / name), text, **focus_of(at, "gates_focus"))
        order = [int(u) for u in ranking.order(0, "forward")]
        top = min(ui.config.UNITS_TOP, len(order))
        last_gate = "h"
        assert heatmap_rows(at, last_gate) == order[:top], name
        assert at.select_slider(key="gates_unit").value == order[0], "one unit starts at the top-ranked unit"
        units = table(at, "unit", "score", "contribution")
        assert units["unit"].tolist() == order[:top] and units["score"].is_monotonic_decreasing
        assert figure(at, "gates_rank_chart")["data"][0]["type"] == "bar"


def test_gates_top_k_every_unit_word_range_layers_and_focus(app, tiny_models):
    at = app()
    use_model(at, "tiny-aspect-lstm")
    goto(at, "3_gates")
    clean(at)
    pred = predictor(tiny_models / "tiny-aspect-lstm")
    text = at.text_input(key="gates_sentence").value
    focus = focus_of(at, "gates_focus")
    assert focus["aspect"] == (1, 2)  # "food": a common aspect word of the default sentence
    assert heatmap_rows(at, "c") == [int(u) for u in rank_units(pred, text, **focus).order(0, "forward")]
    at.number_input(key="gates_units_top").set_value(3).run()
    assert len(heatmap_rows(at, "i")) == 3 and "the 3 best-ranked of 6 units" in texts(at.caption)
    at.toggle(key="gates_units_all").set_value(True).run()
    assert len(heatmap_rows(at, "i")) == 6 and at.number_input(key="gates_units_top").disabled
    # Another layer, direction, aspect and class: the rows follow the ranking of that logit.
    at.selectbox(key="gates_layer").set_value(1).run()
    at.selectbox(key="gates_direction").set_value("backward").run()
    widget(at, "selectbox", "gates_focus_aspect_").set_value((8, 9)).run()  # "service"
    widget(at, "selectbox", "gates_focus_class_").set_value("negative").run()
    clean(at)
    ranking = rank_units(pred, text, aspect=(8, 9), target="negative")
    assert heatmap_rows(at, "h") == [int(u) for u in ranking.order(1, "backward")]
    assert ranking.target == "negative" and "'service' (tokens 8:9)" in figure(at, "gates_rank_chart")["layout"]["title"]["text"]
    # A word range: units ranked by how much they change over it.
    at.toggle(key="gates_by_range").set_value(True).run()
    widget(at, "select_slider", "gates_span_").set_value((2, 4)).run()
    clean(at)
    by_change = rank_units(pred, text, aspect=(10, 11), target="negative", span=(2, 5))
    assert heatmap_rows(at, "h") == [int(u) for u in by_change.order(1, "backward", by="change")]
    assert "change" in table(at, "unit", "score").columns
    assert "changes over tokens 2:5" in texts(at.caption)


def test_one_unit_follows_the_top_of_the_ranking_until_moved(app, tiny_models):
    at = app()
    use_model(at, "tiny-aspect-lstm")
    goto(at, "3_gates")
    pred = predictor(tiny_models / "tiny-aspect-lstm")
    for text in ("The waiter was rude", "Great pasta and a lovely wine list"):
        at.text_input(key="gates_sentence").set_value(text).run()
        focus = focus_of(at, "gates_focus")
        assert at.select_slider(key="gates_unit").value == int(rank_units(pred, text, **focus).order(0, "forward")[0])
    order = at.select_slider(key="gates_unit").options
    assert len(order) == 6 and order[0].endswith("(rank 1)")
    chosen = int(order[-1].split()[0].lstrip("#"))  # the last-ranked unit
    at.select_slider(key="gates_unit").set_value(chosen).run()
    at.text_input(key="gates_sentence").set_value("The soup was cold").run()
    clean(at)
    assert at.select_slider(key="gates_unit").value == chosen, "a unit chosen by hand stays"
    assert f"unit {chosen}" in texts(at.caption).lower()


def test_gates_rank_for_a_chosen_token_of_a_tagger(app, tiny_models):
    at = app()
    use_model(at, "tiny-tagging-gru")
    goto(at, "3_gates")
    clean(at)
    widget(at, "selectbox", "gates_focus_token_").set_value(3).run()
    clean(at)
    text = at.text_input(key="gates_sentence").value
    ranking = rank_units(predictor(tiny_models / "tiny-tagging-gru"), text, token=3)
    assert heatmap_rows(at, "h") == [int(u) for u in ranking.order(0, "forward")]
    assert ranking.item.startswith("token 3")


def test_gates_without_a_ranking_keep_the_heatmaps_in_index_order(app):
    """A sentence with no word an aspect could be: the ranking says why, the gates are still drawn."""
    at = app()
    use_model(at, "tiny-aspect-lstm")
    goto(at, "3_gates")
    at.text_input(key="gates_sentence").set_value("12 , 34 !").run()
    assert not at.exception
    assert "could not be ranked" in texts(at.error) and "aspect term" in texts(at.error)
    assert heatmap_rows(at, "h") == list(range(6))


# ----------------------------------------------------------------------------- which words drove the answer


def check_saliency(at, key: str, pred, text, **focus) -> None:
    """The page's coloured words are the integrated gradients and gradient x input of that logit, complete within 1%."""
    expected = saliency(pred, text, **focus)
    rows = saliency_z(at, f"{key}_0_chart")  # the chart carries the 4 decimals its hover shows (ui.figures.lighten)
    np.testing.assert_allclose(rows["integrated gradients"], expected.attributions, atol=5.01e-5)
    np.testing.assert_allclose(rows["gradient x input"], expected.grad_x_input, atol=5.01e-5)
    assert expected.converged and "Completeness" in texts(at.caption)
    numbers = table(at, "word", "integrated gradients", "gradient x input", which=0)
    assert numbers["word"].tolist() == expected.tokens
    np.testing.assert_allclose(numbers["integrated gradients"], expected.attributions, atol=1e-5)  # the table: 5 decimals
    np.testing.assert_allclose(numbers["gradient x input"], expected.grad_x_input, atol=1e-5)


@pytest.mark.skipif(not SHIPPED, reason="no shipped model in models/")
def test_saliency_on_every_shipped_model(shipped):
    at = start(timeout=180)
    sentence = "The pasta was not good but the staff were lovely ."
    for name in [n for n in SHIPPED if n.startswith(("sentiment-", "sst-"))]:
        goto(at, "1_trajectory")
        at.text_input(key="traj_sentence").set_value(sentence).run()
        at.text_input(key="traj_edit").set_value("").run()
        at.multiselect(key="traj_models").set_value([f"shipped:{name}"]).run()
        at.selectbox(key="traj_explain_model").set_value(f"shipped:{name}").run()
        at.toggle(key="traj_saliency").set_value(True).run()
        clean(at)
        check_saliency(at, "traj_saliency", predictor(MODELS / name), sentence)
    for name in [n for n in SHIPPED if n.startswith("aspect-")]:
        use_model(at, name)
        goto(at, "2_aspects")
        at.text_input(key="asp_own").set_value(sentence).run()
        widget(at, "selectbox", "asp_own_focus_aspect_").set_value((7, 8)).run()  # "staff"
        at.toggle(key="asp_own_saliency").set_value(True).run()
        clean(at)
        check_saliency(at, "asp_own_saliency", predictor(MODELS / name), sentence, aspect=(7, 8))
    for name in [n for n in SHIPPED if n.startswith("pos-")]:
        use_model(at, name)
        goto(at, "7_tagging")
        at.text_input(key="tag_sentence").set_value(sentence).run()
        widget(at, "selectbox", "tag_focus_token_").set_value(3).run()
        at.toggle(key="tag_saliency").set_value(True).run()
        clean(at)
        check_saliency(at, "tag_saliency", predictor(MODELS / name), sentence, token=3)


def test_saliency_is_on_demand_and_follows_the_chosen_item(app, tiny_models):
    at = app()
    goto(at, "1_trajectory")
    assert not has_figure(at, "traj_saliency_0_chart"), "integrated gradients only when asked"
    at.toggle(key="traj_saliency").set_value(True).run()
    widget(at, "selectbox", "traj_focus_class_").set_value("positive").run()
    at.button(key="traj_edit_suggest").click().run()
    clean(at)
    text, edit = at.text_input(key="traj_sentence").value, at.text_input(key="traj_edit").value
    model = at.selectbox(key="traj_explain_model").value.removeprefix("shipped:")
    pred = predictor(tiny_models / model)
    check_saliency(at, "traj_saliency", pred, text, target="positive")
    edited = saliency_z(at, "traj_saliency_1_chart")  # before and after: the edit's row explains the same class
    np.testing.assert_allclose(edited["integrated gradients"], saliency(pred, edit, target="positive").attributions, atol=5.01e-5)
    # Aspects: a browsed sentence of a demo file, one of its aspects; tagging: a sentence of an uploaded file.
    use_model(at, "tiny-aspect-lstm")
    goto(at, "2_aspects")
    at.toggle(key="asp_file_saliency").set_value(True).run()
    clean(at)
    browsed = read_semeval(DEMO_2014).sentences[at.selectbox(key="asp_sentence").value]
    aspect = widget(at, "selectbox", "asp_file_focus_aspect_").value
    assert aspect in [t.token_span for t in browsed.targets]
    check_saliency(at, "asp_file_saliency", predictor(tiny_models / "tiny-aspect-lstm"), browsed.text, aspect=aspect)
    use_model(at, "tiny-tagging-gru")
    goto(at, "7_tagging")
    at.radio(key="tag_how").set_value("Upload a CoNLL-U file").run()
    at.file_uploader(key="tag_upload").set_value(("t.conllu", CONLLU.encode(), "text/plain")).run()
    widget(at, "selectbox", "tag_file_focus_token_").set_value(1).run()
    at.toggle(key="tag_file_saliency").set_value(True).run()
    clean(at)
    check_saliency(
        at, "tag_file_saliency", predictor(tiny_models / "tiny-tagging-gru"), ["The", "food", "was", "great", "."], token=1
    )


# ----------------------------------------------------------------------------- before and after


def check_before_after(at, pred, text: str, edit: str) -> None:
    data = figure(at, "traj_edit_chart")["data"]
    assert {d["name"].split(" · ")[0] for d in data} == {"original", "edited"}
    assert {d["line"]["dash"] for d in data if d["name"].startswith("edited")} == {"dash"}
    expected = final_state_change(pred, text, edit, top=ui.config.CHANGED_UNITS_TOP)
    shown = table(at, "unit", "before", "after", "difference")
    assert shown["unit"].tolist() == [r["unit"] for r in expected]
    np.testing.assert_allclose(shown["score"], [r["score"] for r in expected], atol=1e-5)
    assert [m.label for m in at.metric][-2:] == ["Original", "Edited copy"]


def test_before_and_after_starts_empty_and_compares_once_edited(app, tiny_models):
    at = app()
    goto(at, "1_trajectory")
    clean(at)
    text = at.text_input(key="traj_sentence").value
    assert at.text_input(key="traj_edit").value == "", "nothing is compared before the reader edits"
    assert "Type an edited copy" in texts(at.info) and not has_figure(at, "traj_edit_chart")
    at.button(key="traj_edit_suggest").click().run()
    assert at.text_input(key="traj_edit").value == ui.negation_edit(text) == text.replace("not ", "", 1)
    model = at.selectbox(key="traj_explain_model").value.removeprefix("shipped:")
    check_before_after(at, predictor(tiny_models / model), text, ui.negation_edit(text))
    at.text_input(key="traj_sentence").set_value("The soup was cold").run()
    at.button(key="traj_edit_suggest").click().run()
    assert at.text_input(key="traj_edit").value == "The soup was not cold", "the suggestion is made from the sentence"
    at.text_input(key="traj_edit").set_value("The soup was warm").run()
    check_before_after(at, predictor(tiny_models / model), "The soup was cold", "The soup was warm")
    at.text_input(key="traj_sentence").set_value("The soup was hot").run()
    assert at.text_input(key="traj_edit").value == "The soup was warm", "a hand-made edit is kept"
    at.text_input(key="traj_edit").set_value("").run()
    clean(at)
    assert "Type an edited copy" in texts(at.info) and not has_figure(at, "traj_edit_chart")


@pytest.mark.skipif("sentiment-lstm" not in SHIPPED, reason="sentiment-lstm is not shipped")
def test_before_and_after_on_a_shipped_model(shipped):
    at = start()
    goto(at, "1_trajectory")
    at.text_input(key="traj_sentence").set_value("the food was good").run()
    at.multiselect(key="traj_models").set_value(["shipped:sentiment-lstm", "shipped:sst-lstm"]).run()
    at.selectbox(key="traj_explain_model").set_value("shipped:sentiment-lstm").run()
    at.button(key="traj_edit_suggest").click().run()
    clean(at)
    assert at.text_input(key="traj_edit").value == "the food was not good"
    check_before_after(at, predictor(MODELS / "sentiment-lstm"), "the food was good", "the food was not good")
    ticks = figure(at, "traj_edit_chart")["layout"]["xaxis"]["ticktext"]
    assert ticks == ["the", "food", "was", "+not", "good"]


@pytest.mark.parametrize(
    "text,edited",
    [
        ("The food was not bad at all.", "The food was bad at all."),
        ("the food was good", "the food was not good"),
        ("Great film!", "Not Great film!"),
        ("They ARE NOT happy", "They ARE happy"),
        ("", ""),
    ],
)
def test_negation_edit(text, edited):
    assert ui.negation_edit(text) == edited


# ----------------------------------------------------------------------------- a model trained in the app


def test_every_explanation_on_a_model_trained_in_the_app(app):
    at = app()
    goto(at, "5_train")
    at.radio(key="train_source_sentiment").set_value("demo").run()
    at.number_input(key="train_epochs").set_value(1).run()
    at.button(key="train_start").click().run()
    wait_for_training(at)
    key = at.selectbox(key="model_key").value
    assert key.startswith("session:")
    goto(at, "3_gates")
    clean(at)
    assert len(heatmap_rows(at, "h")) == ui.config.UNITS_TOP
    goto(at, "1_trajectory")
    at.multiselect(key="traj_models").set_value([key]).run()
    at.button(key="traj_edit_suggest").click().run()
    at.toggle(key="traj_saliency").set_value(True).run()
    clean(at)
    assert has_figure(at, "traj_saliency_0_chart") and has_figure(at, "traj_saliency_1_chart")
    assert has_figure(at, "traj_edit_units_chart")
    goto(at, "10_search")
    at.radio(key="search_source").set_value("dev").run()
    clean(at)
    assert has_figure(at, "search_pattern_chart")
    searched = [m.value for m in at.metric if m.label == "Sentences searched"]
    assert searched and int(searched[0].replace(",", "")) > 0
