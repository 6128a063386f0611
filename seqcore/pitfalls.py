"""The classic mistakes with padded batches, computed on a real model.

1. Reading the sequence at the wrong step. A sentence classifier must read each sentence where
   it ends. Three readouts of the same trained model, on batches padded the way a plain loader
   pads them (a seeded random order, no length bucketing):

   right   each sentence's true length: the model's own pooling (what it was trained with);
   padded  the batch's padded length for every sentence, as if the lengths were forgotten;
   first   length 1 for every sentence: the model classifies from the first word alone (the
           Theano course model's bug).

   For a unidirectional model with `last` pooling these are literally the output at the last
   real token, at the last padded position (the forward state after running on through the
   padding) and at step 0. For a bidirectional model the backward direction then also starts at
   the last padded position (a naive bidirectional run over the padded batch), and for mean or max
   pooling the padded readout pools over the padding too (a forgotten mask); the first readout
   sees the first word only, in both directions.

2. Counting padded positions in a tagger's loss and accuracy: the same predictions score
   differently as the padding grows, unless padded positions are masked out.

3. Many-to-one vs many-to-many: the live tensor shapes of a model, from `anatomy.shape_flow`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import torch
import torch.nn.functional as F

from seqcore.anatomy import shape_flow
from seqcore.batching import IGNORE_INDEX, Batch, Encoder, Example, batch_order
from seqcore.models import SequenceModel, length_mask

READOUTS = ("right", "padded", "first")
READOUT_TITLES = {
    "right": "last relevant step (right)",
    "padded": "last padded position (wrong)",
    "first": "step 0 (the Theano bug)",
}
PAD_MARK = "·"  # how a padded cell is written in a token grid


# ----------------------------------------------------------------------------- 1. readouts


def readout_lengths(lengths: torch.Tensor, T: int, readout: str) -> torch.Tensor:
    """Return the lengths a readout believes: the true ones, the padded length T for all, or 1 for all."""
    if readout == "right":
        return lengths
    if readout == "padded":
        return torch.full_like(lengths, T)
    if readout == "first":
        return torch.ones_like(lengths)
    raise ValueError(f"readout must be one of {READOUTS}, got {readout!r}")


def readout_description(model: SequenceModel, readout: str) -> str:
    """Say in one sentence where a readout reads this model's sequence."""
    cfg = model.cfg
    believed = {"right": "its true length", "padded": "the batch's padded length", "first": "one word"}[readout]
    if cfg.pooling == "last":
        where = {
            "right": "the forward state at the last real token",
            "padded": "the forward state at the last padded position",
            "first": "the forward state at step 0",
        }[readout]
        if cfg.bidirectional:
            start = {"right": "the last real token", "padded": "the last padded position", "first": "step 0"}[readout]
            where += f", and the backward state at token 0 after starting at {start}"
    else:
        where = {
            "right": f"the {cfg.pooling} over the real tokens",
            "padded": f"the {cfg.pooling} over every position, padding included",
            "first": f"the {cfg.pooling} over step 0 alone",
        }[readout]
        if cfg.bidirectional:
            where += " (both directions)"
    return f"every sentence taken as {believed}: reads {where}"


@torch.no_grad()
def readout_logits(model: SequenceModel, batch: Batch, readout: str) -> torch.Tensor:
    """Return a sentence model's logits (B, C) for a padded batch under one readout."""
    if model.cfg.task != "sentiment":
        raise ValueError(f"readouts compare whole-sentence (sentiment) models, not a {model.cfg.task} model")
    model.eval()
    lengths = readout_lengths(batch.lengths, batch.ids.shape[1], readout)
    out = model.encoder(model.embed(batch.ids, batch.chars), lengths)  # (B, T, D)
    return model.classify(model.pool(out, lengths))  # (B, C)


def read_positions(model: SequenceModel, believed: int) -> dict[str, list[int]]:
    """Positions whose outputs a readout feeds to the classifier, per direction, for a believed length."""
    cfg = model.cfg
    forward = [believed - 1] if cfg.pooling == "last" else list(range(believed))
    out = {"forward": forward}
    if cfg.bidirectional:
        out["backward"] = [0] if cfg.pooling == "last" else list(range(believed))
    return out


