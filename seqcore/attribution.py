"""Why did the model answer that? Units that matter, and words that drove the answer.

Every question names one logit: the predicted (or a chosen) class of the sentence (sentiment),
of one aspect (aspect models) or of one token (tagging). A logit, not a probability: it is
what the head computes linearly, so contributions add up to it exactly.

Unit relevance (gradient x activation, summed over time, per layer and direction):

    contribution_u = sum_t h_t,u * d logit / d h_t,u      score_u = |contribution_u|

h_t,u is the output of unit u at token t of one fused module (the value it hands on), and the
derivative flows through the layers above and the head, not through the module's own
recurrence (see `seqcore.states`), so no path is counted twice. The sum over t comes before the
absolute value, so a unit that pushes up at one word and down at another nets out, as it does
in the logit. For the top layer the head is linear and every pooling (last, mean, max, aspect
average, one token) is linear in the states it selects, so the top layer's contributions sum
exactly to logit - head bias: the ranking is a decomposition of the logit, not a heuristic.
Lower layers get the first-order (Taylor) share of their outputs. The signed contribution tells
whether a unit pushes towards the class (+) or away from it (-); the ranking uses its size,
because a unit that pushes hard against the answer matters as much as one that pushes for it.

Change over a word range I:J (end exclusive), per unit, in the direction's reading order:

    forward:  change_u = mean_{t in I..J-1} |h_t,u - h_{I-1},u|    (h_{-1} = 0, the initial state)
    backward: change_u = mean_{t in I..J-1} |h_t,u - h_{J},u|      (h_T = 0: it reads right to left)

Word saliency: integrated gradients (Sundararajan et al. 2017) on the recurrent input, with
Captum's `LayerIntegratedGradients` (Gauss-Legendre quadrature, the trapezoid rule past 256 steps):

    IG_t = sum_k (x_t,k - x'_t,k) * integral_0^1 d F(x' + a (x - x')) / d x_t,k da

x is the recurrent input of each token: the word embedding, plus the character-CNN features for
models that read characters. The baseline x' is a sentence of padding tokens of the same length:
the padding row of the word embedding (zero) and, for character models, the character features of
a padding word (zero). Both parts are attributed along one path, so completeness holds for the
whole logit: sum_t IG_t = F(x) - F(x'). Each token's attribution is the sum over its features;
the character CNN convolves within one word, so a token's character part is its own. Gradient x
input, sum_k x_t,k dF/dx_t,k at x, is reported beside it (first order, no completeness).
"""

from __future__ import annotations

import contextlib
import copy
import warnings
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
import torch

from seqcore.batching import Example
from seqcore.inference import Predictor, term_to_token_span
from seqcore.states import StateRecorder, layer_states
from seqcore.taskspecs import article
from seqcore.tokens import tokenize

TOLERANCE = 0.01  # completeness: |sum(IG) - (F(x) - F(x'))| <= 1% of |F(x) - F(x')|
MAX_STEPS = (
    6400  # the most steps the quadrature is doubled to (sst-lstm, 40 tokens, target positive: 1.1% error at 3200, 0.5% at 6400)
)
GAUSS_MAX = 256  # most integration points for Gauss-Legendre (see `quadrature`)
MIN_GAP = 1e-3  # logit units: below this, the error is measured against MIN_GAP instead of the gap


# ----------------------------------------------------------------------------- what is explained


@dataclass
class Focus:
    """One logit of one sentence: the item (sentence, aspect or token) and the class."""

    tokens: list[str]
    ids: torch.Tensor  # (1, T)
    lengths: torch.Tensor  # (1,)
    chars: torch.Tensor | None  # (1, T, L)
    aspect_mask: torch.Tensor | None  # (1, 1, T)
    item: str  # "sentence", "aspect 'pasta' (tokens 1:2)", "token 3 'good'"
    target: str
    target_index: int
    logits: np.ndarray  # (C,) the item's logits
    labels: list[str]
    aspect_span: tuple[int, int] | None = None
    token_index: int | None = None

    @property
    def logit(self) -> float:
        return float(self.logits[self.target_index])

    @property
    def predicted(self) -> str:
        return self.labels[int(np.argmax(self.logits))]


def check_span(span: Sequence[int], n_tokens: int, what: str = "span") -> tuple[int, int]:
    """Return (I, J) if 0 <= I < J <= n_tokens, else raise ValueError naming the sentence length."""
    i, j = int(span[0]), int(span[1])
    if not 0 <= i < j <= n_tokens:
        raise ValueError(
            f"the {what} {i}:{j} is outside the sentence's {n_tokens} tokens: use I:J with 0 <= I < J <= {n_tokens} (end exclusive)"
        )
    return i, j


