"""Word vectors learned from the project's own text: skip-gram with negative sampling, in PyTorch.

Mikolov et al. 2013, "Distributed Representations of Words and Phrases and their Compositionality":
each word w_t predicts the words of a window around it. For a (centre c, context o) pair and k
noise words n_1..n_k drawn from the unigram distribution raised to 3/4,

    loss = -log σ(u_o · v_c) - Σ_i log σ(-u_{n_i} · v_c)

where v are the input ("word") vectors that are kept and u the output vectors that are thrown
away. Frequent words are subsampled: a word of relative frequency f is kept with probability
min(1, (sqrt(f / t) + 1) · t / f) (word2vec's C code), and each centre word uses a window of
b ~ U{1..window} words each side, so near words count more.

By default the text is the train split of every corpus of `seqcore.corpora` (so a corpus added to
the registry is read too), and any sentence that also occurs in a test file of the registry is
dropped: vectors never see a test sentence. The card lists the files used.
"""

from __future__ import annotations

import math
import os
import time
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path

import numpy as np
import torch
import torch.nn.functional as F

from seqcore.corpora import CORPORA, Corpus, data_ref
from seqcore.readers import sniff_kind
from seqcore.readers.jsonl import is_aspect_jsonl
from seqcore.tasks import corpus_examples
from seqcore.tokens import SPECIALS, Vocab
from seqcore.vectors import WordVectors

# Which task's reader reads each file kind `sniff_kind` names (an aspect JSONL file is told apart by its "aspects" key).
KIND_TASK = {
    "text_lines": "sentiment",
    "labeled_tsv": "sentiment",
    "csv": "sentiment",
    "jsonl": "sentiment",
    "sst_trees": "sentiment",
    "xml": "aspect",
    "absa_txt": "aspect",
    "conllu": "tagging",
    "word_tags": "tagging",
}


@dataclass
class SkipGramConfig:
    """Skip-gram settings; the defaults suit the few hundred thousand tokens of data/ on one CPU thread."""

    dim: int = 100
    window: int = 5  # words each side (a smaller window is drawn per centre word)
    negatives: int = 5  # noise words per pair
    epochs: int = 5
    min_count: int = 3  # rarer words get no vector
    max_vocab: int | None = None
    subsample: float = 1e-3  # t of the subsampling formula; 0 keeps every word
    noise_power: float = 0.75
    batch_size: int = 1024  # pairs per step
    lr: float = 0.005  # SparseAdam, decayed linearly to 0
    seed: int = 13

    def __post_init__(self) -> None:
        for name in ("dim", "window", "negatives", "epochs", "min_count", "batch_size"):
            if getattr(self, name) < 1:
                raise ValueError(f"skip-gram {name} must be >= 1, got {getattr(self, name)}")
        if self.subsample < 0 or self.lr <= 0:
            raise ValueError("skip-gram subsample must be >= 0 and lr > 0")


@dataclass
class SkipGramProgress:
    """Where training is: epoch (1-based), step within it, and the mean loss of the last steps."""

    epoch: int
    epochs: int
    step: int
    steps: int
    loss: float
    elapsed: float


# ----------------------------------------------------------------------------- the text


def default_corpora(exclude: Sequence[str] = (), exclude_tasks: Sequence[str] = ()) -> list[Corpus]:
    """The registry's corpora whose train files are present, less those named or of an excluded task."""
    unknown = sorted(set(exclude) - set(CORPORA))
    if unknown:
        raise ValueError(f"no corpus {', '.join(unknown)} to exclude: the registry holds {', '.join(CORPORA)}")
    return [c for c in CORPORA.values() if c.name not in exclude and c.task not in exclude_tasks and c.available("train")]


def file_sentences(path: str | os.PathLike, task: str | None = None) -> list[list[str]]:
    """The token lists of a file, read as `task`'s corpus files are read (`tasks.corpus_examples`).

    Without a task (a file given with --data) the kind is sniffed: any kind a reader reads (`KIND_TASK`).
    A registry corpus is read with its own task, so a corpus whose task reads a new format is read right.
    """
    if task is None:
        kind = sniff_kind(Path(path), name=str(path))
        if kind not in KIND_TASK:
            raise ValueError(f"{path}: skip-gram reads the files the readers read, not this ({kind}) file")
        task = "aspect" if kind == "jsonl" and is_aspect_jsonl(Path(path), str(path)) else KIND_TASK[kind]
    examples, _ = corpus_examples(task, [path])
    return [ex.tokens for ex in examples]


