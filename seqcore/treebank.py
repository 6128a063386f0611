"""Read the Stanford Sentiment Treebank (SST): a sentiment label 0-4 on every node of each sentence's parse tree.

Socher et al., "Recursive Deep Models for Semantic Compositionality Over a Sentiment Treebank",
EMNLP 2013. Each line of a file is one sentence in PTB bracket form, `(3 (2 (2 The) (2 Rock)) ...)`:
a node is `(L children...)` and a leaf `(L word)`, with L from 0 (very negative) to 4 (very positive).
A node covers a span of the sentence's tokens, so every node is a labelled phrase.

Two views of the labels: "fine" (five classes, SST-5) and "binary" (0-1 negative, 3-4 positive, 2
dropped: SST-2). PTB's bracket escapes (`-LRB-`, `-RRB-`, ...) become the brackets they stand for,
its quote marks (`` and '') the plain quote `"` a user types, and `\\/`, `\\*` a slash and a star. Pure Python: no torch, no spaCy.
A malformed line becomes a `Problem` (file, line, sentence id) and the rest of the file is kept.
"""

from __future__ import annotations

import os
import re
from collections import Counter
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

from seqcore.readers import DataFormatError, Problem

FINE_LABELS = ("very negative", "negative", "neutral", "positive", "very positive")
BINARY_LABELS = ("negative", "positive")
VIEWS = ("binary", "fine")
SST_TRAIN_ON = ("phrases", "all-phrases", "roots")  # what SST training examples are (seqcore.tasks.sst_examples)
# PTB escapes for brackets, and its directed quote marks, as the characters a reader types.
ESCAPES = {"-LRB-": "(", "-RRB-": ")", "-LSB-": "[", "-RSB-": "]", "-LCB-": "{", "-RCB-": "}", "``": '"', "''": '"'}
# Split on ASCII blanks only: a leaf may hold a no-break space ("8\u00a01\\/2").
_TOKEN = re.compile(r"\(|\)|[^ \t\r\n()]+")
Source = str | os.PathLike[str] | bytes


def unescape(word: str) -> str:
    """A leaf as a reader writes it: PTB's escapes (`-LRB-`, `\\/`, `\\*`, quote marks) undone, also inside a word."""
    if word in ESCAPES:
        return ESCAPES[word]
    for escape in ("-LRB-", "-RRB-", "-LSB-", "-RSB-", "-LCB-", "-RCB-"):
        word = word.replace(escape, ESCAPES[escape])
    return word.replace("\\/", "/").replace("\\*", "*")


class TreeSyntaxError(ValueError):
    """One line is not a well-formed labelled tree; the message says where."""


@dataclass(frozen=True)
class Node:
    """A labelled node: tokens[start:end] of its sentence (end exclusive) and its label 0-4."""

    start: int
    end: int
    label: int


@dataclass(frozen=True)
class Tree:
    """One sentence: its tokens and every node, the root first (pre-order)."""

    id: str
    tokens: tuple[str, ...]
    nodes: tuple[Node, ...]
    line: int | None = None

    @property
    def root(self) -> Node:
        return self.nodes[0]

    @property
    def text(self) -> str:
        return " ".join(self.tokens)

    def phrase(self, node: Node) -> tuple[str, ...]:
        """The tokens a node covers."""
        return self.tokens[node.start : node.end]


def view_label(label: int, view: str = "binary") -> str | None:
    """Name a 0-4 label in a view: "binary" gives negative (0, 1), positive (3, 4) or None (2); "fine" one of FINE_LABELS."""
    if view == "fine":
        return FINE_LABELS[label]
    if view != "binary":
        raise ValueError(f"unknown SST view {view!r}: use one of {VIEWS}")
    return None if label == 2 else BINARY_LABELS[label > 2]


def view_labels(view: str) -> tuple[str, ...]:
    """The classes of a view, in order."""
    if view not in VIEWS:
        raise ValueError(f"unknown SST view {view!r}: use one of {VIEWS}")
    return BINARY_LABELS if view == "binary" else FINE_LABELS


