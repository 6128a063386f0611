"""Negation in context: SST's own polar predicates, negated where they stand in its trees, with the flipped label.

SST rates most negated negatives neutral ("not bad", "never boring": label 2), so its binary view
drops them and a model trained on SST-2 phrases never sees that negating a negative predicate makes a
positive phrase. `treebank.negation_phrases` adds short frames ("not dull"); this module adds the
same rule inside SST's sentences, so the model also sees the negator between a subject and the rest
of a sentence:

- a node `[copula, P]` (copula: is, was, are, were, 's, seems, ...) whose predicate P is polar (at
  most 6 tokens, no negator, comparison or quantity first, no contrast word inside, not "there 's"),
  and gives the node its polarity, is rewritten with a negator between the
  copula and P ("the plot is dull" -> "the plot is never dull"), and its label flipped;
- the flip climbs to each ancestor whose other children are all neutral (label 2) and whose polarity
  is the node's: the neutral siblings add no sentiment, so the ancestor's label came from the
  negated node (Socher et al. 2013 build the treebank's labels up the tree the same way).
  An ancestor with a polar sibling (a "but" clause, a second opinion) stops the climb.

The negator of each rewrite is picked in turn from NEGATORS (by a stable hash of the phrase), so each
negator appears about equally often and the data grows once, not once per negator.

`contrasted` joins negated phrases by ", but" to SST phrases of the opposite polarity, labelled by the part
after "but" (a model taught negation alone lets "not X" outweigh a "but" clause after it). `NegationOptions`
says which of these SST binary training adds (`seqcore.tasks.sst_examples`), how often, and what it holds out.

`split_heldout` keeps a fixed share of the generated phrases (by a stable hash of their predicate, so
a word is either seen or not seen) out of training, as a held-out negation check that never touches
the evaluation suite (`bench/data/negation_contrast.tsv`).
"""

from __future__ import annotations

import zlib
from collections.abc import Sequence
from dataclasses import dataclass

from seqcore.treebank import BINARY_LABELS, NEGATION_FRAMES, Node, Tree, phrases, polar_predicates

NEGATORS = ("not", "never", "hardly", "far from", "n't")
COPULAS = frozenset("is was are were 's seems seemed feels felt remains remained becomes became".split())
_NT_OK = frozenset("is was are were".split())  # "is n't", not "'s n't"
# A predicate that already starts with one of these is left alone ("is not funny", "is no masterpiece").
_NEGATED = frozenset("not n't never no hardly nothing none neither nor far without barely scarcely".split())
# Predicates left alone because negation does not simply flip them: a comparison or quantity first
# ("is not more like", "is n't all about"), or a contrast inside ("hardly unusual but irritating").
_SKIP_FIRST = frozenset("more most less least all such about as like".split())
_CONTRAST = frozenset("but although though yet while whereas however ; :".split())
_MAX_PREDICATE = 6  # tokens: a long predicate often holds more than one opinion
_EXISTENTIAL = frozenset("there here".split())  # "there 's no ..." is not a copula before a predicate
FLIP = {"negative": "positive", "positive": "negative"}


def polarity(label: int) -> str | None:
    """Binary polarity of a 0-4 label: negative (0, 1), positive (3, 4), None for neutral (2)."""
    return None if label == 2 else BINARY_LABELS[label > 2]


def stable_hash(text: str) -> int:
    """A hash that is the same in every process (Python's hash() of a str is salted)."""
    return zlib.crc32(text.encode("utf-8"))


def children(tree: Tree) -> dict[int, list[int]]:
    """Node index -> its children's indices, from the pre-order spans (a child lies inside its parent)."""
    kids: dict[int, list[int]] = {i: [] for i in range(len(tree.nodes))}
    stack: list[int] = []
    for i, node in enumerate(tree.nodes):
        while stack and not _inside(node, tree.nodes[stack[-1]]):
            stack.pop()
        if stack:
            kids[stack[-1]].append(i)
        stack.append(i)
    return kids


