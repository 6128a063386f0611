"""Recurrent classifiers for three tasks: whole-sentence, aspect and per-token labels.

The recurrent layers are the fused `torch.nn.RNN`/`GRU`/`LSTM` modules, one module per
layer and direction, so `seqcore.traces` can recompute each one from its own weights with
the equations of the PyTorch documentation, written once in `seqcore.cells`.

Speed: the fused cell runs on the padded batch (bucketed by length, so little padding),
the last relevant output is gathered at each sequence's length, and the backward
direction reads each sequence reversed within its own length. On a 2-core CPU this is
2-3x faster than `pack_padded_sequence` for the LSTM and exact for every real token (see bench/).
`rnn_impl="packed"` runs the same modules on packed batches; `rnn_impl="auto"` (the default
of new models) takes the faster of the two exact paths per cell, device type and batch
(`fastest_path`).

Models return logits; the loss is `seqcore.scoring.task_loss`, which `seqcore.training` minimises.
"""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Iterator
from dataclasses import MISSING, asdict, dataclass, fields
from typing import Any, cast

import torch
from torch import nn
from torch.func import functional_call

from seqcore.cellnets import LoopCell
from seqcore.cells import CELLS, cell_spec
from seqcore.taskspecs import TASKS

POOLINGS = ("last", "mean", "max")
RNN_IMPLS = ("auto", "padded", "packed")

# The padding share of a batch above which the packed path is the faster one, per (cell, device type);
# no entry: the padded path is never slower. Measured with `python bench/bench_rnn_paths.py --sweep`
# (forward + backward, batch 64, embedding 100, hidden 128; docs/speed.md).
PACKED_ABOVE_PADDING: dict[tuple[str, str], float] = {("gru", "cpu"): 0.4}
# The same for a batch whose model reads only the top layer's final states (sentiment, pooling "last": the packed
# path then takes h_n and unpacks no output): the packed path wins earlier (1-thread sweep: GRU packed 0.95-1.00x of
# padded at 26%, 0.79-0.85x at 43%; RNN 0.88-1.05x at 26%, 0.84-1.02x at 32%, 0.74-0.91x at 43%; LSTM never).
PACKED_ABOVE_PADDING_FINAL: dict[tuple[str, str], float] = {("gru", "cpu"): 0.25, ("rnn", "cpu"): 0.3}


@dataclass
class ModelConfig:
    """Everything needed to rebuild a model's shapes; saved as config.json."""

    task: str
    vocab_size: int
    num_classes: int
    cell: str = "lstm"
    embedding_dim: int = 100
    hidden_size: int = 128
    num_layers: int = 1
    bidirectional: bool = False
    dropout: float = 0.3  # on embeddings, between layers and before the head (training only)
    pooling: str = "last"  # sentiment only: last relevant output, or mean/max over real tokens
    char_vocab_size: int = 0  # > 0 adds a character CNN to each word's embedding
    char_dim: int = 30
    char_filters: int = 50
    rnn_impl: str = "auto"  # "padded" (reverse within length), "packed", or "auto": the faster per batch (fastest_path)

    def __post_init__(self) -> None:
        checks = [
            (self.task in TASKS, f"task must be one of {TASKS}, got {self.task!r}"),
            (self.cell in CELLS, f"cell must be one of {CELLS}, got {self.cell!r}"),
            (self.pooling in POOLINGS, f"pooling must be one of {POOLINGS}, got {self.pooling!r}"),
            (self.rnn_impl in RNN_IMPLS, f"rnn_impl must be one of {RNN_IMPLS}, got {self.rnn_impl!r}"),
            (self.vocab_size >= 2, f"vocab_size must be >= 2, got {self.vocab_size}"),
            (self.num_classes >= 2, f"num_classes must be >= 2, got {self.num_classes}"),
            (self.num_layers >= 1, f"num_layers must be >= 1, got {self.num_layers}"),
            (self.hidden_size >= 1 and self.embedding_dim >= 1, "hidden_size and embedding_dim must be >= 1"),
            (0.0 <= self.dropout < 1.0, f"dropout must be in [0, 1), got {self.dropout}"),
        ]
        for ok, message in checks:
            if not ok:
                raise ValueError(message)

    @property
    def num_directions(self) -> int:
        return 2 if self.bidirectional else 1

    @property
    def output_size(self) -> int:
        return self.hidden_size * self.num_directions

    @property
    def input_size(self) -> int:
        return self.embedding_dim + (self.char_filters if self.char_vocab_size else 0)

    def to_dict(self) -> dict:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict) -> ModelConfig:
        known = {f.name for f in fields(cls)}
        unknown = sorted(set(data) - known)
        if unknown:
            raise ValueError(f"config.json has unknown keys {unknown}: it was written by another seqcore version")
        return cls(**data)


