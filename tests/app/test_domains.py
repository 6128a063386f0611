"""Wherever a model is picked for a file, the default fits it: the Aspects page starts on a model of the file's domain."""

from __future__ import annotations

import json
import shutil

import pytest

from seqcore.corpora import card_domain, domain_of_name, domain_of_texts
from tests.app.appdata import DEMO_2014
from tests.app.test_pages import clean, goto
from ui.domains import default_choice
from ui.text import plain

LAPTOPS = ["data/semeval2014/Laptop_Train_v2.xml"]
RESTAURANTS = ["data/semeval2014/Restaurants_Train_v2.xml"]


def test_domains_come_from_names_cards_and_words():
    assert domain_of_name("Restaurants_Test_Gold.xml") == "restaurants" and domain_of_name("Laptops_Test_Gold.xml") == "laptops"
    assert domain_of_name("reviews.xml") is None and domain_of_name("laptops-and-restaurants.xml") is None
    assert card_domain({"data": {"train": LAPTOPS}}) == "laptops" and card_domain({"data": {"train": []}}) is None
    assert card_domain({"data": {"train": LAPTOPS + RESTAURANTS}}) is None  # two domains: none is the model's
    assert domain_of_texts(["The waiter brought cold food.", "Great wine list."]) == "restaurants"
    assert domain_of_texts(["The battery dies fast and the keyboard sticks."]) == "laptops"
    assert domain_of_texts(["It was fine."]) is None
    assert domain_of_texts(["the screen of the restaurant's menu", "food", "keyboard"]) is None  # no clear lead


def test_the_default_is_the_domains_first_model_unless_the_user_chose():
    domain = ["shipped:rest-a", "shipped:rest-b"]
    assert default_choice(domain, None, None) == "shipped:rest-a"  # nothing drawn yet
    assert default_choice(domain, "shipped:lap", "shipped:rest-a") is None  # the user chose: kept
    assert default_choice(domain, "shipped:rest-a", "shipped:rest-a") is None  # already there
    assert default_choice(["shipped:lap"], "shipped:rest-a", "shipped:rest-a") == "shipped:lap"  # a new file, no user pick
    assert default_choice([], None, None) is None  # no model of the domain: the list's own default


@pytest.fixture()
def two_domains(tmp_path, tiny_models):
    """The tiny models plus two aspect models, laptops listed first (the list's own default), restaurants second."""
    models = tmp_path / "models"
    shutil.copytree(tiny_models, models)
    for name, train in (("aspect-a-laptops", LAPTOPS), ("aspect-b-restaurants", RESTAURANTS)):
        shutil.copytree(tiny_models / "tiny-aspect-lstm", models / name)
        card = json.loads((models / name / "card.json").read_text(encoding="utf-8"))
        card["data"] = {**card.get("data", {}), "train": train}
        (models / name / "card.json").write_text(json.dumps(card), encoding="utf-8")
    shutil.rmtree(models / "tiny-aspect-lstm")
    return models


def test_the_aspects_page_picks_the_files_domain_says_so_and_keeps_a_users_choice(app, monkeypatch, two_domains):
    monkeypatch.setenv("SEQCORE_MODELS_DIR", str(two_domains))
    at = app()
    goto(at, "2_aspects")
    clean(at)
    assert at.selectbox(key="asp_demo").value == DEMO_2014.name  # a restaurant file
    assert at.selectbox(key="asp_model").value == "shipped:aspect-b-restaurants"
    said = "\n".join(c.value for c in at.caption)
    assert plain("aspect-b-restaurants") + " (picked for this file) was trained on restaurants reviews" in said
    # The user picks the laptops model: kept, with a pointer to the model of the file's domain.
    at.selectbox(key="asp_model").set_value("shipped:aspect-a-laptops").run()
    clean(at)
    assert at.selectbox(key="asp_model").value == "shipped:aspect-a-laptops"
    assert plain("aspect-b-restaurants") + " is a model of this file's domain" in "\n".join(i.value for i in at.info)
    # Another restaurant file: the user's choice still stands.
    at.selectbox(key="asp_demo").set_value("restaurants_2016_demo.xml").run()
    clean(at)
    assert at.selectbox(key="asp_model").value == "shipped:aspect-a-laptops"


def test_the_sidebars_aspect_model_is_kept_with_a_pointer(app, monkeypatch, two_domains):
    monkeypatch.setenv("SEQCORE_MODELS_DIR", str(two_domains))
    at = app()
    at.selectbox(key="model_key").set_value("shipped:aspect-a-laptops").run()
    goto(at, "2_aspects")
    clean(at)
    assert "asp_model" not in {s.key for s in at.selectbox}  # the sidebar's model is the page's
    assert plain("aspect-b-restaurants") + " is a model of this file's domain (choose it in the sidebar)" in "\n".join(
        i.value for i in at.info
    )


def test_the_trajectory_starts_on_the_sst_models_one_per_cell(app, monkeypatch, tmp_path, tiny_models):
    models = tmp_path / "models"
    shutil.copytree(tiny_models, models)
    for cell in ("rnn", "gru", "lstm"):
        shutil.copytree(tiny_models / f"tiny-sentiment-{cell}", models / f"zz-sst-{cell}")  # listed after the others
        card = json.loads((models / f"zz-sst-{cell}" / "card.json").read_text(encoding="utf-8"))
        card["data"] = {"train": ["data/sst/train.txt"], "dev": ["data/sst/dev.txt"], "test": ["data/sst/test.txt"]}
        card["protocol"] = "sst"
        (models / f"zz-sst-{cell}" / "card.json").write_text(json.dumps(card), encoding="utf-8")
    monkeypatch.setenv("SEQCORE_MODELS_DIR", str(models))
    at = app()
    goto(at, "1_trajectory")
    clean(at)
    assert sorted(at.multiselect(key="traj_models").value) == ["shipped:zz-sst-gru", "shipped:zz-sst-lstm", "shipped:zz-sst-rnn"]
    said = "\n".join(c.value for c in at.caption).replace("\\", "")  # the Markdown escapes taken out: the words as shown
    assert "read left to right only: the point after word t is the state the model held" in said
    # Without SST models, one model per cell as before.
    monkeypatch.setenv("SEQCORE_MODELS_DIR", str(tiny_models))
    other = app()
    goto(other, "1_trajectory")
    assert {v.split(":")[1] for v in other.multiselect(key="traj_models").value} <= {
        "tiny-sentiment-rnn",
        "tiny-sentiment-gru",
        "tiny-sentiment-lstm",
    }


def test_the_trajectory_note_says_what_a_bidirectional_point_means():
    from ui.models import ModelEntry
    from ui.scores import trajectory_note

    uni = ModelEntry("shipped:a", "a", "shipped", "sentiment", "lstm", {}, config={"bidirectional": False})
    bi = ModelEntry("shipped:b", "b", "shipped", "sentiment", "gru", {}, config={"bidirectional": True})
    assert "re-reads words 1..t from scratch" in trajectory_note([bi]) and "state the model held" not in trajectory_note([bi])
    both = trajectory_note([uni, bi])
    assert both.index("a read left to right") < both.index("b read both ways")