@dataclass
class ReadoutBatch:
    """One padded batch drawn as a grid, with the positions each readout takes (for a drawing)."""

    tokens: list[list[str]]  # (B, T): words, PAD_MARK at padding
    lengths: list[int]
    gold: list[str]
    predicted: dict[str, list[str]]  # readout -> predicted label per row
    believed: dict[str, list[int]]  # readout -> the length it takes each row to have
    positions: dict[str, list[dict[str, list[int]]]]  # readout -> per row {direction: positions read}
    pooling: str
    bidirectional: bool


@dataclass
class ReadoutComparison:
    """Accuracy of three readouts of the same model on the same padded batches."""

    accuracy: dict[str, float]
    correct: dict[str, int]
    n: int
    batch_size: int
    order: str
    padding_share: float  # padded cells / all cells over every batch
    descriptions: dict[str, str]
    batch: ReadoutBatch  # a small batch to draw
    cell: str
    pooling: str
    bidirectional: bool

    def rows(self) -> list[dict]:
        """One row per readout: name, how it reads, correct, accuracy."""
        return [
            {
                "readout": READOUT_TITLES[r],
                "how": self.descriptions[r],
                "correct": self.correct[r],
                "sentences": self.n,
                "accuracy": self.accuracy[r],
            }
            for r in READOUTS
        ]


def draw_batch(model: SequenceModel, encoder: Encoder, examples: Sequence[Example]) -> ReadoutBatch:
    """Pad `examples` into one batch and record every readout's predictions and read positions."""
    batch = encoder.batch(list(examples))
    T = batch.ids.shape[1]
    labels = encoder.labels.itos
    predicted, believed, positions = {}, {}, {}
    for r in READOUTS:
        pred = readout_logits(model, batch, r).argmax(-1).tolist()
        predicted[r] = [labels[k] for k in pred]
        believed[r] = readout_lengths(batch.lengths, T, r).tolist()
        positions[r] = [read_positions(model, n) for n in believed[r]]
    return ReadoutBatch(
        tokens=[list(ex.tokens) + [PAD_MARK] * (T - len(ex.tokens)) for ex in examples],
        lengths=batch.lengths.tolist(),
        gold=[ex.label or "" for ex in examples],
        predicted=predicted,
        believed=believed,
        positions=positions,
        pooling=model.cfg.pooling,
        bidirectional=model.cfg.bidirectional,
    )


def compare_readouts(
    model: SequenceModel,
    encoder: Encoder,
    examples: Sequence[Example],
    batch_size: int = 32,
    seed: int = 0,
    draw_size: int = 6,
) -> ReadoutComparison:
    """Score three readouts of a sentence model on `examples`, batched as a plain loader would batch them.

    Batches of `batch_size` in a seeded random order with no length bucketing, so each sentence
    is padded to the longest of its batch. The drawing is the first `draw_size` sentences of
    that order, padded together.
    """
    if model.cfg.task != "sentiment":
        raise ValueError(f"readouts compare whole-sentence (sentiment) models, not a {model.cfg.task} model")
    examples = [ex for ex in examples if ex.label is not None]
    if not examples:
        raise ValueError("no labeled sentences to score: the readouts need gold labels")
    if draw_size < 1:
        raise ValueError(f"draw_size must be >= 1, got {draw_size}")
    device = next(model.parameters()).device
    correct = dict.fromkeys(READOUTS, 0)
    cells = padded = 0
    order = batch_order([len(ex.tokens) for ex in examples], batch_size, shuffle=True, bucket=False, seed=seed)
    for positions in order:
        batch = encoder.batch([examples[i] for i in positions]).to(device)
        cells += batch.ids.numel()
        padded += int((batch.ids.numel()) - batch.lengths.sum())
        for r in READOUTS:
            correct[r] += int((readout_logits(model, batch, r).argmax(-1) == batch.labels).sum())
    first = [examples[i] for i in order[0][:draw_size]]
    return ReadoutComparison(
        accuracy={r: correct[r] / len(examples) for r in READOUTS},
        correct=correct,
        n=len(examples),
        batch_size=batch_size,
        order=f"batches of {batch_size} in a random order (seed {seed}), no length bucketing",
        padding_share=padded / cells,
        descriptions={r: readout_description(model, r) for r in READOUTS},
        batch=draw_batch(model, encoder, first),
        cell=model.cfg.cell,
        pooling=model.cfg.pooling,
        bidirectional=model.cfg.bidirectional,
    )