def defaults(config: type) -> dict[str, Any]:
    """Return the default of every field of a config dataclass that has one: the one place defaults are written.

    `FitSpec`, the CLI's flags and the app's Train page read `defaults(ModelConfig)["hidden_size"]` and the like.
    """
    out = {}
    for f in fields(config):
        if f.default is not MISSING:
            out[f.name] = f.default
        elif f.default_factory is not MISSING:
            out[f.name] = f.default_factory()
    return out


_UNFUSED = threading.local()  # per thread: how many StateRecorders want each direction's own module to run


@contextlib.contextmanager
def directions_unfused() -> Iterator[None]:
    """In this thread only, run each direction's own module (no fused bidirectional call) until the block ends.

    A server shares one model between sessions that run in threads of their own: what one of them records
    (seqcore.states) must not change how the others compute, so this is a thread's state, not the model's.
    """
    _UNFUSED.depth = getattr(_UNFUSED, "depth", 0) + 1
    try:
        yield
    finally:
        _UNFUSED.depth -= 1


def _fusing(encoder: Any) -> bool:
    return bool(encoder.fuse_directions) and not getattr(_UNFUSED, "depth", 0)


def reverse_within_length(x: torch.Tensor, lengths: torch.Tensor) -> torch.Tensor:
    """Reverse each sequence of a padded (B, T, ...) batch within its own length; padding stays put."""
    B, T = x.shape[:2]
    steps = torch.arange(T, device=x.device).unsqueeze(0).expand(B, T)  # (B, T)
    lens = lengths.to(x.device).unsqueeze(1)  # (B, 1)
    index = torch.where(steps < lens, lens - 1 - steps, steps)  # (B, T): an involution
    index = index.view(B, T, *([1] * (x.dim() - 2))).expand_as(x)
    return x.gather(1, index)


def fastest_path(cell: str, device_type: str, lengths: torch.Tensor, T: int, final_only: bool = False) -> str:
    """Return the faster exact path, "padded" or "packed", for a batch of `lengths` padded to T steps.

    Both paths compute the same outputs at every real token (to float rounding). The padded one
    also runs the cell over padding, so it loses only where that work outweighs packing's
    overhead: see PACKED_ABOVE_PADDING, and PACKED_ABOVE_PADDING_FINAL when `final_only` (the model reads
    only the top layer's final states, so the packed path unpacks nothing). The padding share is read only from lengths on the CPU
    (reading a GPU batch's would stall the device); a GPU batch takes the padded path.
    """
    threshold = (PACKED_ABOVE_PADDING_FINAL if final_only else PACKED_ABOVE_PADDING).get((cell, device_type))
    if threshold is None or lengths.device.type != "cpu" or T == 0:
        return "padded"
    share = 1.0 - int(lengths.sum()) / (lengths.shape[0] * T)
    return "packed" if share > threshold else "padded"


def length_mask(lengths: torch.Tensor, T: int) -> torch.Tensor:
    """Return a (B, T) bool mask that is True at real tokens."""
    return torch.arange(T, device=lengths.device).unsqueeze(0) < lengths.unsqueeze(1)


def pool_outputs(cfg: ModelConfig, out: torch.Tensor, lengths: torch.Tensor) -> torch.Tensor:
    """Pool (B, T, D) encoder outputs to (B, D) over real tokens only: `cfg.pooling` last, mean or max."""
    B, T, D = out.shape
    mask = length_mask(lengths.to(out.device), T).unsqueeze(-1)  # (B, T, 1)
    if cfg.pooling == "mean":
        return (out * mask).sum(1) / lengths.to(out.device).unsqueeze(1).clamp(min=1)
    if cfg.pooling == "max":
        return out.masked_fill(~mask, float("-inf")).max(dim=1).values
    H = cfg.hidden_size
    last = (lengths.to(out.device) - 1).clamp(min=0).view(B, 1, 1).expand(B, 1, D)
    pooled = out.gather(1, last).squeeze(1)  # (B, D): forward state after the last real token
    if cfg.bidirectional:
        # The backward direction's last step is at token 0 (it read the sentence right to left).
        pooled = torch.cat([pooled[:, :H], out[:, 0, H:]], dim=-1)
    return pooled