def aspect_to_span(text: str | list[str], tokens: list[str], offsets: list[tuple[int, int]], aspect) -> tuple[int, int]:
    """Return the token span of an aspect given as a term (first occurrence) or as a token span (I, J)."""
    if isinstance(aspect, (tuple, list)):
        return check_span(aspect, len(tokens), "aspect span")
    if isinstance(text, str) and offsets:
        return term_to_token_span(text, offsets, str(aspect))
    words = [w.lower() for w in tokenize(str(aspect))[0]]
    if not words:
        raise ValueError("the aspect term is empty")
    low = [t.lower() for t in tokens]
    for i in range(len(low) - len(words) + 1):
        if low[i : i + len(words)] == words:
            return i, i + len(words)
    raise ValueError(f"the aspect term {aspect!r} does not occur in the sentence {' '.join(tokens)!r}")


def class_index(labels: list[str], target: str | int) -> int:
    """Return a class's index given its name or index; unknown classes raise ValueError listing the known ones."""
    if isinstance(target, (int, np.integer)) and not isinstance(target, bool):
        if not 0 <= int(target) < len(labels):
            raise ValueError(f"class index {target} is out of range: this model has {len(labels)} classes {labels}")
        return int(target)
    if target not in labels:
        raise ValueError(f"unknown class {target!r}: this model's classes are {labels}")
    return labels.index(target)


def item_logits(model, logits: torch.Tensor, focus_token: int | None) -> torch.Tensor:
    """Select the explained item's logits (B, C) from a forward pass's output."""
    if model.cfg.task == "sentiment":
        return logits  # (B, C)
    if model.cfg.task == "aspect":
        return logits[:, 0]  # (B, A=1, C) -> (B, C): the batch holds only the chosen aspect
    return logits[:, focus_token]  # (B, T, C) -> (B, C)


def make_focus(
    predictor: Predictor,
    text: str | list[str],
    aspect: str | tuple[int, int] | None = None,
    token: int | None = None,
    target: str | int | None = None,
) -> Focus:
    """Tokenize `text` and choose the logit to explain: the aspect or token the task needs, and the class.

    sentiment: the sentence; aspect: `aspect` (a term that occurs in the text, or a token span);
    tagging: the token at index `token`. `target` is a class name or index; None means the predicted class.
    """
    model, task = predictor.model.eval(), predictor.task
    ex, offsets = predictor.example(text)
    T = len(ex.tokens)
    span, item = None, "sentence"
    if task != "aspect" and aspect is not None:
        raise ValueError(f"this is {article(task)} model: an aspect applies to aspect models only")
    if task != "tagging" and token is not None:
        raise ValueError(f"this is {article(task)} model: a token index applies to tagging models only")
    if task == "aspect":
        if aspect is None:
            raise ValueError("an aspect model explains one aspect: name an aspect term that occurs in the sentence")
        span = aspect_to_span(text, ex.tokens, offsets, aspect)
        ex = Example(id=ex.id, tokens=ex.tokens, text=ex.text, aspects=[span])
        item = f"aspect {' '.join(ex.tokens[span[0] : span[1]])!r} (tokens {span[0]}:{span[1]})"
    if task == "tagging":
        if token is None:
            raise ValueError("a tagging model explains one token: give its index")
        if not 0 <= int(token) < T:
            raise ValueError(f"token index {token} is out of range: the sentence has {T} tokens (0..{T - 1})")
        token = int(token)
        item = f"token {token} {ex.tokens[token]!r}"
    batch = predictor.encoder.batch([ex]).to(predictor.device)
    with torch.no_grad():
        logits = item_logits(model, model(**batch.inputs()), token)[0].float().cpu().numpy()  # (C,)
    labels = predictor.labels
    k = int(np.argmax(logits)) if target is None else class_index(labels, target)
    return Focus(
        ex.tokens, batch.ids, batch.lengths, batch.chars, batch.aspect_mask, item, labels[k], k, logits, labels, span, token
    )


@contextlib.contextmanager
def gradients_on(device: torch.device):
    """Allow backward through recurrent modules in eval mode (cuDNN's RNN backward needs training mode)."""
    if device.type == "cuda":
        with torch.backends.cudnn.flags(enabled=False), torch.enable_grad():
            yield
    else:
        with torch.enable_grad():
            yield


# ----------------------------------------------------------------------------- units that matter


