"""Reading an upload: the cached readers, the two column boxes of a labeled table, and what the reader did.

`read_file` and `file_examples` read a file's bytes as `seqcore.tasks` does (cached by content and by
the columns chosen). For a sentiment upload that is a CSV, TSV or JSONL file, `column_boxes` draws two
selectboxes (text column, label column) pre-filled with the reader's guess; `show_reading` says once,
one line each, which columns were read, how labels as written became classes, and any benign
normalisation (sentences numbered, labels written 1.0 read as 1). None of those is a problem.
"""

from __future__ import annotations

import hashlib
from collections import Counter
from typing import TYPE_CHECKING

import streamlit as st

from ui.text import md_plain, plain

if TYPE_CHECKING:  # annotations only: importing ui must not load torch or spaCy
    from seqcore.batching import Example
    from seqcore.readers import ColumnGuess
    from seqcore.tasks import ParsedFile

MAX_LABELS_SHOWN = 20  # labels named in the mapping line; the rest are counted


def data_hash(data: bytes) -> str:
    """A short content hash: the cache key of an upload."""
    return hashlib.sha256(data).hexdigest()[:16]


def _options(text_column: str | None, label_column: str | None):
    from seqcore.readers import ReadOptions

    return ReadOptions(text_column, label_column)


@st.cache_data(show_spinner="Reading the file...", max_entries=32)
def read_file(
    task: str,
    data: bytes,
    name: str,
    text_column: str | None = None,
    label_column: str | None = None,
    need_label: bool = True,
) -> ParsedFile:
    """Read a file's bytes as `task` reads it (cached by content); DataFormatError for a file that cannot be read at all."""
    from seqcore.tasks import read_task_file

    return read_task_file(task, data, name, _options(text_column, label_column), need_label)


@st.cache_data(show_spinner="Reading the file...", max_entries=32)
def file_examples(
    task: str,
    data: bytes,
    name: str,
    labels: tuple[str, ...] | None,
    text_column: str | None = None,
    label_column: str | None = None,
    need_label: bool = True,
) -> tuple[list[Example], list[dict], dict[str, int]]:
    """Examples, problem rows and skipped counts of a file for a model of `labels` (`seqcore.tasks.file_examples`, cached)."""
    from seqcore.tasks import file_examples as to_examples

    return to_examples(read_file(task, data, name, text_column, label_column, need_label), labels)


@st.cache_data(show_spinner=False, max_entries=32)
def column_guess(data: bytes, name: str) -> ColumnGuess | None:
    """The columns of a labeled table or JSONL upload and the reader's guess; None for other files or unreadable ones."""
    from seqcore.readers import TABLE_KINDS, DataFormatError, guess_columns, is_aspect_jsonl, sniff_kind

    try:
        kind = sniff_kind(data, name)
        if kind not in (*TABLE_KINDS, "jsonl") or (kind == "jsonl" and is_aspect_jsonl(data, name)):
            return None
        return guess_columns(data, name, kind)
    except DataFormatError:
        return None  # reading the file says why, in red


def column_label(guess: ColumnGuess, name: str) -> str:
    """How a column is offered: its header name, or its number and first value when the file has no header."""
    if not name.isdigit() or guess.names != tuple(str(i + 1) for i in range(len(guess.names))):
        return name
    value = guess.examples[int(name) - 1] if int(name) - 1 < len(guess.examples) else ""
    return f"column {name}: {value[:40]}"


def chosen_columns(guess: ColumnGuess, text: str, label: str | None) -> tuple[str | None, str | None]:
    """The columns to pass to the reader: None, None when the boxes still hold the reader's own guess."""
    return (None, None) if (text, label) == (guess.text, guess.label) else (text, label)


def column_boxes(
    task: str, data: bytes, name: str, key: str, disabled: bool = False, need_label: bool = True
) -> tuple[str | None, str | None]:
    """Two selectboxes, text column and label column, pre-filled with the reader's guess (sentiment tables and JSONL).

    With `need_label=False` (a search corpus) the label box may stay empty.
    """
    guess = column_guess(data, name) if task == "sentiment" else None
    if guess is None or len(guess.names) < (2 if need_label else 1):
        return None, None
    names = list(guess.names)
    digest = data_hash(data)  # a new file gets new boxes, filled with its own guess
    left, right = st.columns(2)
    text = left.selectbox(
        "Text column",
        names,
        index=names.index(guess.text) if guess.text in names else None,
        placeholder="Choose the text column",
        format_func=lambda n: column_label(guess, n),
        key=f"{key}_text_column_{digest}",
        disabled=disabled,
        help="The column that holds the sentence. Pre-filled with the reader's guess: a column named text, sentence, "
        "review or content, else the one with the most words.",
    )
    label = right.selectbox(
        "Label column",
        names,
        index=names.index(guess.label) if guess.label in names else None,
        placeholder="Choose the label column",
        format_func=lambda n: column_label(guess, n),
        key=f"{key}_label_column_{digest}",
        disabled=disabled,
        help="The column that holds the label. Pre-filled with the reader's guess: a column named label, sentiment, "
        "polarity, class or target, else the one with few distinct short values.",
    )
    if text is None or (label is None and need_label):
        st.caption("The reader could not tell which column holds the text and which the label: choose them above.")
        return None, None
    return chosen_columns(guess, str(text), None if label is None else str(label))


def label_mapping(parsed: ParsedFile) -> list[tuple[list[str], str, int]]:
    """Each class of a labeled table or JSONL file: the labels as written that became it, the class, its sentences."""
    if not parsed.records or parsed.columns is None:
        return []
    written: dict[str, list[str]] = {}
    for w, r in parsed.label_map.items():
        written.setdefault(r, []).append(w)
    counts = Counter(r.label for r in parsed.records)
    return [(written.get(lab, [lab]), lab, n) for lab, n in counts.most_common()]


def mapping_line(parsed: ParsedFile) -> str | None:
    """`label_mapping` on one line, at most MAX_LABELS_SHOWN classes, escaped for Markdown."""
    mapping = label_mapping(parsed)
    if not mapping:
        return None
    parts = [f"{' / '.join(md_plain(w) for w in ws)} → {md_plain(lab)} ({n:,})" for ws, lab, n in mapping[:MAX_LABELS_SHOWN]]
    more = f", … and {len(mapping) - MAX_LABELS_SHOWN:,} more" if len(mapping) > MAX_LABELS_SHOWN else ""
    return f"Labels as written → classes (sentences): {', '.join(parts)}{more}."


def show_reading(parsed: ParsedFile | None) -> None:
    """Say once what the reader did: columns read, label mapping, and each note (benign; never a warning)."""
    if parsed is None:
        return
    if parsed.columns is not None:
        st.caption(f"{plain(parsed.name)}: {plain(parsed.columns.describe())}.")
    line = mapping_line(parsed)
    if line:
        st.caption(line)  # markup: each label passed through md_plain in mapping_line
    for note in parsed.notes:
        st.caption(f"{plain(parsed.name)}: {plain(note)}")