def parse_tree(line: str, tree_id: str = "", lineno: int | None = None) -> Tree:
    """Parse one bracketed line into a Tree; TreeSyntaxError says what is wrong and at which token."""
    parts = _TOKEN.findall(line)
    tokens: list[str] = []
    nodes: list[list[int]] = []  # [start, end, label], pre-order; end filled when the node closes
    open_nodes: list[int] = []  # indices into nodes of the nodes still open
    kids: list[int] = []  # per open node: children seen (nodes or a word)
    i = 0
    while i < len(parts):
        part = parts[i]
        if part == "(":
            if not open_nodes and nodes:
                raise TreeSyntaxError(f"text after the end of the tree (token {i + 1})")
            if open_nodes and kids[-1] < 0:
                raise TreeSyntaxError(f"a node holds both a word and a node (token {i + 1})")
            label = parts[i + 1] if i + 1 < len(parts) else ""
            if label not in ("0", "1", "2", "3", "4"):
                raise TreeSyntaxError(f"a node's label must be 0-4, got {label!r} (token {i + 2})")
            if open_nodes:
                kids[-1] += 1
            nodes.append([len(tokens), -1, int(label)])
            open_nodes.append(len(nodes) - 1)
            kids.append(0)
            i += 2
        elif part == ")":
            if not open_nodes:
                raise TreeSyntaxError(f"a closing bracket with no open node (token {i + 1})")
            if kids[-1] == 0:
                raise TreeSyntaxError(f"an empty node (token {i + 1})")
            nodes[open_nodes.pop()][1] = len(tokens)
            kids.pop()
            i += 1
        else:
            if not open_nodes:
                raise TreeSyntaxError(f"a word outside any node (token {i + 1})")
            if kids[-1] != 0:
                raise TreeSyntaxError(f"a node holds more than one word, or a word and a node (token {i + 1})")
            tokens.append(unescape(part))
            kids[-1] = -1
            i += 1
    if not nodes:
        raise TreeSyntaxError("no tree on this line")
    if open_nodes:
        raise TreeSyntaxError(f"{len(open_nodes)} node(s) left open at the end of the line")
    return Tree(tree_id, tuple(tokens), tuple(Node(*n) for n in nodes), lineno)


def _lines(source: Source, name: str | None) -> tuple[str, Iterator[tuple[int, str]]]:
    label = name or ("<upload>" if isinstance(source, bytes) else str(source))

    def lines() -> Iterator[tuple[int, str]]:
        if isinstance(source, bytes):
            chunks: Iterable[bytes] = source.split(b"\n")
            for n, raw in enumerate(chunks, start=1):
                yield n, _decode(raw, label, n)
            return
        path = Path(source)
        if path.is_dir():
            raise DataFormatError(f"{label} is a folder, not a tree file")
        with path.open("rb") as f:
            for n, raw in enumerate(f, start=1):
                yield n, _decode(raw.rstrip(b"\n"), label, n)

    return label, lines()


def _decode(raw: bytes, label: str, line: int) -> str:
    try:
        return raw.decode("utf-8").removeprefix("\ufeff").rstrip("\r")
    except UnicodeDecodeError as err:
        raise DataFormatError(
            f"{label}, line {line}: not UTF-8 (byte {err.start + 1} of the line); SST files are UTF-8"
        ) from None


def iter_trees(source: Source, name: str | None = None) -> Iterator[Tree | Problem]:
    """Yield each sentence's Tree as it is read, or a Problem for a line that was skipped; blank lines are skipped silently.

    A file on disk is streamed line by line. A sentence's id is `<file name>:<line>`.
    """
    label, lines = _lines(source, name)
    short = Path(label).name
    for n, line in lines:
        if not line.strip():
            continue
        tid = f"{short}:{n}"
        try:
            yield parse_tree(line, tid, n)
        except TreeSyntaxError as err:
            yield Problem(label, f"not a labelled tree: {err}; this sentence was skipped.", tid, n)


def read_trees(source: Source, name: str | None = None) -> tuple[list[Tree], list[Problem]]:
    """Read every tree of an SST file (path or bytes); malformed lines are skipped and reported."""
    trees: list[Tree] = []
    problems: list[Problem] = []
    for item in iter_trees(source, name):
        if isinstance(item, Problem):
            problems.append(item)
        else:
            trees.append(item)
    if not trees and problems:
        raise DataFormatError(f"{problems[0].source}: no line is a labelled tree; the first problem: {problems[0].message}")
    return trees, problems


