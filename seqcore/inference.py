"""Ask a loaded model about raw text: predictions, aspect predictions, tags, traces and trajectories."""

from __future__ import annotations

import copy
import os
import re
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import torch

from seqcore.batching import Example
from seqcore.checkpoints import Checkpoint, load_checkpoint
from seqcore.device import device_for, full_float32, same_device
from seqcore.metrics import Metrics
from seqcore.models import SequenceModel
from seqcore.readouts import CHARS_PER_TOKEN_CAP as CHARS_PER_TOKEN_CAP
from seqcore.readouts import DEFAULT_MAX_TOKENS as DEFAULT_MAX_TOKENS
from seqcore.readouts import EmptyTextError as EmptyTextError
from seqcore.readouts import TextTooLongError as TextTooLongError
from seqcore.readouts import Trajectory as Trajectory
from seqcore.readouts import cap_text as cap_text
from seqcore.readouts import max_tokens as max_tokens
from seqcore.readouts import trajectory_table as trajectory_table
from seqcore.scoring import Predictions, evaluate, predict, predictions_table
from seqcore.taskspecs import article
from seqcore.tokens import offsets_to_token_span, tokenize
from seqcore.traces import Trace, trace_ids, trajectory_logits


@dataclass
class AspectPrediction:
    """One aspect's predicted label and class probabilities."""

    term: str
    token_span: tuple[int, int]
    label: str
    probs: dict[str, float]


# Words a reader most likely means as an aspect of a restaurant or a laptop: picked first among a sentence's words.
COMMON_ASPECTS = frozenset(
    """food service staff waiter waitress server soup pizza price prices ambience atmosphere wine menu drinks place
    music dessert decor portions bread fish sushi coffee battery screen keyboard delivery table view meal dinner
    lunch""".split()
    + ["wine list", "battery life"]
)


def aspect_candidates(text: str) -> list[tuple[tuple[int, int], str]]:
    """Every word and pair of adjacent words of the sentence that could be an aspect term, as (token span, text)."""
    tokens, _ = tokenize(text)
    word = [any(c.isalpha() for c in t) for t in tokens]
    singles = [((i, i + 1), t) for i, t in enumerate(tokens) if word[i]]
    pairs = [((i, i + 2), f"{tokens[i]} {tokens[i + 1]}") for i in range(len(tokens) - 1) if word[i] and word[i + 1]]
    return singles + pairs


def suggest_aspects(candidates: Sequence[tuple[tuple[int, int], str]]) -> list[tuple[int, int]]:
    """Pick the candidates a reader most likely means: common aspect words, the longest match first
    ("wine list" over "wine"), without overlaps; else the longest candidate."""
    if not candidates:
        raise ValueError("the sentence has no word that could be an aspect term")
    text_of = dict(candidates)
    chosen: list[tuple[int, int]] = []
    for span in sorted((sp for sp, t in candidates if t.lower() in COMMON_ASPECTS), key=lambda sp: sp[0] - sp[1]):
        if all(span[1] <= d[0] or span[0] >= d[1] for d in chosen):
            chosen.append(span)
    return sorted(chosen) or [max(text_of, key=lambda sp: len(text_of[sp]))]


def aspect_rows(predictions: Sequence[AspectPrediction], gold: Sequence[str] | None = None) -> list[dict]:
    """One row per predicted aspect: term, token span, (gold and whether it is right,) predicted and P(class)."""
    rows = []
    for k, p in enumerate(predictions):
        row: dict = {"term": p.term, "tokens": f"{p.token_span[0]}-{p.token_span[1] - 1}"}
        if gold is not None:
            row.update({"gold": gold[k], "predicted": p.label, "correct": "✓" if p.label == gold[k] else "✗"})
        else:
            row["predicted"] = p.label
        row.update({f"P({c})": round(v, 4) for c, v in p.probs.items()})
        rows.append(row)
    return rows


def aspect_probs(predictions: Sequence[AspectPrediction], labels: Sequence[str]) -> np.ndarray:
    """Return the predicted probabilities as an (A, C) array, classes in the order of `labels`."""
    return np.array([[p.probs[c] for c in labels] for p in predictions], dtype=float).reshape(len(predictions), len(labels))


# Words at which a reader turns: negation and contrast (seqcore's lesson: watch a model change its mind here).
TURN_WORDS = frozenset("not n't never no nothing hardly barely far but though although despite yet however".split())
CLAUSE_END = frozenset(",;:.!?")


