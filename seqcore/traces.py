"""Recompute every step of a trained model from its own parameters, gate by gate.

Training uses the fused `torch.nn` cells; here the same weights are unpacked and the cell's
equations (`seqcore.cells`, PyTorch's documented ones) are applied again, so every gate a
fused kernel keeps to itself becomes visible:

    LSTM  i, f, g, o (gates and candidate), c (cell), h (hidden)
    GRU   r (reset), z (update), n (candidate), h (hidden)
    RNN   h (hidden)

Exact at the speed of the fused cell (`method="parallel"`, the default): the fused module
already returns every hidden state, so h_{t-1} is known for every step at once (its outputs
shifted by one, zeros at the start). Each gate of each step is then one batched matrix product
over all T steps, with no loop over time, and the two directions of a layer share every
element-wise operation (`trace_layer`). The one recurrence left is the LSTM cell state,
c_t = f_t * c_{t-1} + i_t * g_t: linear in c, so a parallel prefix scan of the affine maps
(Hillis-Steele, log2(T) vectorised steps; `linear_scan`) solves it. h is rebuilt from the gates
(LSTM o * tanh(c), GRU (1 - z) * n + z * h_{t-1}) and each layer's rebuilt h feeds the next.

The step-by-step loop (`method="steps"`) runs the same equations one token at a time; it is the
reference the tests compare against. Tests prove that both equal the fused modules to 1e-5.

A cell variant (`seqcore.cells.variants`) has no fused module: its module is
`seqcore.cellnets.LoopCell`, the reference its trace is proved equal to. Its gates may read the
cell state (peepholes) or the previous gates (full gate recurrence), which no prefix scan solves, so
it is traced by the step loop, with its extra parameters (`cell_extras`).
On CUDA the fused call runs with cuDNN's TF32 off (`exact_cudnn`): with it on, the fused
outputs differ from the exact float32 equations by ~2e-4.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field

import numpy as np
import torch
from torch import nn

from seqcore.cells import cell_spec
from seqcore.models import SequenceModel, length_mask
from seqcore.taskspecs import article

DIRECTIONS = ("forward", "backward")
METHODS = ("parallel", "steps")


@dataclass
class LayerTrace:
    """Gate and state values of one layer and direction, aligned to the tokens: arrays of shape (T, H)."""

    layer: int
    direction: str
    gates: dict[str, np.ndarray]

    @property
    def final_h(self) -> np.ndarray:
        """Hidden state after the last step this direction took (token 0 for backward)."""
        return self.gates["h"][-1 if self.direction == "forward" else 0]

    @property
    def final_c(self) -> np.ndarray | None:
        """LSTM cell state after the last step this direction took, else None."""
        if "c" not in self.gates:
            return None
        return self.gates["c"][-1 if self.direction == "forward" else 0]

    def unit_rows(self, tokens: list[str], unit: int) -> list[dict]:
        """One row per word: position, word and the value of every gate and state of one unit."""
        return [
            {"position": t, "word": tok, **{name: round(float(v[t, unit]), 4) for name, v in self.gates.items()}}
            for t, tok in enumerate(tokens)
        ]


@dataclass
class Trace:
    """Every layer and direction of one sentence, plus the top layer's outputs (T, D)."""

    cell: str
    tokens: list[str]
    layers: list[LayerTrace]
    outputs: np.ndarray
    gate_names: tuple[str, ...] = field(default=())

    def get(self, layer: int, direction: str = "forward") -> LayerTrace:
        """Return the trace of one layer (0-based) and direction."""
        for lt in self.layers:
            if lt.layer == layer and lt.direction == direction:
                return lt
        raise KeyError(f"no trace for layer {layer} direction {direction!r}: the model has {len(self.layers)} layer traces")


def cell_weights(rnn: nn.RNNBase) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor, torch.Tensor]:
    """Return (W_ih, W_hh, b_ih, b_hh) of a single-layer, single-direction fused module."""
    if rnn.num_layers != 1 or rnn.bidirectional:
        raise ValueError("trace one layer and one direction at a time: seqcore builds one module per layer and direction")
    W_ih, W_hh = rnn.get_parameter("weight_ih_l0"), rnn.get_parameter("weight_hh_l0")  # (G*H, in), (G*H, H)
    assert W_ih.shape[0] % rnn.hidden_size == 0
    if rnn.bias:
        return W_ih, W_hh, rnn.get_parameter("bias_ih_l0"), rnn.get_parameter("bias_hh_l0")
    zero = W_ih.new_zeros(W_ih.shape[0])
    return W_ih, W_hh, zero, zero