def _inside(node: Node, outer: Node) -> bool:
    return outer.start <= node.start and node.end <= outer.end and (outer.start, outer.end) != (node.start, node.end)


def negated_in_context(trees: Sequence[Tree]) -> list[tuple[tuple[str, ...], str, str]]:
    """Every negated copula node and its climbing ancestors as (tokens, flipped binary label, predicate key).

    The key is the predicate's lowercased text (`split_heldout` holds out by it).
    """
    out: list[tuple[tuple[str, ...], str, str]] = []
    for tree in trees:
        kids = children(tree)
        parent = {c: p for p, cs in kids.items() for c in cs}
        low = [t.lower() for t in tree.tokens]
        for v, node in enumerate(tree.nodes):
            if len(kids[v]) != 2:
                continue
            cop, pred = (tree.nodes[k] for k in kids[v])
            pol = polarity(pred.label)
            if cop.end - cop.start != 1 or low[cop.start] not in COPULAS or pol is None or polarity(node.label) != pol:
                continue
            words = low[pred.start : pred.end]
            if words[0] in _NEGATED or words[0] in _SKIP_FIRST or len(words) > _MAX_PREDICATE:
                continue
            if _CONTRAST.intersection(words) or (cop.start > 0 and low[cop.start - 1] in _EXISTENTIAL):
                continue
            key = " ".join(low[pred.start : pred.end])
            choices = NEGATORS if low[cop.start] in _NT_OK else NEGATORS[:-1]
            neg = tuple(choices[stable_hash(tree.id + key) % len(choices)].split())
            at = pred.start
            cur = v
            while True:
                span = tree.nodes[cur]
                toks = tree.tokens[span.start : at] + neg + tree.tokens[at : span.end]
                out.append((toks, FLIP[pol], key))
                up = parent.get(cur)
                if up is None or polarity(tree.nodes[up].label) != pol:
                    break
                if any(tree.nodes[s].label != 2 for s in kids[up] if s != cur):
                    break
                cur = up
    return out


def split_heldout(
    items: Sequence[tuple[tuple[str, ...], str, str]], share: float
) -> tuple[list[tuple[tuple[str, ...], str]], list[tuple[tuple[str, ...], str]]]:
    """Split (tokens, label, key) items into (train, held out): a key is held out when its stable hash falls in `share`."""
    if not 0.0 <= share < 1.0:
        raise ValueError(f"the held-out share must be in [0, 1), got {share}")
    train: list[tuple[tuple[str, ...], str]] = []
    held: list[tuple[tuple[str, ...], str]] = []
    cut = int(share * 1000)
    for toks, label, key in items:
        (held if stable_hash(key) % 1000 < cut else train).append((toks, label))
    return train, held


def framed(trees: Sequence[Tree]) -> list[tuple[tuple[str, ...], str, str]]:
    """`treebank.negation_phrases` with each phrase's predicate as its key: (tokens, flipped label, predicate)."""
    known = {tuple(t.lower() for t in toks) for toks, _ in phrases(trees, "binary")}
    out = []
    for word, label in polar_predicates(trees).items():
        for frame in NEGATION_FRAMES:
            toks = tuple(frame.format(word).split())
            if toks not in known:
                out.append((toks, FLIP[label], word))
    return out


# Contrast: in SST, "A , but B" takes B's polarity when the two clauses disagree (Socher et al. 2013 show the
# treebank's labels follow the clause after "but"). A model trained on negated phrases alone reads the negation as
# the whole story ("not funny , but very moving" stays negative), so every other negated phrase is also joined to a
# polar phrase of SST of the opposite polarity, in either order, and labelled with the part after "but".
_CLAUSE_MIN, _CLAUSE_MAX = 2, 10  # tokens of an SST phrase used in a contrast