def turns(run: Trajectory, label: str = "positive") -> list[dict]:
    """Each turning word of a trajectory with P(label) just before it and at the end of the clause it opens.

    A turning word is one of TURN_WORDS; its clause runs to the token before the next punctuation mark or the
    next turning word (the sentence's end at the latest). `before` is None for a sentence's first word (nothing read).
    """
    k = run.labels.index(label)
    tokens = run.tokens
    out = []
    for i, tok in enumerate(tokens):
        if tok.lower() not in TURN_WORDS or (tok.lower() == "far" and tokens[i + 1 : i + 2] != ["from"]):
            continue
        j = i
        while j + 1 < len(tokens) and tokens[j + 1] not in CLAUSE_END and tokens[j + 1].lower() not in TURN_WORDS - {"far"}:
            j += 1
        before = float(run.probs[i - 1, k]) if i > 0 else None
        out.append(
            {"word": tok, "position": i, "clause": " ".join(tokens[i : j + 1]), "before": before, "after": float(run.probs[j, k])}
        )
    return out


def term_to_token_span(text: str, tokens_offsets: list[tuple[int, int]], term: str, occurrence: int = 0) -> tuple[int, int]:
    """Return the token span of the `occurrence`-th case-insensitive match of `term` in `text`."""
    if not term.strip():
        raise ValueError("the aspect term is empty")
    matches = [m.span() for m in re.finditer(re.escape(term.strip()), text, flags=re.IGNORECASE)]
    if len(matches) <= occurrence:
        raise ValueError(f"the aspect term {term!r} does not occur in the sentence {text!r}")
    span = offsets_to_token_span(tokens_offsets, *matches[occurrence])
    if span is None:
        raise ValueError(f"the aspect term {term!r} covers no token")
    return span