# ----------------------------------------------------------------------------- 2. masking


@dataclass
class MaskingScores:
    """A tagger's loss and accuracy on one batch, with padded positions masked out and counted in."""

    padded_length: int
    rows: int
    real_tokens: int
    padded_tokens: int
    masked_loss: float  # mean cross-entropy over real tokens (nats)
    masked_accuracy: float  # over real tokens
    counted_loss: float  # over every position, padding labelled `pad_label`
    counted_accuracy: float  # over every position, padding labelled `pad_label`
    counted_accuracy_pad_free: float  # over every position, padding counted as a hit
    pad_label: str

    @property
    def padding_share(self) -> float:
        return self.padded_tokens / (self.real_tokens + self.padded_tokens)


def pad_batch(batch: Batch, T: int) -> Batch:
    """Return `batch` padded on the right to T positions (ids and characters 0, labels ignored)."""
    B, T0 = batch.ids.shape
    if T < T0:
        raise ValueError(f"cannot pad a batch of {T0} positions to {T}")
    extra = T - T0
    pad = lambda t, v: torch.cat([t, t.new_full((B, extra, *t.shape[2:]), v)], dim=1)  # noqa: E731
    return Batch(
        ids=pad(batch.ids, 0),  # (B, T)
        lengths=batch.lengths,
        labels=pad(batch.labels, IGNORE_INDEX),  # (B, T)
        index=batch.index,
        aspect_mask=batch.aspect_mask,
        chars=None if batch.chars is None else pad(batch.chars, 0),  # (B, T, L)
    )


@torch.no_grad()
def masking_scores(
    model: SequenceModel, encoder: Encoder, examples: Sequence[Example], pad_to: int | None = None, pad_label: int = 0
) -> MaskingScores:
    """Score one batch of tagged sentences with padded positions masked and counted.

    `pad_to` pads the batch beyond its longest sentence. Counted in, padded positions carry
    class `pad_label` (what a label tensor filled with zeros holds); `counted_accuracy_pad_free`
    instead scores every padded position as a hit, as happens when a model trained with the
    padding counted has learned to predict the padding label there.
    """
    if model.cfg.task != "tagging":
        raise ValueError(f"masking compares per-token (tagging) models, not a {model.cfg.task} model")
    examples = [ex for ex in examples if ex.tags is not None]
    if not examples:
        raise ValueError("no tagged sentences: masking needs gold tags")
    if not 0 <= pad_label < len(encoder.labels):
        raise ValueError(f"pad_label must be a class index in 0..{len(encoder.labels) - 1}, got {pad_label}")
    model.eval()
    device = next(model.parameters()).device
    batch = encoder.batch(examples)
    batch = pad_batch(batch, max(pad_to or 0, batch.ids.shape[1])).to(device)
    B, T = batch.ids.shape
    logits = model(**batch.inputs())  # (B, T, C)
    C = logits.shape[-1]
    real = length_mask(batch.lengths, T) & (batch.labels != IGNORE_INDEX)  # (B, T)
    pred = logits.argmax(-1)  # (B, T)
    filled = torch.where(real, batch.labels, torch.full_like(batch.labels, pad_label))  # (B, T): the unmasked bug
    n_real, n_all = int(real.sum()), B * T
    hits_real = int((pred == batch.labels)[real].sum())
    return MaskingScores(
        padded_length=T,
        rows=B,
        real_tokens=n_real,
        padded_tokens=n_all - n_real,
        masked_loss=float(F.cross_entropy(logits.reshape(-1, C), batch.labels.reshape(-1), ignore_index=IGNORE_INDEX)),
        masked_accuracy=hits_real / n_real,
        counted_loss=float(F.cross_entropy(logits.reshape(-1, C), filled.reshape(-1))),
        counted_accuracy=int((pred == filled).sum()) / n_all,
        counted_accuracy_pad_free=(hits_real + n_all - n_real) / n_all,
        pad_label=encoder.labels.itos[pad_label],
    )


