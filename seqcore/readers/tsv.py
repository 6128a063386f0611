"""Labeled tab-separated lines, in either column order: "label<TAB>text" or "text<TAB>label".

A thin name for `seqcore.readers.table`, which decides the columns by header or content and says which
column it took as the label.
"""

from __future__ import annotations

from seqcore.readers.records import LabeledText, Problem, Progress, ReadOptions, Source
from seqcore.readers.table import read_table


def read_labeled_tsv(
    source: Source,
    name: str | None = None,
    max_bytes: int | None = None,
    progress: Progress | None = None,
    options: ReadOptions | None = None,
) -> tuple[list[LabeledText], list[Problem]]:
    """Read a labeled TSV (or CSV) file; the header, when there is one, is skipped (see `read_table`)."""
    found = read_table(source, name, options, max_bytes=max_bytes, progress=progress)
    return found.records, found.problems
