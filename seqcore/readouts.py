"""What a model's answer is made of, without the model: the token cap, a trajectory, its table.

Nothing here imports torch (or spaCy until a long text is cut): a page can draw a remembered answer
(`seqcore.remembered`) before torch is imported. `seqcore.inference` re-exports these names.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np

from seqcore.tokens import tokenize

DEFAULT_MAX_TOKENS = 300  # interactive views: a trace, a trajectory or a saliency row of at most this many tokens
CHARS_PER_TOKEN_CAP = 40  # a paste is cut to max_tokens * this many characters before it is tokenized


class EmptyTextError(ValueError):
    """The text has no tokens to read."""


class TextTooLongError(ValueError):
    """The text has more tokens than interactive work reads (`max_tokens()`)."""


def max_tokens() -> int:
    """Return the token cap of interactive work: SEQCORE_MAX_TOKENS, default 300."""
    raw = os.environ.get("SEQCORE_MAX_TOKENS") or str(DEFAULT_MAX_TOKENS)
    try:
        cap = int(raw)
    except ValueError as e:
        raise ValueError(f"SEQCORE_MAX_TOKENS must be a whole number of tokens, got {raw!r}") from e
    if cap < 1:
        raise ValueError(f"SEQCORE_MAX_TOKENS must be at least 1, got {cap}")
    return cap


def cap_text(text: str, limit: int | None = None) -> tuple[str, str | None]:
    """Cut text to its first `limit` tokens; return it and a sentence saying what was cut (None if nothing was).

    A huge paste is cut to `limit * CHARS_PER_TOKEN_CAP` characters before it is tokenized, so the
    cost of reading it is bounded whatever its length.
    """
    limit = limit or max_tokens()
    head = text[: limit * CHARS_PER_TOKEN_CAP]
    tokens, offsets = tokenize(head)
    if len(tokens) <= limit and len(head) == len(text):
        return text, None
    end = offsets[limit - 1][1] if len(tokens) > limit else len(head)
    if len(head) == len(text):
        what = f"the text has {len(tokens):,} tokens, so its last {len(tokens) - limit:,} were cut"
    else:
        what = f"the text has {len(text):,} characters, so everything after character {end:,} was cut"
    return text[:end], f"The interactive views read at most {limit:,} tokens (SEQCORE_MAX_TOKENS): {what}."


@dataclass
class Trajectory:
    """Class probabilities after each word: probs[t, c] = P(class c | tokens 0..t)."""

    tokens: list[str]
    labels: list[str]
    probs: np.ndarray  # (T, C)

    def final(self) -> tuple[str, float]:
        """Return the predicted class after the whole sentence and its probability."""
        k = int(self.probs[-1].argmax())
        return self.labels[k], float(self.probs[-1, k])


def trajectory_table(runs: Mapping[str, Trajectory]) -> list[dict]:
    """One row per word: each named model's class probabilities after reading up to that word, and what it predicts."""
    first = next(iter(runs.values()))
    rows = []
    for t, tok in enumerate(first.tokens):
        row: dict = {"position": t, "word": tok}
        for name, run in runs.items():
            for c, lab in enumerate(run.labels):
                row[f"{name} P({lab})"] = round(float(run.probs[t, c]), 4)
            row[f"{name} predicts"] = run.labels[int(run.probs[t].argmax())]
        rows.append(row)
    return rows
