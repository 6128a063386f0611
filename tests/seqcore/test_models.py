"""Models: padding never changes a result; padded and packed paths agree; configs validate."""

from __future__ import annotations

import itertools

import pytest
import torch
from torch import nn

from seqcore.models import ModelConfig, SequenceModel, count_parameters, reverse_within_length

CELLS = ["rnn", "gru", "lstm"]
WITH_VARIANTS = [*CELLS, "lstm-peephole", "lstm-fgr", "mgu"]  # a variant runs its LoopCell on the padded batch, masked


def make(
    task: str, cell: str, bi: bool, pooling: str = "last", layers: int = 2, chars: int = 0, impl: str = "padded"
) -> SequenceModel:
    torch.manual_seed(0)
    cfg = ModelConfig(
        task=task,
        vocab_size=40,
        num_classes=3,
        cell=cell,
        embedding_dim=7,
        hidden_size=5,
        num_layers=layers,
        bidirectional=bi,
        pooling=pooling,
        char_vocab_size=chars,
        char_dim=4,
        char_filters=3,
        rnn_impl=impl,
    )
    return SequenceModel(cfg).eval()


def test_reverse_within_length_reverses_real_tokens_only():
    x = torch.tensor([[1, 2, 3, 0, 0], [4, 5, 6, 7, 8]])
    out = reverse_within_length(x, torch.tensor([3, 5]))
    assert out.tolist() == [[3, 2, 1, 0, 0], [8, 7, 6, 5, 4]]
    assert torch.equal(reverse_within_length(out, torch.tensor([3, 5])), x)  # an involution


@pytest.mark.parametrize("cell,bi,pooling", list(itertools.product(WITH_VARIANTS, [False, True], ["last", "mean", "max"])))
def test_sentence_logits_same_alone_and_in_padded_batch(cell, bi, pooling):
    model = make("sentiment", cell, bi, pooling)
    short = torch.tensor([5, 9, 3])
    batch = torch.tensor([[5, 9, 3, 0, 0, 0, 0], [2, 8, 8, 11, 4, 6, 7], [13, 4, 0, 0, 0, 0, 0]])
    lengths = torch.tensor([3, 7, 2])
    with torch.no_grad():
        alone = model(short.unsqueeze(0), torch.tensor([3]))[0]
        batched = model(batch, lengths)[0]
        # Garbage ids in the padding must not leak in either.
        noisy = batch.clone()
        noisy[0, 3:] = 17
        batched_noisy = model(noisy, lengths)[0]
    torch.testing.assert_close(alone, batched, atol=1e-6, rtol=0)
    torch.testing.assert_close(alone, batched_noisy, atol=1e-6, rtol=0)


@pytest.mark.parametrize("cell,bi", list(itertools.product(WITH_VARIANTS, [False, True])))
def test_tagging_and_aspect_logits_ignore_padding(cell, bi):
    tagger = make("tagging", cell, bi, chars=12)
    ids = torch.tensor([[3, 4, 5, 0], [6, 7, 8, 9]])
    chars = torch.randint(1, 12, (2, 4, 6))
    chars[0, 3] = 0
    chars[0, :, 4:] = 0  # words in row 0 are shorter than the batch's longest word
    with torch.no_grad():
        alone = tagger(ids[:1, :3], torch.tensor([3]), chars=chars[:1, :3, :4])[0]
        batched = tagger(ids, torch.tensor([3, 4]), chars=chars)[0, :3]
    torch.testing.assert_close(alone, batched, atol=1e-6, rtol=0)

    aspect = make("aspect", cell, bi)
    mask = torch.zeros(2, 2, 4)
    mask[0, 0, 1] = 1.0
    mask[0, 1, 2] = 1.0
    mask[1, 0, 0:2] = 1.0
    with torch.no_grad():
        both = aspect(ids, torch.tensor([3, 4]), aspect_mask=mask)
        first_alone = aspect(ids[:1, :3], torch.tensor([3]), aspect_mask=mask[:1, :1, :3])
    assert both.shape == (2, 2, 3)
    torch.testing.assert_close(both[0, 0], first_alone[0, 0], atol=1e-6, rtol=0)


def test_aspect_prediction_depends_only_on_its_own_tokens_mask():
    model = make("aspect", "lstm", True)
    ids = torch.tensor([[3, 4, 5, 6]])
    m1 = torch.tensor([[[0.0, 1, 0, 0], [0, 0, 0, 1]]])
    with torch.no_grad():
        out = model(ids, torch.tensor([4]), aspect_mask=m1)
        enc = model.encode(ids, torch.tensor([4]))
        expected = model.head(enc[0, 1])
    torch.testing.assert_close(out[0, 0], expected)
    assert not torch.allclose(out[0, 0], out[0, 1])


