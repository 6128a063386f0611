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


class EncodedExamples:
    """Examples encoded once into flat tensors on one device; each batch is padded there by tensor indexing.

    Training reads every example every epoch: encoding the words, characters, labels and aspect
    spans once, and cutting each batch out of flat tensors with a few gathers, replaces a Python
    loop over every token of every epoch and keeps batches on the GPU. `batch` returns exactly the
    tensors `Encoder.batch` returns for the same positions: each batch is padded to its own longest
    sentence, aspect count and word, so bucketing keeps padding minimal for every task. Host-side
    lengths and counts (`lengths`, `labeled`) let a caller size and normalise batches without
    reading the device.
    """

    def __init__(self, examples: Sequence[Example], encoder: Encoder, device: torch.device | str = "cpu") -> None:
        if not examples:
            raise ValueError("cannot encode zero examples")
        empty = [ex.id for ex in examples if not ex.tokens]
        if empty:
            raise ValueError(f"sentence {empty[0]} has no tokens: empty sentences cannot be batched")
        self.encoder = encoder
        self.device = torch.device(device)
        self.lengths = [len(ex.tokens) for ex in examples]  # host copy: batch shapes never read the device
        T = max(self.lengths)
        starts = [0]
        for n in self.lengths:
            starts.append(starts[-1] + n)
        ids = [i for ex in examples for i in encoder.words.encode(ex.tokens)]
        # A tail of T zeros lets every start + t (t < T) index the flat tensors without clamping.
        self._ids = self._put(ids + [0] * T)  # (N_tok + T,)
        self._starts = self._put(starts[:-1])  # (N,)
        self._lengths = self._put(self.lengths)  # (N,)
        self._steps = torch.arange(T, device=self.device)  # (T,)
        self._chars: torch.Tensor | None = None
        self._word_chars: list[int] = []
        if encoder.chars is not None:
            self._encode_chars(examples, encoder.chars, T)
        self._aspects: dict[str, torch.Tensor] = {}
        self.aspect_counts: list[int] = []
        self.labeled: list[int]  # labeled items (sentence, aspects or tags) per example: global batch sizes for the loss
        if encoder.task == "sentiment":
            self._labels = self._put([encoder.encode_label(ex.label) for ex in examples])  # (N,)
            self.labeled = [int(ex.label is not None) for ex in examples]
        elif encoder.task == "tagging":
            tags = []
            for ex in examples:
                given = ex.tags or []
                if len(given) > len(ex.tokens):
                    raise ValueError(f"sentence {ex.id} has {len(given)} tags for {len(ex.tokens)} tokens")
                tags += [encoder.encode_label(t) for t in given] + [IGNORE_INDEX] * (len(ex.tokens) - len(given))
            self._labels = self._put(tags + [IGNORE_INDEX] * T)  # (N_tok + T,)
            self.labeled = [len(ex.tags or []) for ex in examples]
        else:
            self._encode_aspects(examples)

    def _put(self, values: list[int], dtype: torch.dtype = torch.long) -> torch.Tensor:
        return torch.tensor(values, dtype=dtype).to(self.device)

    def _encode_chars(self, examples: Sequence[Example], chars: Vocab, T: int) -> None:
        rows, widths = [], []
        for ex in examples:
            widths.append(max(min(len(tok), MAX_WORD_CHARS) for tok in ex.tokens))
            for tok in ex.tokens:
                codes = chars.encode(list(tok[:MAX_WORD_CHARS]))
                rows.append(codes + [0] * (MAX_WORD_CHARS - len(codes)))
        rows += [[0] * MAX_WORD_CHARS] * T
        self._chars = torch.tensor(rows, dtype=torch.int32).to(self.device)  # (N_tok + T, MAX_WORD_CHARS)
        self._word_chars = widths  # host: each example's longest word, in characters (capped)

    def _encode_aspects(self, examples: Sequence[Example]) -> None:
        first: list[int] = []
        last: list[int] = []
        labels: list[int] = []
        starts: list[int] = []
        counts: list[int] = []
        for ex in examples:
            starts.append(len(first))
            counts.append(len(ex.aspects))
            for a, (f, la) in enumerate(ex.aspects):
                if not 0 <= f < la <= len(ex.tokens):
                    raise ValueError(f"sentence {ex.id}: aspect span {(f, la)} is outside its {len(ex.tokens)} tokens")
                first.append(f)
                last.append(la)
                labels.append(self.encoder.encode_label(ex.aspect_labels[a]) if a < len(ex.aspect_labels) else IGNORE_INDEX)
        A = max(1, max(counts))
        tail = [0] * A
        self._aspects = {
            "first": self._put(first + tail),  # (N_asp + A,)
            "last": self._put(last + tail),
            "labels": self._put(labels + [IGNORE_INDEX] * A),
            "starts": self._put(starts),  # (N,)
            "counts": self._put(counts),  # (N,)
        }
        self.aspect_counts = counts
        self.labeled = [sum(1 for lab in labels[s : s + n] if lab != IGNORE_INDEX) for s, n in zip(starts, counts)]

    def __len__(self) -> int:
        return len(self.lengths)

    def batch(self, positions: Sequence[int], index: torch.Tensor | None = None) -> Batch:
        """Pad the examples at `positions` into one Batch on this device (`index`: the same positions, already there)."""
        if not positions:
            raise ValueError("cannot batch zero examples")
        p = self._put(list(positions)) if index is None else index  # (B,)
        T = max(self.lengths[i] for i in positions)
        steps = self._steps[:T]  # (T,)
        real = steps < self._lengths[p].unsqueeze(1)  # (B, T)
        tok = self._starts[p].unsqueeze(1) + steps  # (B, T) flat token index (the next sentence's past the end)
        ids = self._ids[tok].masked_fill(~real, 0)  # (B, T)
        chars = None
        if self._chars is not None:
            L = max(self._word_chars[i] for i in positions)
            chars = self._chars[tok, :L].masked_fill(~real.unsqueeze(-1), 0).long()  # (B, T, L)
        aspect_mask = None
        if self.encoder.task == "sentiment":
            labels = self._labels[p]  # (B,)
        elif self.encoder.task == "tagging":
            labels = self._labels[tok].masked_fill(~real, IGNORE_INDEX)  # (B, T)
        else:
            asp = self._aspects
            A = max(1, max(self.aspect_counts[i] for i in positions))
            slots = self._steps.new_tensor(range(A)) if A > len(self._steps) else self._steps[:A]  # (A,)
            has = slots < asp["counts"][p].unsqueeze(1)  # (B, A)
            at = asp["starts"][p].unsqueeze(1) + slots  # (B, A) flat aspect index
            labels = asp["labels"][at].masked_fill(~has, IGNORE_INDEX)  # (B, A)
            inside = (steps >= asp["first"][at].unsqueeze(-1)) & (steps < asp["last"][at].unsqueeze(-1))  # (B, A, T)
            aspect_mask = (inside & has.unsqueeze(-1)).to(torch.get_default_dtype())  # (B, A, T)
        return Batch(ids, self._lengths[p], labels, list(positions), aspect_mask, chars)

    def batches(self, order: Sequence[Sequence[int]]) -> Iterator[Batch]:
        """Yield one Batch per list of positions in `order`; all positions go to the device in one copy."""
        flat = self._put([i for positions in order for i in positions])
        at = 0
        for positions in order:
            yield self.batch(positions, flat[at : at + len(positions)])
            at += len(positions)
