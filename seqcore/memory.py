"""A live memory experiment: can a cell carry the first word of a long noisy sequence to its end?

Each sequence is `A` or `B` followed by length - 1 noise words drawn at random from x0..x{k-1};
its label is its first word. A unidirectional model reads it left to right and is classified
from its last state (pooling "last"), so the answer must survive every noise step (Hochreiter &
Schmidhuber 1997, experiment 2; Bengio, Simard & Frasconi 1994). Chance is 50%.

The plain RNN's gradient shrinks by a factor of about |W_hh| * tanh' per step, so it stops
learning as the sequence grows; the gated cells can keep an additive path open. Everything
reuses `seqcore.pipeline.build_model` and `seqcore.training.train` (dev for early stopping,
a separate test set scored once per run), so progress and Stop work as in the app's training.

Measured with the defaults (seeds 13, 1, 2, 3; one shared CPU core, 23-32 s per 3 x 3 grid):
every cell solves length 10; at 30 the RNN stays at chance (50-55%) while the GRU and the LSTM
reach 100%; at 100 the GRU still reaches 100% and the LSTM falls to chance (48-51%) within this
budget, the RNN too (48-62%). What moves it: at lr 0.02 the RNN learned length 30 in 2 of 3
seeds; with forget bias 1 the LSTM learned 30 in 1 of 3 seeds at lr 0.03; the LSTM learned
length 100 in 1 of about 20 tries across lr 0.01-0.03 and forget bias 1-3 (bias 3, lr 0.01).
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from functools import partial

import torch

from seqcore.batching import Example
from seqcore.cells import CELLS, FUSED_CELLS, cell_spec
from seqcore.models import SequenceModel
from seqcore.pipeline import FitSpec, build_model
from seqcore.scoring import evaluate
from seqcore.tasks import build_encoder
from seqcore.training import Progress, TrainConfig, seed_everything, train

SIGNALS = ("A", "B")


@dataclass
class MemoryTask:
    """The experiment's grid and sizes; the defaults run the 3 x 3 grid in well under a minute on one CPU core.

    Learning to remember is a plateau, then a jump, so a run ends when its dev accuracy reaches
    `solved_at` or after `epochs` (patience defaults to all of them). Learning rate and forget
    bias were chosen on seeds 1-3 (the module's docstring says what changes with them).
    """

    lengths: tuple[int, ...] = (10, 30, 100)
    cells: tuple[str, ...] = FUSED_CELLS
    train_size: int = 1000
    dev_size: int = 200
    test_size: int = 500
    noise_words: int = 20
    embedding_dim: int = 8
    hidden_size: int = 16
    epochs: int = 25
    patience: int = 25
    batch_size: int = 32
    lr: float = 0.03
    # PyTorch starts the LSTM's forget gate at sigmoid(0) = 0.5, so its memory fades as 0.5^t; a bias of
    # 1 (Jozefowicz et al. 2015) still left 30-step lags unlearned in 2 of 3 seeds, 2 learned them in 3 of 3
    # (chrono initialisation, Tallec & Ollivier 2018, puts b_f near log(lag)).
    lstm_forget_bias: float = 2.0
    solved_at: float = 1.0  # dev accuracy that ends a run early: the cell has solved the task
    seed: int = 13

    def __post_init__(self) -> None:
        self.lengths = tuple(int(n) for n in self.lengths)
        self.cells = tuple(self.cells)
        if not self.lengths or min(self.lengths) < 2:
            raise ValueError(f"every sequence length must be >= 2 (a first word and some noise), got {self.lengths}")
        bad = [c for c in self.cells if c not in CELLS]
        if bad or not self.cells:
            raise ValueError(f"cells must be some of {CELLS}, got {self.cells}")
        if self.noise_words < 1:
            raise ValueError(f"noise_words must be >= 1, got {self.noise_words}")
        if min(self.train_size, self.dev_size, self.test_size) < 2:
            raise ValueError("train, dev and test sizes must each be >= 2")
        TrainConfig(epochs=self.epochs, batch_size=self.batch_size, lr=self.lr)  # same checks as training


@dataclass
class MemoryProgress:
    """One report: which run of the grid is training, and the training report inside it."""

    run: int  # 0-based index of the run in the grid
    runs: int
    cell: str
    length: int
    progress: Progress | None = None  # None when a run starts
    done: MemoryRun | None = None  # set when a run has finished


@dataclass
class MemoryRun:
    """One cell at one length: test accuracy after training (0.5 is chance)."""

    cell: str
    length: int
    accuracy: float
    dev_accuracy: float
    best_epoch: int
    epochs_run: int
    seconds: float
    stopped_by_user: bool = False


@dataclass
class MemoryResult:
    """The grid's runs in order; `stopped` when the user stopped it (the unfinished run is kept, flagged)."""

    task: MemoryTask
    runs: list[MemoryRun] = field(default_factory=list)
    stopped: bool = False
    seconds: float = 0.0

    def accuracy(self, cell: str) -> list[float | None]:
        """Test accuracy of `cell` at each of the task's lengths; None where no finished run exists."""
        found = {r.length: r.accuracy for r in self.runs if r.cell == cell and not r.stopped_by_user}
        return [found.get(n) for n in self.task.lengths]

    def table(self) -> dict[str, list[float | None]]:
        """Accuracy against length per cell: {cell: [accuracy at each length]}."""
        return {cell: self.accuracy(cell) for cell in self.task.cells}

    def rows(self) -> list[dict]:
        """One row per run, for a table or a download."""
        return [asdict(r) for r in self.runs]


def memory_examples(n: int, length: int, noise_words: int = 20, seed: int = 0, prefix: str = "m") -> list[Example]:
    """Return n sequences of `length` words: A or B, then noise; the label is the first word."""
    if length < 2:
        raise ValueError(f"a memory sequence needs length >= 2, got {length}")
    rng = random.Random(seed)
    out = []
    for i in range(n):
        label = SIGNALS[rng.randrange(2)]
        tokens = [label] + [f"x{rng.randrange(noise_words)}" for _ in range(length - 1)]
        out.append(Example(id=f"{prefix}{i}", tokens=tokens, text=" ".join(tokens), label=label))
    return out


def set_forget_bias(model: SequenceModel, value: float) -> None:
    """Set every LSTM layer's forget-gate bias to `value` (split as b_if = 0, b_hf = value).

    Any LSTM variant: the block its spec names (`CellSpec.forget_bias`) gets sign * value, so a coupled
    gate (CIFG, f = 1 - i) starts with the input bias -value and the same forget value; a cell without a
    forget gate (NFG, the GRUs, the RNN) is left as it is.
    """
    spec = cell_spec(model.cfg.cell)
    if spec.forget_bias is None:
        return
    block, sign = spec.forget_bias
    k = spec.blocks.index(block)
    with torch.no_grad():
        for directions in model.encoder.rnns():
            for rnn in directions:
                H = rnn.hidden_size
                rnn.get_parameter("bias_ih_l0")[k * H : (k + 1) * H] = 0.0  # in the spec's block order (i, f, g, o)
                rnn.get_parameter("bias_hh_l0")[k * H : (k + 1) * H] = sign * value


def train_memory(
    cell: str,
    length: int,
    task: MemoryTask,
    on_progress: Callable[[Progress], None] | None = None,
    should_stop: Callable[[], bool] | None = None,
) -> MemoryRun:
    """Train one cell on sequences of one length and score it on fresh test sequences."""
    # Data seeds depend on the length only, so every cell sees the same sequences.
    make = lambda n, k, p: memory_examples(n, length, task.noise_words, task.seed * 1000 + 3 * length + k, p)  # noqa: E731
    train_ex, dev_ex, test_ex = make(task.train_size, 0, "train"), make(task.dev_size, 1, "dev"), make(task.test_size, 2, "test")
    spec = FitSpec(
        task="sentiment",
        cell=cell,
        embedding_dim=task.embedding_dim,
        hidden_size=task.hidden_size,
        bidirectional=False,
        dropout=0.0,
        pooling="last",
        use_chars=False,
    )
    encoder = build_encoder("sentiment", train_ex, lowercase=False, label_examples=dev_ex)
    seed_everything(task.seed)
    model = build_model(spec, encoder)
    if cell_spec(cell).family == "lstm":
        set_forget_bias(model, task.lstm_forget_bias)
    cfg = TrainConfig(
        epochs=task.epochs,
        batch_size=task.batch_size,
        lr=task.lr,
        patience=task.patience,
        seed=task.seed,
        report_every=max(1, task.train_size // task.batch_size // 4),
        device="cpu",
    )
    solved = False

    def report(p: Progress) -> None:
        nonlocal solved
        solved = solved or (p.kind == "epoch" and (p.dev_accuracy or 0.0) >= task.solved_at)
        if on_progress is not None:
            on_progress(p)

    def user_stop() -> bool:
        return should_stop is not None and should_stop()

    start = time.perf_counter()
    # Learning to remember is a plateau, then a jump: patience alone would stop a run before the jump.
    result = train(model, train_ex, dev_ex, encoder, cfg, report, lambda: solved or user_stop())
    metrics, _ = evaluate(model, test_ex, encoder)
    return MemoryRun(
        cell=cell,
        length=length,
        accuracy=metrics.accuracy,
        dev_accuracy=result.best_score,
        best_epoch=result.best_epoch,
        epochs_run=result.epochs_run,
        seconds=time.perf_counter() - start,
        stopped_by_user=result.stopped_by_user and not solved,
    )


def run_memory_experiment(
    task: MemoryTask | None = None,
    on_progress: Callable[[MemoryProgress], None] | None = None,
    should_stop: Callable[[], bool] | None = None,
) -> MemoryResult:
    """Train every cell at every length (shortest first) and return test accuracy against length.

    `on_progress` gets a MemoryProgress when each run starts, after each training report, and
    when each run ends; `should_stop` is checked between batches and ends the whole grid.
    """
    task = task or MemoryTask()
    grid = [(length, cell) for length in task.lengths for cell in task.cells]
    out = MemoryResult(task)
    start = time.perf_counter()
    emit = on_progress or (lambda p: None)

    def relay(k: int, cell: str, length: int, p: Progress) -> None:
        emit(MemoryProgress(k, len(grid), cell, length, p))

    for k, (length, cell) in enumerate(grid):
        if should_stop is not None and should_stop():
            out.stopped = True
            break
        emit(MemoryProgress(k, len(grid), cell, length))
        run = train_memory(cell, length, task, partial(relay, k, cell, length), should_stop)
        out.runs.append(run)
        emit(MemoryProgress(k, len(grid), cell, length, done=run))
        if run.stopped_by_user:
            out.stopped = True
            break
    out.seconds = time.perf_counter() - start
    return out
