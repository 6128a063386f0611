"""Splits of a data set: a dev split carved from train (grouped by sentence), and k folds.

Pure Python: the fit pipeline carves its dev split here, and a cross-validated model's card
(`tasks.card_test_examples`) rebuilds its test fold here, without importing the trainer.
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # annotations only
    from seqcore.batching import Example


def split_dev(examples: Sequence[Example], fraction: float = 0.1, seed: int = 13) -> tuple[list[Example], list[Example]]:
    """Carve a dev split from training examples, grouped by sentence text so no sentence sits in both."""
    if not 0.0 < fraction < 1.0:
        raise ValueError(f"dev fraction must be in (0, 1), got {fraction}")
    groups: dict[str, list[int]] = {}
    for i, ex in enumerate(examples):
        groups.setdefault(" ".join(ex.tokens).lower(), []).append(i)
    keys = sorted(groups)
    random.Random(seed).shuffle(keys)
    want = round(fraction * len(examples))
    dev_idx: set[int] = set()
    for key in keys:
        if len(dev_idx) >= want:
            break
        dev_idx.update(groups[key])
    train = [ex for i, ex in enumerate(examples) if i not in dev_idx]
    dev = [ex for i, ex in enumerate(examples) if i in dev_idx]
    if not train or not dev:
        raise ValueError(f"{len(examples)} examples are too few to carve {fraction:.0%} of them off as a dev split")
    return train, dev


def kfold(n: int, k: int = 10, seed: int = 13) -> list[list[int]]:
    """Split positions 0..n-1 into k shuffled folds of near-equal size."""
    if not 2 <= k <= n:
        raise ValueError(f"k must be in [2, {n}], got {k}")
    order = list(range(n))
    random.Random(seed).shuffle(order)
    return [sorted(order[f::k]) for f in range(k)]
