"""Gradients through time: how much of a prediction's loss reaches back to each word.

For one sentence, the loss L = -log p(target) of one prediction (the sentence, one aspect, or one
token) is differentiated with respect to every hidden state h_t of every layer and direction, and
to every recurrent input x_t (the word embedding, plus character features where the model has
them). Back-propagation through time (Werbos 1990) gives

    dL/dh_t = (direct part through the layer above or the head) + (dh_{t+1}/dh_t)^T dL/dh_{t+1}

and for a plain RNN dh_{t+1}/dh_t = diag(1 - h_{t+1}^2) W_hh, so the norm shrinks (or grows)
geometrically with the distance from the loss (Bengio, Simard & Frasconi 1994; Pascanu, Mikolov &
Bengio 2013). Gated cells add paths whose factor can stay near 1.

Why each step is run on its own: the fused module keeps its recurrence internal, so the gradient
with respect to its whole (T, H) output holds only the direct part. Here each layer and direction
is run through its own fused module one step at a time, and the step's output is fed back as the
next step's hidden state, so the one tensor h_t carries both parts: the *total* derivative above.
No cell equation is written here; tests check the logits against the model's own forward pass.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn

from seqcore.batching import Encoder, Example
from seqcore.models import POOLINGS, SequenceModel, pool_outputs

DIRECTIONS = ("forward", "backward")


@dataclass
class GradientFlow:
    """Norms of dL/dh_t and dL/dx_t for one prediction of one sentence, in token order."""

    tokens: list[str]
    cell: str
    task: str
    labels: list[str]
    probs: np.ndarray  # (C,) the prediction's class probabilities
    predicted: int  # argmax class
    target: int  # the class whose loss -log p(target) was differentiated
    item: int | None  # aspect index (aspect models) or token position (tagging); None for sentiment
    loss: float
    hidden: dict[tuple[int, str], np.ndarray]  # (layer, direction) -> (T,) ||dL/dh_t||
    inputs: np.ndarray  # (T,) ||dL/dx_t|| of the first layer's input

    @property
    def target_label(self) -> str:
        return self.labels[self.target]

    @property
    def predicted_label(self) -> str:
        return self.labels[self.predicted]

    def first_layer(self) -> np.ndarray:
        """Norm of dL/dh_t of the first layer's state, both directions concatenated: (T,).

        For a bidirectional model this is sqrt(||dL/dh_t^fwd||^2 + ||dL/dh_t^bwd||^2), the norm
        of the gradient with respect to the concatenated state [h_t^fwd; h_t^bwd].
        """
        parts = [v for (layer, _), v in self.hidden.items() if layer == 0]
        return np.sqrt(np.sum(np.square(parts), axis=0))

    def lines(self, name: str = "", inputs: bool = True) -> dict[str, np.ndarray]:
        """Every series as {"<name> · layer L direction": norms (T,)}, plus the inputs; for a figure."""
        prefix = f"{name} · " if name else ""
        out = {f"{prefix}layer {layer} {direction}": v for (layer, direction), v in self.hidden.items()}
        if inputs:
            out[f"{prefix}input x"] = self.inputs
        return out

    def orders_of_magnitude(self, layer: int = 0, direction: str = "forward") -> float:
        """log10 of the largest over the smallest non-zero norm of one series: how far the gradient fell."""
        v = self.hidden[(layer, direction)]
        v = v[v > 0]
        return float(math.log10(v.max() / v.min())) if v.size else 0.0

    def to_dict(self) -> dict:
        """A JSON-ready dict."""
        return {
            "tokens": list(self.tokens),
            "cell": self.cell,
            "task": self.task,
            "predicted": self.predicted_label,
            "target": self.target_label,
            "item": self.item,
            "loss": self.loss,
            "probs": dict(zip(self.labels, map(float, self.probs))),
            "hidden": [
                {"layer": layer, "direction": direction, "grad_norms": v.tolist()}
                for (layer, direction), v in self.hidden.items()
            ],
            "input_grad_norms": self.inputs.tolist(),
        }


def run_steps(rnn: nn.RNNBase, x: torch.Tensor) -> list[torch.Tensor]:
    """Run a fused single-layer module over x (1, T, in) one step at a time; return each h_t as (1, 1, H).

    Each step's output is fed back as the next hidden state, so gradients with respect to h_t
    include every later step (the rest of the state, the LSTM's c and a variant's gates, passed on as the module returns it).
    """
    state = None
    steps = []
    for t in range(x.shape[1]):
        out, new = rnn(x[:, t : t + 1], state)  # out (1, 1, H): h_t
        h = out.transpose(0, 1)  # (1, 1, H) as (layers * directions, batch, H)
        state = (h, *new[1:]) if isinstance(new, tuple) else h  # h_t, then the rest of the state (c; the gates FGR reads)
        steps.append(out)
    return steps


def resolve_target(target: int | str | None, labels: list[str], predicted: int) -> int:
    """Return a class index: the predicted class for None, else the given index or label."""
    if target is None:
        return predicted
    if isinstance(target, str):
        if target not in labels:
            raise ValueError(f"unknown class {target!r}: this model knows {labels}")
        return labels.index(target)
    if not 0 <= int(target) < len(labels):
        raise ValueError(f"class index {target} is outside 0..{len(labels) - 1}")
    return int(target)


def pool_as(model: SequenceModel, out: torch.Tensor, lengths: torch.Tensor, pooling: str | None = None) -> torch.Tensor:
    """Pool (B, T, D) outputs with the model's own code, as if its pooling were `pooling` (None: its own)."""
    if pooling is None or pooling == model.cfg.pooling:
        return model.pool(out, lengths)
    if pooling not in POOLINGS:
        raise ValueError(f"pooling must be one of {POOLINGS}, got {pooling!r}")
    return pool_outputs(replace(model.cfg, pooling=pooling), out, lengths)  # a config that differs in the pooling alone


