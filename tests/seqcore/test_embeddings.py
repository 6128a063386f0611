"""Skip-gram vectors: the planted co-occurrence structure is recovered; training from vectors is deterministic."""

from __future__ import annotations

import json
import random

import numpy as np
import pytest
import torch

from seqcore.cli import main
from seqcore.embeddings import SkipGramConfig, keep_probability, train_skipgram, window_pairs
from seqcore.pipeline import FitSpec, fit
from seqcore.training import TrainConfig
from seqcore.vectors import VectorsError, load_any_vectors, load_vectors
from tests.synthetic import aspect_data

TOPICS = {
    "food": ["pasta", "pizza", "sushi", "salad", "soup"],
    "staff": ["waiter", "hostess", "chef", "manager", "bartender"],
    "laptop": ["screen", "keyboard", "battery", "trackpad", "charger"],
}
FILLER = ["the", "a", "was", "and", "it", "very"]


def planted_corpus(n: int = 1500, seed: int = 0) -> list[list[str]]:
    """Each sentence draws its content words from one topic: words of a topic co-occur, others never do."""
    rng = random.Random(seed)
    out = []
    for _ in range(n):
        topic = TOPICS[rng.choice(list(TOPICS))]
        words = [rng.choice(topic) for _ in range(4)] + [rng.choice(FILLER) for _ in range(3)]
        rng.shuffle(words)
        out.append(words)
    return out


SMALL = SkipGramConfig(dim=16, window=3, epochs=4, min_count=1, batch_size=256, lr=0.02, subsample=0)


@pytest.fixture(scope="module")
def planted_vectors():
    return train_skipgram(planted_corpus(), SMALL)


def test_planted_topics_are_nearest_neighbours(planted_vectors):
    for topic, words in TOPICS.items():
        for w in words:
            top = [x for x, _ in planted_vectors.nearest(w, 4)]
            assert set(top) == set(words) - {w}, f"{w} ({topic}): {top}"


def test_skipgram_is_deterministic_and_card_says_what_it_did(planted_vectors):
    again = train_skipgram(planted_corpus(), SMALL)
    torch.testing.assert_close(again.vectors, planted_vectors.vectors, rtol=0, atol=0)
    card = planted_vectors.card
    assert card["tokens"] == 1500 * 7 and card["settings"]["negatives"] == 5 and card["vocab_size"] == 21
    assert planted_vectors.counts[planted_vectors.words.index("the")] > 0


def test_subsampling_keeps_rare_words_and_thins_frequent_ones():
    p = keep_probability(np.array([0.0, 0.0, 1_000_000.0, 10.0]), 1e-3)
    assert p[3] == 1.0 and 0 < p[2] < 0.1  # frequency 1e-5 < t: always kept; about 1.0: mostly dropped


def test_window_pairs_never_cross_sentences():
    ids, sent = np.arange(6), np.array([0, 0, 0, 1, 1, 1])
    c, o = window_pairs(ids, sent, 5, np.random.default_rng(0))
    assert len(c) > 0 and all(sent[a] == sent[b] for a, b in zip(c, o)) and all(a != b for a, b in zip(c, o))


def test_vectors_round_trip_and_unknown_word(tmp_path, planted_vectors):
    planted_vectors.save(tmp_path / "v")
    back = load_vectors(tmp_path / "v")
    torch.testing.assert_close(back.vectors, planted_vectors.vectors)
    assert back.words == planted_vectors.words and back.counts == planted_vectors.counts
    with pytest.raises(VectorsError, match="not in these vectors"):
        back.nearest("zebra")
    known = back.words.itos[2]
    assert back.knows(known) and not back.knows("zebra") and not back.knows("<unk>") and not back.knows("<pad>")
    (tmp_path / "v" / "card.json").unlink()
    with pytest.raises(VectorsError, match="card.json is missing"):
        load_vectors(tmp_path / "v")


def fit_from(vectors_dir: str, freeze: bool):
    spec = FitSpec(task="aspect", cell="lstm", hidden_size=6, embeddings=vectors_dir, freeze_embeddings=freeze)
    return fit(spec, TrainConfig(epochs=2, batch_size=8, device="cpu"), aspect_data(40))


