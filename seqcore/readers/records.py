"""What the readers return: sentences, targets, labeled texts, tagged sentences, and the problems found.

Pure data: no parsing here. `DataFormatError` is raised for a file that cannot be read at all; a `Problem`
is one thing skipped or repaired in a file whose good part was kept.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass, field

POLARITIES = ("positive", "negative", "neutral", "conflict")


class DataFormatError(ValueError):
    """A whole file cannot be read: not XML, hostile, truncated, wrong root, too large, binary, bad encoding."""


@dataclass(frozen=True)
class Problem:
    """One thing wrong in a file that was skipped or repaired; the rest of the file was kept."""

    source: str  # file name (or "<upload>")
    message: str  # what was wrong, one sentence
    sentence_id: str | None = None
    line: int | None = None  # 1-based line in the file, when known

    def __str__(self) -> str:
        where = self.source
        if self.line is not None:
            where += f", line {self.line}"
        if self.sentence_id is not None:
            where += f", sentence {self.sentence_id}"
        return f"{where}: {self.message}"


@dataclass(frozen=True)
class Target:
    """One aspect term (2014) or opinion (2016) of a sentence."""

    term: str | None  # None for a NULL (sentence-level) target
    polarity: str  # one of POLARITIES
    start: int | None = None  # character offsets into Sentence.text, end exclusive; None for NULL
    end: int | None = None
    token_span: tuple[int, int] | None = None  # [first, last + 1) token indices; None for NULL
    category: str | None = None

    @property
    def is_null(self) -> bool:
        return self.term is None


@dataclass
class Sentence:
    """A sentence with its tokens and targets; text is exactly as in the file."""

    id: str
    text: str
    tokens: list[str]
    token_offsets: list[tuple[int, int]]  # character (start, end) of each token
    targets: list[Target] = field(default_factory=list)
    line: int | None = None


@dataclass
class ReviewFile:
    """A parsed SemEval file: the good sentences and the problems found."""

    source: str
    format: str  # "semeval2014" or "semeval2016"
    sentences: list[Sentence]
    problems: list[Problem]
    notes: list[str] = field(default_factory=list)  # benign normalisations, one line each (sentences numbered...)


@dataclass(frozen=True)
class LabeledText:
    """A sentence with one label for the whole sequence (sentence polarity)."""

    text: str
    label: str


@dataclass(frozen=True)
class TaggedSentence:
    """A sentence of words with one tag per word (CoNLL-U UPOS)."""

    id: str
    words: list[str]
    tags: list[str]


Source = str | os.PathLike[str] | bytes
Progress = Callable[[str, int, int], None]  # (file name, bytes read so far, file size in bytes)


@dataclass(frozen=True)
class ReadOptions:
    """How to read a table or JSONL file: which columns (or keys) hold the text and the label, and the encoding.

    A column is named by its header (or JSON key) or by its number, counting from 1. None: found by
    name (text, sentence, review, content; label, sentiment, polarity, class, target), else by content.
    `encoding=None` reads UTF-8 with or without a byte order mark and refuses other bytes.
    """

    text_column: str | None = None
    label_column: str | None = None
    encoding: str | None = None


@dataclass(frozen=True)
class Columns:
    """Which columns of a table (or keys of a JSONL file) were read, and how they were chosen."""

    names: tuple[str, ...]  # the header's names, or "1", "2", ... for a file with no header
    text: str
    label: str | None  # None when no label is needed (a search corpus) and none was found
    how: str  # "given" (the flags or the app's boxes), "by name" or "by content"
    header: bool = True
    delimiter: str = ""  # "" for JSONL

    def describe(self) -> str:
        """One line: which column is the text, which the label, and why."""
        label = f", label from column {self.label!r}" if self.label is not None else ", no label column"
        return f"text from column {self.text!r}{label} ({self.how})"


@dataclass
class LabeledFile:
    """A CSV, TSV or JSONL file of labeled sentences: its records, problems, notes and how it was read."""

    source: str
    kind: str  # "csv", "labeled_tsv" or "jsonl"
    records: list[LabeledText]
    problems: list[Problem]
    notes: list[str] = field(default_factory=list)
    columns: Columns | None = None
    label_map: dict[str, str] = field(default_factory=dict)  # each label as written -> the label read


def numbered_note(count: int) -> str:
    """The one line that says sentences with no id were numbered (a normal thing in many files, not a problem)."""
    some = "1 sentence has" if count == 1 else f"{count:,} sentences have"
    return f"{some} no id; numbered #N by position in the file."