def gradient_flow(
    model: SequenceModel,
    encoder: Encoder,
    example: Example,
    target: int | str | None = None,
    item: int | None = None,
    readout: str | None = None,
) -> GradientFlow:
    """Return ||dL/dh_t|| per layer and direction and ||dL/dx_t|| for one prediction of one sentence.

    L = -log p(target) of the sentence (sentiment), of aspect `item` (aspect models; default 0,
    `example.aspects` gives the spans) or of the token at position `item` (tagging; default the
    last token). `target` is a class index or label; None means the predicted class.

    `readout` (sentiment only) pools as "last", "mean" or "max" instead of the model's own pooling.
    With max or mean pooling the loss enters at many words at once; "last" lets it enter only at
    each direction's last step, so the norms show the recurrence alone carrying it back.
    """
    cfg = model.cfg
    if readout is not None and cfg.task != "sentiment":
        raise ValueError(f"readout applies to sentence (sentiment) models, not to a {cfg.task} model")
    if not example.tokens:
        raise ValueError("the sentence is empty: type at least one word")
    T = len(example.tokens)
    if cfg.task == "aspect":
        if not example.aspects:
            raise ValueError("an aspect model needs an aspect: give the example at least one aspect span")
        item = 0 if item is None else item
        if not 0 <= item < len(example.aspects):
            raise ValueError(f"aspect {item} does not exist: the sentence has {len(example.aspects)} aspect(s)")
    elif cfg.task == "tagging":
        item = T - 1 if item is None else item
        if not 0 <= item < T:
            raise ValueError(f"token position {item} is outside the sentence's {T} tokens")
    else:
        item = None
    model.eval()
    device = next(model.parameters()).device
    probe = Example(id=example.id, tokens=list(example.tokens), aspects=list(example.aspects))
    batch = encoder.batch([probe]).to(device)
    with torch.enable_grad():
        x0 = model.embed(batch.ids, batch.chars).detach().requires_grad_(True)  # (1, T, E)
        steps: dict[tuple[int, str], list[torch.Tensor]] = {}
        x = x0
        for layer, directions in enumerate(model.encoder.rnns()):
            outs = []
            for d, rnn in enumerate(directions):
                # One sentence, no padding: the backward direction reads it reversed.
                hs = run_steps(rnn, x if d == 0 else x.flip(1))
                if d == 1:
                    hs = hs[::-1]  # token order
                steps[(layer, DIRECTIONS[d])] = hs
                outs.append(torch.cat(hs, dim=1))  # (1, T, H)
            x = torch.cat(outs, dim=-1)  # (1, T, D); dropout is off in eval mode
        out = x
        if cfg.task == "sentiment":
            logits = model.classify(pool_as(model, out, batch.lengths, readout))[0]  # (C,)
        elif cfg.task == "aspect":
            assert batch.aspect_mask is not None  # an aspect encoder always builds the mask
            logits = model.classify(model.aspect_features(out, batch.aspect_mask))[0, item]  # (C,)
        else:
            logits = model.classify(out)[0, item]  # (C,)
        probs = torch.softmax(logits.detach(), dim=-1)
        predicted = int(probs.argmax())
        labels = list(encoder.labels.itos)
        k = resolve_target(target, labels, predicted)
        loss = F.cross_entropy(logits.unsqueeze(0), torch.tensor([k], device=device))
        keys = list(steps)
        flat = [h for key in keys for h in steps[key]]
        grads = torch.autograd.grad(loss, [x0, *flat], allow_unused=True)
    # None: the step has no path to the loss (a tagging token's forward steps after it).
    norm = lambda g: 0.0 if g is None else float(g.double().norm())  # noqa: E731
    hidden, i = {}, 1
    for key in keys:
        hidden[key] = np.array([norm(g) for g in grads[i : i + T]])
        i += T
    inputs = grads[0][0].double().norm(dim=-1).cpu().numpy()  # (T,)
    return GradientFlow(
        tokens=list(example.tokens),
        cell=cfg.cell,
        task=cfg.task,
        labels=labels,
        probs=probs.cpu().double().numpy(),
        predicted=predicted,
        target=k,
        item=item,
        loss=float(loss.detach()),
        hidden=hidden,
        inputs=inputs,
    )


