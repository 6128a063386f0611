"""Train: Adam, global-norm clipping, early stopping on dev, best-on-dev weights restored.

`train` knows nothing of any UI: it calls `on_progress` after every `report_every` batches
and after every epoch, and checks `should_stop` between batches, so a caller can draw live
curves and stop it cleanly. The loss (`task_loss`) and the dev evaluation (`evaluate`) come
from `seqcore.scoring`, which answers questions without importing this module.
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

from seqcore.batching import Encoder, Example, iterate_batches
from seqcore.device import resolve_device
from seqcore.metrics import Metrics
from seqcore.models import SequenceModel
from seqcore.scoring import evaluate, task_loss


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
