"""Train and evaluate: Adam, global-norm clipping, early stopping on dev, best-on-dev weights restored.

`train` knows nothing of any UI: it calls `on_progress` after every `report_every` batches
and after every epoch, and checks `should_stop` between batches, so a caller can draw live
curves and stop it cleanly.
"""

from __future__ import annotations

import copy
import math
import random
import time
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field

import numpy as np
import torch
import torch.nn.functional as F

from seqcore.batching import IGNORE_INDEX, Encoder, Example, iterate_batches
from seqcore.device import resolve_device
from seqcore.metrics import Metrics, score
from seqcore.models import SequenceModel


class NonFiniteLossError(RuntimeError):
    """The loss became NaN or infinite; the model keeps the last good weights (see `.result`)."""

    def __init__(self, message: str, result: TrainResult) -> None:
        super().__init__(message)
        self.result = result


@dataclass
class TrainConfig:
    """Optimisation settings; saved in the model card."""

    epochs: int = 10
    batch_size: int = 32
    lr: float = 1e-3
    weight_decay: float = 0.0
    clip: float = 5.0  # max global gradient norm
    patience: int = 3  # epochs without a better dev score before stopping
    metric: str = "accuracy"  # dev metric that selects the checkpoint: accuracy or macro_f1
    seed: int = 13
    report_every: int = 20  # batches between step reports
    device: str = "auto"

    def __post_init__(self) -> None:
        if self.metric not in ("accuracy", "macro_f1"):
            raise ValueError(f"metric must be accuracy or macro_f1, got {self.metric!r}")
        if self.epochs < 1 or self.batch_size < 1 or self.lr <= 0:
            raise ValueError("epochs and batch_size must be >= 1 and lr > 0")


@dataclass
class Progress:
    """One report: kind is "step" (train loss only) or "epoch" (with dev scores)."""

    kind: str
    epoch: int  # 1-based
    step: int  # batches done so far
    total_steps: int  # batches in all epochs (an upper bound when early stopping)
    train_loss: float
    elapsed: float  # seconds
    dev_loss: float | None = None
    dev_accuracy: float | None = None
    dev_macro_f1: float | None = None
    best_epoch: int | None = None
    is_best: bool = False


@dataclass
class TrainResult:
    """What training did; the model passed in holds the best-on-dev weights."""

    best_epoch: int
    best_score: float
    epochs_run: int
    stopped_early: bool
    stopped_by_user: bool
    seconds: float
    history: list[Progress] = field(default_factory=list)
    dev_metrics: Metrics | None = None

    def to_dict(self) -> dict:
        d = asdict(self)
        d["history"] = [asdict(p) for p in self.history if p.kind == "epoch"]
        return d


def seed_everything(seed: int) -> None:
    """Seed Python, NumPy and torch so the same seed gives the same weights on CPU."""
    random.seed(seed)
    np.random.seed(seed)
    torch.manual_seed(seed)


def split_dev(examples: Sequence[Example], fraction: float = 0.1, seed: int = 13) -> tuple[list[Example], list[Example]]:
    """Carve a dev split from training examples, grouped by sentence text so no sentence sits in both."""
    if not 0.0 < fraction < 1.0:
        raise ValueError(f"dev fraction must be in (0, 1), got {fraction}")
    groups: dict[str, list[int]] = {}
    for i, ex in enumerate(examples):
        groups.setdefault(" ".join(ex.tokens).lower(), []).append(i)
    keys = sorted(groups)
    random.Random(seed).shuffle(keys)
    want = round(fraction * len(examples))
    dev_idx: set[int] = set()
    for key in keys:
        if len(dev_idx) >= want:
            break
        dev_idx.update(groups[key])
    train = [ex for i, ex in enumerate(examples) if i not in dev_idx]
    dev = [ex for i, ex in enumerate(examples) if i in dev_idx]
    if not train or not dev:
        raise ValueError(f"{len(examples)} examples are too few to carve {fraction:.0%} of them off as a dev split")
    return train, dev


def kfold(n: int, k: int = 10, seed: int = 13) -> list[list[int]]:
    """Split positions 0..n-1 into k shuffled folds of near-equal size."""
    if not 2 <= k <= n:
        raise ValueError(f"k must be in [2, {n}], got {k}")
    order = list(range(n))
    random.Random(seed).shuffle(order)
    return [sorted(order[f::k]) for f in range(k)]


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