def contrast_clauses(trees: Sequence[Tree]) -> dict[str, list[tuple[str, ...]]]:
    """SST's polar phrases fit to stand on one side of ", but", by polarity: negative / positive -> token tuples.

    A phrase fits when it has 2-10 tokens, starts and ends with a word, and holds no negator and no contrast word
    (so its label is its own opinion, not a turn).
    """
    found: dict[tuple[str, ...], str] = {}
    for tree in trees:
        low = [t.lower() for t in tree.tokens]
        for node in tree.nodes:
            pol = polarity(node.label)
            words = low[node.start : node.end]
            if pol is None or not _CLAUSE_MIN <= len(words) <= _CLAUSE_MAX:
                continue
            if not (words[0].isalpha() and words[-1].isalpha()):
                continue
            if _NEGATED.intersection(words) or _CONTRAST.intersection(words) or "." in words:
                continue
            found.setdefault(tree.tokens[node.start : node.end], pol)
    pools: dict[str, list[tuple[str, ...]]] = {"negative": [], "positive": []}
    for toks, pol in sorted(found.items()):
        pools[pol].append(toks)
    return pools


def contrasted(
    negated: Sequence[tuple[tuple[str, ...], str, str]], trees: Sequence[Tree]
) -> list[tuple[tuple[str, ...], str, str]]:
    """Every other negated phrase joined by ", but" to an SST phrase of the opposite polarity, labelled by the part after "but".

    By a stable hash of the phrase: half of the chosen phrases come first ("is never dull , but a little too smug":
    the second part's label), half second ("a strong cast , but is never funny": the negated phrase's label).
    """
    pools = contrast_clauses(trees)
    out = []
    for toks, label, key in negated:
        h = stable_hash(" ".join(toks))
        pool = pools[FLIP[label]]
        if h % 2 or not pool:
            continue
        head = toks[:-1] if toks and toks[-1] == "." else toks
        other = pool[(h >> 2) % len(pool)]
        if (h >> 1) % 2:
            out.append((head + (",", "but") + other, FLIP[label], key))
        else:
            out.append((other + (",", "but") + head, label, key))
    return out


@dataclass(frozen=True)
class NegationOptions:
    """Which negated phrases SST binary training adds (seqcore.negations), how often, and what it holds out.

    `frames`: each polar predicate under not / never / hardly / far from (`treebank.negation_phrases`);
    `context`: the same rule inside SST's trees (`negations.negated_in_context`); `contrast`: every other
    negated phrase also joined by ", but" to an SST phrase of the opposite polarity (`negations.contrasted`); `weight`: each added
    phrase is repeated this many times (they are a few % of the 77k phrases); `holdout`: this share of
    the predicates (and every phrase made from them) is kept out, as a held-out negation check.
    """

    frames: bool = False
    context: bool = False
    weight: int = 1
    holdout: float = 0.0
    contrast: bool = False

    def __post_init__(self) -> None:
        if self.weight < 1:
            raise ValueError(f"the negation weight must be >= 1, got {self.weight}")
        if not 0.0 <= self.holdout < 1.0:
            raise ValueError(f"the negation held-out share must be in [0, 1), got {self.holdout}")

    def added(self, trees: Sequence[Tree]) -> tuple[list[tuple[tuple[str, ...], str]], list[tuple[tuple[str, ...], str]]]:
        """The (tokens, label) phrases to train on (before weighting) and the held-out ones; SST's own labels win."""
        made = (framed(trees) if self.frames else []) + (negated_in_context(trees) if self.context else [])
        made += contrasted(made, trees) if self.contrast else []
        known = {tuple(t.lower() for t in toks) for toks, _ in phrases(trees, "binary")}
        seen: set[tuple[str, ...]] = set()
        kept = []
        for toks, label, key in made:
            low = tuple(t.lower() for t in toks)
            if low not in known and low not in seen:
                seen.add(low)
                kept.append((toks, label, key))
        return split_heldout(kept, self.holdout)
