"""Classification metrics (accuracy, macro-F1, confusion matrix, per-class scores) and their tables.

Computed with numpy from the confusion matrix, with scikit-learn's definitions and arithmetic
(`precision_recall_fscore_support(..., zero_division=0)`, macro-F1 over the classes present in
gold or predictions); the tests check equality with scikit-learn. Importing scikit-learn costs
about 0.8 s, a sixth of a training command's start-up, so it is not imported here.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict, dataclass

import numpy as np


@dataclass
class Metrics:
    """Scores of predictions against gold labels; `confusion[i][j]` counts gold i predicted j."""

    labels: list[str]
    n: int
    accuracy: float
    macro_f1: float
    confusion: list[list[int]]
    per_class_accuracy: list[float]  # recall of each class: the confusion row's diagonal share
    precision: list[float]
    recall: list[float]
    f1: list[float]
    support: list[int]

    def to_dict(self) -> dict:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict) -> Metrics:
        return cls(**data)


def score(gold: Sequence[int], pred: Sequence[int], labels: Sequence[str]) -> Metrics:
    """Score integer predictions against integer gold labels, both indexing `labels`."""
    if len(gold) != len(pred):
        raise ValueError(f"{len(gold)} gold labels but {len(pred)} predictions")
    if len(gold) == 0:
        raise ValueError("no labeled items to score")
    K = len(labels)
    g, p = np.asarray(gold, dtype=np.int64), np.asarray(pred, dtype=np.int64)
    outside = sorted({int(x) for x in np.concatenate([g, p]) if not 0 <= x < K})
    if outside:
        raise ValueError(f"label indices {outside[:5]} are outside the {K} labels {list(labels)}")
    cm = np.bincount(g * K + p, minlength=K * K).reshape(K, K)  # (gold, predicted)
    tp = np.diag(cm).astype(np.float64)
    support, predicted = cm.sum(axis=1), cm.sum(axis=0)
    precision = ratio(tp, predicted)
    recall = ratio(tp, support)
    f1 = ratio(2.0 * tp, (support + predicted).astype(np.float64))  # = 2PR / (P + R), 0 when undefined
    present = sorted(set(g.tolist()) | set(p.tolist()))  # macro over the classes in gold or predictions
    return Metrics(
        labels=list(labels),
        n=len(gold),
        accuracy=float(np.mean(g == p)),
        macro_f1=float(np.nanmean(f1[present])),
        confusion=cm.astype(int).tolist(),
        per_class_accuracy=[float(x) for x in recall],  # the confusion row's diagonal share
        precision=[float(x) for x in precision],
        recall=[float(x) for x in recall],
        f1=[float(x) for x in f1],
        support=[int(x) for x in support],
    )


def ratio(num: np.ndarray, den: np.ndarray) -> np.ndarray:
    """Return num / den elementwise in float64, 0 where den is 0."""
    den = np.asarray(den, dtype=np.float64)
    return np.divide(num, np.where(den == 0, 1.0, den)) * (den != 0)


def majority_baseline(gold: Sequence[int]) -> float:
    """Return the accuracy of always predicting the most frequent gold class."""
    if len(gold) == 0:
        raise ValueError("no labeled items")
    return float(np.bincount(np.asarray(gold)).max() / len(gold))


def confusion_cells(confusion: Sequence[Sequence[int]], labels: Sequence[str]) -> list[dict]:
    """List the non-empty cells of a confusion matrix: the errors first, largest first, then the hits."""
    cells = [
        {"gold": labels[i], "predicted": labels[j], "count": int(c)}
        for i, row in enumerate(confusion)
        for j, c in enumerate(row)
        if c
    ]
    return sorted(cells, key=lambda r: (r["gold"] == r["predicted"], -r["count"], r["gold"], r["predicted"]))


def cell_rows(rows: Sequence[dict], gold: str, predicted: str) -> list[dict]:
    """Return the prediction rows whose gold and predicted labels are those of one confusion cell."""
    return [r for r in rows if r["gold"] == gold and r["predicted"] == predicted]


def per_class_table(metrics: dict) -> list[dict]:
    """Turn a Metrics dict into one row per class."""
    return [
        {
            "class": lab,
            "support": int(metrics["support"][k]),
            "per-class accuracy": metrics["per_class_accuracy"][k],
            "precision": metrics["precision"][k],
            "recall": metrics["recall"][k],
            "F1": metrics["f1"][k],
        }
        for k, lab in enumerate(metrics["labels"])
    ]
