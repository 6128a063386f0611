"""Train: Adam, global-norm clipping, early stopping on dev, best-on-dev weights restored.

`train` knows nothing of any UI: it calls `on_progress` after every `report_every` batches
and after every epoch, and checks `should_stop` between batches, so a caller can draw live
curves and stop it cleanly. The loss (`task_loss`) comes from `seqcore.scoring`, which
answers questions without importing this module; dev is scored on examples encoded once
(`score_encoded`, equal to `scoring.evaluate`).
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

from seqcore import distributed
from seqcore.batching import IGNORE_INDEX, EncodedExamples, Encoder, Example, batch_order
from seqcore.device import resolve_device
from seqcore.metrics import Metrics, score
from seqcore.models import SequenceModel
from seqcore.scoring import task_loss
from seqcore.tokens import Vocab


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
    word_dropout: float = 0.0  # share of training words replaced by <unk> each step (Iyyer et al. 2015); 0: none

    def __post_init__(self) -> None:
        if self.metric not in ("accuracy", "macro_f1"):
            raise ValueError(f"metric must be accuracy or macro_f1, got {self.metric!r}")
        if not 0.0 <= self.word_dropout < 1.0:
            raise ValueError(f"word dropout must be in [0, 1), got {self.word_dropout}")
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


def _checks_every_step(device: torch.device, distributed: bool) -> bool:
    """Check each step's loss for NaN/inf (a host sync) only where a sync is free: training in one CPU process."""
    return device.type == "cpu" and not distributed


def sum_dtype(device: torch.device) -> torch.dtype:
    """Return the dtype losses are summed in on `device`: float64 (as Python floats sum), float32 on MPS, which has no float64."""
    return torch.float32 if device.type == "mps" else torch.float64


def summed_loss(logits: torch.Tensor, labels: torch.Tensor) -> torch.Tensor:
    """Sum (not mean) of the cross-entropy over labeled items; IGNORE_INDEX is skipped."""
    C = logits.shape[-1]
    return F.cross_entropy(logits.reshape(-1, C), labels.reshape(-1), ignore_index=IGNORE_INDEX, reduction="sum")


