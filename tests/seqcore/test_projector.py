"""The projector's numbers: layouts keep planted clusters apart, leans follow the labels, the start is rebuilt exactly."""

from __future__ import annotations

import numpy as np
import pytest
import torch

import seqcore.pipeline as pipeline
from seqcore import palette
from seqcore.checkpoints import Checkpoint
from seqcore.projector import Lean, class_lean, explained_variance, initial_embedding, project, projector_figure
from seqcore.training import TrainConfig
from tests.synthetic import sentiment_data


def two_clusters(n: int = 30, d: int = 10, seed: int = 0) -> np.ndarray:
    rng = np.random.default_rng(seed)
    centre = np.zeros(d)
    centre[0] = 5.0
    return np.vstack([rng.normal(size=(n, d)) * 0.3 + centre, rng.normal(size=(n, d)) * 0.3 - centre])


@pytest.mark.parametrize("method", ["pca", "tsne"])
def test_layouts_keep_planted_clusters_apart(method):
    x = two_clusters()
    points = project(x, method)
    assert points.shape == (60, 2)
    a, b = points[:30], points[30:]
    gap = np.linalg.norm(a.mean(0) - b.mean(0))
    spread = max(np.linalg.norm(a - a.mean(0), axis=1).mean(), np.linalg.norm(b - b.mean(0), axis=1).mean())
    assert gap > 3 * spread
    np.testing.assert_allclose(project(x, method), points)  # seeded: the same layout twice


def test_pca_first_axis_holds_most_variance_and_bad_input_is_refused():
    first, second = explained_variance(two_clusters())
    assert first > 0.8 and second < first
    with pytest.raises(ValueError, match="unknown projection"):
        project(two_clusters(), "umap")
    with pytest.raises(ValueError, match="at least 3 words"):
        project(np.zeros((2, 4)), "pca")


def test_class_lean_follows_the_labels():
    data = sentiment_data(120)  # "good" only in positive sentences; filler words in both
    leans = class_lean("sentiment", data, ["negative", "positive"])
    assert leans["good"].label == "positive" and leans["good"].log_odds > 2
    assert leans["the"].log_odds < leans["good"].log_odds / 3  # a filler word hardly leans
    assert class_lean("sentiment", [], ["negative", "positive"]) == {}


def test_initial_embedding_is_the_start_training_had(monkeypatch):
    seen = {}
    real_train = pipeline.train

    def spy(model, *args, **kwargs):
        seen["start"] = model.embedding.weight.detach().clone()
        return real_train(model, *args, **kwargs)

    monkeypatch.setattr(pipeline, "train", spy)
    spec = pipeline.FitSpec(task="sentiment", cell="gru", embedding_dim=8, hidden_size=6)
    fitted = pipeline.fit(spec, TrainConfig(epochs=2, batch_size=8, device="cpu", seed=7), sentiment_data(40))
    before = initial_embedding(Checkpoint(fitted.model, fitted.encoder, fitted.card))
    assert before is not None
    torch.testing.assert_close(before.vectors, seen["start"], rtol=0, atol=0)
    assert not torch.equal(before.vectors, fitted.model.embedding.weight)  # training moved it
    assert initial_embedding(Checkpoint(fitted.model, fitted.encoder, {})) is None


def test_projector_figure_colours_names_and_rings():
    points = two_clusters(5, 4)[:, :2]
    words = [f"w{i}" for i in range(10)]
    leans = [Lean("positive", 3.0, 9), Lean(None, 0.0, 2)] + [None] * 8
    fig = projector_figure(points, words, leans, 3, "t", highlight=["w4", "w1", "nope"])
    dots, names, ring, ring_names = fig.data
    assert list(dots.marker.color[:2]) == [palette.lean_color("positive", 3.0), palette.LEAN_NONE]
    assert list(ring.text) == ["w4", "w1"]
    assert set(ring_names.text) <= {"w4", "w1"} and set(names.text) <= {"w0", "w2"}  # a ringed word is named once
    assert names.showlegend is False and ring_names.showlegend is False  # no small fixed-size "Aa" in the legend
    assert "unitless" in fig.layout.xaxis.title.text
    assert len(projector_figure(points, words, leans, 0, "t").data) == 2  # nothing searched: no ring


def test_projector_labels_never_cover_each_other():
    from seqcore.projector import Label, _box, axis_ranges, place_labels

    rng = np.random.default_rng(0)
    points = rng.normal(size=(300, 2))
    words = [f"word{i}" for i in range(300)]
    for font in (11, 18):
        kept = place_labels(points, words, [Label(i, "top") for i in range(200)], font, (300, 380))
        assert 5 < len(kept) < 200  # some fit, not all: a crowded map names only what it can
        (x0, x1), (y0, y1) = axis_ranges(points)
        boxes = [
            _box(
                (points[k.index, 0] - x0) / (x1 - x0) * 300,
                (y1 - points[k.index, 1]) / (y1 - y0) * 380,
                words[k.index],
                "top",
                font,
            )
            for k in kept
        ]
        assert all(0 <= b[0] and b[2] <= 300 and 0 <= b[1] and b[3] <= 380 for b in boxes)
        for i, a in enumerate(boxes):
            for b in boxes[i + 1 :]:
                assert not (a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3])
    far = np.array([[0.0, 0.0], [10.0, 10.0], [0.0, 10.0], [10.0, 0.0], [5.0, 5.0]])
    assert len(place_labels(far, ["a", "b", "c", "d", "e"], [Label(i, "top") for i in range(5)], 18)) >= 3  # room: named
    bigger = place_labels(points, words, [Label(i, "top") for i in range(200)], 18, (300, 380))
    smaller = place_labels(points, words, [Label(i, "top") for i in range(200)], 11, (300, 380))
    assert len(bigger) < len(smaller)  # a projector's larger font names fewer words


def test_initial_embedding_of_a_model_started_from_vectors(monkeypatch, tmp_path):
    from seqcore.embeddings import SkipGramConfig, train_skipgram

    vectors = train_skipgram([e.tokens for e in sentiment_data(60)], SkipGramConfig(dim=8, epochs=1, min_count=1))
    vectors.save(tmp_path / "v")
    seen = {}
    real_train = pipeline.train

    def spy(model, *args, **kwargs):
        seen["start"] = model.embedding.weight.detach().clone()
        return real_train(model, *args, **kwargs)

    monkeypatch.setattr(pipeline, "train", spy)
    spec = pipeline.FitSpec(task="sentiment", cell="gru", hidden_size=6, embeddings=str(tmp_path / "v"))
    fitted = pipeline.fit(spec, TrainConfig(epochs=1, batch_size=8, device="cpu"), sentiment_data(40))
    before = initial_embedding(Checkpoint(fitted.model, fitted.encoder, fitted.card))
    assert before is not None and before.card["from"] == str(tmp_path / "v")
    torch.testing.assert_close(before.vectors, seen["start"], rtol=0, atol=0)
