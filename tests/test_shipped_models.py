"""The shipped models in models/: each one loads, answers predict and trace with only models/ present,
and re-scores exactly its card's test metrics on its test data from the project's data/ folder."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import torch

from seqcore.checkpoints import load_checkpoint
from seqcore.inference import Predictor
from seqcore.scoring import evaluate, hard_slice_metrics
from seqcore.tasks import card_test_examples

ROOT = Path(__file__).resolve().parents[1]
MODELS = ROOT / "models"
SHIPPED = sorted(p.parent.name for p in MODELS.glob("*/card.json"))
# Skip-gram vectors (seqcore.embeddings) live one level down, in models/vectors/, apart from the model folders.
VECTORS = sorted(p.parent.relative_to(MODELS).as_posix() for p in MODELS.glob("vectors/*/vectors.safetensors"))
EXPECTED = [
    "sentiment-lstm",
    "sentiment-gru",
    "sentiment-rnn",
    "sst-lstm",
    "sst-gru",
    "sst-rnn",
    "aspect-restaurants-lstm",
    "aspect-restaurants-gru",
    "aspect-laptops-lstm",
    "pos-ewt-lstm",
]
_EXAMPLES: dict[str, list] = {}


def cached_test_examples(card: dict, root: Path) -> list:
    """card_test_examples, read once per distinct data description (tokenizing rt-polarity takes seconds)."""
    key = json.dumps([card["task"], card["data"]], sort_keys=True)
    if key not in _EXAMPLES:
        _EXAMPLES[key] = card_test_examples(card, root)
    return _EXAMPLES[key]


SENTENCE = "The pasta was great but the service was painfully slow ."


def test_every_expected_model_is_shipped():
    assert sorted(EXPECTED) == SHIPPED


def test_readme_has_a_before_and_after_row_for_every_shipped_model():
    """models/README.md's issue-22 table: one row per shipped model, its "after" numbers and embeddings from its card."""
    text = (MODELS / "README.md").read_text(encoding="utf-8")
    section = text.split("## Before and after word vectors")[1].split("\n## ")[0]
    rows = {
        cells[0]: cells
        for line in section.splitlines()
        if line.startswith("| ") and not line.startswith("| model")
        for cells in [[c.strip() for c in line.strip("|").split("|")]]
    }
    assert sorted(rows) == SHIPPED
    for name, cells in rows.items():
        card = json.loads((MODELS / name / "card.json").read_text())
        d, t, cv = card["dev_metrics"], card["test_metrics"], card.get("cross_validation")
        assert (
            cells[5] == f"{d['accuracy']:.4f} / {d['macro_f1']:.4f}" and cells[6] == f"{t['accuracy']:.4f} / {t['macro_f1']:.4f}"
        )
        assert cells[8] == (f"{cv['mean_accuracy']:.4f}" if cv else "—")
        assert (cells[9] == "random") == (card["embeddings"] == "random")


def test_models_fit_the_size_budget():
    total = 0
    for name in SHIPPED + VECTORS:
        size = sum(f.stat().st_size for f in (MODELS / name).iterdir())
        assert size <= 10 * 2**20, f"{name} is {size / 2**20:.1f} MB"
        total += size
    # ten checkpoints and one set of vectors (the three SST models added about 19 MB to 42; the vectors 5 MB; sentiment-lstm
    # from skip-gram vectors 1.2 MB, its 3,010 words added from them: 70.8 MB)
    assert total <= 72 * 2**20


@pytest.mark.parametrize("name", VECTORS)
def test_shipped_vectors_load_and_know_their_words(name):
    from seqcore.vectors import load_vectors

    vectors = load_vectors(MODELS / name)
    card = vectors.card
    assert card["files"] and all(f.startswith("data/") and "test" not in f.lower() for f in card["files"])
    assert card["vocab_size"] == len(vectors.words) - 2 and card["tokens"] > 100_000
    assert "waitress" in [w for w, _ in vectors.nearest("waiter", 5)]  # learned from the text, not planted
    assert "film" in [w for w, _ in vectors.nearest("movie", 5)]


