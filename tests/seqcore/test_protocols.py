"""SST and rt-polarity hold the same sentences: an rt-polarity model is never scored on SST, an SST model never on rt-polarity."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from seqcore.cli import main
from seqcore.corpora import PROTOCOLS, ProtocolError, check_protocol, protocol_of
from seqcore.tasks import card_test_examples
from seqcore.treebank import read_trees, tree_counts
from tests.synthetic import sentiment_data

ROOT = Path(__file__).resolve().parents[2]
TINY = ["--embedding-dim", "8", "--hidden-size", "6", "--epochs", "1", "--batch-size", "16", "--quiet", "--device", "cpu"]
RT_CARD = {"task": "sentiment", "data": {"train": ["data/rt-polarity/rt-polarity.pos", "data/rt-polarity/rt-polarity.neg"]}}
SST_CARD = {"task": "sentiment", "protocol": "sst", "data": {"train": ["data/sst/train.txt"], "test": ["data/sst/test.txt"]}}


def test_each_protocol_refuses_the_others_files_and_accepts_its_own():
    assert protocol_of(RT_CARD) == "rt-polarity" and protocol_of(SST_CARD) == "sst"
    assert protocol_of({"data": {"train": ["data/semeval2014/Restaurants_Train_v2.xml"]}}) is None
    for card, own, other in (
        (RT_CARD, "data/rt-polarity/rt-polarity.pos", "data/sst/test.txt"),
        (SST_CARD, "data/sst/test.txt", "data/rt-polarity/rt-polarity.neg"),
    ):
        check_protocol(card, [own])
        with pytest.raises(ProtocolError, match="seen most of them"):
            check_protocol(card, [other])
    check_protocol({"data": {}}, ["data/sst/test.txt"])  # a model of other data: no rule applies
    with pytest.raises(ProtocolError):  # the rule follows the corpus, wherever the data folder is
        check_protocol(RT_CARD, ["/elsewhere/data/sst/dev.txt"])


def test_a_cards_own_test_set_is_rebuilt_only_within_its_protocol():
    bad = {**RT_CARD, "data": {**RT_CARD["data"], "test": ["data/sst/test.txt"]}}
    with pytest.raises(ProtocolError):
        card_test_examples(bad, ROOT / "data")


def test_every_shipped_sentiment_card_says_its_protocol():
    for card_path in sorted((ROOT / "models").glob("*/card.json")):
        card = json.loads(card_path.read_text(encoding="utf-8"))
        if card["task"] != "sentiment":
            continue
        protocol = card.get("protocol")
        assert protocol in PROTOCOLS and protocol == protocol_of({"data": card["data"]}), card_path.parent.name
        if protocol == "sst":
            assert card["data"]["test"] == ["data/sst/test.txt"] and "kfold" not in card["data"]
        else:
            assert card["data"]["kfold"]["folds"] == 10 and all("rt-polarity" in r for r in card["data"]["train"])


@pytest.fixture(scope="module")
def corpora(tmp_path_factory):
    """A small sst/ folder (the first trees of each real file) and an rt-polarity/ pair, laid out as data/ is."""
    root = tmp_path_factory.mktemp("data")
    (root / "sst").mkdir()
    for split, n in (("train", 60), ("dev", 20), ("test", 20)):
        lines = (ROOT / "data" / "sst" / f"{split}.txt").read_text(encoding="utf-8").splitlines()[:n]
        (root / "sst" / f"{split}.txt").write_text("\n".join(lines) + "\n", encoding="utf-8")
    (root / "rt-polarity").mkdir()
    data = sentiment_data(60)
    for label, suffix in (("positive", "pos"), ("negative", "neg")):
        text = "".join(e.text + "\n" for e in data if e.label == label)
        (root / "rt-polarity" / f"x.{suffix}").write_bytes(text.encode("latin-1"))
    return root


def test_the_command_line_keeps_the_protocols_apart(tmp_path, corpora, capsys):
    sst = [str(corpora / "sst" / f"{s}.txt") for s in ("train", "dev", "test")]
    rt = [str(corpora / "rt-polarity" / "x.pos"), str(corpora / "rt-polarity" / "x.neg")]
    out = tmp_path / "sst-model"
    assert (
        main(["train", "--task", "sentiment", "--data", sst[0], "--dev", sst[1], "--test", sst[2], "--out", str(out), *TINY]) == 0
    )
    card = json.loads((out / "card.json").read_text(encoding="utf-8"))
    assert card["protocol"] == "sst" and card["data"]["sst"] == {"view": "binary", "train_on": "phrases", "negations": False}
    binary = {s: tree_counts(read_trees(corpora / "sst" / f"{s}.txt")[0])["binary"] for s in ("dev", "test")}
    assert card["sizes"]["dev"] == binary["dev"] and card["test_metrics"]["n"] == binary["test"]  # roots, neutral dropped
    assert binary["dev"] < 20 and binary["test"] < 20
    assert card["sizes"]["train"] > 300  # phrases, not the 60 sentences
    capsys.readouterr()
    assert main(["evaluate", str(out), "--data", *rt]) == 2
    assert "rt-polarity data, and this model follows the sst protocol" in capsys.readouterr().err
    assert main(["evaluate", str(out), "--data", sst[2]]) == 0

    rt_model = tmp_path / "rt-model"
    assert main(["train", "--task", "sentiment", "--data", *rt, "--out", str(rt_model), *TINY]) == 0
    assert json.loads((rt_model / "card.json").read_text(encoding="utf-8"))["protocol"] == "rt-polarity"
    capsys.readouterr()
    assert main(["evaluate", str(rt_model), "--data", sst[2]]) == 2
    assert "sst data, and this model follows the rt-polarity protocol" in capsys.readouterr().err
    # Training refuses the mixes too: an rt-polarity model tested on SST, an SST model cross-validated.
    assert main(["train", "--task", "sentiment", "--data", *rt, "--test", sst[2], "--out", str(tmp_path / "x"), *TINY]) == 2
    assert main(["train", "--task", "sentiment", "--data", sst[0], "--folds", "3", "--out", str(tmp_path / "y"), *TINY]) == 2
    assert "SST has its own dev and test files" in capsys.readouterr().err


def test_the_five_class_root_task_is_an_option(tmp_path, corpora):
    sst = [str(corpora / "sst" / f"{s}.txt") for s in ("train", "dev", "test")]
    out = tmp_path / "sst5"
    args = ["train", "--task", "sentiment", "--data", sst[0], "--dev", sst[1], "--test", sst[2], "--sst-view", "fine"]
    assert main([*args, "--sst-train-on", "roots", "--out", str(out), *TINY]) == 0
    card = json.loads((out / "card.json").read_text(encoding="utf-8"))
    assert card["sizes"] == {"train": 60, "dev": 20, "test": 20}  # every sentence, neutral ones included
    assert card["test_metrics"]["labels"] == ["very negative", "negative", "neutral", "positive", "very positive"]
    assert main(["evaluate", str(out), "--data", sst[2]]) == 0  # read in the model's own (five-class) view


def test_negation_flags_and_fine_tuning_are_recorded_on_the_card(tmp_path, corpora, capsys):
    sst = [str(corpora / "sst" / f"{s}.txt") for s in ("train", "dev", "test")]
    base, tuned = tmp_path / "base", tmp_path / "tuned"
    args = ["train", "--task", "sentiment", "--data", sst[0], "--dev", sst[1]]
    assert main([*args, "--out", str(base), *TINY]) == 0
    neg = ["--sst-negations", "--sst-negations-context", "--sst-negations-contrast", "--sst-negation-weight", "2"]
    neg += ["--sst-negation-holdout", "0.1"]
    assert main([*args, "--test", sst[2], "--init-from", str(base), *neg, "--out", str(tuned), *TINY]) == 0
    card = json.loads((tuned / "card.json").read_text(encoding="utf-8"))
    assert card["data"]["sst"]["negation_options"] == {
        "frames": True,
        "context": True,
        "weight": 2,
        "holdout": 0.1,
        "contrast": True,
    }
    assert card["init_from"]["from"] == str(base) and card["protocol"] == "sst"
    assert card["sizes"]["train"] > json.loads((base / "card.json").read_text(encoding="utf-8"))["sizes"]["train"]
    capsys.readouterr()
    assert main([*args, "--sst-negations", "--sst-negation-weight", "0", "--out", str(tmp_path / "x"), *TINY]) == 2
    assert "negation weight must be >= 1" in capsys.readouterr().err
