"""Task adapters on the real data: which items each task keeps."""

from __future__ import annotations

import gzip
from collections import Counter
from pathlib import Path

import pytest

from seqcore.batching import Example
from seqcore.readers import (
    DataFormatError,
    LabeledText,
    Problem,
    ReviewFile,
    Sentence,
    Target,
    describe_file,
    read_semeval,
    review_counts,
)
from seqcore.tasks import (
    DUPLICATE_SPAN,
    aspect_examples,
    build_encoder,
    card_test_examples,
    card_test_files,
    corpus_examples,
    examples_from_file,
    known_label_examples,
    labeled_items,
    load_examples,
    parsed_corpus_examples,
    read_task_file,
    review_aspect_examples,
    sentence_labels_from_reviews,
    sentiment_examples,
    subsample,
)
from seqcore.taskspecs import ASPECT_LABELS, article

ROOT = Path(__file__).resolve().parents[2]
DEMO_XML = ROOT / "demo" / "restaurants_2014_demo.xml"
CONLLU = ROOT / "tests" / "fixtures" / "mini.conllu"


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
    # What was merged is counted with what was skipped; the summary of the file counts it too.
    thrice = Sentence(id="3", text="Pricey but tasty pasta", tokens=toks, token_offsets=offs, targets=[same, also, same])
    skipped: Counter = Counter()
    aspect_examples([agree, clash, thrice], skipped=skipped)
    assert skipped == {DUPLICATE_SPAN: 1 + 2, "span annotated with different polarities": 2}
    summary = review_counts(ReviewFile("f.xml", "semeval2016", [agree, clash, thrice], []))
    assert summary["duplicate_targets"] == 3 and summary["targets"] == 7


def test_duplicate_annotations_of_the_real_2016_file_are_counted(corpora_dir):
    """SemEval-2016 restaurants (train) annotates 106 spans a second time with the same polarity, one per category."""
    path = corpora_dir / "semeval2016" / "ABSA16_Restaurants_Train_SB1_v2.xml"
    parsed = read_semeval(path)
    skipped: Counter = Counter()
    aspect_examples(parsed.sentences, skipped=skipped)
    assert skipped[DUPLICATE_SPAN] == 106 == review_counts(parsed)["duplicate_targets"]
    assert describe_file(path)["duplicate_targets"] == 106


def test_sentiment_examples_skip_empty_text():
    exs = sentiment_examples([LabeledText("fine film", "positive"), LabeledText("   ", "negative")])
    assert [e.tokens for e in exs] == [["fine", "film"]]


def test_real_data_sizes(corpora_dir):
    sent, _ = load_examples(
        "sentiment", [corpora_dir / "rt-polarity/rt-polarity.pos", corpora_dir / "rt-polarity/rt-polarity.neg"]
    )
    assert len(sent) == 10662
    rest, problems = load_examples("aspect", [corpora_dir / "semeval2014/Restaurants_Train_v2.xml"])
    assert problems == []
    assert sum(len(e.aspects) for e in rest) == 3693 - 91  # conflict dropped for 3 classes
    enc = build_encoder("aspect", rest)
    assert enc.labels.itos == ["negative", "neutral", "positive"]
    test, _ = load_examples("aspect", [corpora_dir / "semeval2014/Restaurants_Test_Gold.xml"])
    assert sum(len(e.aspects) for e in test) == 1134 - 14
    tags, _ = load_examples("tagging", [corpora_dir / "ud-english-ewt/en_ewt-ud-dev.conllu.gz"])
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


@pytest.mark.parametrize("task", ["sentiment", "aspect", "tagging"])
def test_a_folder_or_a_binary_file_is_refused_in_one_sentence(task, tmp_path):
    with pytest.raises(DataFormatError, match=rf"^{tmp_path} is a folder, not a file; name the data files inside it\.$"):
        load_examples(task, [tmp_path])
    binary = tmp_path / "prog.xml"
    binary.write_bytes(b"\x7fELF\x02\x01\x01\x00" + bytes(range(256)) * 4)
    with pytest.raises(DataFormatError, match=r"prog\.xml is a binary file, not text \(NUL byte at offset 7\)"):
        load_examples(task, [binary])


@pytest.mark.parametrize(
    "task,path,message",
    [
        ("aspect", CONLLU, r"mini\.conllu is a CoNLL-U file, but an aspect model reads SemEval ABSA XML"),
        ("tagging", DEMO_XML, r"restaurants_2014_demo\.xml is an XML file, but a tagging model reads CoNLL-U"),
        (
            "sentiment",
            DEMO_XML,
            r"restaurants_2014_demo\.xml is an XML file, but a sentiment model reads CSV, TSV or JSONL files",
        ),
    ],
)
def test_a_file_of_another_kind_is_refused_naming_both_kinds(task, path, message):
    with pytest.raises(DataFormatError, match=message):
        load_examples(task, [path] if task != "sentiment" else [path, path])