@pytest.mark.parametrize("cell,bi", list(itertools.product(WITH_VARIANTS, [False, True])))
def test_padded_path_equals_packed_path(cell, bi):
    padded = make("tagging", cell, bi)
    packed = make("tagging", cell, bi, impl="packed")
    packed.load_state_dict(padded.state_dict())
    ids = torch.tensor([[3, 4, 5, 0, 0], [6, 7, 8, 9, 10], [11, 0, 0, 0, 0]])
    lengths = torch.tensor([3, 5, 1])
    with torch.no_grad():
        a, b = padded.encode(ids, lengths), packed.encode(ids, lengths)
    for row, n in enumerate(lengths.tolist()):
        torch.testing.assert_close(a[row, :n], b[row, :n], atol=1e-6, rtol=0)


@pytest.mark.parametrize("cell,bi", list(itertools.product(CELLS, [False, True])))
def test_auto_path_equals_both_exact_paths_and_takes_the_table_s_choice(cell, bi, monkeypatch):
    import seqcore.models as models

    padded = make("tagging", cell, bi)
    auto = make("tagging", cell, bi, impl="auto")
    auto.load_state_dict(padded.state_dict())
    dense = (torch.tensor([[3, 4, 5, 6, 7], [6, 7, 8, 9, 10], [11, 12, 13, 14, 0]]), torch.tensor([5, 5, 4]))  # 7% padding
    sparse = (torch.tensor([[3, 4, 0, 0, 0], [6, 7, 8, 9, 10], [11, 0, 0, 0, 0]]), torch.tensor([2, 5, 1]))  # 47% padding
    original = models.fastest_path
    for ids, lengths in (dense, sparse):
        taken: list[str] = []

        def spy(*args, taken=taken):
            taken.append(original(*args))
            return taken[-1]

        monkeypatch.setattr(models, "fastest_path", spy)
        with torch.no_grad():
            a, b = padded.encode(ids, lengths), auto.encode(ids, lengths)
        for row, n in enumerate(lengths.tolist()):
            torch.testing.assert_close(a[row, :n], b[row, :n], atol=1e-6, rtol=0)
        threshold = models.PACKED_ABOVE_PADDING.get((cell, "cpu"))
        share = 1 - lengths.sum().item() / lengths.numel() / ids.shape[1]
        assert taken == ["packed" if threshold is not None and share > threshold else "padded"]
        monkeypatch.undo()


@pytest.mark.parametrize("cell", CELLS)
def test_packed_bidirectional_layers_run_fused_and_equal_each_direction_run_alone(cell):
    model = make("tagging", cell, True, impl="packed")
    assert all(p.device.type == "cpu" for p in model.state_dict().values())  # the fused call's template holds no weights
    assert not any("reverse" in k for k in model.state_dict())  # and adds no keys: checkpoints are unchanged
    ids = torch.tensor([[3, 4, 5, 0, 0], [6, 7, 8, 9, 10], [11, 0, 0, 0, 0]])
    lengths = torch.tensor([3, 5, 1])
    with torch.no_grad():
        fused = model.encode(ids, lengths)
        model.encoder.fuse_directions = False
        apart = model.encode(ids, lengths)
    for row, n in enumerate(lengths.tolist()):
        torch.testing.assert_close(fused[row, :n], apart[row, :n], atol=1e-6, rtol=0)
    # Gradients reach both directions' own modules through the fused call.
    model.encoder.fuse_directions = True
    model.encode(ids, lengths).sum().backward()
    for directions in model.encoder.rnns():
        assert all(rnn.weight_hh_l0.grad is not None and rnn.weight_hh_l0.grad.abs().sum() > 0 for rnn in directions)


def test_fastest_path_follows_the_table_and_never_reads_a_gpu_batch(monkeypatch):
    import seqcore.models as models

    monkeypatch.setattr(models, "PACKED_ABOVE_PADDING", {("gru", "cpu"): 0.3})
    lengths = torch.tensor([10, 2, 2, 2])  # 55% padding at T = 10
    assert models.fastest_path("gru", "cpu", lengths, 10) == "packed"
    assert models.fastest_path("gru", "cpu", torch.tensor([10, 9, 8, 9]), 10) == "padded"
    assert models.fastest_path("lstm", "cpu", lengths, 10) == "padded"  # no entry: padded is never slower
    assert models.fastest_path("gru", "cuda", lengths, 10) == "padded"
    assert models.fastest_path("gru", "cpu", lengths.to("meta"), 10) == "padded"  # lengths off the CPU are not read


def test_new_models_choose_their_path_and_a_stored_path_is_kept():
    assert ModelConfig(task="sentiment", vocab_size=5, num_classes=2).rnn_impl == "auto"
    # Shipped checkpoints say "padded": a stored choice is honoured as it is, so their outputs never change.
    cfg = ModelConfig.from_dict({**ModelConfig(task="sentiment", vocab_size=5, num_classes=2).to_dict(), "rnn_impl": "padded"})
    x = torch.zeros(4, 10, 3)
    assert SequenceModel(cfg).encoder.path(x, torch.tensor([10, 1, 1, 1])) == "padded"
    with pytest.raises(ValueError, match=r"rnn_impl must be one of \('auto', 'padded', 'packed'\)"):
        ModelConfig(task="sentiment", vocab_size=5, num_classes=2, rnn_impl="fast")