def test_training_from_vectors_is_deterministic_copies_reports_and_freezes(tmp_path, planted_vectors):
    planted_vectors.save(tmp_path / "v")
    a, b = fit_from(str(tmp_path / "v"), False), fit_from(str(tmp_path / "v"), False)
    for (name, x), (_, y) in zip(a.model.state_dict().items(), b.model.state_dict().items()):
        torch.testing.assert_close(x, y, rtol=0, atol=0, msg=name)
    frozen = fit_from(str(tmp_path / "v"), True)
    assert frozen.model.cfg.embedding_dim == 16  # the vectors' size
    words = frozen.encoder.words
    for w in ("pasta", "the"):  # "pasta" is only in the vectors: it joins the vocabulary
        torch.testing.assert_close(
            frozen.model.embedding.weight[words.index(w)], planted_vectors.vectors[planted_vectors.words.index(w)]
        )
    emb = frozen.card["embeddings"]
    assert emb["frozen"] is True and emb["vectors_card"]["vocab_size"] == 21
    # aspect_data's words: the, food, service, menu, good, bad, slow; of these the vectors know "the" alone
    assert emb["train_words"] == 7 and emb["train_words_covered"] == 1 and emb["word_coverage"] == pytest.approx(1 / 7)
    assert all(not torch.equal(frozen.model.embedding.weight[words.index(w)], torch.zeros(16)) for w in ("food", "slow"))
    assert 0 < emb["token_coverage"] < 1
    assert (
        fit(FitSpec(task="aspect", hidden_size=6), TrainConfig(epochs=1, device="cpu"), aspect_data(20)).card["embeddings"]
        == "random"
    )


