"""Bring a model back: an upload of a model zip (the Train page's download) joins this session's models.

The zip is hostile until proven otherwise. `seqcore.checkpoints.load_checkpoint_zip` caps its size, its
unpacked size and its entries (zip bombs), refuses names that leave the folder (zip slip), links,
encrypted entries and any file but the four expected ones (so no pickle is ever read), unpacks them
under fixed names into a temporary folder removed once loaded, and validates every shape and version.
Here its card is cut down to what the app may act on (numbers, and data references inside the data
folder), and the model lives in this session's state only: nothing is written anywhere.
A refusal is a red message naming the file and the reason.
"""

from __future__ import annotations

from pathlib import Path, PurePosixPath
from typing import Any

import streamlit as st

from seqcore import corpora
from ui import state
from ui.jobs import clean_name
from ui.models import keep_session_model
from ui.sources import data_hash
from ui.text import plain

MAX_FOLDS = 100  # a card's k-fold description is believed up to this many folds


def _data_refs(refs: Any) -> list[str] | None:
    """A card's data references, when every one is `data/...` and stays inside the data folder; else None."""
    if not isinstance(refs, list) or not refs or not all(isinstance(r, str) for r in refs):
        return None
    root = corpora.data_dir().resolve()
    for ref in refs:
        rel = PurePosixPath(ref.removeprefix(corpora.REF_PREFIX))
        if not ref.startswith(corpora.REF_PREFIX) or rel.is_absolute() or ".." in rel.parts:
            return None
        if not (root / rel).resolve().is_relative_to(root):
            return None
    return refs


def _kfold(found: Any) -> dict | None:
    if not isinstance(found, dict):
        return None
    folds, fold, seed = found.get("folds"), found.get("fold"), found.get("seed")
    if not (isinstance(folds, int) and isinstance(fold, int) and isinstance(seed, int)) or bool in map(type, (folds, fold, seed)):
        return None
    return {"folds": folds, "fold": fold, "seed": seed} if 2 <= folds <= MAX_FOLDS and 0 <= fold < folds else None


def safe_card(card: dict, task: str) -> dict:
    """An uploaded card cut down to what the app may act on: its task is the model's, metrics are dicts, and its
    data references (which the Evaluation page reads) are `data/...` files inside the data folder, or gone."""
    out: dict[str, Any] = {k: v for k, v in card.items() if k not in ("data", "task", "test_metrics", "dev_metrics")}
    out["task"] = task
    for key in ("test_metrics", "dev_metrics"):
        if isinstance(card.get(key), dict):
            out[key] = card[key]
    data = card.get("data")
    if isinstance(data, dict):
        kept: dict[str, Any] = {}
        for split in ("train", "test"):
            refs = _data_refs(data.get(split))
            if refs is not None:
                kept[split] = refs
        kfold = _kfold(data.get("kfold"))
        if kfold is not None and "train" in kept:
            kept["kfold"] = kfold
        out["data"] = kept
    return out


def load_model_zip(data: bytes, file_name: str) -> str:
    """Load an uploaded model zip into this session; return its model key. Raises CheckpointError with the reason."""
    from seqcore.checkpoints import load_checkpoint_zip

    checkpoint = load_checkpoint_zip(data, name=file_name)
    checkpoint.card = safe_card(checkpoint.card, checkpoint.config.task)
    name = clean_name(Path(file_name).stem, "uploaded-model")
    return keep_session_model(name, "uploaded", checkpoint, data).key


def model_zip_upload(key: str) -> None:
    """An upload of a model zip: it joins the sidebar for this session, or its refusal is shown in red."""
    upload = st.file_uploader(
        "Model zip (as the Train page downloads it: weights.safetensors, config.json, vocab.json, card.json)",
        type=["zip"],
        key=key,
        help="The zip is checked before anything is read: its size, what it unpacks to, its file names and the "
        "shape of every tensor. The model stays in this browser session only.",
    )
    if upload is None:
        return
    data = upload.getvalue()
    seen = state.uploaded_zips()
    digest = data_hash(data)
    if digest not in seen:
        from seqcore.checkpoints import CheckpointError

        try:
            seen[digest] = load_model_zip(data, upload.name)
        except CheckpointError as err:
            seen[digest] = (str(err),)
        if isinstance(seen[digest], str):
            state.set_pending_model(str(seen[digest]))
            st.rerun()  # the sidebar (drawn before this page) lists the new model and makes it the one in use
    outcome = seen[digest]
    if isinstance(outcome, tuple):
        st.error(f"The model zip {plain(upload.name)} was refused: {plain(outcome[0])}")
        return
    record = state.trained_model(outcome)
    if record is not None:
        st.success(
            f"{plain(record['entry'].name)} (from {plain(upload.name)}) is one of this session's models: "
            "choose it in the sidebar."
        )
