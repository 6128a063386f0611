"""The cell lab: train each cell variant N times on one task, with the same settings and budget, and compare.

Greff et al. ("LSTM: A Search Space Odyssey", IEEE TNNLS 2017) removed one part of the LSTM at a
time and tested each variant against the vanilla LSTM (with peepholes) with Welch's t-test; this
module repeats that design on seqcore's tasks, small enough to run in minutes:

- memory: the first word of a noisy sequence of `length` words (`seqcore.memory`), each seed drawing
  its own sequences (the same for every variant) and its own initial weights;
- sentiment, aspect, tagging: a seeded subset of the task's default corpus (`subset` training
  sentences, a dev split carved from them) and one fixed test sample for every run.

Every run is one unidirectional layer (so the cell alone differs), stops at `epochs` or when its time
budget `max_seconds` is spent (keeping its best-on-dev weights, as Stop does), and is scored once on
test. Every LSTM variant with a forget gate starts it at the same bias (`seqcore.memory.set_forget_bias`).
`LabResult.summary` gives mean, spread and Welch's t-test of each variant against its family's
baseline (the vanilla LSTM with peepholes; the GRU).
"""

from __future__ import annotations

import statistics
import time
import warnings
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field, replace

from seqcore.batching import Example
from seqcore.cells import CELLS, cell_spec
from seqcore.corpora import DEFAULT_CORPUS, corpus
from seqcore.memory import MemoryTask, set_forget_bias, train_memory
from seqcore.pipeline import FitSpec, build_model
from seqcore.scoring import evaluate
from seqcore.splits import split_dev
from seqcore.tasks import build_encoder, load_examples, subsample
from seqcore.training import Progress, TrainConfig, seed_everything, train

LAB_TASKS = ("memory", "sentiment", "aspect", "tagging")
# Greff et al.'s vanilla LSTM and its eight variants (NP is PyTorch's fused nn.LSTM).
GREFF_VARIANTS = ("lstm-peephole", "lstm", "lstm-nig", "lstm-nfg", "lstm-nog", "lstm-niaf", "lstm-noaf", "lstm-cifg", "lstm-fgr")
BASELINES = {"lstm": "lstm-peephole", "gru": "gru", "rnn": "rnn"}  # each family's reference: Greff's vanilla LSTM


@dataclass
class LabSettings:
    """One experiment: which variants, which task, how many seeds, and the budget every run gets."""

    task: str = "memory"
    variants: tuple[str, ...] = GREFF_VARIANTS
    seeds: int = 5
    first_seed: int = 1
    length: int = 30  # memory: words per sequence (the vanilla LSTM solves 30 within the budget)
    subset: int = 3000  # corpus tasks: training sentences per run (a dev split is carved from them)
    test_size: int = 1000  # corpus tasks: one fixed test sample, the same for every run
    embedding_dim: int = 50  # corpus tasks (memory: MemoryTask's sizes)
    hidden_size: int = 64  # corpus tasks
    epochs: int = 5  # corpus tasks (memory: MemoryTask's 25, ended early once solved)
    batch_size: int = 64  # corpus tasks: a variant loops once per time step of each batch, so fewer batches run faster
    lr: float = 2e-3  # corpus tasks
    forget_bias: float = 1.0  # corpus tasks: Jozefowicz et al. 2015 (memory: MemoryTask's 2)
    max_seconds: float = 120.0  # each run's budget; it then ends as Stop ends it, keeping its best dev epoch

    def __post_init__(self) -> None:
        self.variants = tuple(self.variants)
        bad = [v for v in self.variants if v not in CELLS]
        checks = [
            (self.task in LAB_TASKS, f"task must be one of {', '.join(LAB_TASKS)}, got {self.task!r}"),
            (not bad and bool(self.variants), f"variants must be some of {', '.join(CELLS)}, got {', '.join(bad) or 'none'}"),
            (len(set(self.variants)) == len(self.variants), "each variant may appear once"),
            (self.seeds >= 1, f"seeds must be >= 1, got {self.seeds}"),
            (self.length >= 2, f"length must be >= 2 (a first word and some noise), got {self.length}"),
            (self.subset >= 10 and self.test_size >= 2, "subset must be >= 10 sentences and test_size >= 2"),
            (self.max_seconds > 0, f"max_seconds must be > 0, got {self.max_seconds}"),
        ]
        for ok, message in checks:
            if not ok:
                raise ValueError(message)
        TrainConfig(epochs=self.epochs, batch_size=self.batch_size, lr=self.lr)  # the same checks as training