def held_out_sentences() -> set[tuple[str, ...]]:
    """Every sentence of the registry's test files, lowercased: text the vectors must not see."""
    found: set[tuple[str, ...]] = set()
    for c in CORPORA.values():
        if c.test and c.available("test"):
            for f in c.files("test"):
                found.update(tuple(t.lower() for t in s) for s in file_sentences(f, c.task))
    return found


def gather_text(paths: Sequence[str | os.PathLike], tasks: Sequence[str | None] | None = None) -> tuple[list[list[str]], dict]:
    """Lowercased sentences of the files (each read as its task's, when given), less any test sentence; and what was read."""
    held_out = held_out_sentences()
    test_files = {f.resolve() for c in CORPORA.values() for f in c.files("test")}
    sentences: list[list[str]] = []
    removed = 0
    for p, task in zip(paths, tasks or [None] * len(paths)):
        if Path(p).resolve() in test_files:
            raise ValueError(f"{p} is a test file: skip-gram vectors never read test text")
        for s in file_sentences(p, task):
            low = [t.lower() for t in s]
            if tuple(low) in held_out:
                removed += 1
            else:
                sentences.append(low)
    info = {"files": [data_ref(p) for p in paths], "sentences": len(sentences), "test_sentences_removed": removed}
    return sentences, info


# ----------------------------------------------------------------------------- training


class SkipGram(torch.nn.Module):
    """Input (word) and output (context) vectors; sparse gradients, so a step touches only its rows."""

    def __init__(self, vocab_size: int, dim: int) -> None:
        super().__init__()
        self.word = torch.nn.Embedding(vocab_size, dim, sparse=True)
        self.context = torch.nn.Embedding(vocab_size, dim, sparse=True)
        torch.nn.init.uniform_(self.word.weight, -0.5 / dim, 0.5 / dim)
        torch.nn.init.zeros_(self.context.weight)

    def forward(self, centre: torch.Tensor, context: torch.Tensor, noise: torch.Tensor) -> torch.Tensor:
        """Mean negative-sampling loss of a batch: centre (B,), context (B,), noise (B, K)."""
        v = self.word(centre)  # (B, D)
        pos = (self.context(context) * v).sum(-1)  # (B,)
        neg = torch.bmm(self.context(noise), v.unsqueeze(-1)).squeeze(-1)  # (B, K)
        return -(F.logsigmoid(pos) + F.logsigmoid(-neg).sum(-1)).mean()


def keep_probability(counts: np.ndarray, t: float) -> np.ndarray:
    """word2vec's subsampling: keep a word of frequency f with probability (sqrt(f/t) + 1) t / f, at most 1."""
    if t <= 0:
        return np.ones_like(counts, dtype=np.float64)
    f = counts / max(counts.sum(), 1)
    with np.errstate(divide="ignore", invalid="ignore"):
        p = (np.sqrt(f / t) + 1.0) * t / f
    return np.nan_to_num(np.minimum(p, 1.0), nan=0.0)


