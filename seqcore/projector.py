"""An embedding projector (after TensorFlow's Embedding Projector): word vectors in 2-D, coloured by the class each word leans to.

- `project`: PCA (the top two principal axes of the centred vectors, by SVD) or t-SNE
  (van der Maaten & Hinton 2008, scikit-learn's implementation, seeded).
- `class_lean`: the class a word leans to in training labels, as a smoothed log-odds ratio
  log[p(c | w) / (1 - p(c | w))] - log[p(c) / (1 - p(c))] for the class c of highest ratio; a word
  seen with every class in proportion leans nowhere (0). A sentence's label counts for each of its
  words (sentiment), an aspect's label for each word of its sentence (aspect), a tag for its word (tagging).
- `initial_embedding`: a model's embedding as it was before training: the same seeded random start
  (the card's seed, then the same `ModelConfig`), with the skip-gram vectors copied in when the card
  says it started from vectors that are still on disk.
- `projector_figure`: a pure figure builder (points in, Plotly figure out).
"""

from __future__ import annotations

import math
from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import plotly.graph_objects as go

from seqcore.batching import Example
from seqcore.checkpoints import Checkpoint
from seqcore.palette import BLACK, GREY, lean_color
from seqcore.presenter import CHAR_PX, LINE_PX  # one measure of a word's size on screen
from seqcore.tasks import example_labels
from seqcore.vectors import WordVectors, copy_vectors, is_vectors_folder, load_vectors

METHODS = ("pca", "tsne")
PROJECT_ROOT = Path(__file__).resolve().parents[1]
SMOOTHING = 1.0  # pseudo-count spread over the classes by their prior


@dataclass
class Lean:
    """The class a word leans to, its log-odds strength (>= 0) and how often the word was seen with labels."""

    label: str | None
    log_odds: float
    count: int


def frequent_rows(vectors: WordVectors, n: int, order: Sequence[str] | None = None) -> list[int]:
    """Rows of the n most frequent words: by count when known, else by vocabulary order (a model's is by frequency)."""
    rows = list(range(2, len(vectors.words)))
    if vectors.counts:
        rows.sort(key=lambda i: -vectors.counts[i])
    return rows[: max(0, n)]