def linear_scan(a: torch.Tensor, b: torch.Tensor) -> torch.Tensor:
    """Solve y_t = a_t * y_{t-1} + b_t (y_{-1} = 0) for every t at once along dim 0: (T, ...) -> (T, ...).

    A Hillis-Steele prefix scan of the affine maps y -> a_t * y + b_t: at stride d each map is
    composed with the one d steps earlier, (a_t, b_t) <- (a_t * a_{t-d}, a_t * b_{t-d} + b_t), so
    after log2(T) vectorised steps b_t is the composition of maps 0..t applied to 0, i.e. y_t.
    """
    if a.shape != b.shape:
        raise ValueError(f"a and b must have one shape, got {tuple(a.shape)} and {tuple(b.shape)}")
    T = a.shape[0]
    y = b.clone()
    d = 1
    while d < T:
        y[d:].add_(a[d:] * y[:-d])  # the product is computed before the in-place add, so the overlap is safe
        if 2 * d < T:
            a = torch.cat([a[:d], a[d:] * a[:-d]])  # a new tensor: the caller's a is left alone
        d *= 2
    return y


def cell_extras(rnn: nn.Module) -> dict[str, torch.Tensor]:
    """Return a module's parameters beyond the weight blocks, by their names in the cell's equations (none for a fused one)."""
    extras = getattr(rnn, "extras", None)
    return extras() if callable(extras) else {}


@contextmanager
def exact_cudnn(x: torch.Tensor) -> Iterator[None]:
    """Run cuDNN's recurrent kernels in full float32 (TF32 off) while tracing a CUDA tensor, so the fused
    outputs match the equations; the setting is restored afterwards."""
    if not x.is_cuda:
        yield
        return
    rnn = torch.backends.cudnn.rnn  # the per-operator API: the legacy allow_tf32 flag also covers convolutions
    before = rnn.fp32_precision  # type: ignore[attr-defined]  # torch's stubs lack the per-operator precision API
    rnn.fp32_precision = "ieee"  # type: ignore[attr-defined]
    try:
        yield
    finally:
        rnn.fp32_precision = before  # type: ignore[attr-defined]


@torch.inference_mode()
def trace_layer(cell: str, directions: Sequence[nn.RNNBase], x: torch.Tensor) -> list[dict[str, torch.Tensor]]:
    """Recompute every gate of one layer over its input x (T, E), all steps and directions at once.

    `directions` are the layer's fused modules: forward, then (if any) backward, which reads x from
    the last token to the first. Returns one dict per direction, each gate (T, H) in token order.
    """
    spec = cell_spec(cell)
    if not spec.fused:  # a variant: its gates read c or the previous gates, so they are traced step by step
        return [trace_cell_steps(cell, rnn, x, reverse=d == 1) for d, rnn in enumerate(directions)]
    D, T, H = len(directions), x.shape[0], directions[0].hidden_size
    if T == 0:
        return [{name: x.new_zeros(0, H) for name in spec.names} for _ in range(D)]
    G = directions[0].get_parameter("weight_ih_l0").shape[0]  # G*H rows: every block of every gate
    xw = x.new_empty(D, T, G)  # the input part W_ih x_t + b_ih of every gate at every step, per direction
    hw = x.new_empty(D, T, G)  # the hidden part W_hh h_{t-1} + b_hh
    h_prev = x.new_zeros(D, T, H)  # h_{t-1}: the fused outputs shifted by one step, zeros at the first
    with exact_cudnn(x):
        for d, rnn in enumerate(directions):
            seq = x if d == 0 else x.flip(0)  # each direction in its own reading order
            W_ih, W_hh, b_ih, b_hh = cell_weights(rnn)
            h_prev[d, 1:] = rnn(seq.unsqueeze(0))[0][0, :-1]  # (T-1, H): every hidden state but the last, fused
            torch.addmm(b_ih, seq, W_ih.T, out=xw[d])  # (T, G*H)
            torch.addmm(b_hh, h_prev[d], W_hh.T, out=hw[d])  # (T, G*H)
    # Every step of every direction at once: (D, T, H) per gate.
    assert spec.preactivate is not None and spec.output is not None  # a fused cell's spec has both
    values = {name: value for name, (_, value) in spec.preactivate(xw, hw).items()}
    if spec.memory is not None:
        a, b = spec.memory(values)  # c_t = a_t * c_{t-1} + b_t, scanned along time (dim 1)
        values["c"] = linear_scan(a.transpose(0, 1), b.transpose(0, 1)).transpose(0, 1)
    values["h"] = spec.output(values, h_prev)  # rebuilt from the gates: equals the fused outputs to float precision
    return [{name: values[name][d] if d == 0 else values[name][d].flip(0) for name in spec.names} for d in range(D)]