def phrases(trees: Iterable[Tree], view: str = "binary", distinct: bool = True) -> list[tuple[tuple[str, ...], str]]:
    """Every labelled phrase of the trees as (tokens, label) in `view`; neutral nodes have no binary label and are left out.

    `distinct=True` keeps each phrase once (compared lowercased, first occurrence's casing), with the label
    most of its occurrences carry (a tie: the first one's). SST labels phrases, not occurrences:
    a phrase that occurs many times was rated once, so repeats add weight, not information.
    """
    out: list[tuple[tuple[str, ...], str]] = []
    seen: dict[tuple[str, ...], int] = {}
    votes: list[Counter] = []
    for tree in trees:
        for node in tree.nodes:
            lab = view_label(node.label, view)
            if lab is None:
                continue
            toks = tree.phrase(node)
            if not distinct:
                out.append((toks, lab))
                continue
            key = tuple(t.lower() for t in toks)
            if key not in seen:
                seen[key] = len(out)
                out.append((toks, lab))
                votes.append(Counter())
            votes[seen[key]][lab] += 1
    if distinct:
        for i, counter in enumerate(votes):
            top = max(counter.values())
            if counter[out[i][1]] < top:
                out[i] = (out[i][0], counter.most_common(1)[0][0])
    return out


def roots(trees: Iterable[Tree], view: str = "binary") -> list[tuple[Tree, str]]:
    """The sentences with their root label in `view` (binary: the neutral ones left out): the sentence-level task."""
    out = []
    for tree in trees:
        lab = view_label(tree.root.label, view)
        if lab is not None:
            out.append((tree, lab))
    return out


def prefixes(trees: Iterable[Tree], view: str = "binary") -> list[tuple[tuple[str, ...], str]]:
    """The labelled nodes that start a sentence (tokens 0..k), the root included: what a left-to-right reader has read."""
    out = []
    for tree in trees:
        for node in tree.nodes:
            lab = view_label(node.label, view)
            if node.start == 0 and lab is not None:
                out.append((tree.phrase(node), lab))
    return out


def tree_counts(trees: Iterable[Tree]) -> dict:
    """Sentences, root labels 0-4, binary sentences (root not 2) and labelled nodes: PROVENANCE.md's counts."""
    rootc: Counter = Counter()
    n = nodes = 0
    for tree in trees:
        n += 1
        nodes += len(tree.nodes)
        rootc[tree.root.label] += 1
    return {
        "sentences": n,
        "root_labels": [rootc[k] for k in range(5)],
        "binary": n - rootc[2],
        "nodes": nodes,
    }


# Negation frames: a polar predicate under a negator reads with the opposite polarity ("not bad", "never boring",
# "far from perfect" -> positive, negative, negative). SST rates many of these phrases neutral (2: "not bad",
# "never boring"), so its binary view never shows a model that negating a negative word makes a positive phrase.
NEGATION_FRAMES = (
    "not {}",
    "never {}",
    "hardly {}",
    "far from {}",
    "is not {}",
    "was never {}",
    "is n't {}",
    "not {} at all",
)
_PREDICATE_CUES = frozenset("is was are were seems seemed very so too quite really".split())
_NOT_PREDICATES = frozenset("no not never nothing none out more less most too so very much all".split())


def polar_predicates(trees: Sequence[Tree], min_cues: int = 1) -> dict[str, str]:
    """Single words SST labels non-neutral that it also uses as predicates ("is dull", "very funny"): word -> binary label.

    A word counts when it is a labelled one-word phrase of the trees (label 0, 1, 3 or 4), alphabetic, not an
    adverb in -ly, and follows a copula or a degree word (`_PREDICATE_CUES`) at least `min_cues` times.
    """
    cues: Counter = Counter()
    labels: dict[str, int] = {}
    for tree in trees:
        lowered = [t.lower() for t in tree.tokens]
        for a, b in zip(lowered, lowered[1:]):
            if a in _PREDICATE_CUES:
                cues[b] += 1
        for node in tree.nodes:
            if node.end - node.start == 1:
                labels.setdefault(lowered[node.start], node.label)
    return {
        w: BINARY_LABELS[lab > 2]
        for w, lab in sorted(labels.items())
        if lab != 2 and w.isalpha() and not w.endswith("ly") and w not in _NOT_PREDICATES and cues[w] >= min_cues
    }


def negation_phrases(trees: Sequence[Tree], frames: Sequence[str] = NEGATION_FRAMES) -> list[tuple[tuple[str, ...], str]]:
    """Phrases that negate each polar predicate (`polar_predicates`), labelled with the opposite polarity (binary view).

    A phrase the trees already label non-neutral keeps SST's label and is not added here (`phrases` has it).
    """
    known = {tuple(t.lower() for t in toks) for toks, _ in phrases(trees, "binary")}
    flipped = {"negative": "positive", "positive": "negative"}
    out = []
    for word, label in polar_predicates(trees).items():
        for frame in frames:
            toks = tuple(frame.format(word).split())
            if toks not in known:
                out.append((toks, flipped[label]))
    return out
