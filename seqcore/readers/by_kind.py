"""Read one file by its kind, for a task: labeled sentences, aspect sentences, or tagged words.

`seqcore.tasks` sniffs a file (`sniff_kind`) and asks here for the reader of that kind, so the CLI, the
pipeline and the app read every format the same way.
"""

from __future__ import annotations

import itertools
import json
from dataclasses import dataclass

from seqcore.readers.absa_txt import read_absa_txt
from seqcore.readers.conllu import read_conllu
from seqcore.readers.jsonl import JsonlStream, read_aspect_jsonl, read_jsonl
from seqcore.readers.records import (
    Columns,
    DataFormatError,
    LabeledFile,
    LabeledText,
    Problem,
    Progress,
    ReadOptions,
    ReviewFile,
    Source,
    TaggedSentence,
)
from seqcore.readers.semeval import read_semeval
from seqcore.readers.sniff import KIND_NAMES, TABLE_KINDS
from seqcore.readers.stream import decoded_lines
from seqcore.readers.table import SAMPLE_ROWS, TableStream, _parse, read_table, sniff_dialect
from seqcore.readers.word_tags import read_word_tags


def read_labeled(
    source: Source,
    name: str,
    kind: str,
    options: ReadOptions | None = None,
    need_label: bool = True,
    progress: Progress | None = None,
) -> LabeledFile:
    """Read a CSV, TSV or JSONL file of labeled sentences (its kind as `sniff_kind` names it)."""
    if kind == "jsonl":
        return read_jsonl(source, name, options, need_label, progress=progress)
    if kind in TABLE_KINDS:
        return read_table(source, name, options, need_label, progress=progress)
    raise DataFormatError(
        f"{name} is {KIND_NAMES.get(kind, kind)}, not a labeled file: expected a CSV, TSV or JSONL file with a text and a label."
    )


def read_reviews(
    source: Source, name: str, kind: str, options: ReadOptions | None = None, progress: Progress | None = None
) -> ReviewFile:
    """Read an aspect file: SemEval XML, aspect JSONL or the ABSA text format."""
    if kind == "jsonl":
        return read_aspect_jsonl(source, name, options, progress=progress)
    if kind == "absa_txt":
        return read_absa_txt(source, name, options, progress=progress)
    return read_semeval(source, name, progress=progress)


def read_tagged(
    source: Source, name: str, kind: str, options: ReadOptions | None = None, progress: Progress | None = None
) -> tuple[list[TaggedSentence], list[Problem]]:
    """Read a tagging file: CoNLL-U, or two-column word/tag lines."""
    if kind == "word_tags":
        return read_word_tags(source, name, options, progress=progress)
    return read_conllu(source, name, progress=progress)


def labeled_notes(found: LabeledFile) -> list[str]:
    """What a reader of a labeled file should be told once: the columns read, labels read otherwise than written, notes."""
    out = [f"{found.source}: {found.columns.describe()}."] if found.columns is not None else []
    changed = {w: r for w, r in found.label_map.items() if w != r}
    if changed:
        shown = ", ".join(f"{w} -> {r}" for w, r in list(changed.items())[:20])
        out.append(f"{found.source}: labels as written -> as read: {shown}{' ...' if len(changed) > 20 else ''}.")
    return out + [f"{found.source}: {note}" for note in found.notes]


@dataclass(frozen=True)
class ColumnGuess:
    """The columns of a table or JSONL file as a picker offers them, with the reader's guess (or why it has none)."""

    names: tuple[str, ...]  # header names, JSONL keys, or "1", "2", ... for a file with no header
    examples: tuple[str, ...]  # the first data row's value in each column, to show beside a number
    text: str | None  # the guess; None when the reader could not tell
    label: str | None
    reason: str | None = None  # the reader's message when it could not tell


def guess_columns(source: Source, name: str, kind: str, encoding: str | None = None) -> ColumnGuess:
    """Read a table's or JSONL file's start and say which columns the reader would take; DataFormatError if unreadable."""
    options = ReadOptions(encoding=encoding)
    stream: TableStream | JsonlStream = (
        JsonlStream(source, name, options, need_label=False)
        if kind == "jsonl"
        else TableStream(source, name, options, need_label=False)
    )
    reason = None
    first: LabeledText | Problem | None = None
    try:
        first = next((item for item in stream if isinstance(item, LabeledText)), None)
    except DataFormatError as err:
        reason = str(err)
    columns = stream.columns
    if columns is not None:
        example = _first_values(source, name, kind, columns, encoding)
        return ColumnGuess(columns.names, example, columns.text, columns.label, None if first or columns.label else reason)
    header = getattr(stream, "header_names", None)
    names, example = _raw_columns(source, name, kind, encoding, skip_header=header is not None)
    if header is not None and len(header) == len(names):
        names = header
    if not names:
        raise DataFormatError(reason or f"{name}: no columns found")
    return ColumnGuess(names, example, None, None, reason)


def _first_values(source: Source, name: str, kind: str, columns: Columns, encoding: str | None) -> tuple[str, ...]:
    names, values = _raw_columns(source, name, kind, encoding, skip_header=columns.header)
    return values if len(values) == len(columns.names) else tuple("" for _ in columns.names)


def _raw_columns(
    source: Source, name: str, kind: str, encoding: str | None, skip_header: bool = False
) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """Column names ("1", "2", ... or JSONL keys) and the first row's values, read from the file's start."""
    head = [line for _, line in itertools.islice(decoded_lines(source, name, encoding), SAMPLE_ROWS)]
    if kind == "jsonl":
        for line in head:
            try:
                obj = json.loads(line)
            except ValueError:
                continue
            if isinstance(obj, dict):
                return tuple(obj), tuple(str(v)[:60] for v in obj.values())
        return (), ()
    dialect = sniff_dialect(head, name)
    rows = _parse(head, dialect) if dialect is not None else []
    if not rows:
        return (), ()
    row = rows[1] if skip_header and len(rows) > 1 else rows[0]
    return tuple(str(i + 1) for i in range(len(row))), tuple(v[:60] for v in row)