def window_pairs(ids: np.ndarray, sent: np.ndarray, window: int, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """(centre, context) pairs of one pass: a window b ~ U{1..window} per centre, never across sentences."""
    reach = rng.integers(1, window + 1, size=len(ids))
    centres, contexts = [], []
    for d in range(1, window + 1):
        for a, b in ((slice(0, len(ids) - d), slice(d, None)), (slice(d, None), slice(0, len(ids) - d))):
            ok = (sent[a] == sent[b]) & (reach[a] >= d)
            centres.append(ids[a][ok])
            contexts.append(ids[b][ok])
    return np.concatenate(centres), np.concatenate(contexts)


def train_skipgram(
    sentences: Sequence[Sequence[str]],
    cfg: SkipGramConfig,
    on_progress: Callable[[SkipGramProgress], None] | None = None,
    should_stop: Callable[[], bool] | None = None,
) -> WordVectors:
    """Train skip-gram vectors on token lists; deterministic for a seed on CPU."""
    start = time.perf_counter()
    counter: Counter[str] = Counter(t for s in sentences for t in s)
    ranked = sorted((w for w, n in counter.items() if n >= cfg.min_count and w not in SPECIALS), key=lambda w: (-counter[w], w))
    ranked = ranked[: cfg.max_vocab] if cfg.max_vocab else ranked
    if len(ranked) < 2:
        raise ValueError(f"only {len(ranked)} word(s) occur at least {cfg.min_count} times: give more text or lower --min-count")
    words = Vocab(list(SPECIALS) + ranked, lowercase=True)
    counts = np.array([0, 0] + [counter[w] for w in ranked], dtype=np.float64)
    encoded = [np.array([i for i in words.encode(s) if i >= 2], dtype=np.int64) for s in sentences]
    ids = np.concatenate(encoded) if encoded else np.zeros(0, dtype=np.int64)
    sent = np.repeat(np.arange(len(encoded)), [len(e) for e in encoded])
    keep = keep_probability(counts, cfg.subsample)
    noise = torch.tensor(counts**cfg.noise_power, dtype=torch.float64)
    noise = (noise / noise.sum()).float()

    torch.manual_seed(cfg.seed)
    rng = np.random.default_rng(cfg.seed)
    gen = torch.Generator().manual_seed(cfg.seed)
    model = SkipGram(len(words), cfg.dim)
    opt = torch.optim.SparseAdam(list(model.parameters()), lr=cfg.lr)
    expected = int(sum(keep[ids]) * cfg.window * 1.0 + 1)  # about (window + 1) / 2 * 2 pairs per kept word
    total_steps = max(1, cfg.epochs * math.ceil(expected / cfg.batch_size))
    step_all, losses = 0, []
    stopped = False
    for epoch in range(1, cfg.epochs + 1):
        kept = rng.random(len(ids)) < keep[ids]
        centre, context = window_pairs(ids[kept], sent[kept], cfg.window, rng)
        order = rng.permutation(len(centre))
        centre_t, context_t = torch.from_numpy(centre[order]), torch.from_numpy(context[order])
        steps = math.ceil(len(centre_t) / cfg.batch_size)
        for step in range(steps):
            lo = step * cfg.batch_size
            c, o = centre_t[lo : lo + cfg.batch_size], context_t[lo : lo + cfg.batch_size]
            n = torch.multinomial(noise, len(c) * cfg.negatives, replacement=True, generator=gen).view(len(c), -1)
            for group in opt.param_groups:
                group["lr"] = cfg.lr * max(0.05, 1.0 - step_all / total_steps)
            opt.zero_grad()
            loss = model(c, o, n)
            loss.backward()
            opt.step()
            losses.append(loss.item())
            step_all += 1
            if on_progress and (step % 200 == 0 or step == steps - 1):
                recent = losses[-200:]
                on_progress(
                    SkipGramProgress(epoch, cfg.epochs, step + 1, steps, sum(recent) / len(recent), time.perf_counter() - start)
                )
            if should_stop and should_stop():
                stopped = True
                break
        if stopped:
            break
    vectors = model.word.weight.detach().clone()
    vectors[:2] = 0.0  # <pad> and <unk> have no meaning
    card = {
        "method": "skip-gram with negative sampling (Mikolov et al. 2013)",
        "settings": asdict(cfg),
        "tokens": int(len(ids)),
        "vocab_size": len(words) - 2,
        "final_loss": sum(losses[-200:]) / max(1, len(losses[-200:])),
        "epochs_run": epoch,
        "stopped_by_user": stopped,
        "seconds": round(time.perf_counter() - start, 1),
        "torch_threads": torch.get_num_threads(),
    }
    return WordVectors(words, vectors, [int(c) for c in counts], card)


def build_vectors(
    paths: Sequence[str | os.PathLike] | None,
    cfg: SkipGramConfig,
    exclude: Sequence[str] = (),
    exclude_tasks: Sequence[str] = (),
    on_progress: Callable[[SkipGramProgress], None] | None = None,
) -> WordVectors:
    """Read the text (default: every registry corpus's train files, less the excluded), train, and card it."""
    start = time.perf_counter()
    tasks: list[str | None] | None = None
    if paths:
        files, corpora = [Path(p) for p in paths], None
    else:
        chosen = default_corpora(exclude, exclude_tasks)
        if not chosen:
            raise ValueError("no corpus left to read: the data folder holds none, or all were excluded")
        files = [f for c in chosen for f in c.files("train")]
        tasks = [c.task for c in chosen for _ in c.train]
        corpora = [c.name for c in chosen]
    sentences, info = gather_text(files, tasks)
    vectors = train_skipgram(sentences, cfg, on_progress)
    vectors.card = {
        **vectors.card,
        **info,
        "corpora": corpora,
        "excluded_corpora": list(exclude),
        "excluded_tasks": list(exclude_tasks),
        "text": "train files only; any sentence also in a registry test file was dropped",
        "total_seconds": round(time.perf_counter() - start, 1),
    }
    return vectors
