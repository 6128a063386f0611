"""Turn examples into padded tensors: ids, lengths, aspect masks, labels with an ignore index.

An `Example` is one sentence with whatever labels its task has; an `Encoder` holds the
vocabularies and turns examples into a `Batch`. Batches can be bucketed by length so that
the fused recurrent cell runs on little padding.
"""

from __future__ import annotations

import random
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field

import numpy as np
import torch

from seqcore.tokens import Vocab

IGNORE_INDEX = -100  # label value that the loss and the metrics skip (padding, unknown)
MAX_WORD_CHARS = 20  # longer words keep their first 20 characters for the character CNN


@dataclass
class Example:
    """One sentence: its tokens and, by task, a label, per-token tags, or aspect spans with labels."""

    id: str
    tokens: list[str]
    text: str = ""
    label: str | None = None  # sentiment
    tags: list[str] | None = None  # tagging
    aspects: list[tuple[int, int]] = field(default_factory=list)  # aspect token spans [first, last + 1)
    aspect_labels: list[str] = field(default_factory=list)
    aspect_terms: list[str] = field(default_factory=list)


@dataclass
class Batch:
    """Padded tensors of one batch; `index` gives each row's position in the example list."""

    ids: torch.Tensor  # (B, T) long, 0 = padding
    lengths: torch.Tensor  # (B,) long, real tokens per row
    labels: torch.Tensor  # sentiment (B,), aspect (B, A), tagging (B, T); IGNORE_INDEX where none
    index: list[int]
    aspect_mask: torch.Tensor | None = None  # (B, A, T) float, 1.0 at each aspect's tokens
    chars: torch.Tensor | None = None  # (B, T, L) long, 0 = padding

    def to(self, device: torch.device | str) -> Batch:
        """Return the batch on `device`."""
        move = lambda t: None if t is None else t.to(device)  # noqa: E731
        return Batch(
            ids=self.ids.to(device),
            lengths=self.lengths.to(device),
            labels=self.labels.to(device),
            index=self.index,
            aspect_mask=move(self.aspect_mask),
            chars=move(self.chars),
        )

    def inputs(self) -> dict[str, torch.Tensor | None]:
        """Return the keyword arguments of `SequenceModel.forward`."""
        return {"ids": self.ids, "lengths": self.lengths, "aspect_mask": self.aspect_mask, "chars": self.chars}


