"""Links that reproduce a view (ui.links): a link opens a page on its model and sentence, nonsense gives the default
view and a message, widgets write themselves back to the URL, and presenter mode hides tables and secondary controls."""

from __future__ import annotations

import pytest
from streamlit.testing.v1 import AppTest

from tests.app.appdata import APP
from tests.app.figures import shows, trace_types
from ui import config as ui_config
from ui.links import inert

PAGES = {
    "trajectory": "1_trajectory",
    "aspects": "2_aspects",
    "gates": "3_gates",
    "evaluation": "4_evaluation",
    "inside": "6_inside",
    "tagging": "7_tagging",
    "gradients": "8_gradients",
    "pitfalls": "9_pitfalls",
    "search": "10_search",
}


def open_link(at: AppTest, page: str, **params: str) -> AppTest:
    """Open `/<page>?params` in a session, as a browser does when a link is followed or typed."""
    at.query_params = dict(params)
    return at.switch_page(f"app_pages/{PAGES[page]}.py").run()


def fresh() -> AppTest:
    at = AppTest.from_file(APP, default_timeout=120)
    return at.run()


def notes(at: AppTest) -> str:
    return "\n".join(str(i.value) for i in at.info if "could not be followed" in str(i.value))


def top_unit(at: AppTest) -> int:
    """The top-ranked unit of the Gates page's ranking table (where "one unit across the sentence" starts)."""
    ranking = next(d.value for d in at.dataframe if {"unit", "score", "contribution"} <= set(d.value.columns))
    return int(ranking["unit"].iloc[0])


def clean(at: AppTest) -> None:
    assert not at.exception, [e.value for e in at.exception]
    assert not at.error, [e.value for e in at.error]


def test_the_issues_link_opens_gates_on_that_shipped_model_and_sentence(monkeypatch, empty_dir):
    """/gates?model=sentiment-gru&text=not+bad+at+all, on the shipped models."""
    monkeypatch.delenv("SEQCORE_MODELS_DIR", raising=False)
    monkeypatch.setenv("SEQCORE_DATA", str(empty_dir / "absent"))
    at = open_link(fresh(), "gates", model="sentiment-gru", text="not bad at all")
    clean(at)
    assert not notes(at)
    assert at.selectbox(key="model_key").value == "shipped:sentiment-gru"
    assert at.text_input(key="gates_sentence").value == "not bad at all"
    assert "sentiment-gru" in "\n".join(str(c.value) for c in at.caption)
    heat = [c for c in at.get("plotly_chart") if trace_types(c)[0] == "heatmap"]
    assert heat and shows(heat[0], "3: all") and not shows(heat[0], "painfully")
    # The URL now holds the whole view, written back after the run.
    assert at.query_params["model"] == "sentiment-gru" and at.query_params["text"] == "not bad at all"
    assert (at.query_params["layer"], at.query_params["direction"]) == ("0", "forward")
    assert at.query_params["unit"] == str(top_unit(at))  # one unit across the sentence starts at the top-ranked unit


def test_every_setting_of_a_link_reaches_its_widget(app):
    text = "The wine list was long but the waiter was rude"
    at = open_link(
        app(),
        "gates",
        model="tiny-aspect-lstm",
        text=text,
        layer="1",
        direction="backward",
        unit="5",
        threshold="0.8",
    )
    clean(at)
    assert not notes(at)
    assert at.selectbox(key="model_key").value == "shipped:tiny-aspect-lstm"
    assert at.text_input(key="gates_sentence").value == text
    assert (at.selectbox(key="gates_layer").value, at.selectbox(key="gates_direction").value) == (1, "backward")
    assert at.select_slider(key="gates_unit").value == 5 and at.slider(key="gates_threshold").value == pytest.approx(0.8)
    assert "layer 1, backward" in "\n".join(str(h.value) for h in at.subheader)


def test_a_link_with_nonsense_gives_the_default_view_and_a_message(app):
    at = app()
    default_model = at.selectbox(key="model_key").value
    at = open_link(
        at,
        "gates",
        model="no-such-model",
        text="   ",
        layer="seven",
        direction="sideways",
        unit="-3",
        threshold="nan",
        colour="red",
        present="perhaps",
    )
    clean(at)
    said = notes(at)
    for part in (
        "no\\-such\\-model",
        "text is empty",
        "layer=seven",
        "direction=sideways",
        "unit=\\-3",
        "threshold=nan",
        "colour",
    ):
        assert part in said, part
    assert "present=perhaps" in said
    assert at.selectbox(key="model_key").value == default_model
    assert at.text_input(key="gates_sentence").value == ui_config.DEFAULT_SENTENCE
    assert (at.selectbox(key="gates_layer").value, at.selectbox(key="gates_direction").value) == (0, "forward")
    assert at.select_slider(key="gates_unit").value == top_unit(at)  # the default: the top-ranked unit
    assert at.slider(key="gates_threshold").value == pytest.approx(0.9)
    assert not at.toggle(key="present").value
    assert at.get("plotly_chart"), "the default view is drawn"


def test_values_outside_the_model_are_refused_by_name(app):
    at = open_link(app(), "gates", model="tiny-sentiment-rnn", layer="1", direction="backward", unit="6")
    clean(at)
    said = notes(at)
    assert "layer=1 does not exist: tiny\\-sentiment\\-rnn has 1 layer(s)" in said
    assert "direction=backward is not a direction this model reads (forward)" in said
    assert "unit=6 does not exist" in said and "6 hidden units" in said
    assert at.selectbox(key="gates_layer").value == 0 and at.select_slider(key="gates_unit").value == top_unit(at)


