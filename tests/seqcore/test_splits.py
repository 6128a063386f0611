"""Splits: a seeded dev split grouped by sentence, and k folds that partition the data."""

from __future__ import annotations

import pytest

from seqcore.splits import kfold, split_dev
from tests.synthetic import sentiment_data


def test_dev_split_is_grouped_by_sentence_and_seeded():
    data = sentiment_data(100)
    dup = data + [d for d in data[:20]]  # the same sentences twice
    train_a, dev_a = split_dev(dup, 0.2, seed=1)
    train_keys = {" ".join(e.tokens) for e in train_a}
    assert not any(" ".join(e.tokens) in train_keys for e in dev_a)
    assert len(train_a) + len(dev_a) == len(dup)
    assert [e.id for e in split_dev(dup, 0.2, seed=1)[1]] == [e.id for e in dev_a]
    assert [e.id for e in split_dev(dup, 0.2, seed=2)[1]] != [e.id for e in dev_a]
    with pytest.raises(ValueError, match="too few"):
        split_dev(data[:1], 0.1)


def test_kfold_partitions():
    folds = kfold(103, 10, seed=3)
    assert sorted(i for f in folds for i in f) == list(range(103))
    assert {len(f) for f in folds} == {10, 11}
    assert kfold(103, 10, seed=3) == folds
    with pytest.raises(ValueError, match="k must be in"):
        kfold(5, 10)