def make_rnn(cell: str, input_size: int, hidden_size: int) -> nn.RNNBase:
    """Return one single-layer, single-direction recurrent module: fused (the RNN's nonlinearity is tanh), or for a
    variant cell a `seqcore.cellnets.LoopCell`, which has the fused modules' parameter names and call convention."""
    spec = cell_spec(cell)
    if not spec.fused:
        return cast(nn.RNNBase, LoopCell(cell, input_size, hidden_size))
    return getattr(nn, spec.module)(input_size, hidden_size, batch_first=True)


def embedding(num: int, dim: int) -> nn.Embedding:
    """``nn.Embedding(num, dim, padding_idx=0)`` with the same N(0, 1) draw, row 0 zeroed, but none on the meta device.

    ``torch.nn.init.normal_`` on a meta tensor runs ``torch._refs.normal_``, whose first call imports
    ``torch._dynamo``: 1.5-2.5 s on a 2-core machine, paid by the first model loaded (checkpoints build a
    meta model to check shapes). Drawing the weight here takes the same random numbers on a real device
    (so seeded training is unchanged) and none on meta.
    """
    weight = torch.empty(num, dim)  # (V, E), on the current default device
    if not weight.is_meta:
        with torch.no_grad():
            weight.normal_()
            weight[0].fill_(0)
    return nn.Embedding(num, dim, padding_idx=0, _weight=weight)


class CharCNN(nn.Module):
    """Character features of each word: embed, convolve (width 3), max over the word's real characters."""

    def __init__(self, char_vocab_size: int, char_dim: int, filters: int) -> None:
        super().__init__()
        self.embedding = embedding(char_vocab_size, char_dim)
        self.conv = nn.Conv1d(char_dim, filters, kernel_size=3, padding=1)

    def forward(self, chars: torch.Tensor) -> torch.Tensor:
        B, T, L = chars.shape
        e = self.embedding(chars.view(B * T, L))  # (B*T, L, C)
        y = self.conv(e.transpose(1, 2))  # (B*T, F, L)
        real = chars.view(B * T, 1, L) != 0  # (B*T, 1, L)
        # Mask padding characters so a longer word elsewhere in the batch never changes this word.
        y = y.masked_fill(~real, float("-inf")).max(dim=2).values  # (B*T, F)
        y = torch.where(torch.isfinite(y), y, torch.zeros_like(y))  # padding words -> 0
        return y.view(B, T, -1)  # (B, T, F)


