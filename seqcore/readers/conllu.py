"""CoNLL-U: the words and UPOS tags of each sentence (`.conllu` or `.conllu.gz`)."""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator

from seqcore.readers.records import Problem, Progress, Source, TaggedSentence
from seqcore.readers.stream import _source_label, _text_lines

_SENT_ID = re.compile(r"^#\s*sent_id\s*=\s*(.*?)\s*$")
_RANGE_ID = re.compile(r"^\d+-\d+$")
_EMPTY_NODE_ID = re.compile(r"^\d+\.\d+$")


def _blocks(lines: Iterable[tuple[int, str]]) -> Iterator[list[tuple[int, str]]]:
    """Yield the runs of non-blank lines, each line with its 1-based number."""
    block: list[tuple[int, str]] = []
    for lineno, line in lines:
        if line.strip():
            block.append((lineno, line))
        elif block:
            yield block
            block = []
    if block:
        yield block


def _conllu_sentence(block: list[tuple[int, str]], sid: str, label: str) -> TaggedSentence | Problem:
    """Return the words and UPOS tags of one CoNLL-U sentence, or the first thing wrong with it."""
    words: list[str] = []
    tags: list[str] = []
    for lineno, line in block:
        if line.startswith("#"):
            continue
        cols = line.split("\t")
        word_id = cols[0]
        if len(cols) != 10:
            message = f"line has {len(cols)} tab-separated columns instead of 10"
        elif _RANGE_ID.match(word_id) or _EMPTY_NODE_ID.match(word_id):
            continue  # multiword tokens and empty nodes are not syntactic words
        elif not word_id.isdigit():
            message = f"line has word id {word_id!r}, which is not an integer, a range or a decimal"
        elif int(word_id) != len(words) + 1:
            message = f"line has word id {word_id}, expected {len(words) + 1}"
        elif cols[3] in ("", "_"):
            message = f"word {cols[1]!r} has no UPOS tag"
        else:
            words.append(cols[1])
            tags.append(cols[3])
            continue
        return Problem(label, f"{message}; the sentence was skipped.", sid, lineno)
    if not words:
        return Problem(label, "sentence has no words; it was skipped.", sid, block[0][0])
    return TaggedSentence(sid, words, tags)


def iter_conllu(
    source: Source, name: str | None = None, max_bytes: int | None = None, progress: Progress | None = None
) -> Iterator[TaggedSentence | Problem]:
    """Yield each CoNLL-U sentence (words and UPOS tags) as it is read, or a Problem for one that was skipped."""
    label = _source_label(source, name)
    seen_ids: set[str] = set()
    for number, block in enumerate(_blocks(_text_lines(source, label, max_bytes, "utf-8", progress)), start=1):
        sent_ids = [m.group(1) for _, line in block if (m := _SENT_ID.match(line))]
        sid = sent_ids[0] if sent_ids else f"{label}:{number}"
        if sid in seen_ids:
            yield Problem(label, "sentence id repeats an earlier sentence; this one was skipped.", sid, block[0][0])
            continue
        result = _conllu_sentence(block, sid, label)
        if not isinstance(result, Problem):
            seen_ids.add(sid)
        yield result


def read_conllu(
    source: Source, name: str | None = None, max_bytes: int | None = None, progress: Progress | None = None
) -> tuple[list[TaggedSentence], list[Problem]]:
    """Read the words and UPOS tags of a CoNLL-U file (`.conllu` or `.conllu.gz`); malformed sentences are skipped and reported."""
    sentences: list[TaggedSentence] = []
    problems: list[Problem] = []
    for item in iter_conllu(source, name, max_bytes, progress):
        (problems if isinstance(item, Problem) else sentences).append(item)  # type: ignore[arg-type]
    return sentences, problems