def test_config_rejects_bad_values_and_round_trips():
    with pytest.raises(ValueError, match="cell must be one of"):
        ModelConfig(task="sentiment", vocab_size=10, num_classes=2, cell="transformer")
    with pytest.raises(ValueError, match="pooling must be one of"):
        ModelConfig(task="sentiment", vocab_size=10, num_classes=2, pooling="attention")
    with pytest.raises(ValueError, match="task must be one of"):
        ModelConfig(task="translation", vocab_size=10, num_classes=2)
    cfg = ModelConfig(task="aspect", vocab_size=10, num_classes=3, bidirectional=True)
    assert ModelConfig.from_dict(cfg.to_dict()) == cfg
    with pytest.raises(ValueError, match="unknown keys"):
        ModelConfig.from_dict({**cfg.to_dict(), "heads": 4})


def test_parameter_count_matches_formula():
    model = make("sentiment", "lstm", True, layers=1)
    E, H, V, C = 7, 5, 40, 3
    per_direction = 4 * H * (E + H) + 8 * H
    assert count_parameters(model) == V * E + 2 * per_direction + (2 * H) * C + C


@pytest.mark.parametrize("cell,bi,layers", list(itertools.product(CELLS, [False, True], [1, 2])))
def test_last_pooling_on_the_packed_path_reads_final_states_equal_to_the_padded_path(cell, bi, layers):
    """Pooling "last" on the packed path reads h_n (no output unpacked): same logits and gradients as the padded path."""
    padded = make("sentiment", cell, bi, layers=layers)
    packed = make("sentiment", cell, bi, layers=layers, impl="packed")
    packed.load_state_dict(padded.state_dict())
    ids = torch.tensor([[3, 4, 5, 0, 0], [6, 7, 8, 9, 10], [11, 0, 0, 0, 0]])
    lengths = torch.tensor([3, 5, 1])
    calls = []
    handle = packed.encoder.register_forward_hook(lambda *_: calls.append("unpacked every output"))
    a, b = padded(ids, lengths), packed(ids, lengths)
    handle.remove()
    assert calls == []  # the shortcut was taken: the encoder's per-token forward never ran
    torch.testing.assert_close(a, b, atol=1e-6, rtol=0)
    a.square().sum().backward()
    b.square().sum().backward()
    for (name, pa), pb in zip(padded.named_parameters(), packed.parameters()):
        torch.testing.assert_close(pa.grad, pb.grad, atol=1e-5, rtol=1e-4, msg=name)
    with torch.no_grad():
        packed.encoder._fuse = lambda path, x: False  # as on a GPU: each direction's module on its own
        torch.testing.assert_close(packed(ids, lengths), a.detach(), atol=1e-6, rtol=0)
        packed.encoder.fuse_directions = False  # as a state recorder sets it: every token's output, through pooling
        torch.testing.assert_close(packed(ids, lengths), a.detach(), atol=1e-6, rtol=0)


@pytest.mark.parametrize("cell", CELLS)
def test_auto_reads_final_states_by_the_final_only_table(cell):
    """A last-pooling sentence model on "auto" goes packed (reading h_n) where PACKED_ABOVE_PADDING_FINAL says so."""
    import seqcore.models as models

    padded = make("sentiment", cell, True)
    auto = make("sentiment", cell, True, impl="auto")
    auto.load_state_dict(padded.state_dict())
    ids = torch.tensor([[3, 4, 0, 0, 0], [6, 7, 8, 9, 10], [11, 0, 0, 0, 0]])  # 47% padding
    lengths = torch.tensor([2, 5, 1])
    unpacked = []
    handle = auto.encoder.register_forward_hook(lambda *_: unpacked.append(True))
    with torch.no_grad():
        torch.testing.assert_close(padded(ids, lengths), auto(ids, lengths), atol=1e-6, rtol=0)
    handle.remove()
    final_table = (cell, "cpu") in models.PACKED_ABOVE_PADDING_FINAL
    assert unpacked == ([] if final_table else [True])
    assert models.fastest_path(cell, "cpu", lengths, 5, final_only=True) == ("packed" if final_table else "padded")


def test_embedding_draws_what_nn_embedding_draws_and_nothing_on_meta():
    from seqcore.models import embedding

    torch.manual_seed(3)
    usual = nn.Embedding(50, 7, padding_idx=0)
    torch.manual_seed(3)
    ours = embedding(50, 7)
    assert torch.equal(usual.weight, ours.weight) and ours.padding_idx == 0 and ours.weight.requires_grad
    assert torch.equal(ours.weight[0], torch.zeros(7))
    with torch.device("meta"):
        assert embedding(50, 7).weight.is_meta


def test_loading_a_checkpoint_does_not_import_torch_dynamo():
    """The shape check builds a meta model; nn.init.normal_ on meta would import torch._dynamo (1.5-2.5 s)."""
    import subprocess
    import sys
    from pathlib import Path

    root = Path(__file__).resolve().parents[2]
    code = (
        "import sys; from seqcore.checkpoints import load_checkpoint; load_checkpoint('models/sentiment-lstm'); "
        "print('torch._dynamo' in sys.modules)"
    )
    out = subprocess.run([sys.executable, "-c", code], cwd=root, capture_output=True, text=True, check=True).stdout
    assert out.strip() == "False"
