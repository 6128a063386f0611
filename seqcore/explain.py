"""Numbers that explain a model to a reader: parameter counts per gate, tensor shapes, one step by hand.

Also the small data adapters the app needs (file scoring, saturation, confusion cells). Pure
Python, NumPy and torch: nothing here imports streamlit, so every function is tested with pytest
and the app's pages only read widgets, call these, and draw what they return.
"""

from __future__ import annotations

import random
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
import torch

from seqcore.batching import Encoder, Example
from seqcore.cells import cell_spec
from seqcore.models import SequenceModel, count_parameters, reverse_within_length
from seqcore.readers import LabeledText, ReviewFile
from seqcore.tasks import aspect_examples
from seqcore.traces import DIRECTIONS, Trace, cell_weights, trace_inputs

# ----------------------------------------------------------------------------- gates


def saturation(cell: str, gates: dict[str, np.ndarray], threshold: float = 0.9) -> list[dict]:
    """Share of values near each end of every bounded gate's range.

    Sigmoid gates (range 0..1): "high" is v > threshold (open), "low" is v < 1 - threshold (closed).
    Tanh values (range -1..1): "high" is v > threshold, "low" is v < -threshold; together |v| > threshold.
    The LSTM cell state c is unbounded, so it has no saturation and is left out.
    """
    if not 0.5 < threshold < 1.0:
        raise ValueError(f"threshold must be in (0.5, 1), got {threshold}")
    rows = []
    for info in cell_spec(cell).gates:
        name = info.name
        if info.activation == "none" or name not in gates:
            continue
        v = np.asarray(gates[name], dtype=np.float64)
        n = int(v.size)
        if info.activation == "sigmoid":
            low_cut, low_rule, high_rule = 1.0 - threshold, f"v < {1 - threshold:.2g} (closed)", f"v > {threshold:.2g} (open)"
        else:
            low_cut, low_rule, high_rule = -threshold, f"v < -{threshold:.2g}", f"v > {threshold:.2g}"
        high = float((v > threshold).sum() / n) if n else 0.0
        low = float((v < low_cut).sum() / n) if n else 0.0
        rows.append(
            {
                "gate": name,
                "name": info.long_name,
                "activation": info.activation,
                "values": n,
                "high_rule": high_rule,
                "share_high": high,
                "low_rule": low_rule,
                "share_low": low,
                "share_saturated": high + low,
            }
        )
    return rows


# ----------------------------------------------------------------------------- parameters


def _shape(t: torch.Tensor) -> str:
    return " x ".join(str(s) for s in t.shape)


def parameter_breakdown(model: SequenceModel) -> list[dict]:
    """One row per parameter block: embedding, character CNN, each gate of each layer and direction, head.

    A recurrent gate's row holds its block of W_ih (H x in), of W_hh (H x H) and of both biases (H);
    the rows' "parameters" add up to `count_parameters(model)`.
    """
    cfg = model.cfg
    rows: list[dict] = []

    def add(component: str, layer, direction, gate, tensors: dict[str, torch.Tensor]) -> None:
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
    for layer, directions in enumerate(model.encoder.layers):
        for d, rnn in enumerate(directions):
            W_ih, W_hh, b_ih, b_hh = cell_weights(rnn)
            for k, gate in enumerate(cell_spec(cfg.cell).blocks):
                block = slice(k * H, (k + 1) * H)
                tensors = {f"W_i{gate}": W_ih[block], f"W_h{gate}": W_hh[block]}
                if rnn.bias:
                    tensors.update({f"b_i{gate}": b_ih[block], f"b_h{gate}": b_hh[block]})
                add("recurrent", layer, ("forward", "backward")[d], gate, tensors)
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
    out = [{"part": k, "parameters": v} for k, v in totals.items()]
    out.append({"part": "total", "parameters": sum(totals.values())})
    return out


# ----------------------------------------------------------------------------- shapes


