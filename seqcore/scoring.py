"""Ask a model about labeled examples: per-item predictions, the task loss, metrics and prediction tables.

Prediction and evaluation live here, apart from the trainer, so answering a question
(`seqcore.inference`, the CLI's `evaluate`, the app's Evaluation page) never imports
`seqcore.training`; the trainer imports `task_loss` and `evaluate` from here.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import torch
import torch.nn.functional as F

from seqcore.batching import IGNORE_INDEX, Encoder, Example, iterate_batches
from seqcore.device import resolve_device
from seqcore.metrics import Metrics, score
from seqcore.models import SequenceModel


def task_loss(logits: torch.Tensor, labels: torch.Tensor) -> torch.Tensor:
    """Mean cross-entropy over labeled items; IGNORE_INDEX (padding, missing) is skipped."""
    C = logits.shape[-1]
    return F.cross_entropy(logits.reshape(-1, C), labels.reshape(-1), ignore_index=IGNORE_INDEX)


@dataclass
class Predictions:
    """Flat per-item predictions: one item per sentence, aspect or token, in example order."""

    example: list[int]  # position of the item's example
    position: list[int]  # aspect or token position within the example (0 for sentiment)
    gold: list[int]  # IGNORE_INDEX where unknown
    pred: list[int]
    probs: np.ndarray  # (N, C)
    loss: float = float("nan")  # mean cross-entropy over items with a gold label


@torch.no_grad()
def predict(
    model: SequenceModel,
    examples: Sequence[Example],
    encoder: Encoder,
    batch_size: int = 64,
    device: str | torch.device | None = None,
) -> Predictions:
    """Predict every labeled item of `examples` (sentences, aspects or tokens)."""
    device = resolve_device(device) if device is not None else next(model.parameters()).device
    model.eval()
    rows: list[tuple[int, int, int, int, np.ndarray]] = []
    loss_sum, labeled = 0.0, 0
    for batch in iterate_batches(examples, encoder, batch_size, bucket=True):
        batch = batch.to(device)
        logits = model(**batch.inputs())  # (B, C) | (B, A, C) | (B, T, C)
        n = int((batch.labels != IGNORE_INDEX).sum())
        if n:
            loss_sum += task_loss(logits, batch.labels).item() * n
            labeled += n
        probs = torch.softmax(logits, dim=-1).cpu()
        labels = batch.labels.cpu()
        for b, ex_i in enumerate(batch.index):
            ex = examples[ex_i]
            if probs.dim() == 2:
                items = [(0, int(labels[b]), probs[b])]
            elif encoder.task == "aspect":
                items = [(a, int(labels[b, a]), probs[b, a]) for a in range(len(ex.aspects))]
            else:
                items = [(t, int(labels[b, t]), probs[b, t]) for t in range(len(ex.tokens))]
            rows.extend((ex_i, pos, gold, int(p.argmax()), p.numpy()) for pos, gold, p in items)
    rows.sort(key=lambda r: (r[0], r[1]))
    C = len(encoder.labels)
    return Predictions(
        example=[r[0] for r in rows],
        position=[r[1] for r in rows],
        gold=[r[2] for r in rows],
        pred=[r[3] for r in rows],
        probs=np.stack([r[4] for r in rows]) if rows else np.zeros((0, C)),
        loss=loss_sum / labeled if labeled else float("nan"),
    )


@torch.no_grad()
def evaluate(model: SequenceModel, examples: Sequence[Example], encoder: Encoder, batch_size: int = 64) -> tuple[Metrics, float]:
    """Return metrics and mean loss over the labeled items of `examples` (padding excluded), in one pass."""
    p = predict(model, examples, encoder, batch_size)
    keep = [i for i, g in enumerate(p.gold) if g != IGNORE_INDEX]
    metrics = score([p.gold[i] for i in keep], [p.pred[i] for i in keep], encoder.labels.itos)
    return metrics, p.loss


def hard_slice_metrics(model: SequenceModel, examples: Sequence[Example], encoder: Encoder) -> dict:
    """Accuracy and macro-F1 of an aspect model on the hard slice of `examples` (`tasks.disagreeing_aspects`)."""
    from seqcore.tasks import HARD_SLICE, disagreeing_aspects

    hard = disagreeing_aspects(examples)
    if not hard:
        return {"slice": HARD_SLICE, "sentences": 0, "aspects": 0, "accuracy": None, "macro_f1": None}
    m, _ = evaluate(model, hard, encoder)
    return {
        "slice": HARD_SLICE,
        "sentences": len(hard),
        "aspects": sum(len(ex.aspects) for ex in hard),
        "accuracy": m.accuracy,
        "macro_f1": m.macro_f1,
    }


def no_hard_slice(task: str) -> dict:
    """What a card of a task without aspects says of the hard slice: that it does not apply, and why."""
    from seqcore.tasks import HARD_SLICE

    return {
        "slice": HARD_SLICE,
        "applies": False,
        "accuracy": None,
        "macro_f1": None,
        "why": f"the hard slice is defined for aspect models only; a {task} model's test items have no aspects",
    }


def predictions_table(model: SequenceModel, examples: Sequence[Example], encoder: Encoder) -> list[dict]:
    """Return one row per labeled item: example id, text, item (aspect term or token), gold, predicted, confidence."""
    p = predict(model, examples, encoder)
    rows = []
    for ex_i, pos, gold, pred, probs in zip(p.example, p.position, p.gold, p.pred, p.probs):
        ex = examples[ex_i]
        item = (
            ex.aspect_terms[pos]
            if encoder.task == "aspect" and pos < len(ex.aspect_terms)
            else (ex.tokens[pos] if encoder.task == "tagging" else "")
        )
        rows.append(
            {
                "id": ex.id,
                "text": ex.text,
                "item": item,
                "position": pos,
                "gold": encoder.labels.itos[gold] if gold >= 0 else None,
                "predicted": encoder.labels.itos[pred],
                "confidence": float(probs[pred]),
            }
        )
    return rows


def tag_rows(tokens: Sequence[str], predicted: Sequence[tuple[str, str, float]], gold: Sequence[str] | None) -> list[dict]:
    """Per-token rows: word, predicted tag, its probability, gold tag and whether they agree."""
    if gold is not None and len(gold) != len(tokens):
        raise ValueError(f"{len(gold)} gold tags for {len(tokens)} words: give exactly one tag per word")
    rows = []
    for t, (tok, tag, p) in enumerate(predicted):
        g = gold[t] if gold is not None else None
        rows.append(
            {
                "position": t,
                "word": tok,
                "predicted": tag,
                "probability": p,
                "gold": g,
                "correct": None if g is None else g == tag,
            }
        )
    return rows