class RecurrentEncoder(nn.Module):
    """Stacked (bi)directional recurrent layers, one fused module per layer and direction."""

    def __init__(self, cfg: ModelConfig) -> None:
        super().__init__()
        self.cfg = cfg
        self.layers = nn.ModuleList()
        for layer in range(cfg.num_layers):
            size_in = cfg.input_size if layer == 0 else cfg.output_size
            self.layers.append(nn.ModuleList(make_rnn(cfg.cell, size_in, cfg.hidden_size) for _ in range(cfg.num_directions)))
        self.between = nn.Dropout(cfg.dropout)
        # The packed path runs a bidirectional layer's two modules as one fused bidirectional call (what
        # nn.GRU(bidirectional=True) computes), with these shapes: weightless (meta) and unregistered, so the
        # state dict is unchanged. StateRecorder turns fusing off in its own thread (directions_unfused), as it
        # hooks each direction's own module.
        self.fuse_directions = True
        self._bidirectional: list[nn.RNNBase] = []
        self.looped = not cell_spec(cfg.cell).fused  # a variant: LoopCell on the padded batch, with masking
        if cfg.bidirectional and not self.looped:
            module = getattr(nn, cell_spec(cfg.cell).module)
            for layer in range(cfg.num_layers):
                size_in = cfg.input_size if layer == 0 else cfg.output_size
                self._bidirectional.append(module(size_in, cfg.hidden_size, batch_first=True, bidirectional=True, device="meta"))

    def rnns(self) -> list[list[nn.RNNBase]]:
        """Return the fused modules, layer by layer: [forward] or [forward, backward] for each layer."""
        return [[cast(nn.RNNBase, rnn) for rnn in cast(nn.ModuleList, directions)] for directions in self.layers]

    def path(self, x: torch.Tensor, lengths: torch.Tensor, final_only: bool = False) -> str:
        """Return the path this batch takes: the configured one, or for "auto" the faster one (`fastest_path`);
        `final_only` when only the top layer's final states are read (`final_states`)."""
        if self.looped:  # a LoopCell masks the padded batch itself: exact, and no packing to undo
            return "padded"
        if self.cfg.rnn_impl != "auto":
            return self.cfg.rnn_impl
        return fastest_path(self.cfg.cell, x.device.type, lengths, x.shape[1], final_only)

    def _run(self, rnn: nn.RNNBase, x: torch.Tensor, lengths: torch.Tensor, path: str) -> torch.Tensor:
        if path == "packed":
            packed = nn.utils.rnn.pack_padded_sequence(x, lengths.cpu(), batch_first=True, enforce_sorted=False)
            out, _ = rnn(packed)
            out, _ = nn.utils.rnn.pad_packed_sequence(out, batch_first=True, total_length=x.shape[1])
            return out  # (B, T, H), zeros at padding
        if self.looped:
            return cast(LoopCell, rnn)(x, None, lengths)[0]  # (B, T, H), zeros at padding
        out, _ = rnn(x)  # (B, T, H); padded steps come after every real step, so they never leak back
        return out

    def _packed_bidirectional(
        self, layer: int, directions: list[nn.RNNBase], x: torch.Tensor, lengths: torch.Tensor
    ) -> torch.Tensor:
        """Run both directions of a layer on the packed batch in one fused call; (B, T, 2H), zeros at padding."""
        weights: dict[str, torch.Tensor] = dict(directions[0].named_parameters())
        weights.update({f"{name}_reverse": p for name, p in directions[1].named_parameters()})
        packed = nn.utils.rnn.pack_padded_sequence(x, lengths.cpu(), batch_first=True, enforce_sorted=False)
        out, _ = functional_call(self._bidirectional[layer], weights, (packed,))
        out, _ = nn.utils.rnn.pad_packed_sequence(out, batch_first=True, total_length=x.shape[1])
        return out

    def final_states(self, x: torch.Tensor, lengths: torch.Tensor) -> torch.Tensor:
        """Return the top layer's final states (B, D), computed on the packed path.

        What pooling "last" reads (the forward state after the last real token, the backward state at token 0),
        taken from the packed module's h_n instead of unpacking every token's output: the top layer's outputs
        are never materialized, which is what made the packed path slower than a plain packed classifier.
        """
        path = "packed"
        rnns = self.rnns()
        if len(rnns) > 1:
            x = self.between(self._layers(rnns[:-1], x, lengths, path))  # (B, T, D) below the top layer
        top = len(rnns) - 1
        packed = nn.utils.rnn.pack_padded_sequence(x, lengths.cpu(), batch_first=True, enforce_sorted=False)
        directions = rnns[top]
        if len(directions) == 2 and self._fuse(path, x):
            weights: dict[str, torch.Tensor] = dict(directions[0].named_parameters())
            weights.update({f"{name}_reverse": p for name, p in directions[1].named_parameters()})
            _, state = functional_call(self._bidirectional[top], weights, (packed,))
            h = state[0] if isinstance(state, tuple) else state  # (2, B, H): (h_n, c_n) for an LSTM
            return torch.cat([h[0], h[1]], dim=-1)  # (B, 2H)
        finals = []
        for d, rnn in enumerate(directions):
            source = packed
            if d == 1:  # the backward direction reads each sentence reversed within its length
                source = nn.utils.rnn.pack_padded_sequence(
                    reverse_within_length(x, lengths), lengths.cpu(), batch_first=True, enforce_sorted=False
                )
            _, state = rnn(source)
            finals.append((state[0] if isinstance(state, tuple) else state)[0])  # (B, H)
        return torch.cat(finals, dim=-1)  # (B, D)

    def _fuse(self, path: str, x: torch.Tensor) -> bool:
        # On the CPU, one fused bidirectional call beats two calls and two reversals; cuDNN wants each module's own weights.
        return path == "packed" and _fusing(self) and x.device.type == "cpu" and bool(self._bidirectional)

    def forward(self, x: torch.Tensor, lengths: torch.Tensor) -> torch.Tensor:
        """Map (B, T, E) inputs to (B, T, D) outputs; D = hidden * directions. Padding rows are garbage."""
        path = self.path(x, lengths)
        return self._layers(self.rnns(), x, lengths, path)

    def _layers(self, rnns: list[list[nn.RNNBase]], x: torch.Tensor, lengths: torch.Tensor, path: str) -> torch.Tensor:
        """Run these layers (the first ones of the encoder) on (B, T, E) inputs; (B, T, D) outputs."""
        fuse = self._fuse(path, x)
        for i, directions in enumerate(rnns):
            if i > 0:
                x = self.between(x)
            if fuse:
                x = self._packed_bidirectional(i, directions, x, lengths)  # (B, T, 2H)
                continue
            outs = [self._run(directions[0], x, lengths, path)]  # (B, T, H)
            if len(directions) == 2:
                back = self._run(directions[1], reverse_within_length(x, lengths), lengths, path)
                outs.append(reverse_within_length(back, lengths))  # (B, T, H) back in token order
            x = torch.cat(outs, dim=-1)  # (B, T, D)
        return x


