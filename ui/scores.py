"""A model's answers on labeled data, cached by model and data: prediction rows and metrics (`seqcore.scoring`)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING

import streamlit as st

from ui.models import ModelEntry, model_version

if TYPE_CHECKING:  # annotations only: importing ui must not load torch
    from seqcore.batching import Example
    from seqcore.inference import Predictor, Trajectory


@st.cache_data(show_spinner="Predicting...", max_entries=64)
def _predictions(version: str, data_key: str, _predictor: Predictor, _examples: Sequence[Example]) -> list[dict]:
    return _predictor.prediction_rows(list(_examples))  # a whole file: the batch device (the GPU when there is one)


def predictions(entry: ModelEntry, predictor: Predictor, data_key: str, examples: Sequence[Example]) -> list[dict]:
    """Per-item predictions of labeled examples (cached by model and data), from `seqcore.scoring.predictions_table`."""
    return _predictions(model_version(entry), data_key, predictor, examples)


def aspect_file_predictions(entry: ModelEntry, data_key: str, predictor: Predictor, examples: Sequence[Example]) -> list[dict]:
    """Every scorable aspect of a review file, predicted (cached)."""
    rows = predictions(entry, predictor, data_key, examples)
    return [
        {
            "sentence id": r["id"],
            "text": r["text"],
            "term": r["item"],
            "gold": r["gold"],
            "predicted": r["predicted"],
            "confidence": round(r["confidence"], 4),
        }
        for r in rows
    ]


def accuracy(rows: Sequence[dict]) -> float:
    """The share of prediction rows whose predicted label is the gold one (0 for no rows)."""
    return sum(r["gold"] == r["predicted"] for r in rows) / len(rows) if rows else 0.0


@st.cache_data(show_spinner="Evaluating...", max_entries=32)
def _evaluation(version: str, data_key: str, _predictor: Predictor, _examples: Sequence[Example]) -> tuple[dict, float]:
    metrics, loss = _predictor.evaluate(list(_examples))  # the batch device (the GPU when there is one)
    return metrics.to_dict(), loss


def evaluation(entry: ModelEntry, predictor: Predictor, data_key: str, examples: Sequence[Example]) -> tuple[dict, float]:
    """Metrics (as a dict) and mean loss of a model on labeled examples, from `seqcore.scoring.evaluate` (cached)."""
    return _evaluation(model_version(entry), data_key, predictor, examples)


def trajectory_table(runs: Mapping[str, Trajectory]) -> list[dict]:
    """One row per word: each model's class probabilities after each word (`seqcore.readouts.trajectory_table`)."""
    from seqcore.readouts import trajectory_table as rows

    return rows(runs)


def trajectory_note(entries: Sequence[ModelEntry]) -> str:
    """What a trajectory's points mean for these models: a running state (one direction) or a re-read prefix (two)."""
    both = [e.name for e in entries if e.config.get("bidirectional")]
    one = [e.name for e in entries if not e.config.get("bidirectional")]
    said = []
    if one:
        said.append(
            f"{', '.join(one)} read left to right only: the point after word t is the state the model held right then, "
            "so the line is the model changing its mind as it reads."
        )
    if both:
        said.append(
            f"{', '.join(both)} read both ways: each point re-reads words 1..t from scratch, forwards and backwards, "
            "as if the sentence stopped there. It is the answer the model would give to that prefix, not a state it held "
            "while reading the whole sentence (reading backwards, it had seen the end first)."
        )
    return " ".join(said)
