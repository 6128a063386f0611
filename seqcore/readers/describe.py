"""Count what a file holds, streaming it: the summary `python -m seqcore stats` prints."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable
from typing import Any

from seqcore.readers.conllu import iter_conllu
from seqcore.readers.records import POLARITIES, Problem, Progress, ReviewFile, Sentence, Source
from seqcore.readers.semeval import SemEvalStream
from seqcore.readers.sniff import sniff_kind
from seqcore.readers.stream import _source_label, _text_lines
from seqcore.readers.tsv import read_labeled_tsv


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
    label: str, sentences: Iterable[Sentence], fmt: Callable[[], str | None], problems: list[Problem]
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
        "polarities": {p: counts[p] for p in POLARITIES if counts[p]},
        "null_targets": nulls,
        "duplicate_targets": duplicates,  # same span and polarity as another target: merged into it
        "problems": [str(p) for p in problems],
    }


def review_counts(review: ReviewFile) -> dict[str, Any]:
    """Count what a parsed SemEval file holds: the same summary `describe_file` gives of an XML file."""
    return _review_counts(review.source, review.sentences, lambda: review.format, review.problems)


def describe_file(source: Source, name: str | None = None, progress: Progress | None = None) -> dict[str, Any]:
    """Sniff a file's kind (SemEval XML, CoNLL-U, labeled TSV or plain lines) and count what it holds.

    The file is streamed: only counts are kept, so a file of any size can be described.
    """
    kind = sniff_kind(source, name)
    label = _source_label(source, name)
    if kind == "xml":
        stream = SemEvalStream(source, label, progress=progress)
        return _review_counts(label, stream, lambda: stream.format, stream.problems)
    if kind == "conllu":
        n_sentences = n_words = 0
        tag_counts: Counter[str] = Counter()
        problems: list[str] = []
        for item in iter_conllu(source, label, progress=progress):
            if isinstance(item, Problem):
                problems.append(str(item))
            else:
                n_sentences += 1
                n_words += len(item.words)
                tag_counts.update(item.tags)
        return {
            "source": label,
            "kind": "conllu",
            "sentences": n_sentences,
            "words": n_words,
            "tags": dict(tag_counts.most_common()),
            "problems": problems,
        }
    if kind == "labeled_tsv":
        records, found = read_labeled_tsv(source, label, progress=progress)
        return {
            "source": label,
            "kind": "labeled_tsv",
            "sentences": len(records),
            "labels": dict(Counter(r.label for r in records).most_common()),
            "problems": [str(p) for p in found],
        }
    non_blank = sum(bool(line.strip()) for _, line in _text_lines(source, label, progress=progress))
    return {"source": label, "kind": "text_lines", "sentences": non_blank, "problems": []}
