"""Task adapters on the real data: which items each task keeps."""

from __future__ import annotations

import pytest

from seqcore.readers import LabeledText, Sentence, Target
from seqcore.tasks import aspect_examples, build_encoder, load_examples, sentiment_examples


def test_aspect_examples_drop_conflict_and_null_targets_but_keep_the_sentence():
    s = Sentence(
        id="1",
        text="Great food, awful service.",
        tokens=["Great", "food", ",", "awful", "service", "."],
        token_offsets=[(0, 5), (6, 10), (10, 11), (12, 17), (18, 25), (25, 26)],
        targets=[
            Target("food", "positive", 6, 10, (1, 2)),
            Target("service", "conflict", 18, 25, (4, 5)),
            Target(None, "negative", category="SERVICE#GENERAL"),
        ],
    )
    only_conflict = Sentence(
        id="2", text="ok", tokens=["ok"], token_offsets=[(0, 2)], targets=[Target("ok", "conflict", 0, 2, (0, 1))]
    )
    exs = aspect_examples([s, only_conflict])
    assert len(exs) == 1
    assert exs[0].aspects == [(1, 2)] and exs[0].aspect_labels == ["positive"] and exs[0].aspect_terms == ["food"]
    four = aspect_examples([s], labels=("positive", "negative", "neutral", "conflict"))
    assert four[0].aspect_labels == ["positive", "conflict"]


def test_spans_annotated_per_category_are_kept_once_or_dropped_when_they_disagree():
    toks = ["Pricey", "but", "tasty", "pasta"]
    offs = [(0, 6), (7, 10), (11, 16), (17, 22)]
    same = Target("pasta", "positive", 17, 22, (3, 4), "FOOD#QUALITY")
    also = Target("pasta", "positive", 17, 22, (3, 4), "FOOD#STYLE_OPTIONS")
    other = Target("pasta", "negative", 17, 22, (3, 4), "FOOD#PRICES")
    agree = Sentence(id="1", text="Pricey but tasty pasta", tokens=toks, token_offsets=offs, targets=[same, also])
    clash = Sentence(id="2", text="Pricey but tasty pasta", tokens=toks, token_offsets=offs, targets=[same, other])
    exs = aspect_examples([agree, clash])
    assert [(e.id, e.aspects, e.aspect_labels) for e in exs] == [("1", [(3, 4)], ["positive"])]


def test_sentiment_examples_skip_empty_text():
    exs = sentiment_examples([LabeledText("fine film", "positive"), LabeledText("   ", "negative")])
    assert [e.tokens for e in exs] == [["fine", "film"]]


def test_real_data_sizes(shared_data):
    sent, _ = load_examples(
        "sentiment", [shared_data / "rt-polarity/rt-polarity.pos", shared_data / "rt-polarity/rt-polarity.neg"]
    )
    assert len(sent) == 10662
    rest, problems = load_examples("aspect", [shared_data / "semeval2014/Restaurants_Train_v2.xml"])
    assert problems == []
    assert sum(len(e.aspects) for e in rest) == 3693 - 91  # conflict dropped for 3 classes
    enc = build_encoder("aspect", rest)
    assert enc.labels.itos == ["negative", "neutral", "positive"]
    test, _ = load_examples("aspect", [shared_data / "semeval2014/Restaurants_Test_Gold.xml"])
    assert sum(len(e.aspects) for e in test) == 1134 - 14
    tags, _ = load_examples("tagging", [shared_data / "ud-english-ewt/en_ewt-ud-dev.conllu"])
    assert len(tags) == 2001 and sum(len(e.tokens) for e in tags) == 25147


def test_load_examples_errors(tmp_path):
    with pytest.raises(FileNotFoundError, match="no such data file"):
        load_examples("aspect", [tmp_path / "missing.xml"])
    a, b = tmp_path / "a.txt", tmp_path / "b.txt"
    a.write_text("x\n")
    b.write_text("y\n")
    with pytest.raises(ValueError, match="one ending in .pos and one in .neg"):
        load_examples("sentiment", [a, b])
    with pytest.raises(ValueError, match="unknown task"):
        load_examples("poetry", [a])


def test_a_label_only_dev_holds_is_a_known_class_but_its_words_are_not():
    from seqcore.batching import Example

    train = [Example(id="1", tokens=["the"], tags=["DET"]), Example(id="2", tokens=["cat"], tags=["NOUN"])]
    dev = [Example(id="3", tokens=["wow"], tags=["INTJ"])]
    enc = build_encoder("tagging", train, label_examples=dev)
    assert enc.labels.itos == ["DET", "INTJ", "NOUN"]
    assert "wow" not in enc.words