@torch.no_grad()
def shape_flow(model: SequenceModel, encoder: Encoder, example: Example) -> list[dict]:
    """Run one example through the model stage by stage and record each tensor's shape (batch of 1)."""
    model.eval()
    cfg = model.cfg
    device = next(model.parameters()).device
    batch = encoder.batch([example]).to(device)
    B, T = batch.ids.shape
    rows = [{"stage": "token ids", "shape": [B, T], "meaning": "B sentences x T tokens (0 = padding)"}]
    x = model.embedding(batch.ids)
    rows.append({"stage": "word embedding", "shape": list(x.shape), "meaning": f"each id -> a vector of E = {cfg.embedding_dim}"})
    if model.chars is not None:
        rows.append({"stage": "character ids", "shape": list(batch.chars.shape), "meaning": "L characters per word"})
        xc = model.chars(batch.chars)
        rows.append(
            {"stage": "character CNN", "shape": list(xc.shape), "meaning": f"F = {cfg.char_filters} filters, max over characters"}
        )
        x = torch.cat([x, xc], dim=-1)
        rows.append({"stage": "recurrent input", "shape": list(x.shape), "meaning": "word and character features side by side"})
    lengths = batch.lengths
    h = x
    for layer, directions in enumerate(model.encoder.layers):
        outs = []
        for d, rnn in enumerate(directions):
            # One sentence, no padding: the backward direction reads the sentence reversed.
            out = rnn(h)[0] if d == 0 else reverse_within_length(rnn(reverse_within_length(h, lengths))[0], lengths)
            rows.append(
                {
                    "stage": f"layer {layer} {DIRECTIONS[d]} {cell_spec(cfg.cell).title}",
                    "shape": list(out.shape),
                    "meaning": f"H = {cfg.hidden_size} hidden units per token",
                }
            )
            outs.append(out)
        h = torch.cat(outs, dim=-1)
        if len(outs) > 1:
            rows.append(
                {
                    "stage": f"layer {layer} concatenated",
                    "shape": list(h.shape),
                    "meaning": "forward and backward side by side (2H)",
                }
            )
    out = h  # (B, T, D): the encoder's output, as SequenceModel.encode computes it in eval mode
    if cfg.task == "sentiment":
        pooled = model.pool(out, lengths)
        rows.append({"stage": f"pooling ({cfg.pooling})", "shape": list(pooled.shape), "meaning": "one vector per sentence"})
        logits = model.classify(pooled)
    elif cfg.task == "aspect":
        rows.append(
            {
                "stage": "aspect mask",
                "shape": list(batch.aspect_mask.shape),
                "meaning": "A aspects x T tokens, 1 at the aspect's tokens",
            }
        )
        feats = model.aspect_features(out, batch.aspect_mask)
        rows.append({"stage": "mean over aspect tokens", "shape": list(feats.shape), "meaning": "one vector per aspect"})
        logits = model.classify(feats)
    else:
        logits = model.classify(out)
    rows.append({"stage": "output head (logits)", "shape": list(logits.shape), "meaning": f"C = {cfg.num_classes} classes"})
    probs = torch.softmax(logits, dim=-1)
    rows.append({"stage": "softmax (probabilities)", "shape": list(probs.shape), "meaning": "sums to 1 over the classes"})
    return rows


def shape_arrow(rows: Sequence[dict]) -> str:
    """Write a shape flow as one line: [1, 7] -> [1, 7, 100] -> ..."""
    return " -> ".join("[" + ", ".join(str(s) for s in r["shape"]) + "]" for r in rows)


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

    def table(self, units: Sequence[int]) -> list[dict]:
        """Rows per unit and gate: input part, hidden part, pre-activation and value."""
        rows = []
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
            if self.c is not None:
                rows.append(
                    {
                        "unit": int(u),
                        "gate": "c",
                        "W_i x + b_i": None,
                        "W_h h + b_h": None,
                        "pre-activation": None,
                        "value": float(self.c[u]),
                    }
                )
            if "h" not in self.parts:  # the RNN's h is its only gate, already listed
                rows.append(
                    {
                        "unit": int(u),
                        "gate": "h",
                        "W_i x + b_i": None,
                        "W_h h + b_h": None,
                        "pre-activation": None,
                        "value": float(self.h[u]),
                    }
                )
        return rows