def gradient_flow_text(
    model: SequenceModel,
    encoder: Encoder,
    text: str | list[str],
    target: int | str | None = None,
    aspect: str | None = None,
    token: int | None = None,
    readout: str | None = None,
) -> GradientFlow:
    """Tokenize `text` (or take a token list) and return its gradient flow.

    Aspect models need `aspect`, a term that occurs in the text; tagging models differentiate
    the loss of the token at position `token` (default the last one).
    """
    from seqcore.checkpoints import Checkpoint
    from seqcore.inference import Predictor, term_to_token_span

    task = model.cfg.task
    if aspect is not None and task != "aspect":
        raise ValueError(f"an aspect term applies to aspect models, not to a {task} model")
    if token is not None and task != "tagging":
        raise ValueError(f"a token position applies to tagging models, not to a {task} model")
    # The Predictor's reading of text: the same tokens, the empty-text error and the token cap (SEQCORE_MAX_TOKENS).
    example, offsets = Predictor(Checkpoint(model, encoder, {})).example(text)
    tokens = example.tokens
    item = None
    if task == "aspect":
        if not aspect:
            raise ValueError("an aspect model needs an aspect term that occurs in the sentence")
        if isinstance(text, str):
            example.aspects = [term_to_token_span(text, offsets, aspect)]
        else:
            words = aspect.split()
            starts = [i for i in range(len(tokens)) if tokens[i : i + len(words)] == words]
            if not starts:
                raise ValueError(f"the aspect term {aspect!r} does not occur in the tokens")
            example.aspects = [(starts[0], starts[0] + len(words))]
        item = 0
    elif task == "tagging":
        item = token
    return gradient_flow(model, encoder, example, target, item, readout)


def fresh_like(model: SequenceModel, seed: int = 0) -> SequenceModel:
    """Return an untrained model with the same config (same sizes, same vocabulary), initialised from `seed`.

    PyTorch's default initialisation, as training starts from; the global random state is left as it was.
    """
    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(seed)
        fresh = SequenceModel(replace(model.cfg))
    return fresh.to(next(model.parameters()).device).eval()


def trained_and_fresh(
    name: str,
    model: SequenceModel,
    encoder: Encoder,
    text: str | list[str],
    seed: int = 0,
    twin: SequenceModel | None = None,
    **kwargs,
) -> dict[str, GradientFlow]:
    """Return {name: flow, "<name> (untrained)": flow} for a model and its freshly initialised twin.

    The twin differentiates the same class as the trained model (its prediction, or `target`), so
    the two lines differ only in the weights. `twin` is `fresh_like(model, seed)` made earlier (a caller that
    keeps it saves building it again); `kwargs` go to `gradient_flow_text`.
    """
    trained = gradient_flow_text(model, encoder, text, **kwargs)
    kwargs["target"] = trained.target
    fresh = gradient_flow_text(twin if twin is not None else fresh_like(model, seed), encoder, text, **kwargs)
    return {name: trained, f"{name} (untrained)": fresh}
