"""Task examples from what the readers return, from data files on disk (`load_examples`), and the vocabularies a model needs."""

from __future__ import annotations

import os
import random
from collections import Counter
from collections.abc import Sequence
from pathlib import Path
from typing import TypeVar

from seqcore.batching import Encoder, Example
from seqcore.negations import NegationOptions
from seqcore.readers import (
    KIND_NAMES,
    TABLE_KINDS,
    DataFormatError,
    LabeledText,
    Problem,
    Progress,
    ReadOptions,
    ReviewFile,
    Sentence,
    TaggedSentence,
    labeled_notes,
    read_labeled,
    read_polarity,
    read_polarity_lines,
    read_reviews,
    read_tagged,
    sniff_kind,
)
from seqcore.taskspecs import ASPECT_LABELS, article, task_spec
from seqcore.tokens import Vocab, tokenize_many
from seqcore.treebank import SST_TRAIN_ON, Tree, phrases, read_trees, roots

T = TypeVar("T")
DUPLICATE_SPAN = "duplicate annotations of a span, same polarity (merged: the span is kept once)"


def check_data_file(task: str, path: str | os.PathLike, encoding: str | None = None) -> str:
    """Refuse, with the reason, a data file the task cannot read: missing, a folder, binary, or of another kind; return its kind."""
    path = Path(path)
    if not path.exists():
        raise FileNotFoundError(f"no such data file: {path}")
    kind = sniff_kind(path, name=str(path), encoding=encoding)  # a folder or a binary file raises DataFormatError here
    spec = task_spec(task)
    if kind not in spec.file_kinds:
        raise DataFormatError(f"{path} is {KIND_NAMES[kind]}, but {article(task)} model reads {spec.reads}.")
    return kind


def example_labels(task: str, ex: Example) -> list[str]:
    """Return the gold labels of one example's items: its sentence label, its aspects' labels, or its tags."""
    if task == "sentiment":
        return [] if ex.label is None else [ex.label]
    if task == "aspect":
        return list(ex.aspect_labels)
    return list(ex.tags or [])


def sentiment_examples(texts: Sequence[LabeledText], prefix: str = "s") -> list[Example]:
    """Tokenize labeled sentences; sentences with no tokens are skipped."""
    examples = []
    for i, (item, (tokens, _)) in enumerate(zip(texts, tokenize_many([t.text for t in texts]))):
        if tokens:
            examples.append(Example(id=f"{prefix}{i}", tokens=tokens, text=item.text, label=item.label))
    return examples


def sst_examples(
    trees: Sequence[Tree], view: str = "binary", train_on: str = "roots", negations: bool | NegationOptions = False
) -> list[Example]:
    """Turn SST trees into sentiment examples in `view` ("binary": SST-2, "fine": SST-5).

    `train_on`: "roots" gives one example per sentence (the published dev/test task; binary drops
    the neutral ones); "phrases" one per distinct labelled phrase (`treebank.phrases`, compared
    lowercased, majority label); "all-phrases" one per labelled node, repeats included. Each leaf is
    re-split with the project's tokenizer (spaCy's blank English: `well-made` -> `well - made`), so
    a model reads SST's text as it reads a user's. `negations` (binary phrases only; True means
    `NegationOptions(frames=True)`) adds negated polar predicates with the opposite label.
    """
    if train_on not in SST_TRAIN_ON:
        raise ValueError(f"train_on must be one of {SST_TRAIN_ON}, got {train_on!r}")
    if train_on == "roots":
        items = [(tree.tokens, label, tree.id) for tree, label in roots(trees, view)]
    else:
        items = [(toks, label, f"p{i}") for i, (toks, label) in enumerate(phrases(trees, view, train_on == "phrases"))]
        opts = NegationOptions(frames=True) if negations is True else negations or NegationOptions()
        if (opts.frames or opts.context) and view == "binary":
            added = opts.added(trees)[0]
            items += [(toks, label, f"n{i}.{r}") for r in range(opts.weight) for i, (toks, label) in enumerate(added)]
    leaves = sorted({leaf for toks, _, _ in items for leaf in toks})
    split = dict(zip(leaves, (toks for toks, _ in tokenize_many(leaves))))
    out = []
    for toks, label, ex_id in items:
        tokens = [t for leaf in toks for t in split[leaf]]
        if tokens:
            out.append(Example(id=ex_id, tokens=tokens, text=" ".join(toks), label=label))
    return out


def sst_file_examples(
    path: str | os.PathLike, view: str = "binary", train_on: str = "roots"
) -> tuple[list[Example], list[Problem]]:
    """Read an SST tree file and return its examples (`sst_examples`) and the problems found."""
    trees, problems = read_trees(path)
    return sst_examples(trees, view, train_on), problems


