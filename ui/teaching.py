"""The teaching pages' numbers, cached by model version and input: gradient flow (`seqcore.gradflow`) and the
classic pitfalls (`seqcore.pitfalls`). Pages call these and draw; the memory experiment is `ui.experiments`.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import asdict
from typing import TYPE_CHECKING, Any

import streamlit as st

from ui.config import (
    BATCH_SEED,
    MASKING_BATCH,
    MASKING_FACTORS,
    READOUT_BATCH,
    READOUT_DRAWN,
    UNTRAINED_SEED,
)
from ui.models import ModelEntry, model_version

if TYPE_CHECKING:  # annotations only: importing ui must not load torch
    from seqcore.batching import Example
    from seqcore.gradflow import GradientFlow
    from seqcore.inference import Predictor
    from seqcore.pitfalls import Paradigm, ReadoutComparison

UNTRAINED = " (untrained)"  # how seqcore.gradflow.trained_and_fresh names the twin


# ----------------------------------------------------------------------------- gradients through time


@st.cache_resource(show_spinner=False, max_entries=16)
def _twin(version: str, seed: int, _predictor: Predictor) -> Any:
    """A model's untrained twin (`seqcore.gradflow.fresh_like`), built once per model version, not per sentence."""
    from seqcore.gradflow import fresh_like

    return fresh_like(_predictor.model, seed)


@st.cache_data(show_spinner="Following the loss back through the sentence...", max_entries=128)
def _flows(version: str, name: str, text: str, readout: str | None, twin: bool, _predictor: Predictor) -> dict:
    from seqcore.gradflow import gradient_flow_text, trained_and_fresh

    model, encoder = _predictor.model, _predictor.encoder
    if twin:
        fresh = _twin(version, UNTRAINED_SEED, _predictor)
        return trained_and_fresh(name, model, encoder, text, seed=UNTRAINED_SEED, twin=fresh, readout=readout)
    return {name: gradient_flow_text(model, encoder, text, readout=readout)}


def gradient_flows(entry: ModelEntry, predictor: Predictor, text: str, readout: str, twin: bool) -> dict[str, GradientFlow]:
    """{model name: flow} for one sentence, plus {"<name> (untrained)": flow} of its freshly initialised twin (cached).

    `readout` "last" reads the sentence at each direction's last step, "own" keeps the model's own pooling
    (ui.config.GRADIENT_READOUTS).
    """
    return _flows(model_version(entry), entry.name, text, None if readout == "own" else readout, twin, predictor)


def has_series(flow: GradientFlow, layer: int, direction: str) -> bool:
    """Whether a flow has the norms of this layer and direction (models differ in depth and directions)."""
    return (layer, direction) in flow.hidden


def gradient_lines(flows: Mapping[str, GradientFlow], layer: int, direction: str) -> dict[str, Any]:
    """One line per model for one layer and direction, named "model · trained" / "model · untrained" for the figure."""
    out = {}
    for name, flow in flows.items():
        if has_series(flow, layer, direction):
            model, twin = (name.removesuffix(UNTRAINED), "untrained") if name.endswith(UNTRAINED) else (name, "trained")
            out[f"{model} · {twin}"] = flow.hidden[(layer, direction)]
    return out


def input_lines(flows: Mapping[str, GradientFlow]) -> dict[str, Any]:
    """||dL/dx_t|| of every flow, named like `gradient_lines`."""
    return {
        (f"{n.removesuffix(UNTRAINED)} · untrained" if n.endswith(UNTRAINED) else f"{n} · trained"): f.inputs
        for n, f in flows.items()
    }


def cell_colours(flows: Mapping[str, GradientFlow]) -> dict[str, str] | None:
    """Each model's line colour by its cell (as on the memory figure), when no two models share a cell; else None."""
    from seqcore.palette import CELL_COLORS

    trained = {n: f.cell for n, f in flows.items() if not n.endswith(UNTRAINED)}
    if len(set(trained.values())) < len(trained) or not set(trained.values()) <= set(CELL_COLORS):
        return None
    return {n: CELL_COLORS[cell] for n, cell in trained.items()}


def gradient_summary(flows: Mapping[str, GradientFlow], layer: int, direction: str) -> list[dict]:
    """Per model: how far the gradient falls along the sentence (orders of magnitude), and what it predicts."""
    rows = []
    for name, flow in flows.items():
        if not has_series(flow, layer, direction):
            continue
        norms = flow.hidden[(layer, direction)]
        rows.append(
            {
                "model": name,
                "cell": flow.cell.upper(),
                "predicted": flow.predicted_label,
                "differentiated class": flow.target_label,
                "loss (nats)": round(flow.loss, 4),
                "largest norm": float(norms.max()),
                "smallest norm": float(norms[norms > 0].min()) if (norms > 0).any() else 0.0,
                "orders of magnitude": round(flow.orders_of_magnitude(layer, direction), 2),
            }
        )
    return rows


def gradient_metrics(flows: Mapping[str, GradientFlow], layer: int, direction: str) -> list[tuple[str, str, float, float | None]]:
    """Per trained model: (name, cell, orders of magnitude the gradient falls, the same for its untrained twin or None)."""
    out = []
    for name, flow in flows.items():
        if name.endswith(UNTRAINED) or not has_series(flow, layer, direction):
            continue
        twin = flows.get(name + UNTRAINED)
        fall = twin.orders_of_magnitude(layer, direction) if twin is not None else None
        out.append((name, flow.cell.upper(), flow.orders_of_magnitude(layer, direction), fall))
    return out


