"""Batches: padding, lengths, aspect masks, ignore index, bucketing."""

from __future__ import annotations

import pytest
import torch

from seqcore.batching import IGNORE_INDEX, Encoder, Example, aspect_masks, batch_order, iterate_batches
from seqcore.tasks import build_encoder
from tests.synthetic import aspect_data, tagging_data


def test_aspect_batch_has_masks_and_padded_labels():
    exs = [
        Example(
            id="1",
            tokens=["the", "food", "and", "the", "service"],
            aspects=[(1, 2), (3, 5)],
            aspect_labels=["positive", "negative"],
        ),
        Example(id="2", tokens=["menu", "ok"], aspects=[(0, 1)], aspect_labels=["neutral"]),
    ]
    enc = build_encoder("aspect", exs)
    b = enc.batch(exs)
    assert b.ids.shape == (2, 5) and b.lengths.tolist() == [5, 2]
    assert b.ids[1, 2:].tolist() == [0, 0, 0]
    assert b.aspect_mask.shape == (2, 2, 5)
    assert b.aspect_mask[0, 0].tolist() == [0, 1, 0, 0, 0]
    assert b.aspect_mask[0, 1].tolist() == [0, 0, 0, 1, 1]
    assert b.aspect_mask[1, 1].sum() == 0  # no second aspect
    assert enc.labels.itos == ["negative", "neutral", "positive"]
    assert b.labels.tolist() == [[2, 0], [1, IGNORE_INDEX]]


def test_tagging_labels_ignore_padding_and_chars_pad_to_longest_word():
    exs = tagging_data(5)
    enc = build_encoder("tagging", exs, use_chars=True)
    b = enc.batch(exs)
    for row, ex in enumerate(exs):
        n = len(ex.tokens)
        assert (b.labels[row, n:] == IGNORE_INDEX).all()
        assert (b.labels[row, :n] != IGNORE_INDEX).all()
    assert b.chars.shape[2] == max(len(t) for ex in exs for t in ex.tokens)
    assert b.chars[0, 0, : len(exs[0].tokens[0])].ne(0).all()


def test_unknown_label_and_bad_span_and_empty_sentence_are_clear_errors():
    enc = build_encoder(
        "sentiment", [Example(id="1", tokens=["a"], label="positive"), Example(id="2", tokens=["b"], label="negative")]
    )
    with pytest.raises(ValueError, match="unknown label 'mixed'"):
        enc.batch([Example(id="3", tokens=["a"], label="mixed")])
    with pytest.raises(ValueError, match="sentence 4 has no tokens"):
        enc.batch([Example(id="4", tokens=[], label="positive")])
    aenc = build_encoder("aspect", aspect_data(10))
    with pytest.raises(ValueError, match="outside its 2 tokens"):
        aenc.batch([Example(id="5", tokens=["a", "b"], aspects=[(1, 3)], aspect_labels=["positive"])])


def test_unknown_words_map_to_unk():
    enc = build_encoder(
        "sentiment", [Example(id="1", tokens=["good"], label="positive"), Example(id="2", tokens=["bad"], label="negative")]
    )
    b = enc.batch([Example(id="3", tokens=["Good", "zebra"], label="positive")])
    assert b.ids[0].tolist() == [enc.words.index("good"), 1]


def test_bucketing_groups_similar_lengths_and_covers_everything():
    lengths = [((i * 37) % 50) + 1 for i in range(400)]
    batches = batch_order(lengths, 16, shuffle=True, bucket=True, seed=1)
    flat = sorted(i for b in batches for i in b)
    assert flat == list(range(400))
    spread = [max(lengths[i] for i in b) - min(lengths[i] for i in b) for b in batches]
    assert sum(spread) / len(spread) < 5  # vs about 45 for random batches
    assert batch_order(lengths, 16, True, True, 1) == batches
    assert batch_order(lengths, 16, True, True, 2) != batches


def test_iterate_batches_index_maps_rows_back_to_examples():
    exs = tagging_data(30)
    enc = build_encoder("tagging", exs)
    seen = []
    for b in iterate_batches(exs, enc, 7, shuffle=True, seed=3):
        for row, i in enumerate(b.index):
            assert b.lengths[row] == len(exs[i].tokens)
            seen.append(i)
    assert sorted(seen) == list(range(30))


def test_encoder_round_trips_through_dict():
    exs = tagging_data(10)
    enc = build_encoder("tagging", exs, use_chars=True)
    again = Encoder.from_dict(enc.to_dict())
    assert torch.equal(enc.batch(exs).ids, again.batch(exs).ids)
    assert torch.equal(enc.batch(exs).chars, again.batch(exs).chars)
    with pytest.raises(ValueError, match="lacks the key 'words'"):
        Encoder.from_dict({"task": "tagging", "labels": {}})


def test_aspect_masks():
    masks = aspect_masks(4, [(1, 3), (0, 1)])
    assert masks.tolist() == [[0, 1, 1, 0], [1, 0, 0, 0]]
    with pytest.raises(ValueError, match="outside"):
        aspect_masks(2, [(1, 3)])