@torch.no_grad()
def embed_tokens(model: SequenceModel, encoder: Encoder, tokens: Sequence[str]) -> torch.Tensor:
    """Return the recurrent input (T, E) of one sentence's tokens: word embeddings (+ character features)."""
    model.eval()
    batch = encoder.batch([Example(id="x", tokens=list(tokens))]).to(next(model.parameters()).device)
    return model.embed(batch.ids, batch.chars)[0]


def aspect_masks(n_tokens: int, spans: Sequence[tuple[int, int]]) -> np.ndarray:
    """The binary aspect mask the model reads: one row per aspect span [first, last + 1), 1 at its tokens; (A, T)."""
    masks = np.zeros((len(spans), n_tokens), dtype=int)
    for a, (first, last) in enumerate(spans):
        if not 0 <= first < last <= n_tokens:
            raise ValueError(f"aspect span {(first, last)} is outside the sentence's {n_tokens} tokens")
        masks[a, first:last] = 1
    return masks


def layer_inputs(model: SequenceModel, x0: torch.Tensor, trace: Trace) -> list[torch.Tensor]:
    """Return the input (T, in) of every recurrent layer: the embeddings, then the previous layer's outputs."""
    inputs = [x0]
    for layer in range(1, model.cfg.num_layers):
        hs = [
            torch.from_numpy(trace.get(layer - 1, d).gates["h"])
            for d in (("forward", "backward") if model.cfg.bidirectional else ("forward",))
        ]
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
    if direction not in (("forward", "backward") if cfg.bidirectional else ("forward",)):
        raise ValueError(f"direction {direction!r} does not exist in this model")
    model.eval()
    trace = trace or trace_inputs(model, x0, list(tokens))
    lt = trace.get(layer, direction)
    x = layer_inputs(model, x0, trace)[layer][t]
    rnn = model.encoder.layers[layer][0 if direction == "forward" else 1]
    W_ih, W_hh, b_ih, b_hh = (w.detach().cpu().to(torch.float64) for w in cell_weights(rnn))
    spec = cell_spec(cfg.cell)
    H = cfg.hidden_size
    prev = t - 1 if direction == "forward" else t + 1
    prev_t = prev if 0 <= prev < T else None

    def state(name: str) -> torch.Tensor:  # (H,) the state after the previous step, zeros at the start
        return torch.from_numpy(lt.gates[name][prev_t]).double() if prev_t is not None else torch.zeros(H, dtype=torch.float64)

    h_prev = state("h")
    c_prev = state("c") if spec.memory is not None else None
    xin = W_ih @ x.double().cpu() + b_ih  # (G*H,)
    hid = W_hh @ h_prev + b_hh  # (G*H,)
    block_parts, values = spec.step(xin, hid, h_prev, c_prev)
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
    )


# ----------------------------------------------------------------------------- confusion and scores


def confusion_cells(confusion: Sequence[Sequence[int]], labels: Sequence[str]) -> list[dict]:
    """List the non-empty cells of a confusion matrix: the errors first, largest first, then the hits."""
    cells = [
        {"gold": labels[i], "predicted": labels[j], "count": int(c)}
        for i, row in enumerate(confusion)
        for j, c in enumerate(row)
        if c
    ]
    return sorted(cells, key=lambda r: (r["gold"] == r["predicted"], -r["count"], r["gold"], r["predicted"]))


def cell_rows(rows: Sequence[dict], gold: str, predicted: str) -> list[dict]:
    """Return the prediction rows whose gold and predicted labels are those of one confusion cell."""
    return [r for r in rows if r["gold"] == gold and r["predicted"] == predicted]


