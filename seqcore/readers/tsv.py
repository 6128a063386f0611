"""Labeled tab-separated lines: "label<TAB>text"."""

from __future__ import annotations

from collections.abc import Iterable, Iterator

from seqcore.readers.records import LabeledText, Problem, Progress, Source
from seqcore.readers.stream import _source_label, _text_lines


def _tsv_items(lines: Iterable[tuple[int, str]], source: str) -> Iterator[LabeledText | Problem]:
    """Turn "label<TAB>text" lines into records, or a Problem for each malformed line."""
    first = True
    for lineno, line in lines:
        if not line.strip():
            continue
        if first and line.strip().lower() == "label\ttext":
            first = False
            continue
        first = False
        label, tab, text = line.partition("\t")
        if not tab:
            message = "line has no tab between the label and the text; it was skipped."
        elif not label.strip():
            message = "line has an empty label; it was skipped."
        elif not text.strip():
            message = "line has an empty text; it was skipped."
        else:
            yield LabeledText(text, label.strip())
            continue
        yield Problem(source, message, None, lineno)


def read_labeled_tsv(
    source: Source, name: str | None = None, max_bytes: int | None = None, progress: Progress | None = None
) -> tuple[list[LabeledText], list[Problem]]:
    """Read "label<TAB>text" lines; an optional "label<TAB>text" header is skipped."""
    label = _source_label(source, name)
    records: list[LabeledText] = []
    problems: list[Problem] = []
    for item in _tsv_items(_text_lines(source, label, max_bytes, None, progress), label):
        (problems if isinstance(item, Problem) else records).append(item)  # type: ignore[arg-type]
    return records, problems