def test_skipgram_and_neighbors_commands(tmp_path, capsys):
    text = tmp_path / "topics.txt"
    text.write_text("".join(" ".join(s) + "\n" for s in planted_corpus(600)), encoding="utf-8")
    out = tmp_path / "vec"
    assert (
        main(
            [
                "skipgram",
                "--data",
                str(text),
                "--out",
                str(out),
                "--dim",
                "16",
                "--window",
                "3",
                "--min-count",
                "1",
                "--epochs",
                "6",
                "--lr",
                "0.02",
                "--subsample",
                "0",
                "--quiet",
            ]
        )
        == 0
    )
    assert "saved" in capsys.readouterr().out
    card = json.loads((out / "card.json").read_text())
    assert card["files"] == [str(text.resolve())] and card["sentences"] == 600 and card["settings"]["dim"] == 16
    assert main(["neighbors", str(out), "Pasta", "--top", "3", "--json"]) == 0
    found = json.loads(capsys.readouterr().out)
    assert found["word"] == "Pasta" and len(found["neighbors"]) == 3
    assert {n["word"] for n in found["neighbors"]} <= set(TOPICS["food"])
    assert all(-1 <= n["cosine"] <= 1 for n in found["neighbors"])
    assert main(["neighbors", str(out), "zebra"]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and err[0].startswith("error:") and "zebra" in err[0]
    assert isinstance(load_any_vectors(out).card, dict)


def test_train_embeddings_flag_reports_coverage(tmp_path, capsys, planted_vectors):
    from tests.seqcore.test_cli import TINY
    from tests.synthetic import sentiment_data

    planted_vectors.save(tmp_path / "v")
    data = sentiment_data(60)
    pos, neg = tmp_path / "x.pos", tmp_path / "x.neg"
    pos.write_text("".join(e.text + "\n" for e in data if e.label == "positive"), encoding="utf-8")
    neg.write_text("".join(e.text + "\n" for e in data if e.label == "negative"), encoding="utf-8")
    args = ["train", "--task", "sentiment", "--data", str(pos), str(neg), "--out", str(tmp_path / "m"), *TINY]
    assert main([*args, "--embeddings", str(tmp_path / "v"), "--freeze-embeddings"]) == 0
    out = capsys.readouterr().out
    assert "start from the vectors, the rest random" in out and "frozen" in out
    card = json.loads((tmp_path / "m" / "card.json").read_text())
    assert card["embeddings"]["frozen"] is True and card["embeddings"]["from"] == str(tmp_path / "v")
    assert main([*args, "--embeddings", str(tmp_path / "nowhere")]) == 2
    assert "no such vectors folder" in capsys.readouterr().err


def test_default_text_is_every_registry_corpus_train_split_less_test_sentences(tmp_path, monkeypatch):
    from seqcore.corpora import DATA_ENV
    from seqcore.embeddings import build_vectors
    from tests.seqcore.test_cli import DEMO

    (tmp_path / "rt-polarity").mkdir()
    lines = [" ".join(s) for s in planted_corpus(200)]
    (tmp_path / "rt-polarity" / "rt-polarity.pos").write_text("\n".join(lines[:100]) + "\n", encoding="latin-1")
    (tmp_path / "rt-polarity" / "rt-polarity.neg").write_text("\n".join(lines[100:]) + "\n", encoding="latin-1")
    (tmp_path / "semeval2014").mkdir()
    demo = (DEMO / "restaurants_2014_demo.xml").read_bytes()
    (tmp_path / "semeval2014" / "Restaurants_Train_v2.xml").write_bytes(demo)
    (tmp_path / "semeval2014" / "Restaurants_Test_Gold.xml").write_bytes(demo)  # every train sentence is a test one
    monkeypatch.setenv(DATA_ENV, str(tmp_path))
    cfg = SkipGramConfig(dim=8, epochs=1, min_count=1)
    card = build_vectors(None, cfg).card
    assert card["corpora"] == ["rt-polarity", "semeval2014-restaurants"]  # the corpora whose train files are here
    assert card["files"] == [
        "data/rt-polarity/rt-polarity.pos",
        "data/rt-polarity/rt-polarity.neg",
        "data/semeval2014/Restaurants_Train_v2.xml",
    ]
    assert card["sentences"] == 200 and card["test_sentences_removed"] > 0  # no sentence of a test file was read
    with pytest.raises(ValueError, match="no corpus left"):
        build_vectors(None, cfg, exclude=["rt-polarity"], exclude_tasks=["aspect"])
    with pytest.raises(ValueError, match="test file"):
        build_vectors([tmp_path / "semeval2014" / "Restaurants_Test_Gold.xml"], cfg)
    with pytest.raises(ValueError, match="only 0 word"):  # left: the restaurants, whose every sentence is a test one
        build_vectors(None, cfg, exclude_tasks=["sentiment"])


def test_embeddings_max_words_bounds_the_words_added(tmp_path, planted_vectors):
    planted_vectors.save(tmp_path / "v")
    spec = FitSpec(task="aspect", cell="lstm", hidden_size=6, embeddings=str(tmp_path / "v"), embeddings_max_words=3)
    fitted = fit(spec, TrainConfig(epochs=1, batch_size=8, device="cpu"), aspect_data(40))
    assert len(fitted.encoder.words) == 2 + 7 + 3 and fitted.card["embeddings"]["words_added_from_vectors"] == 3
    with pytest.raises(ValueError, match="embeddings_max_words"):
        FitSpec(task="aspect", embeddings_max_words=-1)


def test_vectors_that_read_a_protocols_test_text_are_refused(tmp_path, planted_vectors):
    from seqcore.corpora import ProtocolError, check_vectors_protocol
    from tests.synthetic import sentiment_data

    rt = {"data": {"train": ["data/rt-polarity/rt-polarity.pos", "data/rt-polarity/rt-polarity.neg"]}}
    sst = {"data": {"train": ["data/sst/train.txt"]}}
    no_sentiment = {"files": ["data/semeval2014/Restaurants_Train_v2.xml", "data/ud-english-ewt/en_ewt-ud-train.conllu.gz"]}
    check_vectors_protocol(rt, no_sentiment)  # `skipgram --exclude-task sentiment`: allowed for both protocols
    check_vectors_protocol(sst, no_sentiment)
    check_vectors_protocol(rt, {"files": ["/tmp/mr-fold0/train.txt"]})  # one fold's training part, given with --data
    check_vectors_protocol(sst, {"files": ["data/sst/train.txt"]})  # SST's own training sentences
    check_vectors_protocol({"data": {"train": ["data/semeval2014/Laptop_Train_v2.xml"]}}, {"files": ["data/rt-polarity/a.pos"]})
    for card, f in [
        (rt, "data/rt-polarity/rt-polarity.pos"),  # every fold's test sentences
        (rt, "data/sst/train.txt"),  # SST's sentences are rt-polarity's
        (sst, "data/rt-polarity/rt-polarity.neg"),  # holds most SST-2 test sentences
        (sst, "data/sst/dev.txt"),
    ]:
        with pytest.raises(ProtocolError, match="exclude"):
            check_vectors_protocol(card, {"files": [*no_sentiment["files"], f]})
    planted_vectors.save(tmp_path / "v")  # fit refuses them before training
    card = json.loads((tmp_path / "v" / "card.json").read_text())
    (tmp_path / "v" / "card.json").write_text(json.dumps({**card, "files": ["data/rt-polarity/rt-polarity.pos"]}))
    with pytest.raises(ProtocolError, match="rt-polarity"):
        fit(
            FitSpec(task="sentiment", hidden_size=6, embeddings=str(tmp_path / "v")),
            TrainConfig(epochs=1, device="cpu"),
            sentiment_data(40),
            data=rt["data"],
        )


def test_skipgram_reads_every_kind_the_readers_read(tmp_path):
    """--data takes any file a reader reads; an SST tree file gives its sentences' words, never its brackets and labels."""
    from pathlib import Path

    from seqcore.embeddings import file_sentences

    fixtures = Path(__file__).resolve().parents[1] / "fixtures"
    sst = tmp_path / "trees.txt"
    sst.write_text("(3 (2 (2 So) (3 funny)) (2 .))\n(1 (2 The) (1 (1 dull) (2 plot)))\n", encoding="utf-8")
    assert file_sentences(sst) == [["So", "funny", "."], ["The", "dull", "plot"]]
    for name in ("reviews_header.csv", "aspects.jsonl", "reviews_mixed_labels.jsonl", "absa_pytorch.txt", "word_tags.txt"):
        found = file_sentences(fixtures / name)
        assert found and all(s and all(t.strip() for t in s) for s in found), name
        assert not any(t in ("{", "}", "$T$", "review", "label") for s in found for t in s), name  # the text, not the markup