def per_class_table(metrics: dict) -> list[dict]:
    """Turn a Metrics dict into one row per class."""
    return [
        {
            "class": lab,
            "support": int(metrics["support"][k]),
            "per-class accuracy": metrics["per_class_accuracy"][k],
            "precision": metrics["precision"][k],
            "recall": metrics["recall"][k],
            "F1": metrics["f1"][k],
        }
        for k, lab in enumerate(metrics["labels"])
    ]


# ----------------------------------------------------------------------------- data for the app


def review_summary(review: ReviewFile) -> dict:
    """Count what a parsed SemEval file holds."""
    targets = [t for s in review.sentences for t in s.targets]
    polarity = Counter(t.polarity for t in targets)
    return {
        "format": review.format,
        "sentences": len(review.sentences),
        "targets": len(targets),
        "null_targets": sum(t.is_null for t in targets),
        "problems": len(review.problems),
        **{f"{p}": polarity[p] for p in ("positive", "negative", "neutral", "conflict")},
    }


def problem_rows(problems: Sequence) -> list[dict]:
    """Problems as table rows: sentence id, line, what was wrong."""
    return [{"sentence id": p.sentence_id, "line": p.line, "file": p.source, "problem": p.message} for p in problems]


def review_aspect_examples(review: ReviewFile, labels: Sequence[str]) -> tuple[list[Example], dict[str, int]]:
    """Build aspect examples of a parsed file (`tasks.aspect_examples`) and count the targets skipped, by reason.

    NULL targets have no span; a polarity that is not one of `labels` (conflict for a 3-class
    model) cannot be scored; a span annotated with different polarities is ambiguous.
    """
    skipped: Counter = Counter()
    return aspect_examples(review.sentences, labels, skipped), dict(skipped)


def sentence_labels_from_reviews(reviews: Sequence[ReviewFile]) -> tuple[list[LabeledText], int]:
    """Give each review sentence a whole-sentence label when all its opinions agree (positive or negative).

    Sentences with no opinion, or with mixed, neutral or conflict opinions, are left out; returns the
    labeled texts and how many sentences were left out. This turns the shipped demo XML files into a
    tiny sentiment set that needs no data folder.
    """
    out, left = [], 0
    for review in reviews:
        for s in review.sentences:
            pols = {t.polarity for t in s.targets}
            if len(pols) == 1 and next(iter(pols)) in ("positive", "negative"):
                out.append(LabeledText(s.text, next(iter(pols))))
            else:
                left += 1
    return out, left


def subsample(items: Sequence, n: int | None, seed: int = 13) -> list:
    """Return at most n items, a fixed-seed random sample in the original order."""
    if n is None or n >= len(items):
        return list(items)
    if n < 1:
        raise ValueError(f"the sample size must be at least 1, got {n}")
    keep = sorted(random.Random(seed).sample(range(len(items)), n))
    return [items[i] for i in keep]


def known_label_examples(examples: Sequence[Example], labels: Sequence[str]) -> tuple[list[Example], int]:
    """Keep sentiment or tagging examples whose labels the model knows; return them and how many were dropped."""
    known = set(labels)
    kept = []
    for ex in examples:
        if ex.label is not None and ex.label not in known:
            continue
        if ex.tags is not None and not set(ex.tags) <= known:
            continue
        kept.append(ex)
    return kept, len(examples) - len(kept)


def tag_rows(tokens: Sequence[str], predicted: Sequence[tuple[str, str, float]], gold: Sequence[str] | None) -> list[dict]:
    """Per-token rows: word, predicted tag, its probability, gold tag and whether they agree."""
    if gold is not None and len(gold) != len(tokens):
        raise ValueError(f"{len(gold)} gold tags for {len(tokens)} words: give exactly one tag per word")
    rows = []
    for t, (tok, tag, p) in enumerate(predicted):
        g = gold[t] if gold is not None else None
        rows.append(
            {
                "position": t,
                "word": tok,
                "predicted": tag,
                "probability": p,
                "gold": g,
                "correct": None if g is None else g == tag,
            }
        )
    return rows