@torch.no_grad()
def score_encoded(model: SequenceModel, data: EncodedExamples, labels: Sequence[str], batch_size: int) -> tuple[Metrics, float]:
    """Return what `evaluate` returns for encoded examples, computed on their device with one copy back.

    The same length-bucketed batches, the same argmax of the softmax and the same loss arithmetic
    (per-batch mean times labeled items, summed in float64), so the numbers equal `evaluate`'s.
    """
    model.eval()
    loss_sum = torch.zeros((), dtype=sum_dtype(data.device), device=data.device)
    labeled = torch.zeros((), dtype=torch.long, device=data.device)
    golds, preds = [], []
    for batch in data.batches(batch_order(data.lengths, batch_size, bucket=True)):
        logits = model(**batch.inputs())  # (B, C) | (B, A, C) | (B, T, C)
        keep = batch.labels != IGNORE_INDEX
        n = keep.sum()
        loss_sum += torch.where(n > 0, task_loss(logits, batch.labels).to(loss_sum.dtype) * n, 0.0)  # the mean is NaN when n = 0
        labeled += n
        golds.append(batch.labels[keep])
        preds.append(torch.softmax(logits, dim=-1).argmax(dim=-1)[keep])
    total = int(labeled)
    loss = float(loss_sum / total) if total else float("nan")
    return score(torch.cat(golds).tolist(), torch.cat(preds).tolist(), labels), loss


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

    Every example is encoded once (`EncodedExamples`, on the training device) and each batch is cut
    out there, so an epoch runs no Python loop over tokens and moves no batch. The loss is read back
    only at report points (every `report_every` steps and each epoch's end).

    Raises NonFiniteLossError if the loss or the gradient norm becomes NaN or infinite. In one CPU
    process every step is checked and the bad step is never taken: the model keeps the weights of
    the last finite step. On a GPU, and across processes, checking every step would stall the
    device, so the loss is checked at report points and the model goes back to the weights of the
    last check (the message names both steps).

    Under torchrun (`seqcore.distributed`) each rank trains on its share of every global batch of
    `cfg.batch_size`, with the loss normalised by the labeled items of the whole global batch, so the
    averaged gradient is the one-process gradient; rank 0 scores dev and broadcasts each epoch's
    decision, and every rank returns with the best-on-dev weights.
    """
    if not train_examples or not dev_examples:
        raise ValueError("training needs at least one training and one dev example")
    ctx = distributed.current()
    if ctx is not None and should_stop is not None:
        raise ValueError("should_stop is not supported under torchrun: stop every process (Ctrl-C in torchrun's terminal)")
    world, rank = (1, 0) if ctx is None else (ctx.world_size, ctx.rank)
    main = rank == 0
    device = resolve_device(cfg.device)
    seed_everything(cfg.seed)
    model.to(device)
    train_data = EncodedExamples(train_examples, encoder, device)
    dev_data = EncodedExamples(dev_examples, encoder, device) if main else None
    net: torch.nn.Module = model
    if ctx is not None:
        ids = [torch.cuda.current_device()] if device.type == "cuda" else None
        net = torch.nn.parallel.DistributedDataParallel(model, device_ids=ids)
    optimizer = torch.optim.Adam([p for p in model.parameters() if p.requires_grad], lr=cfg.lr, weight_decay=cfg.weight_decay)
    steps_per_epoch = math.ceil(len(train_examples) / cfg.batch_size)
    total_steps = steps_per_epoch * cfg.epochs
    best_state = copy.deepcopy(model.state_dict())
    best_metrics: Metrics | None = None
    best_score, best_epoch, bad_epochs = -math.inf, 0, 0
    history: list[Progress] = []
    start = time.perf_counter()
    step, stopped_by_user, stopped_early, epoch = 0, False, False, 0
    every_step = _checks_every_step(device, ctx is not None)
    # Deferred checks: the first non-finite step since the last check, its loss and norm, and the weights at that check.
    bad_step = torch.full((), distributed.NO_STEP, dtype=torch.long, device=device)
    bad_values = torch.zeros(2, device=device)
    checked = None if every_step else {k: v.detach().clone() for k, v in model.state_dict().items()}
    checked_step = 0

    def emit(p: Progress) -> None:
        history.append(p)
        if on_progress is not None:
            on_progress(p)

    def result() -> TrainResult:
        model.load_state_dict(best_state)
        model.eval()
        return TrainResult(best_epoch, best_score, epoch, stopped_early, stopped_by_user, time.perf_counter() - start, history)

    def mean_loss(run_loss: torch.Tensor, run_n: int) -> float:
        # Each rank's loss is world_size x its share of the global mean, so the global mean is the ranks' sum / world_size.
        total = float(run_loss) if world == 1 else float(distributed.all_sum(run_loss)) / world
        return total / max(run_n, 1)

    def check() -> None:
        nonlocal checked, checked_step
        first = bad_step if world == 1 else distributed.all_min(bad_step)
        if int(first) == distributed.NO_STEP:
            checked = {k: v.detach().clone() for k, v in model.state_dict().items()}
            checked_step = step
            return
        assert checked is not None  # set before the first step wherever checks are deferred
        model.load_state_dict(checked)
        model.eval()
        if int(bad_step) == int(first):
            loss_value, norm_value = bad_values.tolist()
            what = f"the training loss became {loss_value} (gradient norm {norm_value})"
        else:
            what = "another rank's training loss became non-finite"
        res = TrainResult(best_epoch, best_score, epoch, False, False, time.perf_counter() - start, history)
        raise NonFiniteLossError(
            f"{what} at epoch {epoch}, step {int(first)}: "
            f"lower the learning rate (now {cfg.lr}) or the gradient clip (now {cfg.clip}); on {device.type}"
            f"{f' with {world} processes' if world > 1 else ''} the loss is checked every {cfg.report_every} steps and at "
            f"each epoch's end, so the model keeps "
            + (
                f"the weights of step {checked_step}, the last check before it" if checked_step else "the weights it started with"
            ),
            res,
        )

    for epoch in range(1, cfg.epochs + 1):
        net.train()
        run_loss, run_n = torch.zeros((), dtype=sum_dtype(device), device=device), 0
        order = batch_order(train_data.lengths, cfg.batch_size, shuffle=True, seed=cfg.seed + epoch)
        if world > 1:
            shares = [distributed.shard(g, rank, world) for g in order]
            labeled = [sum(train_data.labeled[i] for i in g) for g in order]
            # A rank left without examples (a global batch smaller than the world) runs the batch's first example with
            # weight 0, so it still joins the gradient all-reduce; a batch with nothing labeled gives NaN, as in one process.
            scales = [(world / n if n else math.nan) if s else 0.0 for s, n in zip(shares, labeled)]
            order = [s or g[:1] for s, g in zip(shares, order)]
        for b, batch in enumerate(train_data.batches(order)):
            if should_stop is not None and should_stop():
                stopped_by_user = True
                break
            inputs = batch.inputs()
            if cfg.word_dropout:  # a word the model may not lean on: it is <unk> in this step
                word_ids = batch.ids
                drop = (torch.rand(word_ids.shape, device=word_ids.device) < cfg.word_dropout) & (word_ids > Vocab.UNK)
                inputs["ids"] = word_ids.masked_fill(drop, Vocab.UNK)
            logits = net(**inputs)
            loss = task_loss(logits, batch.labels) if world == 1 else summed_loss(logits, batch.labels) * scales[b]
            optimizer.zero_grad(set_to_none=True)
            if every_step:
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
            else:
                loss.backward()
                norm = torch.nn.utils.clip_grad_norm_(model.parameters(), cfg.clip)
                first = ~(torch.isfinite(loss) & torch.isfinite(norm)) & (bad_step == distributed.NO_STEP)
                bad_step = torch.where(first, step + 1, bad_step)  # no host sync: read at the next check
                bad_values = torch.where(first, torch.stack([loss.detach().float(), norm.float()]), bad_values)
            optimizer.step()
            step += 1
            run_loss += loss.detach().to(run_loss.dtype)  # float64, as the Python float sum of loss.item() it replaces
            run_n += 1
            if step % cfg.report_every == 0:
                if not every_step:
                    check()
                train_loss = mean_loss(run_loss, run_n)
                if main:
                    emit(Progress("step", epoch, step, total_steps, train_loss, time.perf_counter() - start))
        if stopped_by_user and run_n == 0 and epoch > 1:
            epoch -= 1
            break
        if not every_step:
            check()
        train_loss = mean_loss(run_loss, run_n)
        metrics, dev_loss, improved = None, None, False
        if main:
            assert dev_data is not None  # rank 0 (or the only process) encoded dev
            metrics, dev_loss = score_encoded(model, dev_data, encoder.labels.itos, cfg.batch_size * 2)
            current = metrics.accuracy if cfg.metric == "accuracy" else metrics.macro_f1
            improved = current > best_score
            if improved:
                best_score, best_epoch, bad_epochs, best_metrics = current, epoch, 0, metrics
            else:
                bad_epochs += 1
        if world > 1:
            decided = distributed.broadcast_floats([improved, best_epoch, best_score, bad_epochs], device)  # rank 0's
            improved, best_epoch, best_score, bad_epochs = bool(decided[0]), int(decided[1]), decided[2], int(decided[3])
        if improved:
            best_state = copy.deepcopy(model.state_dict())
        if metrics is not None:  # rank 0, or the only process
            emit(
                Progress(
                    "epoch",
                    epoch,
                    step,
                    total_steps,
                    train_loss,
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
    res.dev_metrics = best_metrics  # scored on these very weights when they were the epoch's (rank 0; None elsewhere)
    return res


def config_dict(cfg: TrainConfig) -> dict:
    """Return the training settings as a JSON-ready dict."""
    return asdict(cfg)