@dataclass
class LabRun:
    """One variant, one seed: test accuracy after training."""

    variant: str
    seed: int
    accuracy: float
    dev_accuracy: float
    epochs_run: int
    seconds: float
    timed_out: bool = False
    stopped_by_user: bool = False


@dataclass
class LabProgress:
    """One report: which run is training, and the training report inside it (or the finished run)."""

    run: int  # 0-based
    runs: int
    variant: str
    seed: int
    progress: Progress | None = None
    done: LabRun | None = None


def welch(a: Sequence[float], b: Sequence[float]) -> tuple[float | None, float | None]:
    """Welch's t statistic and two-sided p-value of mean(a) - mean(b); None where undefined (n < 2, no spread)."""
    if len(a) < 2 or len(b) < 2 or (statistics.pstdev(a) == 0 and statistics.pstdev(b) == 0):
        return None, None
    from scipy.stats import ttest_ind  # imported here: only a summary needs it

    with warnings.catch_warnings():  # nearly equal samples (every seed at 100%) make scipy warn of lost precision
        warnings.simplefilter("ignore", RuntimeWarning)
        t, p = ttest_ind(list(a), list(b), equal_var=False)
    return float(t), float(p)


@dataclass
class LabResult:
    """The runs in order; `stopped` when the user stopped it (the unfinished run is kept, flagged)."""

    settings: LabSettings
    runs: list[LabRun] = field(default_factory=list)
    stopped: bool = False
    seconds: float = 0.0

    def accuracies(self, variant: str) -> list[float]:
        """Test accuracy of every finished run of `variant`, in seed order."""
        return [r.accuracy for r in self.runs if r.variant == variant and not r.stopped_by_user]

    def summary(self) -> list[dict]:
        """One row per variant: seeds, mean and standard deviation of test accuracy, the accuracies, seconds, and
        Welch's t-test against the family's baseline when both were run ("vs", "difference", "t", "p_value")."""
        rows = []
        for variant in self.settings.variants:
            acc = self.accuracies(variant)
            if not acc:
                continue
            base = BASELINES.get(cell_spec(variant).family, "")
            ref = self.accuracies(base) if base in self.settings.variants and base != variant else []
            t, p = welch(acc, ref)
            rows.append(
                {
                    "variant": variant,
                    "seeds": len(acc),
                    "accuracy_mean": statistics.fmean(acc),
                    "accuracy_std": statistics.stdev(acc) if len(acc) > 1 else 0.0,
                    "accuracies": acc,
                    "seconds": sum(r.seconds for r in self.runs if r.variant == variant and not r.stopped_by_user),
                    "timed_out": sum(r.timed_out for r in self.runs if r.variant == variant),
                    "vs": base if ref else None,
                    "difference": statistics.fmean(acc) - statistics.fmean(ref) if ref else None,
                    "t": t,
                    "p_value": p,
                }
            )
        return rows

    def rows(self) -> list[dict]:
        """One row per run, for a table or a download."""
        return [asdict(r) for r in self.runs]