class Predictor:
    """A checkpoint ready to answer questions about text.

    Its model sits where one sentence is answered fastest (`device_for("interactive")`: the CPU);
    work over many sentences (scoring a file, the states of a corpus) uses `batch_model`, the same
    weights on `device_for("batch")` (the GPU when there is one), copied there once.
    """

    def __init__(self, checkpoint: Checkpoint) -> None:
        self.model = checkpoint.model.eval()
        self.encoder = checkpoint.encoder
        self.card = checkpoint.card
        self._batch_model: SequenceModel | None = None

    @classmethod
    def load(cls, path: str | os.PathLike, device: str | torch.device | None = None) -> Predictor:
        """Load a checkpoint folder or model zip onto `device` (default: the interactive device, `device_for("interactive")`)."""
        return cls(load_checkpoint(path, device or device_for("interactive")))

    @property
    def batch_model(self) -> SequenceModel:
        """Return the model on the batch device: `model` itself when it already sits there, else a copy made once.

        The copy is not refreshed: a Predictor's weights are not meant to change after it is built.
        """
        target = device_for("batch")
        if same_device(self.device, target):
            return self.model
        cached = self._batch_model
        if cached is None or not same_device(next(cached.parameters()).device, target):
            cached = copy.deepcopy(self.model).to(target).eval()
            self._batch_model = cached
        return cached

    def predict_examples(self, examples: Sequence[Example], batch_size: int = 64) -> Predictions:
        """Predict every labeled item of many examples, on the batch device in full float32."""
        model = self.batch_model
        with full_float32(next(model.parameters()).device):
            return predict(model, examples, self.encoder, batch_size)

    def prediction_rows(self, examples: Sequence[Example]) -> list[dict]:
        """One row per labeled item (`seqcore.scoring.predictions_table`), on the batch device in full float32."""
        model = self.batch_model
        with full_float32(next(model.parameters()).device):
            return predictions_table(model, examples, self.encoder)

    def evaluate(self, examples: Sequence[Example], batch_size: int = 64) -> tuple[Metrics, float]:
        """Score many labeled examples (metrics, mean loss), on the batch device in full float32."""
        model = self.batch_model
        with full_float32(next(model.parameters()).device):
            return evaluate(model, examples, self.encoder, batch_size)

    @property
    def task(self) -> str:
        return self.model.cfg.task

    @property
    def labels(self) -> list[str]:
        return list(self.encoder.labels.itos)

    @property
    def device(self) -> torch.device:
        return next(self.model.parameters()).device

    def example(self, text: str | list[str]) -> tuple[Example, list[tuple[int, int]]]:
        """Tokenize raw text (or take given tokens) into an unlabeled example and its char offsets."""
        if isinstance(text, str):
            if len(text) > max_tokens() * CHARS_PER_TOKEN_CAP:
                raise TextTooLongError(
                    f"the text has {len(text):,} characters; one sentence is read with at most {max_tokens():,} tokens "
                    "(SEQCORE_MAX_TOKENS): cut it with seqcore.inference.cap_text or shorten it"
                )
            tokens, offsets = tokenize(text)
            raw = text
        else:
            tokens, raw = [t for t in text if t.strip()], " ".join(text)
            offsets = []
        if not tokens:
            raise EmptyTextError("the sentence is empty: type at least one word")
        limit = max_tokens()
        if len(tokens) > limit:
            raise TextTooLongError(
                f"the sentence has {len(tokens):,} tokens; one sentence is read with at most {limit:,} "
                f"(SEQCORE_MAX_TOKENS): shorten it by {len(tokens) - limit:,} tokens"
            )
        return Example(id="input", tokens=tokens, text=raw), offsets

    def aspect_example(self, text: str, terms: Sequence[str]) -> Example:
        """Return the example an aspect model reads for `text`, with every term (first occurrence) marked as an aspect."""
        ex, offsets = self.example(text)
        terms = [t.strip() for t in terms if t.strip()]
        if not terms:
            raise ValueError("name at least one aspect term that occurs in the sentence")
        ex.aspects = [term_to_token_span(text, offsets, t) for t in terms]
        return ex

    def _tensors(self, ex: Example) -> tuple[torch.Tensor, torch.Tensor | None]:
        batch = self.encoder.batch([ex]).to(self.device)
        return batch.ids[0], None if batch.chars is None else batch.chars[0]

    def predict_text(self, text: str) -> dict[str, float]:
        """Return class probabilities of a whole sentence (sentiment models)."""
        self._need("sentiment")
        ex, _ = self.example(text)
        p = predict(self.model, [ex], self.encoder)
        return dict(zip(self.labels, map(float, p.probs[0])))

    def predict_aspects(
        self, text: str, terms: list[str] | None = None, spans: list[tuple[int, int]] | None = None
    ) -> list[AspectPrediction]:
        """Predict every aspect of one sentence in one forward pass; aspects given as terms or token spans."""
        self._need("aspect")
        ex, offsets = self.example(text)
        if spans is None:
            if not terms:
                raise ValueError("name at least one aspect term that occurs in the sentence")
            spans = [term_to_token_span(text, offsets, t) for t in terms]
        ex.aspects = list(spans)
        p = predict(self.model, [ex], self.encoder)
        out = []
        for a, span in enumerate(spans):
            probs = dict(zip(self.labels, map(float, p.probs[a])))
            term = terms[a] if terms else " ".join(ex.tokens[span[0] : span[1]])
            out.append(AspectPrediction(term, (span[0], span[1]), max(probs, key=lambda k: probs[k]), probs))
        return out

    def tag(self, text: str | list[str]) -> list[tuple[str, str, float]]:
        """Return (token, tag, probability) for every token (tagging models)."""
        self._need("tagging")
        ex, _ = self.example(text)
        p = predict(self.model, [ex], self.encoder)
        return [(tok, self.labels[k], float(p.probs[t, k])) for t, (tok, k) in enumerate(zip(ex.tokens, p.pred))]

    def trace(self, text: str | list[str]) -> Trace:
        """Recompute every gate of every layer and direction for one sentence."""
        ex, _ = self.example(text)
        ids, chars = self._tensors(ex)
        return trace_ids(self.model, ids, ex.tokens, chars)

    def trajectory(self, text: str | list[str]) -> Trajectory:
        """Return the class probabilities after each word of a sentence (sentiment models)."""
        self._need("sentiment")
        ex, _ = self.example(text)
        ids, chars = self._tensors(ex)
        with torch.no_grad():
            probs = torch.softmax(trajectory_logits(self.model, ids, chars), dim=-1).cpu().numpy()
        return Trajectory(ex.tokens, self.labels, probs)

    def _need(self, task: str) -> None:
        if self.task != task:
            raise ValueError(f"this is {article(self.task)} model; that question needs {article(task)} model")