def masking_sweep(
    model: SequenceModel,
    encoder: Encoder,
    examples: Sequence[Example],
    factors: Sequence[float] = (1, 2, 4, 8),
    pad_label: int = 0,
) -> list[MaskingScores]:
    """Score the same batch padded to `factors` times its longest sentence: masked numbers stay, counted ones drift."""
    longest = max((len(ex.tokens) for ex in examples), default=0)
    if not longest:
        raise ValueError("no sentences to pad")
    if any(f < 1 for f in factors):
        raise ValueError(f"padding factors must be >= 1, got {list(factors)}")
    return [masking_scores(model, encoder, examples, round(f * longest), pad_label) for f in factors]


def padded_batch(examples: Sequence[Example], batch_size: int = 16, seed: int = 0) -> list[Example]:
    """Return the batch with the largest share of padding among seeded random batches (no bucketing)."""
    examples = [ex for ex in examples if ex.tokens]
    if not examples:
        raise ValueError("no sentences to batch")
    lengths = [len(ex.tokens) for ex in examples]
    order = batch_order(lengths, batch_size, shuffle=True, bucket=False, seed=seed)

    def share(pos: list[int]) -> float:
        longest = max(lengths[i] for i in pos)
        return 1 - sum(lengths[i] for i in pos) / (longest * len(pos))

    return [examples[i] for i in max(order, key=share)]


# ----------------------------------------------------------------------------- 3. one or many outputs


KINDS = {
    "sentiment": ("many-to-one", "one label per sentence: the states are pooled into one vector"),
    "aspect": ("many-to-one (per aspect)", "one label per aspect: the states under each aspect are averaged"),
    "tagging": ("many-to-many", "one label per token: every state goes to the head"),
}


@dataclass
class Paradigm:
    """A model's live shapes, and the shapes its other reading (one output vs one per token) would give."""

    kind: str
    explanation: str
    stages: list[dict] = field(default_factory=list)  # anatomy.shape_flow rows: stage, shape, meaning
    output_shape: list[int] = field(default_factory=list)
    other_kind: str = ""
    other_stages: list[dict] = field(default_factory=list)


@torch.no_grad()
def sequence_paradigm(model: SequenceModel, encoder: Encoder, example: Example) -> Paradigm:
    """Return the model's stage-by-stage shapes and, from the same weights, the other paradigm's last shapes.

    A sentence model's head applied to every step gives one prediction per word (many-to-many:
    what the trajectory shows); a tagger's states pooled over the real tokens give one vector per
    sentence (many-to-one). The other paradigm's values are not trained: only the shapes are the lesson.
    """
    stages = shape_flow(model, encoder, example)
    kind, explanation = KINDS[model.cfg.task]
    model.eval()
    device = next(model.parameters()).device
    probe = Example(id=example.id, tokens=list(example.tokens), aspects=list(example.aspects))
    batch = encoder.batch([probe]).to(device)
    out = model.encode(batch.ids, batch.lengths, batch.chars)  # (1, T, D)
    other: list[dict] = [{"stage": "encoder output", "shape": list(out.shape), "meaning": "one state per token"}]
    if model.cfg.task == "tagging":
        other_kind = "many-to-one"
        pooled = model.pool(out, batch.lengths)  # (1, D)
        other.append(
            {"stage": f"pooling ({model.cfg.pooling})", "shape": list(pooled.shape), "meaning": "one vector per sentence"}
        )
        logits = model.classify(pooled)
        other.append({"stage": "output head (logits)", "shape": list(logits.shape), "meaning": "one prediction per sentence"})
    else:
        other_kind = "many-to-many"
        logits = model.classify(out)  # (1, T, C)
        other.append({"stage": "output head on every step", "shape": list(logits.shape), "meaning": "one prediction per token"})
    return Paradigm(kind, explanation, stages, list(stages[-1]["shape"]), other_kind, other)