@dataclass
class UnitScore:
    """One hidden unit's place in a ranking."""

    layer: int
    direction: str
    unit: int
    score: float  # what the ranking sorts by (relevance or change), >= 0
    contribution: float  # signed gradient x activation summed over time (logit units)
    change: float | None = None  # mean |h - h before| over the selected range

    def to_dict(self) -> dict:
        d = {"layer": self.layer, "direction": self.direction, "unit": self.unit, "score": self.score}
        d["contribution"] = self.contribution
        if self.change is not None:
            d["change"] = self.change
        return d


@dataclass
class LayerUnits:
    """Per-unit numbers of one layer and direction: states (T, H), contribution (H,), change (H,) or None."""

    layer: int
    direction: str
    states: np.ndarray
    contribution: np.ndarray
    change: np.ndarray | None = None


@dataclass
class UnitRanking:
    """Relevance of every hidden unit to one logit of one sentence (see the module docstring)."""

    tokens: list[str]
    item: str
    target: str
    logit: float
    head_bias: float  # the top layer's contributions sum to logit - head_bias
    layers: list[LayerUnits]
    span: tuple[int, int] | None = None

    def get(self, layer: int, direction: str = "forward") -> LayerUnits:
        """Return one layer and direction's numbers."""
        for lu in self.layers:
            if lu.layer == layer and lu.direction == direction:
                return lu
        raise KeyError(f"no layer {layer} direction {direction!r}: the model has {len(self.layers)} layer-directions")

    def _key(self, by: str) -> str:
        if by not in ("relevance", "change"):
            raise ValueError(f"rank by 'relevance' or 'change', not {by!r}")
        if by == "change" and self.span is None:
            raise ValueError("ranking by change needs a word range (span)")
        return by

    def scores(self, lu: LayerUnits, by: str = "relevance") -> np.ndarray:
        """Return the (H,) ranking scores of one layer and direction."""
        if self._key(by) == "relevance":
            return np.abs(lu.contribution)
        assert lu.change is not None  # _key refused "change" without a span, and a span fills every change
        return lu.change

    def order(self, layer: int, direction: str = "forward", by: str = "relevance") -> np.ndarray:
        """Return the unit indices of one layer and direction, most relevant first (stable on ties)."""
        return np.argsort(-self.scores(self.get(layer, direction), by), kind="stable")

    def ranked(self, by: str = "relevance", top: int | None = None) -> list[UnitScore]:
        """Return the units of every layer and direction, best first; `top` keeps the first k."""
        rows = []
        for lu in self.layers:
            s = self.scores(lu, by)
            for u in range(len(s)):
                change = None if lu.change is None else float(lu.change[u])
                rows.append(UnitScore(lu.layer, lu.direction, u, float(s[u]), float(lu.contribution[u]), change))
        rows.sort(key=lambda r: -r.score)
        return rows if top is None else rows[: max(0, int(top))]


def span_change(states: np.ndarray, span: tuple[int, int], direction: str) -> np.ndarray:
    """Return mean_{t in I..J-1} |h_t - h_before| per unit for states (T, H); "before" follows the reading order."""
    states = np.asarray(states, dtype=np.float64)
    T, H = states.shape
    i, j = check_span(span, T)
    if direction == "forward":
        before = states[i - 1] if i > 0 else np.zeros(H)  # h_{-1}: the zero initial state
    elif direction == "backward":
        before = states[j] if j < T else np.zeros(H)  # read right to left: token J comes first
    else:
        raise ValueError(f"direction must be forward or backward, not {direction!r}")
    return np.abs(states[i:j] - before).mean(axis=0)  # (H,)


def rank_units(
    predictor: Predictor,
    text: str | list[str],
    aspect: str | tuple[int, int] | None = None,
    token: int | None = None,
    target: str | int | None = None,
    span: tuple[int, int] | None = None,
) -> UnitRanking:
    """Score every hidden unit by gradient x activation of one logit, and by its change over `span` when given."""
    return rank_focus(predictor, make_focus(predictor, text, aspect, token, target), span)