def aspect_examples(
    sentences: Sequence[Sentence], labels: Sequence[str] = ASPECT_LABELS, skipped: Counter | None = None
) -> list[Example]:
    """Return one example per sentence with every aspect term whose polarity is in `labels`.

    NULL (sentence-level) targets have no span and are left out; so are sentences left with no
    aspect. SemEval-2016 annotates a span once per category: a span whose annotations agree is
    kept once (the others counted as merged duplicates), a span annotated with different polarities
    is ambiguous and left out. Pass a Counter as `skipped` to count the targets left out, by reason.
    """
    skipped = Counter() if skipped is None else skipped
    examples = []
    for s in sentences:
        by_span: dict[tuple[int, int], list] = {}
        for t in s.targets:
            if t.token_span is None:
                skipped["NULL target (no span in the text)"] += 1
            elif t.polarity not in labels:
                skipped[f"{t.polarity} (not a class of this model)"] += 1
            else:
                by_span.setdefault(t.token_span, []).append(t)
        kept = []
        for ts in by_span.values():
            if len({t.polarity for t in ts}) == 1:
                kept.append(ts[0])
                if len(ts) > 1:
                    skipped[DUPLICATE_SPAN] += len(ts) - 1
            else:
                skipped["span annotated with different polarities"] += len(ts)
        if not kept or not s.tokens:
            continue
        examples.append(
            Example(
                id=s.id,
                tokens=list(s.tokens),
                text=s.text,
                aspects=[t.token_span for t in kept],
                aspect_labels=[t.polarity for t in kept],
                aspect_terms=[t.term or "" for t in kept],
            )
        )
    return examples


HARD_SLICE = "sentences whose aspects disagree in polarity (at least two different gold polarities)"


def disagreeing_aspects(examples: Sequence[Example]) -> list[Example]:
    """The hard slice of an aspect test set: sentences whose aspects do not all share one polarity.

    A model that reads a sentence's overall tone, not its aspect, gets at least one aspect of each
    of these wrong; SemEval-2014's test sets hold a few hundred of them.
    """
    return [ex for ex in examples if len(set(ex.aspect_labels)) > 1]


def tagging_examples(sentences: Sequence[TaggedSentence]) -> list[Example]:
    """Return one example per tagged sentence (words are already tokens)."""
    return [Example(id=s.id, tokens=list(s.words), text=" ".join(s.words), tags=list(s.tags)) for s in sentences if s.words]


def labeled_items(task: str, examples: Sequence[Example]) -> int:
    """Count the labeled items of examples: sentences, aspect terms or words."""
    return sum(len(example_labels(task, ex)) for ex in examples)


def load_examples(
    task: str,
    paths: Sequence[str | os.PathLike],
    progress: Progress | None = None,
    options: ReadOptions | None = None,
    notes: list[str] | None = None,
    sst_view: str = "binary",
    sst_train_on: str = "roots",
    sst_negations: bool | NegationOptions = False,
) -> tuple[list[Example], list[Problem]]:
    """Read data files for `task` and return its examples and every problem found.

    sentiment: a pair of polarity files (`*.pos`, `*.neg`), CSV, TSV or JSONL files with a text and
    a label (columns as `options` say, else found), or Stanford Sentiment Treebank files (`sst_examples`:
    `sst_view` binary or fine, `sst_train_on` roots, phrases or all-phrases, `sst_negations`); aspect:
    SemEval XML (2014 or 2016), aspect JSONL or ABSA text files; tagging: CoNLL-U (plain or gzip) or
    two-column word/tag files. Files are streamed; a file that is missing, a folder, binary or of the
    wrong kind for the task is refused with the reason. What the reader should be told once (the
    columns read, sentences numbered) is added to `notes`.
    """
    task_spec(task)  # an unknown task is refused before any file is read
    options = options or ReadOptions()
    notes = [] if notes is None else notes
    files = [Path(p) for p in paths]
    kinds = [check_data_file(task, p, options.encoding) for p in files]
    problems: list[Problem] = []
    if task == "sentiment" and files and all(kind == "sst_trees" for kind in kinds):
        trees: list[Tree] = []
        for p in files:
            read, bad = read_trees(p)
            trees.extend(read)
            problems.extend(bad)
        return sst_examples(trees, sst_view, sst_train_on, sst_negations), problems
    if task == "sentiment" and "text_lines" in kinds:
        pos = [p for p in files if p.suffix == ".pos"]
        neg = [p for p in files if p.suffix == ".neg"]
        if len(pos) != 1 or len(neg) != 1 or len(files) != 2:
            raise ValueError(
                "sentiment data is a pair of files, one ending in .pos and one in .neg, or labeled CSV, TSV or JSONL files"
            )
        return sentiment_examples(read_polarity(pos[0], neg[0], progress=progress)), problems
    examples: list[Example] = []
    records: list[LabeledText] = []
    for p, kind in zip(files, kinds):
        if task == "sentiment":
            found = read_labeled(p, str(p), kind, options, progress=progress)
            records.extend(found.records)
            problems.extend(found.problems)
            notes.extend(labeled_notes(found))
        elif task == "aspect":
            parsed = read_reviews(p, str(p), kind, options, progress)
            problems.extend(parsed.problems)
            notes.extend(f"{p}: {note}" for note in parsed.notes)
            examples.extend(aspect_examples(parsed.sentences))
        else:
            sentences, found_problems = read_tagged(p, str(p), kind, options, progress)
            problems.extend(found_problems)
            examples.extend(tagging_examples(sentences))
    return (sentiment_examples(records) if task == "sentiment" else examples), problems


