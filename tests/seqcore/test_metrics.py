"""Metrics agree with hand-computed values."""

import pytest

from seqcore.metrics import Metrics, cell_rows, confusion_cells, majority_baseline, per_class_table, score


def test_score_by_hand():
    gold = [0, 0, 0, 1, 1, 2]
    pred = [0, 0, 1, 1, 2, 2]
    m = score(gold, pred, ["neg", "neu", "pos"])
    assert m.accuracy == pytest.approx(4 / 6)
    assert m.confusion == [[2, 1, 0], [0, 1, 1], [0, 0, 1]]
    assert m.per_class_accuracy == pytest.approx([2 / 3, 1 / 2, 1.0])
    assert m.precision == pytest.approx([1.0, 0.5, 0.5])
    f1 = [0.8, 0.5, 2 / 3]
    assert m.f1 == pytest.approx(f1)
    assert m.macro_f1 == pytest.approx(sum(f1) / 3)
    assert m.support == [3, 2, 1]
    assert Metrics.from_dict(m.to_dict()) == m


def test_absent_class_has_zero_accuracy_not_nan_and_errors_are_clear():
    m = score([0, 0], [0, 1], ["a", "b", "c"])
    assert m.per_class_accuracy == [0.5, 0.0, 0.0]
    with pytest.raises(ValueError, match="2 gold labels but 1 predictions"):
        score([0, 1], [0], ["a", "b"])
    with pytest.raises(ValueError, match="no labeled items"):
        score([], [], ["a"])
    assert majority_baseline([2, 2, 1, 0]) == 0.5


def test_confusion_helpers():
    m = [[3, 1], [0, 0]]
    cells = confusion_cells(m, ["a", "b"])
    assert cells == [{"gold": "a", "predicted": "b", "count": 1}, {"gold": "a", "predicted": "a", "count": 3}]
    rows = [{"gold": "a", "predicted": "b", "text": "x"}, {"gold": "a", "predicted": "a", "text": "y"}]
    assert cell_rows(rows, "a", "b") == [rows[0]]
    metrics = {
        "labels": ["a", "b"],
        "support": [4, 0],
        "per_class_accuracy": [0.75, 0.0],
        "precision": [1.0, 0.0],
        "recall": [0.75, 0.0],
        "f1": [0.857, 0.0],
    }
    assert per_class_table(metrics)[0]["precision"] == 1.0


def test_score_equals_scikit_learn_exactly():
    import random

    from sklearn.metrics import accuracy_score, confusion_matrix, f1_score, precision_recall_fscore_support

    rng = random.Random(0)
    for trial in range(300):
        K = rng.randint(2, 6)
        n = rng.randint(1, 60)
        used = rng.sample(range(K), rng.randint(1, K))  # some classes absent from gold, predictions or both
        gold = [rng.choice(used) for _ in range(n)]
        pred = [rng.choice(used if trial % 2 else range(K)) for _ in range(n)]
        m = score(gold, pred, [f"c{k}" for k in range(K)])
        ids = list(range(K))
        p, r, f, s = precision_recall_fscore_support(gold, pred, labels=ids, zero_division=0)
        assert m.accuracy == float(accuracy_score(gold, pred))
        assert m.macro_f1 == float(f1_score(gold, pred, labels=sorted(set(gold) | set(pred)), average="macro", zero_division=0))
        assert m.confusion == confusion_matrix(gold, pred, labels=ids).tolist()
        assert (m.precision, m.recall, m.f1, m.support) == (p.tolist(), r.tolist(), f.tolist(), s.tolist())


def test_score_refuses_indices_outside_the_labels():
    with pytest.raises(ValueError, match=r"label indices \[-100, 3\] are outside the 2 labels"):
        score([0, -100], [3, 1], ["a", "b"])


def test_importing_metrics_or_training_loads_neither_scikit_learn_nor_spacy():
    import subprocess
    import sys

    code = "import sys, seqcore.training, seqcore.cli; print(sorted(m for m in ('sklearn', 'spacy') if m in sys.modules))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"