def test_an_empty_file_and_gzip_files(tmp_path):
    empty = tmp_path / "empty.conllu"
    empty.write_bytes(b"")
    with pytest.raises(DataFormatError, match=r"empty\.conllu is an empty file, but a tagging model reads CoNLL-U"):
        load_examples("tagging", [empty])
    packed = tmp_path / "mini.conllu.gz"
    packed.write_bytes(gzip.compress(CONLLU.read_bytes()))
    (packed_examples, packed_problems), (examples, problems) = (
        load_examples("tagging", [packed]),
        load_examples("tagging", [CONLLU]),
    )
    assert [(e.tokens, e.tags) for e in packed_examples] == [(e.tokens, e.tags) for e in examples] and len(examples) == 4
    assert [(p.line, p.message) for p in packed_problems] == [(p.line, p.message) for p in problems] and len(problems) == 3


def test_task_names_read_as_english():
    assert [article(w) for w in ("aspect", "tagging", "sentiment", "aspect polarity")] == [
        "an aspect",
        "a tagging",
        "a sentiment",
        "an aspect polarity",
    ]


def _review() -> ReviewFile:
    s1 = Sentence(
        "1",
        "great food",
        ["great", "food"],
        [(0, 5), (6, 10)],
        [Target("food", "positive", 6, 10, (1, 2)), Target(None, "negative")],
    )
    s2 = Sentence("2", "bad wine", ["bad", "wine"], [(0, 3), (4, 8)], [Target("wine", "conflict", 4, 8, (1, 2))])
    s3 = Sentence("3", "awful", ["awful"], [(0, 5)], [Target("x", "negative", 0, 5, (0, 1))])
    return ReviewFile("f.xml", "semeval2016", [s1, s2, s3], [Problem("f.xml", "bad", "9", 4)])


def test_review_adapters():
    review = _review()
    examples, skipped = review_aspect_examples(review, ["negative", "neutral", "positive"])
    assert [ex.id for ex in examples] == ["1", "3"]
    assert skipped == {"NULL target (no span in the text)": 1, "conflict (not a class of this model)": 1}
    labeled, left = sentence_labels_from_reviews([review])
    assert labeled == [LabeledText("awful", "negative")] and left == 2


def test_small_adapters():
    assert subsample(list(range(10)), None) == list(range(10))
    sample = subsample(list(range(100)), 10, seed=1)
    assert len(sample) == 10 and sample == sorted(sample) and sample == subsample(list(range(100)), 10, seed=1)
    exs = [Example("a", ["x"], label="positive"), Example("b", ["y"], label="mixed")]
    kept, dropped = known_label_examples(exs, ["positive", "negative"])
    assert [e.id for e in kept] == ["a"] and dropped == 1


def test_review_adapter_applies_the_task_rules_for_spans_annotated_per_category():
    toks, offs = ["tasty", "pasta"], [(0, 5), (6, 11)]
    agree = Sentence(
        "a",
        "tasty pasta",
        toks,
        offs,
        [
            Target("pasta", "positive", 6, 11, (1, 2), "FOOD#QUALITY"),
            Target("pasta", "positive", 6, 11, (1, 2), "FOOD#STYLE_OPTIONS"),
        ],
    )
    clash = Sentence(
        "b",
        "tasty pasta",
        toks,
        offs,
        [Target("pasta", "positive", 6, 11, (1, 2), "FOOD#QUALITY"), Target("pasta", "negative", 6, 11, (1, 2), "FOOD#PRICES")],
    )
    examples, skipped = review_aspect_examples(
        ReviewFile("f.xml", "semeval2016", [agree, clash], []), ["negative", "neutral", "positive"]
    )
    assert [(e.id, e.aspects) for e in examples] == [("a", [(1, 2)])]
    assert skipped == {"span annotated with different polarities": 2, DUPLICATE_SPAN: 1}


TSV = b"label\ttext\npositive\tgreat food\nnegative\tawful soup\nno tab here\nmixed\tso so\n"


def test_examples_from_file_reads_each_task_as_the_cli_does():
    examples, problems, skipped = examples_from_file("sentiment", TSV, "mine.tsv", ["negative", "positive"])
    assert [(e.label, e.text) for e in examples] == [("positive", "great food"), ("negative", "awful soup")]
    assert len(problems) == 1 and problems[0]["file"] == "mine.tsv" and problems[0]["line"] == 4
    assert skipped == {"lines with a label this model does not know": 1}
    everything, _, none_skipped = examples_from_file("sentiment", TSV, "mine.tsv", None)
    assert {e.label for e in everything} == {"positive", "negative", "mixed"} and none_skipped == {}

    xml = DEMO_XML.read_bytes()
    agreeing, _, left = examples_from_file("sentiment", xml, "demo.xml", None)
    labeled, n_left = sentence_labels_from_reviews([read_task_file("sentiment", xml, "demo.xml").review])
    assert [e.text for e in agreeing] == [t.text for t in labeled] and left == {
        "sentences whose opinions are mixed, neutral or absent": n_left
    }

    aspects, problems, skipped = examples_from_file("aspect", (ROOT / "demo" / "broken_demo.xml").read_bytes(), "b.xml", None)
    assert aspects and all(set(e.aspect_labels) <= set(ASPECT_LABELS) for e in aspects)
    assert problems and {"sentence id", "line", "file", "problem"} <= set(problems[0])
    assert "conflict (not a class of this model)" in skipped

    tags, problems, _ = examples_from_file("tagging", CONLLU.read_bytes(), "mini.conllu", None)
    assert len(tags) == 4 and len(problems) == 3 and labeled_items("tagging", tags) == sum(len(e.tokens) for e in tags)
    with pytest.raises(DataFormatError):
        examples_from_file("aspect", b"<sentences><sentence id='1'><text>Half", "cut.xml", None)


