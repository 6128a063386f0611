"""Read one file by its kind, for a task: labeled sentences, aspect sentences, or tagged words.

`seqcore.tasks` sniffs a file (`sniff_kind`) and asks here for the reader of that kind, so the CLI, the
pipeline and the app read every format the same way.
"""

from __future__ import annotations

from seqcore.readers.absa_txt import read_absa_txt
from seqcore.readers.conllu import read_conllu
from seqcore.readers.jsonl import read_aspect_jsonl, read_jsonl
from seqcore.readers.records import (
    DataFormatError,
    LabeledFile,
    Problem,
    Progress,
    ReadOptions,
    ReviewFile,
    Source,
    TaggedSentence,
)
from seqcore.readers.semeval import read_semeval
from seqcore.readers.sniff import KIND_NAMES, TABLE_KINDS
from seqcore.readers.table import read_table
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