def _corpus_splits(settings: LabSettings) -> tuple[list[Example], list[Example]]:
    """The pool runs draw their training subsets from, and the fixed test sample."""
    c = corpus(DEFAULT_CORPUS[settings.task])
    examples, _ = load_examples(settings.task, c.files("train"))
    if c.test:
        test, _ = load_examples(settings.task, c.files("test"))
        pool = examples
    else:  # one file set (rt-polarity): a fixed test sample is set aside, never trained on
        pool, test = split_dev(examples, min(0.5, settings.test_size / len(examples)), 0)
    return pool, subsample(test, settings.test_size, 0)


def train_corpus_run(
    variant: str,
    seed: int,
    settings: LabSettings,
    pool: Sequence[Example],
    test: Sequence[Example],
    on_progress: Callable[[Progress], None] | None,
    should_stop: Callable[[], bool],
) -> tuple[float, float, int, bool]:
    """Train one variant on the seed's subset of `pool`; return (test accuracy, dev accuracy, epochs, stopped)."""
    train_ex, dev_ex = split_dev(subsample(pool, settings.subset, seed), 0.1, seed)
    spec = FitSpec(
        task=settings.task,
        cell=variant,
        embedding_dim=settings.embedding_dim,
        hidden_size=settings.hidden_size,
        bidirectional=False,
        use_chars=False,
    )
    encoder = build_encoder(settings.task, train_ex, label_examples=dev_ex)
    seed_everything(seed)
    model = build_model(spec, encoder)
    set_forget_bias(model, settings.forget_bias)
    cfg = TrainConfig(
        epochs=settings.epochs, batch_size=settings.batch_size, lr=settings.lr, patience=settings.epochs, seed=seed, device="cpu"
    )
    result = train(model, train_ex, dev_ex, encoder, cfg, on_progress, should_stop)
    metrics, _ = evaluate(model, list(test), encoder)
    return metrics.accuracy, result.best_score, result.epochs_run, result.stopped_by_user


def run_lab(
    settings: LabSettings | None = None,
    on_progress: Callable[[LabProgress], None] | None = None,
    should_stop: Callable[[], bool] | None = None,
) -> LabResult:
    """Train every variant with every seed (seed by seed, so a stopped lab has every variant at its first seeds).

    `on_progress` gets a LabProgress when each run starts, after each training report, and when each run
    ends; `should_stop` is checked between batches and ends the whole lab.
    """
    settings = settings or LabSettings()
    seeds = range(settings.first_seed, settings.first_seed + settings.seeds)
    grid = [(seed, variant) for seed in seeds for variant in settings.variants]
    out = LabResult(settings)
    start = time.perf_counter()
    emit = on_progress or (lambda p: None)
    user = should_stop or (lambda: False)
    pool, test = _corpus_splits(settings) if settings.task != "memory" else ([], [])
    for k, (seed, variant) in enumerate(grid):
        if user():
            out.stopped = True
            break
        emit(LabProgress(k, len(grid), variant, seed))
        deadline = time.monotonic() + settings.max_seconds

        def ended(deadline: float = deadline) -> bool:  # Stop, or this run's budget spent
            return user() or time.monotonic() > deadline

        def relay(p: Progress, k: int = k, variant: str = variant, seed: int = seed) -> None:
            emit(LabProgress(k, len(grid), variant, seed, p))

        t0 = time.perf_counter()
        if settings.task == "memory":
            task = replace(MemoryTask(), lengths=(settings.length,), cells=(variant,), seed=seed)
            m = train_memory(variant, settings.length, task, relay, ended)
            accuracy, dev, epochs, stopped = m.accuracy, m.dev_accuracy, m.epochs_run, m.stopped_by_user
        else:
            accuracy, dev, epochs, stopped = train_corpus_run(variant, seed, settings, pool, test, relay, ended)
        by_user = stopped and user()
        run = LabRun(variant, seed, accuracy, dev, epochs, time.perf_counter() - t0, stopped and not by_user, by_user)
        out.runs.append(run)
        emit(LabProgress(k, len(grid), variant, seed, done=run))
        if by_user:
            out.stopped = True
            break
    out.seconds = time.perf_counter() - start
    return out