def test_card_test_files_name_what_the_card_was_scored_on(corpora_dir):
    card = {"task": "aspect", "data": {"test": ["data/semeval2014/Restaurants_Test_Gold.xml"]}}
    found = card_test_files(card, corpora_dir)
    assert found is not None and found.kfold is None
    assert [f.name for f in found.files] == ["Restaurants_Test_Gold.xml"] and found.files[0].is_file()
    kfold = {"folds": 10, "fold": 3, "seed": 13}
    cv = card_test_files(
        {"task": "sentiment", "data": {"train": ["data/rt-polarity/rt-polarity.pos"], "kfold": kfold}}, corpora_dir
    )
    assert cv is not None and cv.kfold == kfold
    assert card_test_files({"task": "aspect", "data": {"test": ["data/nowhere.xml"]}}, corpora_dir) is None
    assert card_test_files({"task": "aspect", "data": {"test": "fold 0 of 10"}}, corpora_dir) is None
    assert card_test_files({"task": "aspect"}, corpora_dir) is None
    with pytest.raises(ValueError, match="names no test files"):
        card_test_examples({"task": "aspect", "data": {}}, corpora_dir)


def test_corpus_examples_read_each_task(tmp_path):
    asp, _ = corpus_examples("aspect", [ROOT / "demo" / "restaurants_2014_demo.xml"])
    assert asp and all(ex.tokens and ex.text for ex in asp) and not any(ex.aspects for ex in asp)
    tag, _ = corpus_examples("tagging", [ROOT / "tests" / "fixtures" / "mini.conllu"])
    assert tag and tag[0].text == " ".join(tag[0].tokens)
    tsv, _ = corpus_examples("sentiment", [ROOT / "tests" / "fixtures" / "labeled.tsv"])
    (tmp_path / "x.pos").write_text("a fine film\n\nreally good\n")
    (tmp_path / "x.neg").write_bytes("d\xe9j\xe0 vu , dull\n".encode("latin-1"))
    pol, _ = corpus_examples("sentiment", [tmp_path / "x.pos", tmp_path / "x.neg"])
    assert tsv and [ex.id for ex in pol] == ["x.pos#1", "x.pos#2", "x.neg#1"] and pol[2].tokens[0] == "déjà"
    assert all(ex.label is None for ex in tsv + pol)
    (tmp_path / "empty.txt").write_text("")
    with pytest.raises(ValueError, match="empty.txt: no sentence to search"):
        corpus_examples("sentiment", [tmp_path / "x.pos", tmp_path / "empty.txt"])
    with pytest.raises(FileNotFoundError, match="no such data file"):
        corpus_examples("aspect", [tmp_path / "missing.xml"])


def test_parsed_corpus_examples_keep_every_sentence_of_a_read_file():
    """A search corpus from an upload: every sentence with tokens, aspects or not, and no labels."""
    review = read_task_file("aspect", DEMO_XML.read_bytes(), "demo.xml")
    every = parsed_corpus_examples(review)
    labeled, _, _ = examples_from_file("aspect", DEMO_XML.read_bytes(), "demo.xml", None)
    assert len(every) == sum(1 for s in review.review.sentences if s.tokens) > len(labeled)
    assert all(ex.tokens and ex.aspects == [] and ex.label is None for ex in every)
    as_sentiment = parsed_corpus_examples(read_task_file("sentiment", DEMO_XML.read_bytes(), "demo.xml"))
    assert [ex.id for ex in as_sentiment] == [ex.id for ex in every]
    tsv = parsed_corpus_examples(read_task_file("sentiment", b"positive\tgreat food\nno tab\nnegative\t   \n", "m.tsv"))
    assert [(ex.id, ex.tokens) for ex in tsv] == [("m.tsv#1", ["great", "food"])]
    tags = parsed_corpus_examples(read_task_file("tagging", CONLLU.read_bytes(), "mini.conllu"))
    assert tags and all(ex.text == " ".join(ex.tokens) and ex.tags is None for ex in tags)
    with pytest.raises(ValueError, match="empty.tsv is empty"):
        parsed_corpus_examples(read_task_file("sentiment", b"", "empty.tsv"))