@pytest.mark.parametrize("name", SHIPPED)
def test_predict_and_trace_need_only_models_folder(name):
    pred = Predictor.load(MODELS / name, device="cpu")
    card = pred.card
    assert card["task"] == pred.task and card["cell"] == pred.model.cfg.cell
    if pred.task == "sentiment":
        probs = pred.predict_text(SENTENCE)
        assert set(probs) == {"negative", "positive"} and abs(sum(probs.values()) - 1) < 1e-5
    elif pred.task == "aspect":
        out = pred.predict_aspects(SENTENCE, terms=["pasta", "service"])
        assert [a.term for a in out] == ["pasta", "service"]
        assert all(a.label in ("negative", "neutral", "positive") for a in out)
    else:
        tags = pred.tag(SENTENCE)
        assert len(tags) == len(SENTENCE.split()) and all(t in pred.labels for _, t, _ in tags)
    trace = pred.trace(SENTENCE)
    # The step-by-step trace of the trained weights equals the fused modules' output.
    ex, _ = pred.example(SENTENCE)
    batch = pred.encoder.batch([ex])
    with torch.no_grad():
        fused = pred.model.encode(batch.ids, batch.lengths, batch.chars)[0].numpy()
    assert abs(trace.outputs - fused).max() < 1e-5
    if pred.task != "sentiment":
        this = {"aspect": "an aspect", "tagging": "a tagging"}[pred.task]
        with pytest.raises(ValueError, match=f"^this is {this} model; that question needs a sentiment model$"):
            pred.trajectory(SENTENCE)
    layer = trace.get(0, "forward")
    assert layer.gates["h"].shape[0] == len(trace.tokens) > 0
    assert all(torch.isfinite(torch.as_tensor(layer.gates[g])).all() for g in trace.gate_names)


@pytest.mark.parametrize("name", SHIPPED)
def test_card_refers_to_its_data_in_the_project(name):
    card = json.loads((MODELS / name / "card.json").read_text())
    refs = card["data"]["train"] + card["data"]["dev"] + (card["data"]["test"] if isinstance(card["data"]["test"], list) else [])
    assert refs and all(r.startswith("data/") and (ROOT / r).is_file() for r in refs), refs
    assert "shared" not in card["command"] and " data/" in card["command"]
    assert card["test_metrics"] and card["train_seconds"] > 0


def test_card_test_examples_rebuilds_a_kfold_test_set(corpora_dir):
    card = {
        "task": "sentiment",
        "data": {
            "train": ["data/rt-polarity/rt-polarity.pos", "data/rt-polarity/rt-polarity.neg"],
            "kfold": {"folds": 10, "fold": 3, "seed": 13},
        },
    }
    examples = card_test_examples(card, corpora_dir)
    assert len(examples) in (1066, 1067)
    other = card_test_examples({**card, "data": {**card["data"], "kfold": {"folds": 10, "fold": 4, "seed": 13}}}, corpora_dir)
    assert not {e.id for e in examples} & {e.id for e in other}
    with pytest.raises(ValueError):
        card_test_examples({"task": "aspect", "data": {"test": "fold 0 of 10"}}, corpora_dir)


@pytest.mark.parametrize("name", SHIPPED)
def test_shipped_model_reproduces_its_card_test_metrics(name, corpora_dir):
    ckpt = load_checkpoint(MODELS / name)
    expected = ckpt.card["test_metrics"]
    examples = cached_test_examples(ckpt.card, corpora_dir)
    assert len(examples) == ckpt.card["sizes"]["test"]
    metrics, _ = evaluate(ckpt.model, examples, ckpt.encoder)
    got = metrics.to_dict()
    for key in ("labels", "n", "confusion", "support"):
        assert got[key] == expected[key], key
    for key in ("accuracy", "macro_f1"):
        assert got[key] == pytest.approx(expected[key], abs=1e-6), key
    for key in ("per_class_accuracy", "precision", "recall", "f1"):
        assert got[key] == pytest.approx(expected[key], abs=1e-6), key
    emb = ckpt.card["embeddings"]  # every card says where its word vectors started
    assert emb == "random" or (isinstance(emb, dict) and 0 < emb["word_coverage"] <= 1 and emb["vectors_card"]["files"])
    if ckpt.card["task"] == "aspect":  # the hard slice: test sentences whose aspects disagree in polarity
        hard, stored = hard_slice_metrics(ckpt.model, examples, ckpt.encoder), ckpt.card["hard_slice"]
        assert hard["sentences"] == stored["sentences"] > 0 and hard["aspects"] == stored["aspects"]
        assert hard["accuracy"] == pytest.approx(stored["accuracy"], abs=1e-6)
    else:  # every card answers the hard-slice question: here, that it does not apply
        assert ckpt.card["hard_slice"]["applies"] is False and ckpt.card["hard_slice"]["accuracy"] is None
        assert "aspect" in ckpt.card["hard_slice"]["why"]
