"""The projector page's numbers, cached: a model's words before and after training, their 2-D layout, their class lean.

Everything is computed by `seqcore.projector` and `seqcore.vectors`; here it is cached per model
(its version) and settings, so a t-SNE layout is computed once and reused on every rerun.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import streamlit as st

from ui.config import PRESENTER_FONT, models_dir
from ui.entries import ModelEntry
from ui.links import presenting
from ui.models import model_version

if TYPE_CHECKING:  # annotations only: importing ui must not load torch
    import numpy as np

    from seqcore.inference import Predictor
    from seqcore.projector import Lean
    from seqcore.vectors import WordVectors

PROJECTOR_WORDS = 800  # words drawn by default (the most frequent)
PROJECTOR_MAX_WORDS = 3000  # t-SNE on more takes minutes on one core
PROJECTOR_LABELS = 40  # the most frequent words named on the plot
PROJECTOR_NEIGHBOURS = 8


@dataclass
class Layout:
    """Words and their 2-D positions in one projection."""

    words: list[str]
    points: np.ndarray  # (N, 2)
    axes: tuple[str, str]


def label_font() -> int:
    """The size (px) the projector's word labels are drawn at: presenter mode's chart font, else a small one."""
    return PRESENTER_FONT if presenting() else 11


def vector_folders() -> list[Path]:
    """Shipped skip-gram vectors: the folders of models/vectors/ that hold vectors.safetensors."""
    return sorted(p.parent for p in models_dir().glob("vectors/*/vectors.safetensors"))


@st.cache_resource(show_spinner="Reading the word vectors...", max_entries=8)
def _vectors(version: str, which: str, _predictor: Predictor | None, folder: str | None) -> WordVectors | None:
    from seqcore.checkpoints import Checkpoint
    from seqcore.projector import initial_embedding
    from seqcore.vectors import load_vectors, model_vectors

    if folder is not None:
        return load_vectors(folder)
    assert _predictor is not None
    ckpt = Checkpoint(_predictor.model, _predictor.encoder, _predictor.card)
    return model_vectors(ckpt) if which == "after" else initial_embedding(ckpt)


def model_vectors(entry: ModelEntry, predictor: Predictor, which: str) -> WordVectors | None:
    """The model's embedding `after` training, or `before` it (rebuilt from the card's seed; None without one)."""
    return _vectors(model_version(entry), which, predictor, None)


def folder_vectors(folder: Path) -> WordVectors | None:
    """Skip-gram vectors from a folder."""
    return _vectors(f"folder:{folder}", "vectors", None, str(folder))


@st.cache_data(show_spinner="Laying the words out in 2-D...", max_entries=16)
def _layout(
    key: str, which: str, method: str, n: int, _vectors: WordVectors, _order: tuple[str, ...] | None, extra: tuple[str, ...]
) -> Layout:
    from seqcore.projector import frequent_rows, project

    if _order is None:
        rows = frequent_rows(_vectors, n)
        rows += [i for i in dict.fromkeys(_vectors.words.index(w) for w in extra if _vectors.knows(w)) if i not in set(rows)]
    else:  # the same words as another view, so before and after show one set
        rows = [_vectors.words.index(w) for w in _order if _vectors.knows(w)]
    words = [_vectors.words.itos[i] for i in rows]
    points = project(_vectors.vectors[rows].numpy(), method)
    axes = ("PC 1", "PC 2") if method == "pca" else ("t-SNE 1", "t-SNE 2")
    return Layout(words, points, axes)


def layout(
    entry: ModelEntry,
    view: str,
    which: str,
    method: str,
    n: int,
    vectors: WordVectors,
    order: list[str] | None = None,
    extra: tuple[str, ...] = (),
) -> Layout:
    """The n most frequent words (or exactly `order`'s) projected by PCA or t-SNE, computed once per model, view and setting.

    `extra` words (a searched word and its neighbours) join the n under PCA, which is instant; a t-SNE
    layout is not recomputed for a search, so there only the drawn words are ringed.
    """
    key = f"{model_version(entry)}|{view}|{which}|{hash(tuple(order)) if order else ''}"
    return _layout(key, which, method, n, vectors, tuple(order) if order is not None else None, extra if method == "pca" else ())


@st.cache_data(show_spinner="Reading the training labels...", max_entries=8)
def _leans(version: str, task: str, _card: dict, labels: tuple[str, ...]) -> dict[str, Lean]:
    from seqcore.corpora import resolve_data_ref
    from seqcore.projector import class_lean
    from seqcore.splits import kfold
    from seqcore.tasks import load_examples

    data = _card.get("data") or {}
    refs = data.get("train") or []
    files = [resolve_data_ref(r) for r in refs if isinstance(r, str)]
    if not files or not all(f.is_file() for f in files):
        return {}
    examples, _ = load_examples(task, files)
    fold = data.get("kfold")
    if isinstance(fold, dict):  # leave the test fold out: leans come from training labels only
        held = set(kfold(len(examples), fold["folds"], fold["seed"])[fold["fold"]])
        examples = [e for i, e in enumerate(examples) if i not in held]
    return class_lean(task, examples, list(labels))


def leans(entry: ModelEntry, predictor: Predictor) -> dict[str, Lean]:
    """The class each word leans to in the model's training labels (empty when its training files are not here)."""
    return _leans(model_version(entry), entry.task, entry.card, tuple(predictor.labels))


def neighbour_rows(word: str, views: dict[str, WordVectors], k: int) -> list[dict]:
    """The k nearest words of `word` in each view, with their cosine, one row per rank."""
    columns = {name: v.nearest(word, k) for name, v in views.items()}
    rows = []
    for rank in range(k):
        row: dict[str, object] = {"rank": rank + 1}
        for name, found in columns.items():
            if rank < len(found):
                row[f"{name}: word"], row[f"{name}: cosine"] = found[rank][0], round(found[rank][1], 4)
        rows.append(row)
    return rows
