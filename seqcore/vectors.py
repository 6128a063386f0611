"""Word vectors as a folder of safetensors and JSON, read from skip-gram output or from a model; never pickle.

vectors.safetensors  one float32 tensor "vectors" of shape (V, D), row i = vocabulary entry i
vocab.json           the vocabulary (`Vocab.to_dict`) and "counts": how often each word was seen
card.json            what made them: files, token count, settings, seconds (`seqcore.embeddings`)

A model checkpoint folder reads as vectors too: its embedding matrix and word vocabulary (counts
unknown), so `neighbors` and the projector take either. `nearest` ranks words by cosine similarity.
"""

from __future__ import annotations

import json
import os
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

import torch
from safetensors import SafetensorError, safe_open
from safetensors.torch import save_file

from seqcore.checkpoints import Checkpoint, load_checkpoint
from seqcore.models import SequenceModel
from seqcore.tokens import SPECIALS, Vocab

VECTOR_FILES = ("vectors.safetensors", "vocab.json", "card.json")
MAX_VECTOR_ROWS = 2_000_000  # a header asking for more is refused before any tensor is built


class VectorsError(ValueError):
    """A vectors folder is missing a file, a file does not fit the others, or a word is unknown."""


@dataclass
class WordVectors:
    """Word vectors: row i of `vectors` (V, D) belongs to `words.itos[i]`; rows 0-1 are <pad> and <unk>."""

    words: Vocab
    vectors: torch.Tensor  # (V, D) float32
    counts: list[int] = field(default_factory=list)  # times each word was seen; empty when unknown (a model's)
    card: dict = field(default_factory=dict)

    def __post_init__(self) -> None:
        if self.vectors.dim() != 2 or self.vectors.shape[0] != len(self.words):
            raise VectorsError(f"vectors of shape {tuple(self.vectors.shape)} do not fit a vocabulary of {len(self.words)} words")
        if self.counts and len(self.counts) != len(self.words):
            raise VectorsError(f"{len(self.counts)} counts for {len(self.words)} words")

    @property
    def dim(self) -> int:
        return int(self.vectors.shape[1])

    def knows(self, word: str) -> bool:
        """Whether the vectors hold a row of their own for `word` (not <pad>, not <unk>)."""
        return self.words.index(word) >= len(SPECIALS)

    def index(self, word: str) -> int:
        """The row of a word; VectorsError (one line) when the vectors do not know it."""
        i = self.words.index(word)
        if i < 2:
            raise VectorsError(f"{word!r} is not in these vectors' vocabulary of {len(self.words) - 2:,} words")
        return i

    def nearest(self, word: str, k: int = 10) -> list[tuple[str, float]]:
        """The k words of highest cosine similarity to `word` (itself and the specials excluded)."""
        i = self.index(word)
        cos = cosine_to_all(self.vectors, self.vectors[i])
        cos[:2] = -2.0
        cos[i] = -2.0
        top = torch.topk(cos, min(k, len(self.words) - 3)) if len(self.words) > 3 else None
        if top is None:
            return []
        return [(self.words.itos[j], float(c)) for c, j in zip(top.values.tolist(), top.indices.tolist())]

    def save(self, folder: str | os.PathLike) -> Path:
        """Write the three files into `folder` (created), each atomically."""
        out = Path(folder)
        out.mkdir(parents=True, exist_ok=True)
        save_file({"vectors": self.vectors.detach().cpu().float().contiguous()}, str(out / "vectors.safetensors"))
        vocab = {**self.words.to_dict(), "counts": list(self.counts)}
        for name, data in (("vocab.json", vocab), ("card.json", self.card)):
            _write_json(out / name, data)
        return out


def _write_json(path: Path, data: dict) -> None:
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    with os.fdopen(fd, "w", encoding="utf-8") as f:
        f.write(json.dumps(data, indent=1, ensure_ascii=False) + "\n")
    os.replace(tmp, path)


