"""Count what a file holds, streaming it: the summary `python -m seqcore stats` prints."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable
from typing import Any

from seqcore.readers.absa_txt import read_absa_txt
from seqcore.readers.conllu import iter_conllu
from seqcore.readers.jsonl import JsonlStream, is_aspect_jsonl, read_aspect_jsonl
from seqcore.readers.records import POLARITIES, Problem, Progress, ReadOptions, ReviewFile, Sentence, Source, TaggedSentence
from seqcore.readers.semeval import SemEvalStream
from seqcore.readers.sniff import TABLE_KINDS, sniff_kind
from seqcore.readers.stream import _source_label, _text_lines
from seqcore.readers.table import TableStream
from seqcore.readers.word_tags import iter_word_tags


def duplicate_targets(sentence: Sentence) -> int:
    """Count the targets that repeat another one's span with the same polarity: a reader of the file keeps one.

    SemEval-2016 writes one opinion per category, so a span with two categories is annotated twice; when
    the polarities agree the annotations are one aspect term (`tasks.aspect_examples` keeps it once), when
    they differ the span is ambiguous and skipped, and is not counted here.
    """
    by_span: dict[tuple[int, int], list[str]] = {}
    for t in sentence.targets:
        if t.token_span is not None:
            by_span.setdefault(t.token_span, []).append(t.polarity)
    return sum(len(pols) - 1 for pols in by_span.values() if len(set(pols)) == 1)


def _review_counts(
    label: str,
    sentences: Iterable[Sentence],
    fmt: Callable[[], str | None],
    problems: list[Problem],
    notes: list[str] | None = None,
) -> dict[str, Any]:
    """Count sentences, targets, polarities, NULL targets and duplicate annotations, reading `sentences` once."""
    n_sentences = with_targets = nulls = duplicates = 0
    counts: Counter[str] = Counter()
    for sentence in sentences:
        n_sentences += 1
        with_targets += bool(sentence.targets)
        counts.update(t.polarity for t in sentence.targets)
        nulls += sum(t.is_null for t in sentence.targets)
        duplicates += duplicate_targets(sentence)
    return {
        "source": label,
        "kind": fmt(),  # a stream knows its format once its root was read
        "sentences": n_sentences,
        "sentences_with_targets": with_targets,
        "targets": sum(counts.values()),
        "labels": {p: counts[p] for p in POLARITIES if counts[p]},  # aspect polarities
        "null_targets": nulls,
        "duplicate_targets": duplicates,  # same span and polarity as another target: merged into it
        "problems": [str(p) for p in problems],
        "notes": list(notes or []),
    }


def review_counts(review: ReviewFile) -> dict[str, Any]:
    """Count what a parsed SemEval file holds: the same summary `describe_file` gives of an XML file."""
    return _review_counts(review.source, review.sentences, lambda: review.format, review.problems, review.notes)


def _tagged_description(label: str, kind: str, items: Iterable[TaggedSentence | Problem]) -> dict[str, Any]:
    n_sentences = n_words = 0
    tag_counts: Counter[str] = Counter()
    problems: list[str] = []
    for item in items:
        if isinstance(item, Problem):
            problems.append(str(item))
        else:
            n_sentences += 1
            n_words += len(item.words)
            tag_counts.update(item.tags)
    return {
        "source": label,
        "kind": kind,
        "sentences": n_sentences,
        "words": n_words,
        "labels": dict(tag_counts.most_common()),
        "problems": problems,
    }


def _labeled_description(label: str, stream: TableStream | JsonlStream) -> dict[str, Any]:
    """Count a table or JSONL file as it streams: sentences and labels only, so any size fits in memory."""
    n_sentences = 0
    problems: list[str] = []
    for item in stream:
        if isinstance(item, Problem):
            problems.append(str(item))
        else:
            n_sentences += 1
    labels: Counter[str] = Counter()
    for (_, read), count in stream.label_map.items():
        labels[read] += count
    notes = list(stream.notes)
    columns = stream.columns
    if columns is not None and columns.label is None:
        notes.append("no label column was found: the sentences can be searched, not trained or scored on.")
    return {
        "source": label,
        "kind": stream.kind,
        "sentences": n_sentences,
        "columns": columns.describe() if columns is not None else None,
        "labels": dict(labels.most_common()),
        "label_map": stream.labels(),  # each label as written -> the label read
        "problems": problems,
        "notes": notes,
    }


def describe_file(
    source: Source, name: str | None = None, progress: Progress | None = None, options: ReadOptions | None = None
) -> dict[str, Any]:
    """Sniff a file's kind (`sniff.KIND_NAMES`) and count what it holds: kind, sentences, labels, problems, notes.

    `labels` counts sentence labels, aspect polarities or tags, whichever the file holds. Tables,
    JSONL, CoNLL-U and plain lines are streamed (only counts are kept), so a file of any size can be
    described; aspect files (XML streams too) hold their sentences while counting.
    """
    options = options or ReadOptions()
    kind = sniff_kind(source, name, options.encoding)
    label = _source_label(source, name)
    if kind == "xml":
        stream = SemEvalStream(source, label, progress=progress)
        return _review_counts(label, stream, lambda: stream.format, stream.problems, stream.notes)
    if kind == "absa_txt":
        return review_counts(read_absa_txt(source, label, options, progress=progress))
    if kind == "jsonl" and is_aspect_jsonl(source, label, options.encoding):
        return review_counts(read_aspect_jsonl(source, label, options, progress=progress))
    if kind == "jsonl":
        return _labeled_description(label, JsonlStream(source, label, options, need_label=False, progress=progress))
    if kind in TABLE_KINDS:
        return _labeled_description(label, TableStream(source, label, options, need_label=False, progress=progress))
    if kind == "conllu":
        return _tagged_description(label, kind, iter_conllu(source, label, progress=progress))
    if kind == "word_tags":
        return _tagged_description(label, kind, iter_word_tags(source, label, options, progress=progress))
    non_blank = sum(bool(line.strip()) for _, line in _text_lines(source, label, encoding=options.encoding, progress=progress))
    return {"source": label, "kind": "text_lines", "sentences": non_blank, "problems": []}