class SequenceModel(nn.Module):
    """Embedding -> recurrent encoder -> task head. Returns logits.

    sentiment: (B, C) from the pooled sentence;
    aspect:    (B, A, C), one row per aspect: encoder outputs times the aspect's binary
               mask, averaged over the aspect's tokens, so one pass predicts every aspect;
    tagging:   (B, T, C), one row per token.
    """

    def __init__(self, cfg: ModelConfig) -> None:
        super().__init__()
        self.cfg = cfg
        self.embedding = embedding(cfg.vocab_size, cfg.embedding_dim)
        self.chars = CharCNN(cfg.char_vocab_size, cfg.char_dim, cfg.char_filters) if cfg.char_vocab_size else None
        self.drop = nn.Dropout(cfg.dropout)
        self.encoder = RecurrentEncoder(cfg)
        self.head = nn.Linear(cfg.output_size, cfg.num_classes)

    def embed(self, ids: torch.Tensor, chars: torch.Tensor | None = None) -> torch.Tensor:
        """Return the recurrent input (B, T, E [+ F]) for token ids (B, T) and characters (B, T, L)."""
        x = self.embedding(ids)  # (B, T, E)
        if self.chars is not None:
            if chars is None:
                raise ValueError("this model reads characters: pass the batch's chars tensor")
            x = torch.cat([x, self.chars(chars)], dim=-1)  # (B, T, E + F)
        return x

    def encode(self, ids: torch.Tensor, lengths: torch.Tensor, chars: torch.Tensor | None = None) -> torch.Tensor:
        """Return encoder outputs (B, T, D) for a padded batch."""
        return self.encoder(self.drop(self.embed(ids, chars)), lengths)

    def pool(self, out: torch.Tensor, lengths: torch.Tensor) -> torch.Tensor:
        """Pool (B, T, D) outputs to (B, D) over real tokens only, as the config's pooling says."""
        return pool_outputs(self.cfg, out, lengths)

    def classify(self, features: torch.Tensor) -> torch.Tensor:
        """Map features (..., D) to logits (..., C)."""
        return self.head(self.drop(features))

    def aspect_features(self, out: torch.Tensor, aspect_mask: torch.Tensor) -> torch.Tensor:
        """Average (B, T, D) outputs over each aspect's tokens given a (B, A, T) binary mask -> (B, A, D)."""
        masked = out.unsqueeze(1) * aspect_mask.unsqueeze(-1)  # (B, A, T, D): zero outside the aspect
        count = aspect_mask.sum(-1, keepdim=True).clamp(min=1.0)  # (B, A, 1)
        return masked.sum(2) / count  # (B, A, D)

    def forward(
        self,
        ids: torch.Tensor,
        lengths: torch.Tensor,
        aspect_mask: torch.Tensor | None = None,
        chars: torch.Tensor | None = None,
    ) -> torch.Tensor:
        if self.cfg.task == "sentiment" and self.cfg.pooling == "last" and _fusing(self.encoder):
            x = self.embed(ids, chars)  # (B, T, E)
            if self.encoder.path(x, lengths, final_only=True) == "packed":  # read h_n: no token's output is unpacked
                return self.classify(self.encoder.final_states(self.drop(x), lengths))  # (B, C)
            return self.classify(self.pool(self.encoder(self.drop(x), lengths), lengths))  # (B, C)
        out = self.encode(ids, lengths, chars)  # (B, T, D)
        if self.cfg.task == "sentiment":
            return self.classify(self.pool(out, lengths))  # (B, C)
        if self.cfg.task == "aspect":
            if aspect_mask is None:
                raise ValueError("an aspect model needs aspect_mask of shape (B, A, T)")
            return self.classify(self.aspect_features(out, aspect_mask.to(out.dtype)))  # (B, A, C)
        return self.classify(out)  # (B, T, C)


def count_parameters(model: nn.Module) -> int:
    """Return the number of parameters, frozen ones included (a loaded model has none frozen)."""
    return sum(p.numel() for p in model.parameters())