def rank_focus(predictor: Predictor, focus: Focus, span: tuple[int, int] | None = None) -> UnitRanking:
    """`rank_units` for an already chosen logit."""
    model = predictor.model.eval()
    T = len(focus.tokens)
    if span is not None:
        span = check_span(span, T)
    with gradients_on(predictor.device), StateRecorder(model) as rec:
        logits = model(focus.ids, focus.lengths, focus.aspect_mask, focus.chars)
        logit = item_logits(model, logits, focus.token_index)[0, focus.target_index]
        grads = torch.autograd.grad(logit, [r.raw for r in rec.records], allow_unused=True)
    layers = []
    for r, g in zip(rec.records, grads):
        h = rec.token_order(r, r.raw.detach(), focus.lengths, T)[0]  # (T, H)
        g = torch.zeros_like(h) if g is None else rec.token_order(r, g, focus.lengths, T)[0]  # (T, H)
        states = h.float().cpu().numpy()
        contribution = (h * g).sum(0).double().cpu().numpy()  # (H,)
        change = None if span is None else span_change(states, span, r.direction)
        layers.append(LayerUnits(r.layer, r.direction, states, contribution, change))
    bias = model.head.bias[focus.target_index].item() if model.head.bias is not None else 0.0
    return UnitRanking(list(focus.tokens), focus.item, focus.target, float(logit.item()), bias, layers, span)


def final_states(predictor: Predictor, text: str | list[str]) -> dict[tuple[int, str], np.ndarray]:
    """Return each layer and direction's final state (H,): after the last token forward, after token 0 backward."""
    ex, _ = predictor.example(text)
    batch = predictor.encoder.batch([ex])
    out = {}
    for layer, direction, h in layer_states(predictor.model, batch.ids, batch.lengths, batch.chars):
        out[(layer, direction)] = h[0, -1 if direction == "forward" else 0].float().cpu().numpy()
    return out


def final_state_change(
    predictor: Predictor, text_a: str | list[str], text_b: str | list[str], top: int | None = None
) -> list[dict]:
    """Rank units by how much their final state moved between two sentences (an edit and its original).

    Rows {"layer", "direction", "unit", "score", "before", "after", "difference"}: score = |after - before|,
    difference = after - before, best first; `top` keeps the first k.
    """
    a, b = final_states(predictor, text_a), final_states(predictor, text_b)
    rows: list[dict] = []
    for (layer, direction), before in a.items():
        after = b[(layer, direction)]
        for u in range(len(before)):
            d = float(after[u] - before[u])
            rows.append(
                {
                    "layer": layer,
                    "direction": direction,
                    "unit": u,
                    "score": abs(d),
                    "before": float(before[u]),
                    "after": float(after[u]),
                    "difference": d,
                }
            )
    rows.sort(key=lambda r: -r["score"])
    return rows if top is None else rows[: max(0, int(top))]


# ----------------------------------------------------------------------------- words that drove the answer


@dataclass
class Saliency:
    """Integrated-gradients attribution of one logit to each token, with gradient x input beside it."""

    tokens: list[str]
    item: str
    target: str
    attributions: np.ndarray  # (T,) word + character parts; sums to logit - baseline_logit
    grad_x_input: np.ndarray  # (T,)
    logit: float
    baseline_logit: float
    steps: int
    completeness_error: float  # |sum(attributions) - (logit - baseline_logit)| / max(|logit - baseline_logit|, MIN_GAP)
    method: str
    word_attributions: np.ndarray = field(default_factory=lambda: np.zeros(0))  # (T,)
    char_attributions: np.ndarray | None = None  # (T,) character-CNN part; None without a character CNN

    @property
    def converged(self) -> bool:
        return self.completeness_error <= TOLERANCE

    def to_dict(self) -> dict:
        d = {
            "tokens": list(self.tokens),
            "attributions": [float(a) for a in self.attributions],
            "target": self.target,
            "logit": self.logit,
            "baseline_logit": self.baseline_logit,
            "method": self.method,
            "item": self.item,
            "grad_x_input": [float(a) for a in self.grad_x_input],
            "steps": self.steps,
            "completeness_error": self.completeness_error,
        }
        if self.char_attributions is not None:
            d["word_attributions"] = [float(a) for a in self.word_attributions]
            d["char_attributions"] = [float(a) for a in self.char_attributions]
        return d


def quadrature(steps: int) -> str:
    """Return Captum's integration rule for `steps` points: Gauss-Legendre up to GAUSS_MAX, then the trapezoid rule.

    Gauss-Legendre is exact for smooth paths with few points, but its nodes cost O(n^3) to compute
    (seconds at 1600), and where many points are needed the path has kinks (max pooling switching
    tokens), where it has no edge over the trapezoid rule.
    """
    return "gausslegendre" if steps <= GAUSS_MAX else "riemann_trapezoid"