def project(matrix: np.ndarray, method: str = "pca", seed: int = 13) -> np.ndarray:
    """Project rows (N, D) to (N, 2): PCA by SVD of the centred rows, or seeded t-SNE."""
    if method not in METHODS:
        raise ValueError(f"unknown projection {method!r}: use {' or '.join(METHODS)}")
    x = np.asarray(matrix, dtype=np.float64)
    if len(x) < 3:
        raise ValueError(f"a projection needs at least 3 words, got {len(x)}")
    x = x - x.mean(axis=0)
    if method == "pca":
        _, _, vt = np.linalg.svd(x, full_matrices=False)
        out = x @ vt[:2].T
        return out * np.sign(out[np.argmax(np.abs(out), axis=0), [0, 1]])  # a fixed sign per axis
    from sklearn.manifold import TSNE

    perplexity = float(min(30, max(2, (len(x) - 1) // 3)))
    return TSNE(n_components=2, perplexity=perplexity, init="pca", random_state=seed).fit_transform(x)


def explained_variance(matrix: np.ndarray) -> tuple[float, float]:
    """The share of variance on PCA's two axes."""
    x = np.asarray(matrix, dtype=np.float64)
    s = np.linalg.svd(x - x.mean(axis=0), compute_uv=False) ** 2
    return float(s[0] / s.sum()), float(s[1] / s.sum())


def word_label_counts(task: str, examples: Sequence[Example]) -> dict[str, Counter]:
    """How often each (lowercased) word was seen with each label, by the task's rule (module docstring)."""
    counts: dict[str, Counter] = defaultdict(Counter)
    for ex in examples:
        if task == "tagging":
            for tok, tag in zip(ex.tokens, ex.tags or []):
                counts[tok.lower()][tag] += 1
        else:
            labels = example_labels(task, ex)
            for tok in ex.tokens:
                counts[tok.lower()].update(labels)
    return counts


def class_lean(task: str, examples: Sequence[Example], labels: Sequence[str]) -> dict[str, Lean]:
    """The class each word leans to, with its smoothed log-odds ratio against the class prior."""
    counts = word_label_counts(task, examples)
    totals: Counter[str] = Counter()
    for c in counts.values():
        totals.update(c)
    n = sum(totals[label] for label in labels)
    if n == 0:
        return {}
    prior = {label: (totals[label] + 1) / (n + len(labels)) for label in labels}
    out = {}
    for word, c in counts.items():
        seen = sum(c[label] for label in labels)
        best, best_lo = None, 0.0
        for label in labels:
            p = (c[label] + SMOOTHING * prior[label]) / (seen + SMOOTHING)
            lo = math.log(p / (1 - p)) - math.log(prior[label] / (1 - prior[label])) if 0 < p < 1 else 0.0
            if lo > best_lo:
                best, best_lo = label, lo
        out[word] = Lean(best, best_lo, seen)
    return out


def initial_embedding(ckpt: Checkpoint) -> WordVectors | None:
    """The model's embedding before training, rebuilt from its card's seed; None when it cannot be rebuilt.

    When the card says the model started from skip-gram vectors, they are copied in as training did
    (the words they lack keep the seeded random start); when that folder is not here, None.
    """
    import torch

    from seqcore.models import SequenceModel

    seed = ckpt.card.get("seed")
    source = vectors_source(ckpt)
    if not isinstance(seed, int) or (isinstance(ckpt.card.get("embeddings"), dict) and source is None):
        return None  # no seed, or the vectors it started from are not here: the start cannot be rebuilt
    torch.manual_seed(seed)  # as training's seed_everything did before it built the model: its start draws only on torch
    model = SequenceModel(ckpt.config)
    if source is not None:
        copy_vectors(load_vectors(source), model, ckpt.encoder.words)
    with torch.no_grad():
        weight = model.embedding.weight.detach().clone()
    return WordVectors(ckpt.encoder.words, weight, [], {"before_training": True, "from": source})


def vectors_source(ckpt: Checkpoint) -> str | None:
    """The skip-gram vectors folder a model started from, when its card names one that is on disk.

    A relative path is tried as given, then from the project's root (shipped cards name `models/...`).
    """
    emb = ckpt.card.get("embeddings")
    source = emb.get("from") if isinstance(emb, dict) else None
    if not isinstance(source, str) or not source:
        return None
    for folder in (Path(source), PROJECT_ROOT / source):
        if folder.is_dir() and is_vectors_folder(folder):
            return str(folder)
    return None


# Where labels are laid out: the narrowest plot area a panel gets (two panels side by side at 1280 px, with the
# sidebar open and presenter mode's larger ticks); a word's size at `font` px is measured as presenter mode measures it.
PLOT_PX = (300, 380)  # (width, height) of the plot area assumed when choosing which labels fit
RING_PX = 16  # the searched word's ring; its name is written below it
PAD = 0.06  # of the data range added on each side of both axes


@dataclass(frozen=True)
class Label:
    """A word to write beside point `index`: above it ("top") or below it ("bottom")."""

    index: int
    side: str


def _box(px: float, py: float, word: str, side: str, font: int) -> tuple[float, float, float, float]:
    """The box a label takes, in plot pixels (y down), as Plotly draws it (measured in Chromium): a text-only point's
    name sits right on top of it, a ringed point's name just under its ring."""
    w, h = len(word) * font * CHAR_PX + 4, font * LINE_PX
    y0 = py - h - 1 if side == "top" else py + RING_PX / 2 - 2
    return px - w / 2, y0, px + w / 2, y0 + h


def axis_ranges(points: np.ndarray) -> tuple[tuple[float, float], tuple[float, float]]:
    """The x and y ranges drawn: the points' extent and PAD of it on each side (fixed, so labels can be laid out)."""
    out = []
    for k in (0, 1):
        lo, hi = (float(points[:, k].min()), float(points[:, k].max())) if len(points) else (0.0, 1.0)
        span = hi - lo or 1.0
        out.append((lo - PAD * span, hi + PAD * span))
    return out[0], out[1]


def place_labels(
    points: np.ndarray,
    words: Sequence[str],
    wanted: Sequence[Label],
    font: int,
    plot_px: tuple[int, int] = PLOT_PX,
) -> list[Label]:
    """The labels of `wanted`, in its order of priority, that can be written without touching an earlier one.

    A label is kept when its box (its word at `font` px, above or below its point) lies inside the plot area
    and overlaps no label kept before it: the map stays readable at any font, on a projector too.
    """
    (x0, x1), (y0, y1) = axis_ranges(points)
    width, height = plot_px
    kept: list[Label] = []
    boxes: list[tuple[float, float, float, float]] = []
    for label in wanted:
        px = (points[label.index, 0] - x0) / (x1 - x0) * width
        py = (y1 - points[label.index, 1]) / (y1 - y0) * height
        b = _box(px, py, words[label.index], label.side, font)
        if b[0] < 0 or b[1] < 0 or b[2] > width or b[3] > height:
            continue
        if any(b[0] < o[2] and o[0] < b[2] and b[1] < o[3] and o[1] < b[3] for o in boxes):
            continue
        kept.append(label)
        boxes.append(b)
    return kept


def projector_figure(
    points: np.ndarray,
    words: Sequence[str],
    leans: Sequence[Lean | None],
    labelled: int,
    title: str,
    highlight: Sequence[str] = (),
    axis_names: tuple[str, str] = ("PC 1", "PC 2"),
    font: int = 11,
    plot_px: tuple[int, int] = PLOT_PX,
) -> go.Figure:
    """Words as points; colour = the class each leans to (strength = log-odds); of the first `labelled` words, those
    whose names fit without touching another are named (`place_labels`, at `font` px on a plot of `plot_px`).

    `highlight` (a searched word, then its neighbours) is drawn on top with a ring; its names come first.
    """
    colors = [lean_color(le.label if le else None, le.log_odds if le else 0.0) for le in leans]
    hover = [
        f"{w}<br>leans to {le.label} (log-odds {le.log_odds:.2f}, seen {le.count}x)"
        if le and le.label
        else f"{w}<br>leans to no class"
        for w, le in zip(words, leans)
    ]
    index = {w: i for i, w in enumerate(words)}
    shown = list(dict.fromkeys(index[w] for w in highlight if w in index))
    top = min(labelled, len(words))
    wanted = [Label(i, "bottom") for i in shown] + [Label(i, "top") for i in range(top) if i not in set(shown)]
    kept = place_labels(points, words, wanted, font, plot_px)
    ringed = [la.index for la in kept if la.side == "bottom"]
    named = [la.index for la in kept if la.side == "top"]
    fig = go.Figure()
    fig.add_trace(
        go.Scatter(
            x=points[:, 0],
            y=points[:, 1],
            mode="markers",
            marker={"color": colors, "size": 6, "opacity": 0.8},
            text=hover,
            hoverinfo="text",
            name="words (colour: class it leans to)",
        )
    )
    fig.add_trace(
        go.Scatter(
            x=points[named, 0],
            y=points[named, 1],
            mode="text",
            text=[words[i] for i in named],
            textposition="top center",
            textfont={"size": font, "color": "#333333"},
            hoverinfo="skip",
            name=f"{len(named)} of the {top} most frequent words named (those that fit)",
            showlegend=False,  # a text trace's legend entry is a fixed small "Aa"; the caption says what is named
        )
    )
    if shown:
        fig.add_trace(
            go.Scatter(
                x=points[shown, 0],
                y=points[shown, 1],
                mode="markers",
                text=[words[i] for i in shown],
                marker={
                    "size": [16] + [11] * (len(shown) - 1),
                    "color": "rgba(0,0,0,0)",
                    "line": {"color": BLACK, "width": 2},
                },
                name="searched word and its neighbours",
                hoverinfo="text",
            )
        )
        fig.add_trace(
            go.Scatter(
                x=points[ringed, 0],
                y=points[ringed, 1],
                mode="markers+text",
                marker={"size": RING_PX, "opacity": 0},  # unseen: it moves the name below the ring
                text=[words[i] for i in ringed],
                textposition="bottom center",
                textfont={"color": "#000000", "size": font},
                hoverinfo="skip",
                name="names of the searched word and its neighbours",
                showlegend=False,
            )
        )
    (xr, yr) = axis_ranges(points)
    fig.update_layout(
        title=title,
        xaxis_title=f"{axis_names[0]} (unitless)",
        yaxis_title=f"{axis_names[1]} (unitless)",
        height=560,
        legend={"orientation": "h", "y": -0.15},
        plot_bgcolor="#ffffff",
    )
    fig.update_xaxes(range=list(xr), showgrid=True, gridcolor="#eeeeee", zerolinecolor=GREY)
    fig.update_yaxes(range=list(yr), showgrid=True, gridcolor="#eeeeee", zerolinecolor=GREY)
    return fig