def test_hostile_values_are_quoted_as_plain_text(app):
    at = open_link(app(), "gates", model="![x](http://example.invalid/x.png)", direction="<script>alert(1)</script>")
    clean(at)
    said = notes(at)
    assert "\\!\\[x\\]\\(http\\:" in said and "![x](" not in said
    assert "\\<script\\>" in said


def test_a_model_trained_in_another_session_is_named_not_found(app):
    at = open_link(app(), "trajectory", model="session:0123abcd:my-sentiment-gru-1", text="Not good.")
    clean(at)
    assert "my\\-sentiment\\-gru\\-1 was trained in another browser session" in notes(at)
    assert at.text_input(key="traj_sentence").value == "Not good."


def test_widgets_write_the_view_back_and_the_link_reproduces_it_elsewhere(app):
    at = open_link(app(), "gates", model="tiny-aspect-lstm")
    at.text_input(key="gates_sentence").set_value("Staff smiled").run()
    at.selectbox(key="gates_layer").set_value(1).run()
    at.select_slider(key="gates_unit").set_value(3).run()
    written = dict(at.query_params)
    assert written == {
        "model": "tiny-aspect-lstm",
        "text": "Staff smiled",
        "layer": "1",
        "direction": "forward",
        "unit": "3",
        "threshold": "0.9",
    }
    other = open_link(app(), "gates", **written)  # another browser session opens the link
    clean(other)
    assert other.selectbox(key="model_key").value == "shipped:tiny-aspect-lstm"
    assert other.text_input(key="gates_sentence").value == "Staff smiled"
    assert other.selectbox(key="gates_layer").value == 1 and other.select_slider(key="gates_unit").value == 3
    assert dict(other.query_params) == written


@pytest.mark.parametrize(
    "page,model,params,text_key,widgets",
    [
        (
            "trajectory",
            "tiny-sentiment-gru",
            {"text2": "The wine list was short"},
            "traj_sentence",
            {"traj_edit": "The wine list was short"},
        ),
        ("search", "tiny-sentiment-gru", {}, "search_sentence", {}),
        ("tagging", "tiny-tagging-gru", {}, "tag_sentence", {}),
        (
            "inside",
            "tiny-aspect-lstm",
            {"layer": "1", "direction": "backward", "aspect": "waiter"},
            "inside_sentence",
            {"inside_layer": 1, "inside_direction": "backward", "inside_terms": "waiter"},
        ),
        ("gradients", "tiny-sentiment-lstm", {"layer": "0", "direction": "forward"}, "grad_sentence", {"grad_layer": 0}),
        ("pitfalls", "tiny-sentiment-rnn", {}, "pit_sentence", {}),
    ],
)
def test_each_page_follows_a_link(app, page, model, params, text_key, widgets):
    text = "The wine list was long but the waiter was rude"
    at = open_link(app(), page, model=model, text=text, **params)
    clean(at)
    assert not notes(at)
    assert at.selectbox(key="model_key").value == f"shipped:{model}"
    assert at.session_state[text_key] == text
    for key, value in widgets.items():
        assert at.session_state[key] == value, key
    assert at.query_params["model"] == model and at.query_params["text"] == text
    for name, value in params.items():
        assert at.query_params[name] == value


def test_aspect_terms_in_a_link_choose_the_aspects(app):
    text = "The wine list was long but the waiter was rude"
    at = open_link(app(), "aspects", model="tiny-aspect-lstm", text=text, aspect="waiter")
    clean(at)
    own = next(m for m in at.multiselect if m.key.startswith("asp_spans_"))
    assert own.value == [(7, 8)]
    assert at.query_params["aspect"] == "waiter"
    own.set_value([(1, 3), (7, 8)]).run()
    assert at.query_params["aspect"] == "wine list, waiter"
    missing = open_link(app(), "aspects", model="tiny-aspect-lstm", text=text, aspect="pizza")
    clean(missing)
    assert "the aspect term pizza does not occur in the sentence" in notes(missing)
    assert next(m for m in missing.multiselect if m.key.startswith("asp_spans_")).value == [(1, 3), (7, 8)]


def test_an_aspect_term_for_a_sentence_model_is_refused(app):
    at = open_link(app(), "inside", model="tiny-sentiment-gru", text="Staff smiled", aspect="Staff")
    clean(at)
    assert "aspect terms apply to aspect models" in notes(at)
    assert "aspect" not in at.query_params


def test_presenter_mode_hides_tables_and_tucks_secondary_controls_away(app):
    at = open_link(app(), "gates", model="tiny-sentiment-gru", present="1")
    clean(at)
    assert at.toggle(key="present").value
    assert not at.dataframe and not [b for b in at.get("download_button") if "CSV" in b.proto.label]
    assert at.get("plotly_chart")
    assert any(e.label == "More controls: saturation threshold" for e in at.expander)
    assert at.query_params["present"] == "1"
    at.toggle(key="present").set_value(False).run()
    assert at.dataframe and "present" not in at.query_params
    assert not any(e.label.startswith("More controls") for e in at.expander)


def test_each_more_controls_box_is_named_for_what_it_holds(app):
    """Issue 21: four identical "More controls" boxes on one page told a teacher nothing."""
    at = open_link(app(), "gradients", model="tiny-sentiment-gru", present="1")
    clean(at)
    labels = [e.label for e in at.expander if e.label.startswith("More controls")]
    assert len(labels) >= 3 and len(set(labels)) == len(labels), labels
    assert all(label.startswith("More controls: ") for label in labels)


@pytest.mark.parametrize(
    "raw,shown",
    [
        ("plain words", "plain words"),
        ("[a](http://x)", "\\[a\\]\\(http\\:\u200b//x\\)"),
        ("a\nb", "a b"),
        ("x" * 50, "x" * 39 + "…"),
    ],
)
def test_inert_escapes_markup_and_shortens(raw, shown):
    assert inert(raw) == shown
