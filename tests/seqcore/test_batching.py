"""Batches: padding, lengths, aspect masks, ignore index, bucketing."""

from __future__ import annotations

import pytest
import torch

from seqcore.batching import IGNORE_INDEX, EncodedExamples, Encoder, Example, aspect_masks, batch_order, iterate_batches
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


def test_encoded_examples_give_exactly_the_batches_of_encoder_batch():
    from tests.synthetic import sentiment_data

    for task, data in (("sentiment", sentiment_data(90)), ("aspect", aspect_data(90)), ("tagging", tagging_data(90))):
        encoder = build_encoder(task, data[:50], use_chars=task != "sentiment")  # later examples hold unknown words
        if task == "tagging":
            data[3].tags, data[5].tags = None, data[5].tags[:2]  # unlabeled and partly labeled sentences
        if task == "aspect":
            data[4].aspect_labels = data[4].aspect_labels[:1]  # an aspect without a label
            data[6].aspects, data[6].aspect_labels = [], []  # a sentence without aspects
        encoded = EncodedExamples(data, encoder)
        assert encoded.lengths == [len(ex.tokens) for ex in data]
        for batch_size, shuffle in ((7, True), (1, False), (64, False)):
            order = batch_order(encoded.lengths, batch_size, shuffle=shuffle, seed=3)
            for got, positions in zip(encoded.batches(order), order, strict=True):
                want = encoder.batch([data[i] for i in positions], positions)
                assert got.index == want.index
                for name in ("ids", "lengths", "labels", "aspect_mask", "chars"):
                    a, b = getattr(got, name), getattr(want, name)
                    assert (a is None) == (b is None), (task, name)
                    if a is not None:
                        assert a.dtype == b.dtype and a.shape == b.shape and torch.equal(a, b), (task, name)


def test_encoded_examples_refuse_what_encoder_batch_refuses():
    data = aspect_data(10)
    encoder = build_encoder("aspect", data)
    data[2].aspects = [(0, 99)]
    with pytest.raises(ValueError, match=r"aspect span \(0, 99\) is outside its \d+ tokens"):
        EncodedExamples(data, encoder)
    data = tagging_data(10)
    encoder = build_encoder("tagging", data)
    data[1].tags = data[1].tags + ["NOUN"]
    with pytest.raises(ValueError, match="has .* tags for .* tokens"):
        EncodedExamples(data, encoder)
    data[1].tokens = []
    with pytest.raises(ValueError, match="has no tokens"):
        EncodedExamples(data, encoder)
    with pytest.raises(ValueError, match="zero examples"):
        EncodedExamples([], encoder)
