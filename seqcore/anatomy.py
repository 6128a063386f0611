"""A model's anatomy for a reader: parameters per gate, the shape of every tensor, one step by hand.

`parameter_breakdown` lists every parameter block (adding up to the model's total), `shape_flow`
runs one sentence through the model stage by stage and records each tensor (its values are tested
equal to the model's own forward pass), and `step_detail` recomputes one recurrent step with the
real numbers from the cell's equations in `seqcore.cells`. Nothing here imports streamlit.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import torch

from seqcore.batching import Encoder, Example
from seqcore.cells import cell_spec
from seqcore.models import ModelConfig, SequenceModel, count_parameters, reverse_within_length
from seqcore.traces import DIRECTIONS, Trace, cell_extras, cell_weights, trace_inputs

STEP_INPUT_DIMS = 8  # how many numbers of x_t a reader is shown at first


# ----------------------------------------------------------------------------- parameters


def _shape(t: torch.Tensor) -> str:
    return " x ".join(str(s) for s in t.shape)


def parameter_breakdown(model: SequenceModel) -> list[dict]:
    """One row per parameter block: embedding, character CNN, each gate of each layer and direction, head.

    A recurrent gate's row holds its block of W_ih (H x in), of W_hh (H x H) and of both biases (H),
    and a variant's parameters that feed that gate (peepholes p, gate-to-gate matrices R); the rows'
    "parameters" add up to `count_parameters(model)`.
    """
    cfg = model.cfg
    rows: list[dict] = []

    def add(component: str, layer: int | None, direction: str | None, gate: str | None, tensors: dict[str, Any]) -> None:
        rows.append(
            {
                "component": component,
                "layer": layer,
                "direction": direction,
                "gate": gate,
                "shapes": ", ".join(f"{k} [{_shape(v)}]" for k, v in tensors.items()),
                "parameters": int(sum(v.numel() for v in tensors.values())),
            }
        )

    add("embedding", None, None, None, {"E": model.embedding.weight})
    if model.chars is not None:
        add("character embedding", None, None, None, {"E_char": model.chars.embedding.weight})
        add("character CNN", None, None, None, {"W_conv": model.chars.conv.weight, "b_conv": model.chars.conv.bias})
    H = cfg.hidden_size
    spec = cell_spec(cfg.cell)
    for layer, directions in enumerate(model.encoder.rnns()):
        for d, rnn in enumerate(directions):
            W_ih, W_hh, b_ih, b_hh = cell_weights(rnn)
            extras = cell_extras(rnn)
            for k, gate in enumerate(spec.blocks):
                block = slice(k * H, (k + 1) * H)
                tensors = {f"W_i{gate}": W_ih[block], f"W_h{gate}": W_hh[block]}
                if rnn.bias:
                    tensors.update({f"b_i{gate}": b_ih[block], f"b_h{gate}": b_hh[block]})
                tensors.update({e.name: extras[e.name] for e in spec.extras if e.gate == gate})
                add("recurrent", layer, DIRECTIONS[d], gate, tensors)
    add("output head", None, None, None, {"W_out": model.head.weight, "b_out": model.head.bias})
    total = sum(r["parameters"] for r in rows)
    if total != count_parameters(model):  # a new module type would be missing from the breakdown
        raise AssertionError(f"parameter breakdown sums to {total}, the model has {count_parameters(model)}")
    return rows


def parameter_totals(rows: Sequence[dict]) -> list[dict]:
    """Sum a `parameter_breakdown` per component and recurrent layer, with a final "total" row."""
    totals: dict[str, int] = {}
    for r in rows:
        key = r["component"] if r["layer"] is None else f"recurrent layer {r['layer']}"
        totals[key] = totals.get(key, 0) + r["parameters"]
    out: list[dict] = [{"part": k, "parameters": v} for k, v in totals.items()]
    out.append({"part": "total", "parameters": sum(totals.values())})
    return out


# ----------------------------------------------------------------------------- shapes


@torch.no_grad()
def shape_flow(model: SequenceModel, encoder: Encoder, example: Example, values: bool = False) -> list[dict]:
    """Run one example through the model stage by stage and record each tensor's shape (batch of 1).

    Each row holds "stage", "shape" and "meaning"; with `values=True` also "value", the tensor itself
    (the tests check these against the model's own forward pass).
    """
    model.eval()
    cfg = model.cfg
    device = next(model.parameters()).device
    batch = encoder.batch([example]).to(device)
    rows: list[dict] = []

    def add(stage: str, tensor: torch.Tensor, meaning: str) -> None:
        rows.append({"stage": stage, "shape": list(tensor.shape), "meaning": meaning, **({"value": tensor} if values else {})})

    add("token ids", batch.ids, "B sentences x T tokens (0 = padding)")
    x = model.embedding(batch.ids)  # (B, T, E)
    add("word embedding", x, f"each id -> a vector of E = {cfg.embedding_dim}")
    if model.chars is not None:
        assert batch.chars is not None  # the encoder of a character model builds them
        add("character ids", batch.chars, "L characters per word")
        xc = model.chars(batch.chars)  # (B, T, F)
        add("character CNN", xc, f"F = {cfg.char_filters} filters, max over characters")
        x = torch.cat([x, xc], dim=-1)  # (B, T, E + F)
        add("recurrent input", x, "word and character features side by side")
    lengths = batch.lengths
    h = x
    for layer, directions in enumerate(model.encoder.rnns()):
        outs = []
        for d, rnn in enumerate(directions):
            # One sentence, no padding: the backward direction reads the sentence reversed.
            out = rnn(h)[0] if d == 0 else reverse_within_length(rnn(reverse_within_length(h, lengths))[0], lengths)
            add(
                f"layer {layer} {DIRECTIONS[d]} {cell_spec(cfg.cell).title}", out, f"H = {cfg.hidden_size} hidden units per token"
            )
            outs.append(out)
        h = torch.cat(outs, dim=-1)  # (B, T, D)
        if len(outs) > 1:
            add(f"layer {layer} concatenated", h, "forward and backward side by side (2H)")
    out = h  # (B, T, D): the encoder's output, as SequenceModel.encode computes it in eval mode
    if cfg.task == "sentiment":
        pooled = model.pool(out, lengths)  # (B, D)
        add(f"pooling ({cfg.pooling})", pooled, "one vector per sentence")
        logits = model.classify(pooled)
    elif cfg.task == "aspect":
        assert batch.aspect_mask is not None  # an aspect encoder always builds the mask
        add("aspect mask", batch.aspect_mask, "A aspects x T tokens, 1 at the aspect's tokens")
        feats = model.aspect_features(out, batch.aspect_mask)  # (B, A, D)
        add("mean over aspect tokens", feats, "one vector per aspect")
        logits = model.classify(feats)
    else:
        logits = model.classify(out)
    add("output head (logits)", logits, f"C = {cfg.num_classes} classes")
    add("softmax (probabilities)", torch.softmax(logits, dim=-1), "sums to 1 over the classes")
    return rows


def shape_arrow(rows: Sequence[dict]) -> str:
    """Write a shape flow as one line: [1, 7] -> [1, 7, 100] -> ..."""
    return " -> ".join("[" + ", ".join(str(s) for s in r["shape"]) + "]" for r in rows)


def shape_rows(rows: Sequence[dict]) -> list[dict]:
    """Return a shape flow as table rows: stage, shape written [1, 7, 100], meaning."""
    return [{"stage": r["stage"], "shape": "[" + ", ".join(map(str, r["shape"])) + "]", "meaning": r["meaning"]} for r in rows]


# ----------------------------------------------------------------------------- the equations' sizes


def sizes_latex(cfg: ModelConfig) -> str:
    """Return the sizes of x_t, h_t and the weights of this model, in LaTeX, for the cell's equations."""
    H, E = cfg.hidden_size, cfg.input_size
    return (
        rf"x_t \in \mathbb{{R}}^{{{E}}},\quad h_t \in \mathbb{{R}}^{{{H}}},\quad "
        rf"W_{{i\ast}} \in \mathbb{{R}}^{{{H} \times {E}}},\quad W_{{h\ast}} \in \mathbb{{R}}^{{{H} \times {H}}},\quad "
        rf"b_{{i\ast}}, b_{{h\ast}} \in \mathbb{{R}}^{{{H}}}"
    )


def sizes_note(cfg: ModelConfig) -> str:
    """Say in words what each layer reads and which blocks the weight matrices hold."""
    H = cfg.hidden_size
    chars = f" of {cfg.embedding_dim} plus {cfg.char_filters} character features)" if cfg.char_vocab_size else ")"
    notes = [f"Layer 0 reads x_t of size {cfg.input_size} (the word embedding" + chars]
    if cfg.num_layers > 1:
        notes.append(
            f"layers 1 to {cfg.num_layers - 1} read the previous layer's output, of size {cfg.output_size}, "
            f"so their W_i* are {H} x {cfg.output_size}"
        )
    if cfg.bidirectional:
        notes.append("each layer has a forward and a backward copy with weights of their own")
    blocks = ", ".join(cell_spec(cfg.cell).blocks)
    return (
        "; ".join(notes)
        + f". σ is the logistic sigmoid, ⊙ the element-wise product; {blocks} each own one block of W_ih and W_hh."
    )


# ----------------------------------------------------------------------------- one step by hand


@dataclass
class StepDetail:
    """One recurrent step at one token, recomputed from the layer's weights with real numbers."""

    cell: str
    layer: int
    direction: str
    t: int  # token position (token order)
    token: str
    prev_t: int | None  # position of the previous step (t-1 forward, t+1 backward), None at the start
    x: np.ndarray  # (in,) the layer's input at this token
    h_prev: np.ndarray  # (H,)
    c_prev: np.ndarray | None  # (H,) LSTM only
    parts: dict[str, dict[str, np.ndarray]] = field(default_factory=dict)  # gate -> input/hidden/pre/value
    h: np.ndarray | None = None
    c: np.ndarray | None = None
    derived: dict[str, np.ndarray] = field(default_factory=dict)  # gates with no weights of their own (CIFG's f = 1 - i)

    def table(self, units: Sequence[int]) -> list[dict]:
        """Rows per unit and gate: input part, hidden part, pre-activation and value."""
        rows: list[dict] = []
        for u in units:
            for gate, p in self.parts.items():
                rows.append(
                    {
                        "unit": int(u),
                        "gate": gate,
                        "W_i x + b_i": float(p["input"][u]),
                        "W_h h + b_h": float(p["hidden"][u]),
                        "pre-activation": float(p["pre"][u]),
                        "value": float(p["value"][u]),
                    }
                )
            states: list[tuple[str, np.ndarray | None]] = [
                *self.derived.items(),
                *([("c", self.c)] if self.c is not None else []),
            ]
            states += [("h", self.h)] if "h" not in self.parts else []
            for name, value in states:  # the RNN's h is its only gate, already listed
                assert value is not None
                rows.append(
                    {
                        "unit": int(u),
                        "gate": name,
                        "W_i x + b_i": None,
                        "W_h h + b_h": None,
                        "pre-activation": None,
                        "value": float(value[u]),
                    }
                )
        return rows

    def input_rows(self, k: int = STEP_INPUT_DIMS) -> list[dict]:
        """The first `k` numbers of this layer's input x_t, as table rows."""
        return [{"dimension": i, "x_t": round(float(v), 4)} for i, v in enumerate(self.x[:k])]

    def state_rows(self, units: Sequence[int]) -> list[dict]:
        """The previous state (h_{t-1}, and c_{t-1} for an LSTM) of the chosen units, as table rows."""
        rows = []
        for u in units:
            row = {"unit": int(u), "h_{t-1}": round(float(self.h_prev[u]), 4)}
            if self.c_prev is not None:
                row["c_{t-1}"] = round(float(self.c_prev[u]), 4)
            rows.append(row)
        return rows


@torch.no_grad()
def embed_tokens(model: SequenceModel, encoder: Encoder, tokens: Sequence[str]) -> torch.Tensor:
    """Return the recurrent input (T, E) of one sentence's tokens: word embeddings (+ character features)."""
    model.eval()
    batch = encoder.batch([Example(id="x", tokens=list(tokens))]).to(next(model.parameters()).device)
    return model.embed(batch.ids, batch.chars)[0]


def layer_inputs(model: SequenceModel, x0: torch.Tensor, trace: Trace) -> list[torch.Tensor]:
    """Return the input (T, in) of every recurrent layer: the embeddings, then the previous layer's outputs."""
    inputs = [x0]
    for layer in range(1, model.cfg.num_layers):
        hs = [torch.from_numpy(trace.get(layer - 1, d).gates["h"]) for d in DIRECTIONS[: model.cfg.num_directions]]
        inputs.append(torch.cat(hs, dim=-1).to(x0.dtype))
    return inputs


@torch.no_grad()
def step_detail(
    model: SequenceModel, x0: torch.Tensor, tokens: Sequence[str], layer: int, direction: str, t: int, trace: Trace | None = None
) -> StepDetail:
    """Recompute the step of `layer`/`direction` at token `t` given the embeddings x0 (T, E) of a sentence."""
    cfg = model.cfg
    T = x0.shape[0]
    if not 0 <= t < T:
        raise ValueError(f"token position {t} is outside the sentence's {T} tokens")
    if not 0 <= layer < cfg.num_layers:
        raise ValueError(f"layer {layer} does not exist: the model has {cfg.num_layers}")
    if direction not in DIRECTIONS[: cfg.num_directions]:
        raise ValueError(f"direction {direction!r} does not exist in this model")
    model.eval()
    trace = trace or trace_inputs(model, x0, list(tokens))
    lt = trace.get(layer, direction)
    x = layer_inputs(model, x0, trace)[layer][t]
    rnn = model.encoder.rnns()[layer][DIRECTIONS.index(direction)]
    W_ih, W_hh, b_ih, b_hh = (w.detach().cpu().to(torch.float64) for w in cell_weights(rnn))
    spec = cell_spec(cfg.cell)
    H = cfg.hidden_size
    before = t - 1 if direction == "forward" else t + 1
    prev_t = before if 0 <= before < T else None

    def state(name: str) -> torch.Tensor:  # (H,) the state after the previous step, zeros at the start
        return torch.from_numpy(lt.gates[name][prev_t]).double() if prev_t is not None else torch.zeros(H, dtype=torch.float64)

    prev = {name: state(name) for name in spec.carries}  # h, c, and the gates a full-gate-recurrence cell reads
    h_prev, c_prev = prev["h"], prev.get("c")
    extras = {k: v.detach().cpu().to(torch.float64) for k, v in cell_extras(rnn).items()}
    xin = W_ih @ x.double().cpu() + b_ih  # (G*H,)
    hid = W_hh @ h_prev + b_hh  # (G*H,)
    block_parts, values = spec.advance(xin, hid, prev, extras)
    xs = dict(zip(spec.blocks, xin.chunk(len(spec.blocks))))  # block -> (H,)
    hs = dict(zip(spec.blocks, hid.chunk(len(spec.blocks))))
    parts = {g: {"input": xs[g], "hidden": hs[g], "pre": pre, "value": value} for g, (pre, value) in block_parts.items()}
    h, c = values["h"], values.get("c")
    np_parts = {g: {k: v.numpy() for k, v in p.items()} for g, p in parts.items()}
    return StepDetail(
        cfg.cell,
        layer,
        direction,
        t,
        tokens[t],
        prev_t,
        x.double().cpu().numpy(),
        h_prev.numpy(),
        None if c_prev is None else c_prev.numpy(),
        np_parts,
        h.numpy(),
        None if c is None else c.numpy(),
        {g: values[g].numpy() for g in spec.names if g not in parts and g not in ("c", "h")},
    )
