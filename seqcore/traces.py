"""Recompute every step of a trained model from its own parameters, gate by gate.

Training uses the fused `torch.nn` cells; here the same weights are unpacked and the
documented PyTorch equations are run one token at a time (see `seqcore.models` for the
equations), so every gate a fused kernel keeps to itself becomes visible:

    LSTM  i, f, g, o (gates and candidate), c (cell), h (hidden)
    GRU   r (reset), z (update), n (candidate), h (hidden)
    RNN   h (hidden)

Tests prove that the recomputed hidden and final states equal the fused module's to 1e-5.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import torch
from torch import nn

from seqcore.models import GATE_NAMES, SequenceModel, article, length_mask

DIRECTIONS = ("forward", "backward")


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
    H = rnn.hidden_size
    G = rnn.weight_ih_l0.shape[0]
    zero = torch.zeros(G, dtype=rnn.weight_ih_l0.dtype, device=rnn.weight_ih_l0.device)
    b_ih = rnn.bias_ih_l0 if rnn.bias else zero
    b_hh = rnn.bias_hh_l0 if rnn.bias else zero
    assert G % H == 0
    return rnn.weight_ih_l0, rnn.weight_hh_l0, b_ih, b_hh


@torch.no_grad()
def trace_cell(cell: str, rnn: nn.RNNBase, x: torch.Tensor) -> dict[str, torch.Tensor]:
    """Run one fused module's equations step by step over x (T, E); return each gate as (T, H)."""
    W_ih, W_hh, b_ih, b_hh = cell_weights(rnn)
    T, H = x.shape[0], rnn.hidden_size
    h = x.new_zeros(H)
    c = x.new_zeros(H)
    xs = x @ W_ih.T + b_ih  # (T, G*H): the input half of every gate, for all steps at once
    out: dict[str, list[torch.Tensor]] = {name: [] for name in GATE_NAMES[cell]}
    for t in range(T):
        hh = W_hh @ h + b_hh  # (G*H,)
        if cell == "lstm":
            xi, xf, xg, xo = xs[t].split(H)
            hi, hf, hg, ho = hh.split(H)
            i, f, o = torch.sigmoid(xi + hi), torch.sigmoid(xf + hf), torch.sigmoid(xo + ho)
            g = torch.tanh(xg + hg)
            c = f * c + i * g
            h = o * torch.tanh(c)
            step = {"i": i, "f": f, "g": g, "o": o, "c": c, "h": h}
        elif cell == "gru":
            xr, xz, xn = xs[t].split(H)
            hr, hz, hn = hh.split(H)
            r, z = torch.sigmoid(xr + hr), torch.sigmoid(xz + hz)
            n = torch.tanh(xn + r * hn)  # PyTorch applies r to (W_hn h + b_hn)
            h = (1 - z) * n + z * h
            step = {"r": r, "z": z, "n": n, "h": h}
        else:
            h = torch.tanh(xs[t] + hh)
            step = {"h": h}
        for name, value in step.items():
            out[name].append(value)
    return {name: torch.stack(values) if values else x.new_zeros(0, H) for name, values in out.items()}  # (T, H)


@torch.no_grad()
def trace_inputs(model: SequenceModel, x: torch.Tensor, tokens: list[str]) -> Trace:
    """Trace every layer and direction of `model` over one sentence's recurrent input x (T, E)."""
    cfg = model.cfg
    layers: list[LayerTrace] = []
    for layer, directions in enumerate(model.encoder.layers):
        outs = []
        for d, rnn in enumerate(directions):
            seq = x if d == 0 else x.flip(0)  # backward reads right to left
            gates = trace_cell(cfg.cell, rnn, seq)
            if d == 1:
                gates = {k: v.flip(0) for k, v in gates.items()}  # back to token order
            layers.append(LayerTrace(layer, DIRECTIONS[d], {k: v.cpu().numpy() for k, v in gates.items()}))
            outs.append(gates["h"])
        x = torch.cat(outs, dim=-1)  # (T, D): next layer's input (dropout is off at inference)
    return Trace(cfg.cell, list(tokens), layers, x.cpu().numpy(), GATE_NAMES[cfg.cell])


@torch.no_grad()
def trace_ids(model: SequenceModel, ids: torch.Tensor, tokens: list[str], chars: torch.Tensor | None = None) -> Trace:
    """Trace one sentence given its token ids (T,) and optional characters (T, L)."""
    model.eval()
    x = model.embed(ids.unsqueeze(0), None if chars is None else chars.unsqueeze(0))[0]  # (T, E)
    return trace_inputs(model, x, tokens)


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
        out = []
        for first in range(0, T, rows):
            last = min(T, first + rows)  # prefixes first+1 .. last tokens long
            lengths = torch.arange(first + 1, last + 1, device=ids.device)  # (R,)
            keep = length_mask(lengths, last)  # (R, last): row r keeps tokens 0..first+r
            prefix_ids = ids[:last].unsqueeze(0) * keep  # (R, last), zeros after each prefix
            prefix_chars = None
            if chars is not None:
                prefix_chars = chars[:last].unsqueeze(0) * keep.unsqueeze(-1)  # (R, last, L)
            out.append(model(prefix_ids, lengths, chars=prefix_chars))  # (R, C)
        return torch.cat(out)  # (T, C)
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