def build_encoder(
    task: str,
    examples: Sequence[Example],
    min_freq: int = 1,
    max_size: int | None = None,
    lowercase: bool = True,
    use_chars: bool = False,
    label_examples: Sequence[Example] = (),
) -> Encoder:
    """Build word, label and optional character vocabularies from training examples.

    Labels also come from `label_examples` (the dev split), so a rare tag that only dev holds
    is a known class, not a crash; words and characters come from training examples only.
    """
    words = Vocab.build((ex.tokens for ex in examples), min_freq=min_freq, max_size=max_size, lowercase=lowercase)
    chars = Vocab.build(([c for tok in ex.tokens for c in tok] for ex in examples), min_freq=2) if use_chars else None
    order = task_spec(task).class_order
    seen = {lab for ex in [*examples, *label_examples] for lab in example_labels(task, ex)}
    labels = Vocab.labels([lab for lab in order if lab in seen] + sorted(seen - set(order)))
    if len(labels) < 2:
        raise ValueError(f"the training data has {len(labels)} label(s) {labels.itos}: a classifier needs at least 2")
    return Encoder(task, words, labels, chars)


def corpus_examples(
    task: str, paths: Sequence[str | os.PathLike], options: ReadOptions | None = None
) -> tuple[list[Example], list[Problem]]:
    """Read sentences to search from files; labels are not needed.

    aspect: SemEval XML, aspect JSONL or ABSA text (every sentence with tokens, aspects or not);
    tagging: CoNLL-U or word/tag lines; sentiment: a CSV, TSV or JSONL file (its text column), or any
    other text file of one sentence per line (rt-polarity's `.pos`/`.neg` files). A file with no
    sentence raises ValueError naming it.
    """
    examples: list[Example] = []
    problems: list[Problem] = []
    for p in map(Path, paths):
        if not p.is_file():
            raise FileNotFoundError(f"no such data file: {p}")
        found = _unlabeled_file_examples(task, p, problems, options or ReadOptions())
        if not found:
            raise ValueError(f"{p}: no sentence to search in this file (is it empty, or not a {task} data file?)")
        examples.extend(found)
    return examples, problems


def _unlabeled_file_examples(task: str, path: Path, problems: list[Problem], options: ReadOptions) -> list[Example]:
    name = path.name
    kind = sniff_kind(path, name, options.encoding)
    if task == "aspect":
        review = read_reviews(path, name, kind, options)
        problems.extend(review.problems)
        return [Example(id=s.id, tokens=list(s.tokens), text=s.text) for s in review.sentences if s.tokens]
    if task == "tagging":
        sentences, found = read_tagged(path, name, kind, options)
        problems.extend(found)
        return [Example(id=s.id, tokens=list(s.words), text=" ".join(s.words)) for s in sentences if s.words]
    if task != "sentiment":
        raise ValueError(f"unknown task {task!r}: use sentiment, aspect or tagging")
    if kind == "sst_trees":  # one sentence per tree (its words, brackets and labels dropped), not the bracketed line
        trees, bad = read_trees(path, name)
        problems.extend(bad)
        return [Example(id=t.id, tokens=list(t.tokens), text=t.text) for t in trees if t.tokens]
    if kind in (*TABLE_KINDS, "jsonl"):
        labeled = read_labeled(path, name, kind, options, need_label=False)
        problems.extend(labeled.problems)
        records = labeled.records
    else:
        records = read_polarity_lines(path, "unlabeled", encoding=options.encoding)
    out = []
    for i, (r, (tokens, _)) in enumerate(zip(records, tokenize_many([r.text for r in records])), start=1):
        if tokens:
            out.append(Example(id=f"{name}#{i}", tokens=tokens, text=r.text))
    return out


# ----------------------------------------------------------------------------- rows and selections


def problem_rows(problems: Sequence[Problem]) -> list[dict]:
    """Problems as table rows: sentence id, line, file, what was wrong."""
    return [{"sentence id": p.sentence_id, "line": p.line, "file": p.source, "problem": p.message} for p in problems]


def review_aspect_examples(review: ReviewFile, labels: Sequence[str]) -> tuple[list[Example], dict[str, int]]:
    """Build aspect examples of a parsed file (`aspect_examples`) and count the targets skipped, by reason.

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


def subsample(items: Sequence[T], n: int | None, seed: int = 13) -> list[T]:
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


# ----------------------------------------------------------------------------- one file held as bytes