def fall_text(orders: float) -> str:
    """A fall of `orders` orders of magnitude as a factor: "×65", or "×10^8" when it is huge."""
    return f"×{10**orders:,.0f}" if orders < 6 else f"×10^{orders:.0f}"


def gradient_table(flows: Mapping[str, GradientFlow], layer: int, direction: str) -> list[dict]:
    """One row per word: every model's ||dL/dh_t|| for one layer and direction, and ||dL/dx_t||."""
    tokens = next(iter(flows.values())).tokens
    rows: list[dict] = [{"position": t, "word": w} for t, w in enumerate(tokens)]
    for name, flow in flows.items():
        for t, row in enumerate(rows):
            if has_series(flow, layer, direction):
                row[f"{name}: |dL/dh|"] = float(flow.hidden[(layer, direction)][t])
            row[f"{name}: |dL/dx|"] = float(flow.inputs[t])
    return rows


# ----------------------------------------------------------------------------- pitfalls


@st.cache_data(show_spinner="Reading the test set three ways...", max_entries=32)
def _readouts(version: str, data_key: str, _predictor: Predictor, _examples: Sequence[Example]) -> ReadoutComparison:
    from seqcore.device import full_float32
    from seqcore.pitfalls import compare_readouts

    model = _predictor.batch_model  # a whole test set: the batch device (the GPU when there is one)
    with full_float32(next(model.parameters()).device):
        return compare_readouts(
            model, _predictor.encoder, list(_examples), batch_size=READOUT_BATCH, seed=BATCH_SEED, draw_size=READOUT_DRAWN
        )


def readout_comparison(entry: ModelEntry, predictor: Predictor, data_key: str, examples: Sequence[Example]) -> ReadoutComparison:
    """Accuracy of three readouts of one sentence model on labeled examples, and one padded batch to draw (cached)."""
    return _readouts(model_version(entry), data_key, predictor, examples)


def majority_share(examples: Sequence[Example]) -> float | None:
    """The share of the most common gold label: what always answering it scores."""
    labels = Counter(ex.label for ex in examples if ex.label is not None)
    return max(labels.values()) / sum(labels.values()) if labels else None


def batch_rows(comparison: ReadoutComparison) -> list[dict]:
    """The drawn batch as a table: each sentence, its length, gold label and each readout's prediction."""
    from seqcore.pitfalls import PAD_MARK, READOUT_TITLES, READOUTS

    batch = comparison.batch
    return [
        {
            "row": b,
            "sentence": " ".join(t for t in tokens if t != PAD_MARK),
            "length": batch.lengths[b],
            "padded to": len(tokens),
            "gold": batch.gold[b],
            **{f"{READOUT_TITLES[r]}": batch.predicted[r][b] for r in READOUTS},
        }
        for b, tokens in enumerate(batch.tokens)
    ]


@st.cache_data(show_spinner="Padding a batch further and further...", max_entries=32)
def _masking(version: str, data_key: str, _predictor: Predictor, _examples: Sequence[Example]) -> list[dict]:
    from seqcore.pitfalls import masking_sweep, padded_batch

    batch = padded_batch(list(_examples), batch_size=MASKING_BATCH, seed=BATCH_SEED)
    sweep = masking_sweep(_predictor.model, _predictor.encoder, batch, factors=MASKING_FACTORS)
    return [{**asdict(s), "padding_share": s.padding_share} for s in sweep]


def masking_rows(entry: ModelEntry, predictor: Predictor, data_key: str, examples: Sequence[Example]) -> list[dict]:
    """A tagger's loss and accuracy with padding masked and counted, on its batch with the most padding (cached)."""
    return _masking(model_version(entry), data_key, predictor, examples)


@st.cache_data(show_spinner=False, max_entries=64)
def _paradigm(version: str, text: str, terms: str | None, _predictor: Predictor) -> Paradigm:
    from seqcore.pitfalls import sequence_paradigm

    if _predictor.model.cfg.task == "aspect":
        example = _predictor.aspect_example(text, (terms or "").split(","))
    else:
        example, _ = _predictor.example(text)
    return sequence_paradigm(_predictor.model, _predictor.encoder, example)


def paradigm(entry: ModelEntry, predictor: Predictor, text: str, terms: str | None = None) -> Paradigm:
    """The model's live tensor shapes for a sentence, and the other paradigm's from the same weights (cached)."""
    return _paradigm(model_version(entry), text, terms, predictor)


def shape_line(stages: Sequence[dict]) -> str:
    """Stages as one line of shapes: [1, 12] -> [1, 12, 100] -> ..."""
    return " -> ".join(str(list(s["shape"])) for s in stages)


def shape_summary(stages: Sequence[dict]) -> str:
    """Stages as a Markdown list a room can read: each stage's name, its shape (never broken across lines), its meaning."""
    from ui.text import md_plain

    def shape(s: dict) -> str:
        return "[" + ",\u00a0".join(str(n) for n in s["shape"]) + "]"

    return "\n".join(f"- **{md_plain(s['stage'])}** `{shape(s)}`: {md_plain(s['meaning'])}" for s in stages)