def train(
    model: SequenceModel,
    train_examples: Sequence[Example],
    dev_examples: Sequence[Example],
    encoder: Encoder,
    cfg: TrainConfig,
    on_progress: Callable[[Progress], None] | None = None,
    should_stop: Callable[[], bool] | None = None,
) -> TrainResult:
    """Train `model` in place; on return it holds the weights of its best dev epoch.

    Raises NonFiniteLossError (model keeps its last good weights) if the loss diverges.
    """
    if not train_examples or not dev_examples:
        raise ValueError("training needs at least one training and one dev example")
    device = resolve_device(cfg.device)
    seed_everything(cfg.seed)
    model.to(device)
    optimizer = torch.optim.Adam([p for p in model.parameters() if p.requires_grad], lr=cfg.lr, weight_decay=cfg.weight_decay)
    steps_per_epoch = math.ceil(len(train_examples) / cfg.batch_size)
    total_steps = steps_per_epoch * cfg.epochs
    best_state = copy.deepcopy(model.state_dict())
    best_score, best_epoch, bad_epochs = -math.inf, 0, 0
    history: list[Progress] = []
    start = time.perf_counter()
    step, stopped_by_user, stopped_early, epoch = 0, False, False, 0

    def emit(p: Progress) -> None:
        history.append(p)
        if on_progress is not None:
            on_progress(p)

    def result() -> TrainResult:
        model.load_state_dict(best_state)
        model.eval()
        return TrainResult(best_epoch, best_score, epoch, stopped_early, stopped_by_user, time.perf_counter() - start, history)

    for epoch in range(1, cfg.epochs + 1):
        model.train()
        run_loss, run_n = 0.0, 0
        for batch in iterate_batches(train_examples, encoder, cfg.batch_size, shuffle=True, seed=cfg.seed + epoch):
            if should_stop is not None and should_stop():
                stopped_by_user = True
                break
            batch = batch.to(device)
            loss = task_loss(model(**batch.inputs()), batch.labels)
            optimizer.zero_grad(set_to_none=True)
            norm = torch.tensor(0.0)
            if torch.isfinite(loss):
                loss.backward()
                norm = torch.nn.utils.clip_grad_norm_(model.parameters(), cfg.clip)
            if not torch.isfinite(loss) or not torch.isfinite(norm):
                # No optimizer step was taken, so the weights are those of the last finite step.
                model.eval()
                res = TrainResult(best_epoch, best_score, epoch, False, False, time.perf_counter() - start, history)
                raise NonFiniteLossError(
                    f"the training loss became {loss.item()} (gradient norm {norm.item() if torch.isfinite(loss) else 'not computed'}) "
                    f"at epoch {epoch}, step {step + 1}: lower the learning rate (now {cfg.lr}) or the gradient clip "
                    f"(now {cfg.clip}); the model keeps the weights of the last finite step",
                    res,
                )
            optimizer.step()
            step += 1
            run_loss += loss.item()
            run_n += 1
            if step % cfg.report_every == 0:
                emit(Progress("step", epoch, step, total_steps, run_loss / run_n, time.perf_counter() - start))
        if stopped_by_user and run_n == 0 and epoch > 1:
            epoch -= 1
            break
        metrics, dev_loss = evaluate(model, dev_examples, encoder, cfg.batch_size * 2)
        current = metrics.accuracy if cfg.metric == "accuracy" else metrics.macro_f1
        improved = current > best_score
        if improved:
            best_score, best_epoch, bad_epochs = current, epoch, 0
            best_state = copy.deepcopy(model.state_dict())
        else:
            bad_epochs += 1
        emit(
            Progress(
                "epoch",
                epoch,
                step,
                total_steps,
                run_loss / max(run_n, 1),
                time.perf_counter() - start,
                dev_loss,
                metrics.accuracy,
                metrics.macro_f1,
                best_epoch,
                improved,
            )
        )
        if stopped_by_user:
            break
        if bad_epochs >= cfg.patience:
            stopped_early = True
            break
    res = result()
    res.dev_metrics, _ = evaluate(model, dev_examples, encoder, cfg.batch_size * 2)
    return res


def config_dict(cfg: TrainConfig) -> dict:
    """Return the training settings as a JSON-ready dict."""
    return asdict(cfg)