def cosine_to_all(matrix: torch.Tensor, v: torch.Tensor) -> torch.Tensor:
    """Cosine of every row of `matrix` (V, D) with `v` (D,); a zero row scores 0."""
    norms = matrix.norm(dim=1) * v.norm()
    return (matrix @ v) / norms.clamp_min(1e-12)


def is_vectors_folder(path: str | os.PathLike) -> bool:
    return (Path(path) / "vectors.safetensors").is_file()


def load_vectors(path: str | os.PathLike) -> WordVectors:
    """Read a vectors folder written by `WordVectors.save`; VectorsError names what is missing or wrong."""
    folder = Path(path)
    if not folder.is_dir():
        raise VectorsError(f"no such vectors folder: {folder}")
    for name in VECTOR_FILES:
        if not (folder / name).is_file():
            raise VectorsError(f"{folder} is not a vectors folder: {name} is missing (expected {', '.join(VECTOR_FILES)})")
    try:
        vocab = json.loads((folder / "vocab.json").read_text(encoding="utf-8"))
        card = json.loads((folder / "card.json").read_text(encoding="utf-8"))
        words = Vocab.from_dict(vocab)
    except (UnicodeDecodeError, json.JSONDecodeError, ValueError) as e:
        raise VectorsError(f"{folder}: vocab.json or card.json is not valid: {e}") from e
    try:
        with safe_open(str(folder / "vectors.safetensors"), framework="pt") as f:
            if "vectors" not in f.keys():
                raise VectorsError(f"{folder / 'vectors.safetensors'} holds no tensor named 'vectors'")
            shape = f.get_slice("vectors").get_shape()
            if len(shape) != 2 or shape[0] != len(words) or shape[0] > MAX_VECTOR_ROWS:
                raise VectorsError(f"{folder}: vectors of shape {shape} do not fit a vocabulary of {len(words)} words")
            vectors = f.get_tensor("vectors").float()
    except SafetensorError as e:
        raise VectorsError(f"{folder / 'vectors.safetensors'} is not a safetensors file: {e}") from e
    counts = vocab.get("counts") or []
    if not isinstance(counts, list) or not all(isinstance(c, int) for c in counts):
        raise VectorsError(f"{folder / 'vocab.json'}: 'counts' must be a list of integers")
    return WordVectors(words, vectors, counts, card if isinstance(card, dict) else {})


def model_vectors(ckpt: Checkpoint) -> WordVectors:
    """A model's word embedding as vectors (counts unknown; the card names the model's own card)."""
    weight = ckpt.model.embedding.weight.detach().cpu().float().clone()
    return WordVectors(
        ckpt.encoder.words, weight, [], {"model": ckpt.card.get("task"), "embeddings": ckpt.card.get("embeddings")}
    )


def load_any_vectors(path: str | os.PathLike) -> WordVectors:
    """A vectors folder, or a model checkpoint folder's embedding."""
    return load_vectors(path) if is_vectors_folder(path) else model_vectors(load_checkpoint(path))


@torch.no_grad()
def copy_vectors(vectors: WordVectors, model: SequenceModel, words: Vocab) -> int:
    """Copy the vector of every word of `words` (the model's vocabulary) the vectors know; return how many.

    The others keep the model's random start. The sizes must agree (the caller sets the model's
    embedding size from the vectors).
    """
    if vectors.dim != model.cfg.embedding_dim:
        raise VectorsError(f"embedding sizes differ: vectors {vectors.dim} vs model {model.cfg.embedding_dim}")
    pairs = [(i, vectors.words.index(w)) for i, w in enumerate(words.itos) if i >= 2]
    pairs = [(i, j) for i, j in pairs if j >= 2]
    if pairs:
        dst, src = map(torch.tensor, zip(*pairs))
        weight = model.embedding.weight
        weight[dst] = vectors.vectors[src].to(weight.device, weight.dtype)
    return len(pairs)