def _forward_for(model, focus: Focus):
    """Captum forward: inputs (ids[, chars]) and additional args (lengths, aspect_mask) -> the item's logits (B, C)."""

    def forward(*args):
        if model.chars is not None:
            ids, chars, lengths, aspect_mask = args
        else:
            (ids, lengths, aspect_mask), chars = args, None
        return item_logits(model, model(ids, lengths, aspect_mask, chars), focus.token_index)

    return forward


def _inputs(model, focus: Focus) -> tuple[tuple, tuple, list]:
    """Return (inputs, padding baselines, layers) for Captum: word ids, plus characters for character models."""
    if model.chars is not None:
        assert focus.chars is not None  # a character model's focus carries its characters
        return (
            (focus.ids, focus.chars),
            (torch.zeros_like(focus.ids), torch.zeros_like(focus.chars)),
            [model.embedding, model.chars],
        )
    return (focus.ids,), (torch.zeros_like(focus.ids),), [model.embedding]


def _per_token(parts: list[torch.Tensor]) -> list[np.ndarray]:
    return [p[0].sum(-1).double().detach().cpu().numpy() for p in parts]  # (1, T, E) -> (T,)


def saliency(
    predictor: Predictor,
    text: str | list[str],
    aspect: str | tuple[int, int] | None = None,
    token: int | None = None,
    target: str | int | None = None,
    steps: int = 50,
    max_steps: int = MAX_STEPS,
    tolerance: float = TOLERANCE,
) -> Saliency:
    """Attribute one logit to the words with integrated gradients; double the steps until complete within `tolerance`.

    Stops at `max_steps`; the returned `completeness_error` says how close it came (check `converged`).
    """
    return saliency_focus(predictor, make_focus(predictor, text, aspect, token, target), steps, max_steps, tolerance)


def saliency_focus(
    predictor: Predictor, focus: Focus, steps: int = 50, max_steps: int = MAX_STEPS, tolerance: float = TOLERANCE
) -> Saliency:
    """`saliency` for an already chosen logit."""
    from captum.attr import LayerGradientXActivation, LayerIntegratedGradients

    if steps < 1 or max_steps < steps:
        raise ValueError(f"steps must be >= 1 and <= max_steps, got steps={steps}, max_steps={max_steps}")
    # Captum hooks the embedding while it works; on a private copy, other threads' passes through the shared
    # model (a server's other sessions) never meet those hooks. A copy costs milliseconds, the integral seconds.
    model = copy.deepcopy(predictor.model).eval()
    forward = _forward_for(model, focus)
    inputs, baselines, layers = _inputs(model, focus)
    extra = (focus.lengths, focus.aspect_mask)
    with gradients_on(predictor.device):
        with torch.no_grad():
            logit = forward(*inputs, *extra)[0, focus.target_index].item()
            base = forward(*baselines, *extra)[0, focus.target_index].item()
        gap = logit - base
        with warnings.catch_warnings():
            # Captum warns about any list of layers; ours (word embedding, character CNN) both read the input only.
            warnings.filterwarnings("ignore", message="Multiple layers provided")
            lig = LayerIntegratedGradients(forward, layers)
        n = steps
        while True:
            rule = quadrature(n)
            parts = lig.attribute(
                inputs,
                baselines,
                target=focus.target_index,
                additional_forward_args=extra,
                n_steps=n,
                method=rule,
                internal_batch_size=256,
            )
            per_token = _per_token([p[0] if isinstance(p, tuple) else p for p in parts])
            total = np.sum(per_token, axis=0)  # (T,)
            error = abs(float(total.sum()) - gap) / max(abs(gap), MIN_GAP)
            if error <= tolerance or n >= max_steps:
                break
            n = min(2 * n, max_steps)
        gxa = LayerGradientXActivation(forward, layers).attribute(
            inputs, target=focus.target_index, additional_forward_args=extra
        )
        gxi = np.sum(_per_token([p[0] if isinstance(p, tuple) else p for p in gxa]), axis=0)
    chars = per_token[1] if len(per_token) == 2 else None
    what = "word embeddings and character features" if chars is not None else "word embeddings"
    rule_name = "Gauss-Legendre" if rule == "gausslegendre" else "trapezoid rule"
    method = (
        f"integrated gradients on the {what} (Captum LayerIntegratedGradients, {rule_name}, {n} steps; baseline: padding tokens)"
    )
    return Saliency(
        tokens=list(focus.tokens),
        item=focus.item,
        target=focus.target,
        attributions=total,
        grad_x_input=gxi,
        logit=logit,
        baseline_logit=base,
        steps=n,
        completeness_error=error,
        method=method,
        word_attributions=per_token[0],
        char_attributions=chars,
    )
