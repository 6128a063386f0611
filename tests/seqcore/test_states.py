"""Recorded states: every layer and direction, in token order, equal to running each fused module on one sentence alone."""

from __future__ import annotations

import itertools

import pytest
import torch

from seqcore.models import ModelConfig, SequenceModel
from seqcore.states import StateRecorder, layer_states


def random_model(cell: str, layers: int, bi: bool, impl: str = "padded", seed: int = 0) -> SequenceModel:
    torch.manual_seed(seed)
    cfg = ModelConfig(
        "sentiment", 50, 2, cell=cell, embedding_dim=6, hidden_size=5, num_layers=layers, bidirectional=bi, rnn_impl=impl
    )
    model = SequenceModel(cfg)
    with torch.no_grad():
        for p in model.encoder.parameters():
            p.uniform_(-0.8, 0.8)
    return model.eval()


def alone(model: SequenceModel, ids: torch.Tensor) -> list[torch.Tensor]:
    """Each layer-direction's outputs (T, H) for one unpadded sentence: backward reads it flipped."""
    x = model.embedding(ids.unsqueeze(0))  # (1, T, E)
    out = []
    for directions in model.encoder.layers:
        outs = [directions[0](x)[0]]
        if len(directions) == 2:
            outs.append(directions[1](x.flip(1))[0].flip(1))
        out.extend(o[0] for o in outs)
        x = torch.cat(outs, dim=-1)
    return out


@pytest.mark.parametrize(
    "cell,layers,bi,impl", list(itertools.product(["rnn", "gru", "lstm"], [1, 2], [False, True], ["padded", "packed"]))
)
def test_layer_states_equal_each_sentence_run_alone(cell, layers, bi, impl):
    model = random_model(cell, layers, bi, impl)
    gen = torch.Generator().manual_seed(1)
    lengths = torch.tensor([7, 3, 5, 1])
    ids = torch.zeros(4, 7, dtype=torch.long)
    for b, n in enumerate(lengths):
        ids[b, :n] = torch.randint(2, 50, (int(n),), generator=gen)
    states = layer_states(model, ids, lengths)
    assert [(layer, d) for layer, d, _ in states] == [
        (layer, d) for layer in range(layers) for d in (["forward", "backward"] if bi else ["forward"])
    ]
    with torch.no_grad():
        for b, n in enumerate(lengths.tolist()):
            expected = alone(model, ids[b, :n])
            for (_, _, h), ref in zip(states, expected):
                torch.testing.assert_close(h[b, :n], ref, atol=1e-6, rtol=1e-5)
        top = torch.cat([h for layer, _, h in states if layer == layers - 1], dim=-1)
        out = model.encode(ids, lengths)
        for b, n in enumerate(lengths.tolist()):
            torch.testing.assert_close(top[b, :n], out[b, :n], atol=1e-6, rtol=1e-5)


def test_recorder_gives_graph_tensors_and_removes_its_hooks():
    model = random_model("lstm", 2, True)
    ids, lengths = torch.randint(2, 50, (2, 4)), torch.tensor([4, 4])
    with StateRecorder(model) as rec:
        logits = model(ids, lengths)
    assert len(rec.records) == 4
    grads = torch.autograd.grad(logits[:, 0].sum(), [r.raw for r in rec.records])
    assert all(g.shape == r.raw.shape and g.abs().sum() > 0 for g, r in zip(grads, rec.records))
    model(ids, lengths)
    assert len(rec.records) == 4  # hooks are gone after the block


def test_threads_sharing_one_model_record_only_their_own_passes():
    """A server's sessions share a model, each in its own thread: a recorder sees its own thread's forward passes
    only, and the fused path of the other threads stays on (tried with many interleavings)."""
    import threading

    model = random_model("gru", 2, True, "packed")
    gen = torch.Generator().manual_seed(3)
    batches = []
    for n in (9, 2, 6, 4):
        ids = torch.randint(2, 50, (3, n), generator=gen)
        lengths = torch.tensor([n, max(1, n - 1), max(1, n // 2)])
        batches.append((ids, lengths, layer_states(model, ids, lengths)))
    logits = [model(ids, lengths).detach() for ids, lengths, _ in batches]
    problems: list[str] = []

    def work(k: int) -> None:
        ids, lengths, expected = batches[k % len(batches)]
        for _ in range(60):
            got = layer_states(model, ids, lengths)
            if len(got) != len(expected) or any(not torch.allclose(g[2], e[2]) for g, e in zip(got, expected)):
                problems.append(f"thread {k}: states mixed with another thread's")
                return
            if not torch.allclose(model(ids, lengths), logits[k % len(batches)], atol=1e-6):
                problems.append(f"thread {k}: logits changed")
                return

    threads = [threading.Thread(target=work, args=(k,)) for k in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert problems == []
    assert model.encoder.fuse_directions is True
