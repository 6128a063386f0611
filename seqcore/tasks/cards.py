"""A model card's test set: the files (and fold) its test metrics were scored on, read again as examples."""

from __future__ import annotations

import os
from pathlib import Path
from typing import NamedTuple

from seqcore.batching import Example
from seqcore.corpora import check_protocol, resolve_data_ref
from seqcore.splits import kfold
from seqcore.tasks.examples import load_examples


class CardTestFiles(NamedTuple):
    """The files a card's test metrics were scored on; with `kfold` ({folds, fold, seed}), one fold of them."""

    files: list[Path]
    kfold: dict | None


def _card_test_refs(card: dict) -> tuple[list[str], dict | None] | None:
    """The data/... references of a card's test set and its k-fold description, or None when it names none."""
    data = card.get("data") or {}
    kfold = data.get("kfold") if isinstance(data.get("kfold"), dict) else None
    refs = data.get("train") if kfold else data.get("test")
    if not refs or not isinstance(refs, list) or not all(isinstance(r, str) for r in refs):
        return None
    return refs, kfold


def card_test_files(card: dict, root: str | os.PathLike | None = None) -> CardTestFiles | None:
    """The files a model was tested on, when its card names them and they are in the data folder; None otherwise.

    Cross-validated sentiment models (card["data"]["kfold"] = {folds, fold, seed}) were tested on one
    fold of their training files; other models on the files in card["data"]["test"].
    """
    found = _card_test_refs(card)
    if found is None:
        return None
    files = [resolve_data_ref(r, root) for r in found[0]]
    return CardTestFiles(files, found[1]) if all(f.is_file() for f in files) else None


def card_test_examples(card: dict, root: str | os.PathLike | None = None) -> list[Example]:
    """Rebuild the test examples a card's test_metrics were scored on, from the data folder (`root`, default data_dir())."""
    found = _card_test_refs(card)
    if found is None:
        raise ValueError("the card names no test files")
    refs, fold = found
    check_protocol(card, refs)
    sst = card["data"].get("sst") or {}
    examples, _ = load_examples(card["task"], [resolve_data_ref(r, root) for r in refs], sst_view=sst.get("view", "binary"))
    if fold:
        return [examples[i] for i in kfold(len(examples), fold["folds"], fold["seed"])[fold["fold"]]]
    return examples