@torch.inference_mode()
def trace_cell_steps(cell: str, rnn: nn.RNNBase, x: torch.Tensor, reverse: bool = False) -> dict[str, torch.Tensor]:
    """Run one fused module's equations one token at a time over x (T, E): the reference for `trace_layer`.

    reverse=True traces a backward direction: the module reads x from the last token to the first.
    """
    spec = cell_spec(cell)
    W_ih, W_hh, b_ih, b_hh = cell_weights(rnn)
    extras = cell_extras(rnn)
    seq = x.flip(0) if reverse else x
    T, H = seq.shape[0], rnn.hidden_size
    prev = {name: seq.new_zeros(H) for name in spec.carries}  # h (and c, and the gates FGR reads) before the first step
    xw = torch.addmm(b_ih, seq, W_ih.T)  # (T, G*H): the input half of every gate, for all steps at once
    steps = []
    for t in range(T):
        _, values = spec.advance(xw[t], W_hh @ prev["h"] + b_hh, prev, extras)
        prev = {name: values[name] for name in spec.carries}
        steps.append(values)
    out = {name: torch.stack([s[name] for s in steps]) if steps else seq.new_zeros(0, H) for name in spec.names}  # (T, H)
    return {k: v.flip(0) for k, v in out.items()} if reverse else out


@torch.inference_mode()
def trace_inputs(model: SequenceModel, x: torch.Tensor, tokens: list[str], method: str = "parallel") -> Trace:
    """Trace every layer and direction of `model` over one sentence's recurrent input x (T, E).

    method "parallel" (default) recomputes all steps at once from the fused hidden states;
    "steps" runs the reference loop, one token at a time.
    """
    if method not in METHODS:
        raise ValueError(f"method must be one of {METHODS}, got {method!r}")
    cell = model.cfg.cell
    layers: list[LayerTrace] = []
    for layer, directions in enumerate(model.encoder.rnns()):
        if method == "parallel":
            per_direction = trace_layer(cell, directions, x)
        else:  # the backward direction reads right to left
            per_direction = [trace_cell_steps(cell, rnn, x, reverse=d == 1) for d, rnn in enumerate(directions)]
        outs = []
        for d, gates in enumerate(per_direction):
            layers.append(LayerTrace(layer, DIRECTIONS[d], {k: v.cpu().numpy() for k, v in gates.items()}))
            outs.append(gates["h"])
        x = torch.cat(outs, dim=-1) if len(outs) > 1 else outs[0]  # (T, D): next layer's input (no dropout at inference)
    return Trace(cell, list(tokens), layers, x.cpu().numpy(), cell_spec(cell).names)


@torch.inference_mode()
def trace_ids(
    model: SequenceModel, ids: torch.Tensor, tokens: list[str], chars: torch.Tensor | None = None, method: str = "parallel"
) -> Trace:
    """Trace one sentence given its token ids (T,) and optional characters (T, L)."""
    if model.training:  # a loaded model is already in eval mode; eval() walks every module, so skip it then
        model.eval()
    x = model.embed(ids.unsqueeze(0), None if chars is None else chars.unsqueeze(0))[0]  # (T, E)
    return trace_inputs(model, x, tokens, method)


PREFIX_TOKENS_PER_CHUNK = 8192  # token positions per batched chunk of prefixes: bounds a trajectory's memory


@torch.no_grad()
def trajectory_logits(
    model: SequenceModel, ids: torch.Tensor, chars: torch.Tensor | None = None, chunk_tokens: int = PREFIX_TOKENS_PER_CHUNK
) -> torch.Tensor:
    """Return a sentiment model's logits after each prefix 1..T of one sentence: (T, C).

    Unidirectional: read off the per-step outputs (the state after token t is what the
    model would hold had the sentence ended there). Bidirectional: the backward direction
    sees the whole prefix, so each prefix is run as a sequence of its own, batched in chunks
    of at most `chunk_tokens` token positions: peak memory stays linear in T (one chunk of
    prefixes at a time) instead of growing with T^2.
    """
    if model.cfg.task != "sentiment":
        raise ValueError(f"a trajectory needs a whole-sentence (sentiment) model, not {article(model.cfg.task)} model")
    model.eval()
    T = ids.shape[0]
    if model.cfg.bidirectional:
        rows = max(1, chunk_tokens // T)  # prefixes per chunk; each is at most T tokens long
        chunks = []
        for first in range(0, T, rows):
            last = min(T, first + rows)  # prefixes first+1 .. last tokens long
            lengths = torch.arange(first + 1, last + 1, device=ids.device)  # (R,)
            keep = length_mask(lengths, last)  # (R, last): row r keeps tokens 0..first+r
            prefix_ids = ids[:last].unsqueeze(0) * keep  # (R, last), zeros after each prefix
            prefix_chars = None
            if chars is not None:
                prefix_chars = chars[:last].unsqueeze(0) * keep.unsqueeze(-1)  # (R, last, L)
            chunks.append(model(prefix_ids, lengths, chars=prefix_chars))  # (R, C)
        return torch.cat(chunks)  # (T, C)
    x_chars = None if chars is None else chars.unsqueeze(0)
    out = model.encode(ids.unsqueeze(0), torch.tensor([T], device=ids.device), x_chars)[0]  # (T, D)
    pooling = model.cfg.pooling
    if pooling == "last":
        feats = out
    elif pooling == "mean":
        feats = out.cumsum(0) / torch.arange(1, T + 1, device=out.device, dtype=out.dtype).unsqueeze(1)
    else:
        feats = torch.cummax(out, dim=0).values
    return model.classify(feats)  # (T, C)
