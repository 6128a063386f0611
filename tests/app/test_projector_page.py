"""The embedding projector page (AppTest): before/after panels, search with neighbours, class colours, links, presenter mode;
and the Evaluation page's hard slice of an aspect test set."""

from __future__ import annotations

import json

from streamlit.testing.v1 import AppTest

from seqcore import palette
from tests.app.appdata import APP, ROOT

PAGE = "app_pages/12_projector.py"


def clean(at: AppTest) -> None:
    assert not at.exception, [e.value for e in at.exception]
    assert not at.error, [e.value for e in at.error]


def figures(at: AppTest) -> list[dict]:
    return [json.loads(c.proto.spec) for c in at.get("plotly_chart")]


def test_projector_draws_before_and_after_and_finds_a_word(app):
    at = app()
    at.selectbox(key="model_key").set_value("shipped:tiny-aspect-lstm").run()
    at.switch_page(PAGE).run()
    clean(at)
    figs = figures(at)
    assert [f["layout"]["title"]["text"].split(": ")[-1] for f in figs] == ["before training", "after training"]
    words = [f["data"][0]["text"] for f in figs]
    assert len(words[0]) == len(words[1]) > 3  # the same words in both panels
    assert figs[0]["layout"]["xaxis"]["title"]["text"] == "PC 1 (unitless)"
    assert "not coloured by class" in " ".join(str(i.value) for i in at.info)  # tiny models name no training files
    at.text_input(key="proj_word").set_value("waiter").run()
    clean(at)
    ring = [t for t in figures(at)[1]["data"] if t.get("name") == "searched word and its neighbours"]
    assert ring and ring[0]["text"][0] == "waiter" and len(ring[0]["text"]) > 1
    table = next(d.value for d in at.dataframe if "after training: word" in d.value.columns)
    assert len(table) >= 1 and table["after training: cosine"].between(-1, 1).all()
    assert [b for b in at.get("download_button") if "CSV" in b.proto.label]
    assert at.query_params["text"] == "waiter"  # the searched word is kept in the link
    at.text_input(key="proj_word").set_value("zzzq").run()
    clean(at)
    assert "not in this vocabulary" in " ".join(str(w.value) for w in at.warning)
    at.radio(key="proj_method").set_value("tsne").run()
    clean(at)
    assert figures(at)[0]["layout"]["xaxis"]["title"]["text"] == "t-SNE 1 (unitless)"


def test_projector_link_and_presenter_mode(app):
    at = app()
    at.query_params = {"model": "tiny-sentiment-gru", "text": "good", "present": "1"}
    at.switch_page(PAGE).run()
    clean(at)
    assert at.text_input(key="proj_word").value == "good"
    assert not at.dataframe and at.get("plotly_chart")  # presenter mode: charts, no tables


def test_projector_colours_a_shipped_model_by_its_training_labels(monkeypatch):
    monkeypatch.delenv("SEQCORE_MODELS_DIR", raising=False)
    monkeypatch.delenv("SEQCORE_DATA", raising=False)
    at = AppTest.from_file(APP, default_timeout=300)
    at.run()
    at.selectbox(key="model_key").set_value("shipped:aspect-laptops-lstm").run()
    at.switch_page(PAGE).run()
    clean(at)
    colours = set(figures(at)[1]["data"][0]["marker"]["color"])
    assert palette.lean_color("positive", 10) in colours and palette.lean_color("negative", 10) in colours
    assert palette.LEAN_NONE in colours or len(colours) > 10
    at.radio(key="proj_view").set_value("all-train-text").run()  # the shipped skip-gram vectors instead
    at.text_input(key="proj_word").set_value("waiter").run()
    clean(at)
    figs = figures(at)
    assert len(figs) == 1 and "skip-gram vectors all-train-text" in figs[0]["layout"]["title"]["text"]
    table = next(d.value for d in at.dataframe if "skip-gram vectors all-train-text: word" in d.value.columns)
    assert "waitress" in set(table["skip-gram vectors all-train-text: word"])


def test_evaluation_filters_an_aspect_test_set_to_its_hard_slice(monkeypatch):
    monkeypatch.delenv("SEQCORE_MODELS_DIR", raising=False)
    monkeypatch.delenv("SEQCORE_DATA", raising=False)
    card = json.loads((ROOT / "models" / "aspect-laptops-lstm" / "card.json").read_text())
    at = AppTest.from_file(APP, default_timeout=300)
    at.run()
    at.selectbox(key="model_key").set_value("shipped:aspect-laptops-lstm").run()
    at.switch_page("app_pages/4_evaluation.py").run()
    at.toggle(key="eval_hard").set_value(True).run()
    clean(at)
    hard = card["hard_slice"]
    assert [m.value for m in at.metric if m.label == "Aspect terms"] == [str(hard["aspects"])]
    assert [m.value for m in at.metric if m.label == "Accuracy"] == [f"{hard['accuracy']:.1%}"]
    assert "(hard slice)" in " ".join(str(s.value) for s in at.subheader)
    at.toggle(key="eval_hard").set_value(False).run()
    at.radio(key="eval_source").set_value("card").run()  # the card's stored numbers also give the hard slice's
    clean(at)
    assert [m.value for m in at.metric if m.label == "Hard-slice accuracy (stored)"] == [f"{hard['accuracy']:.1%}"]


def test_projector_says_why_before_is_missing_when_the_vectors_are_gone(app, tiny_models, tmp_path, monkeypatch):
    import shutil

    models = tmp_path / "models"
    src = shutil.copytree(tiny_models / "tiny-aspect-lstm", models / "tiny-from-vectors")
    card = json.loads((src / "card.json").read_text())
    card["embeddings"] = {"from": "runs/<b>gone</b>", "word_coverage": 0.5, "token_coverage": 0.5, "frozen": False}
    (src / "card.json").write_text(json.dumps(card))
    monkeypatch.setenv("SEQCORE_MODELS_DIR", str(models))
    at = AppTest.from_file(APP, default_timeout=90)
    at.run()
    at.selectbox(key="model_key").set_value("shipped:tiny-from-vectors").run()
    at.switch_page(PAGE).run()
    clean(at)
    assert [f["layout"]["title"]["text"].split(": ")[-1] for f in figures(at)] == ["after training"]
    note = next(str(i.value) for i in at.info if "before training is not drawn" in str(i.value))
    assert "gone" in note and "<b>" not in note  # the card's path is shown as text, never as markup


def test_tsne_is_computed_once_then_cached(app, monkeypatch):
    import streamlit as st

    import seqcore.projector

    calls: list[str] = []
    real = seqcore.projector.project

    def counting(matrix, method="pca", seed=13):
        calls.append(method)
        return real(matrix, method, seed)

    monkeypatch.setattr(seqcore.projector, "project", counting)
    st.cache_data.clear()  # no layout left over from another test
    at = app()
    at.selectbox(key="model_key").set_value("shipped:tiny-sentiment-lstm").run()
    at.switch_page(PAGE).run()
    at.radio(key="proj_method").set_value("tsne").run()
    clean(at)
    assert calls.count("tsne") == 2  # before and after: one layout each
    at.text_input(key="proj_word").set_value("food").run()  # a search, a rerun, back to PCA and back: no new t-SNE
    at.radio(key="proj_method").set_value("pca").run()
    at.radio(key="proj_method").set_value("tsne").run()
    clean(at)
    assert calls.count("tsne") == 2 and figures(at)[0]["layout"]["xaxis"]["title"]["text"] == "t-SNE 1 (unitless)"