class Encoder:
    """Vocabularies of one model: words, labels and (optionally) characters."""

    def __init__(self, task: str, words: Vocab, labels: Vocab, chars: Vocab | None = None) -> None:
        self.task = task
        self.words = words
        self.labels = labels
        self.chars = chars

    def encode_label(self, label: str | None) -> int:
        """Return a label's index, or IGNORE_INDEX for None; unknown labels raise ValueError."""
        if label is None:
            return IGNORE_INDEX
        if label not in self.labels:
            raise ValueError(f"unknown label {label!r}: this model knows {self.labels.itos}")
        return self.labels.index(label)

    def batch(self, examples: Sequence[Example], index: Sequence[int] | None = None) -> Batch:
        """Pad `examples` into one Batch."""
        if not examples:
            raise ValueError("cannot batch zero examples")
        empty = [ex.id for ex in examples if not ex.tokens]
        if empty:
            raise ValueError(f"sentence {empty[0]} has no tokens: empty sentences cannot be batched")
        B, T = len(examples), max(len(ex.tokens) for ex in examples)
        ids = torch.zeros(B, T, dtype=torch.long)
        lengths = torch.tensor([len(ex.tokens) for ex in examples], dtype=torch.long)
        for b, ex in enumerate(examples):
            ids[b, : len(ex.tokens)] = torch.tensor(self.words.encode(ex.tokens), dtype=torch.long)
        chars = self._chars(examples, T) if self.chars is not None else None
        aspect_mask = None
        if self.task == "sentiment":
            labels = torch.tensor([self.encode_label(ex.label) for ex in examples], dtype=torch.long)
        elif self.task == "tagging":
            labels = torch.full((B, T), IGNORE_INDEX, dtype=torch.long)
            for b, ex in enumerate(examples):
                if ex.tags is not None:
                    labels[b, : len(ex.tags)] = torch.tensor([self.encode_label(t) for t in ex.tags])
        else:
            A = max(1, max(len(ex.aspects) for ex in examples))
            aspect_mask = torch.zeros(B, A, T)
            labels = torch.full((B, A), IGNORE_INDEX, dtype=torch.long)
            for b, ex in enumerate(examples):
                for a, (first, last) in enumerate(ex.aspects):
                    if not 0 <= first < last <= len(ex.tokens):
                        raise ValueError(f"sentence {ex.id}: aspect span {(first, last)} is outside its {len(ex.tokens)} tokens")
                    aspect_mask[b, a, first:last] = 1.0
                    if a < len(ex.aspect_labels):
                        labels[b, a] = self.encode_label(ex.aspect_labels[a])
        return Batch(ids, lengths, labels, list(index if index is not None else range(B)), aspect_mask, chars)

    def _chars(self, examples: Sequence[Example], T: int) -> torch.Tensor:
        vocab = self.chars
        assert vocab is not None, "only an encoder with a character vocabulary batches characters"
        L = max(min(len(tok), MAX_WORD_CHARS) for ex in examples for tok in ex.tokens)
        chars = torch.zeros(len(examples), T, L, dtype=torch.long)
        for b, ex in enumerate(examples):
            for t, tok in enumerate(ex.tokens):
                codes = vocab.encode(list(tok[:MAX_WORD_CHARS]))
                chars[b, t, : len(codes)] = torch.tensor(codes, dtype=torch.long)
        return chars

    def to_dict(self) -> dict:
        return {
            "task": self.task,
            "words": self.words.to_dict(),
            "labels": self.labels.to_dict(),
            "chars": None if self.chars is None else self.chars.to_dict(),
        }

    @classmethod
    def from_dict(cls, data: dict) -> Encoder:
        try:
            chars = None if data.get("chars") is None else Vocab.from_dict(data["chars"])
            return cls(data["task"], Vocab.from_dict(data["words"]), Vocab.from_dict(data["labels"]), chars)
        except KeyError as e:
            raise ValueError(f"vocab.json lacks the key {e.args[0]!r}") from e


def batch_order(
    lengths: Sequence[int], batch_size: int, shuffle: bool = False, bucket: bool = True, seed: int = 0
) -> list[list[int]]:
    """Split example positions into batches; with `bucket`, each batch holds sentences of similar length.

    Bucketing sorts by length inside chunks of 50 batches (shuffled chunks when training),
    so batches have little padding but the order still varies between epochs.
    """
    if batch_size < 1:
        raise ValueError(f"batch_size must be >= 1, got {batch_size}")
    rng = random.Random(seed)
    order = list(range(len(lengths)))
    if shuffle:
        rng.shuffle(order)
    if bucket:
        chunk = batch_size * 50
        order = [i for s in range(0, len(order), chunk) for i in sorted(order[s : s + chunk], key=lambda i: lengths[i])]
    batches = [order[s : s + batch_size] for s in range(0, len(order), batch_size)]
    if shuffle:
        rng.shuffle(batches)
    return batches


def iterate_batches(
    examples: Sequence[Example],
    encoder: Encoder,
    batch_size: int,
    shuffle: bool = False,
    bucket: bool = True,
    seed: int = 0,
) -> Iterator[Batch]:
    """Yield padded batches over `examples`."""
    for positions in batch_order([len(ex.tokens) for ex in examples], batch_size, shuffle, bucket, seed):
        yield encoder.batch([examples[i] for i in positions], positions)


def aspect_masks(n_tokens: int, spans: Sequence[tuple[int, int]]) -> np.ndarray:
    """The binary aspect mask the model reads: one row per aspect span [first, last + 1), 1 at its tokens; (A, T)."""
    masks = np.zeros((len(spans), n_tokens), dtype=int)
    for a, (first, last) in enumerate(spans):
        if not 0 <= first < last <= n_tokens:
            raise ValueError(f"aspect span {(first, last)} is outside the sentence's {n_tokens} tokens")
        masks[a, first:last] = 1
    return masks
