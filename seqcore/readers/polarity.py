"""Sentence polarity: one sentence per line, every line with the same label (the Cornell files)."""

from __future__ import annotations

import os

from seqcore.readers.records import LabeledText, Progress, Source
from seqcore.readers.stream import _text_lines


def read_polarity_lines(
    source: Source,
    label: str,
    name: str | None = None,
    encoding: str | None = None,
    max_bytes: int | None = None,
    progress: Progress | None = None,
) -> list[LabeledText]:
    """Read one sentence per line, all with the same label; blank lines are skipped.

    ``encoding=None`` decodes UTF-8 when the bytes are valid UTF-8, else Latin-1.
    """
    lines = _text_lines(source, name, max_bytes, encoding, progress)
    return [LabeledText(line, label) for _, line in lines if line.strip()]


def read_polarity(
    pos_path: str | os.PathLike[str], neg_path: str | os.PathLike[str], progress: Progress | None = None
) -> list[LabeledText]:
    """Read the Cornell sentence polarity files: positive sentences first, then negative."""
    # The files are single-byte (cp1252 mixed with Latin-1); Latin-1 never fails on them.
    return read_polarity_lines(pos_path, "positive", encoding="latin-1", progress=progress) + read_polarity_lines(
        neg_path, "negative", encoding="latin-1", progress=progress
    )
