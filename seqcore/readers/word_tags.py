"""Two-column tagging files: one "word tag" per line (a tab or spaces between), a blank line between sentences.

The CoNLL-2000/2003 shape with two columns; `-DOCSTART-` lines are skipped. A sentence with a line that
is not two columns is skipped with a problem naming the line. Sentences have no ids: they are numbered.
"""

from __future__ import annotations

from collections.abc import Iterator

from seqcore.readers.conllu import _blocks
from seqcore.readers.records import Problem, Progress, ReadOptions, Source, TaggedSentence
from seqcore.readers.stream import _source_label, decoded_lines


def looks_like_word_tags(lines: list[str]) -> bool:
    """Most non-blank lines are two fields without spaces inside, and a blank line separates sentences."""
    body = [line for line in lines if line.strip() and not line.startswith("-DOCSTART-")]
    if len(body) < 2 or not any(not line.strip() for line in lines[: lines.index(body[-1])]):
        return False
    return sum(len(line.split()) == 2 for line in body) >= 0.9 * len(body)


def iter_word_tags(
    source: Source,
    name: str | None = None,
    options: ReadOptions | None = None,
    max_bytes: int | None = None,
    progress: Progress | None = None,
) -> Iterator[TaggedSentence | Problem]:
    """Yield each sentence (words and tags) as read, or a Problem for one that was skipped."""
    label = _source_label(source, name)
    encoding = options.encoding if options else None
    lines = ((n, line.rstrip("\n")) for n, line in decoded_lines(source, label, encoding, max_bytes, progress))
    for number, block in enumerate(_blocks(lines), start=1):
        sid = f"{label}:{number}"
        words: list[str] = []
        tags: list[str] = []
        for lineno, line in block:
            if line.startswith("-DOCSTART-"):
                continue
            fields = line.split()
            if len(fields) != 2:
                yield Problem(
                    label, f"line has {len(fields)} fields, not a word and a tag; the sentence was skipped.", sid, lineno
                )
                break
            words.append(fields[0])
            tags.append(fields[1])
        else:
            if words:
                yield TaggedSentence(sid, words, tags)


def read_word_tags(
    source: Source,
    name: str | None = None,
    options: ReadOptions | None = None,
    max_bytes: int | None = None,
    progress: Progress | None = None,
) -> tuple[list[TaggedSentence], list[Problem]]:
    """Read a two-column word/tag file; malformed sentences are skipped and reported."""
    sentences: list[TaggedSentence] = []
    problems: list[Problem] = []
    for item in iter_word_tags(source, name, options, max_bytes, progress):
        (problems if isinstance(item, Problem) else sentences).append(item)  # type: ignore[arg-type]
    return sentences, problems
