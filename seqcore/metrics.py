"""Classification metrics with scikit-learn (accuracy, macro-F1, confusion matrix, per-class scores) and their tables."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict, dataclass

import numpy as np
from sklearn.metrics import accuracy_score, confusion_matrix, f1_score, precision_recall_fscore_support


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
    ids = list(range(len(labels)))
    cm = confusion_matrix(gold, pred, labels=ids)
    p, r, f, s = precision_recall_fscore_support(gold, pred, labels=ids, zero_division=0)
    support = cm.sum(axis=1)
    per_class = np.divide(np.diag(cm), support, out=np.zeros(len(ids)), where=support > 0)
    return Metrics(
        labels=list(labels),
        n=len(gold),
        accuracy=float(accuracy_score(gold, pred)),
        # Macro over the classes present in gold or predictions, as sklearn does with labels given.
        macro_f1=float(f1_score(gold, pred, labels=sorted(set(gold) | set(pred)), average="macro", zero_division=0)),
        confusion=cm.astype(int).tolist(),
        per_class_accuracy=[float(x) for x in per_class],
        precision=[float(x) for x in p],
        recall=[float(x) for x in r],
        f1=[float(x) for x in f],
        support=[int(x) for x in s],
    )


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
