"""Tiny synthetic data for fast tests: learnable rules, so training must actually work."""

from __future__ import annotations

import random

from seqcore.batching import Example

WORDS = ["good", "bad", "food", "service", "the", "was", "very", "not", "a", "menu", "cheap", "slow"]


def sentiment_data(n: int = 120, seed: int = 0) -> list[Example]:
    """Sentences labeled positive iff they contain 'good'."""
    rng = random.Random(seed)
    out = []
    for i in range(n):
        toks = [rng.choice(WORDS[2:]) for _ in range(rng.randint(2, 8))]
        label = "positive" if i % 2 == 0 else "negative"
        if label == "positive":
            toks.insert(rng.randrange(len(toks) + 1), "good")
        else:
            toks = [t for t in toks if t != "good"] or ["bad"]
        out.append(Example(id=f"s{i}", tokens=toks, text=" ".join(toks), label=label))
    return out


def aspect_data(n: int = 80, seed: int = 0) -> list[Example]:
    """Two-aspect sentences: the word right after each aspect decides its polarity."""
    rng = random.Random(seed)
    out = []
    for i in range(n):
        toks, spans, labels = [], [], []
        for _ in range(rng.randint(1, 2)):
            toks += ["the"]
            spans.append((len(toks), len(toks) + 1))
            toks += [rng.choice(["food", "service", "menu"])]
            mood = rng.choice(["good", "bad", "slow"])
            labels.append({"good": "positive", "bad": "negative", "slow": "neutral"}[mood])
            toks += [mood]
        out.append(
            Example(
                id=f"a{i}",
                tokens=toks,
                text=" ".join(toks),
                aspects=spans,
                aspect_labels=labels,
                aspect_terms=[toks[s] for s, _ in spans],
            )
        )
    return out


def tagging_data(n: int = 60, seed: int = 0) -> list[Example]:
    """Tag each word by a fixed lexicon."""
    lex = {"the": "DET", "a": "DET", "food": "NOUN", "menu": "NOUN", "was": "AUX", "good": "ADJ", "bad": "ADJ", "very": "ADV"}
    rng = random.Random(seed)
    out = []
    for i in range(n):
        toks = [rng.choice(list(lex)) for _ in range(rng.randint(1, 7))]
        out.append(Example(id=f"t{i}", tokens=toks, text=" ".join(toks), tags=[lex[t] for t in toks]))
    return out
