"""The ABSA text format of ABSA-PyTorch and PyABSA: three lines per aspect.

    The $T$ was great but the service was slow
    food
    1

Line 1 is the sentence with `$T$` where the aspect term stands, line 2 the term, line 3 its polarity
(-1, 0, 1, or negative, neutral, positive). A sentence with several aspects comes once per aspect, on
consecutive triples; they are joined into one sentence with several targets. The format has no ids:
sentences are numbered by position, said once in a note.
"""

from __future__ import annotations

from collections.abc import Iterator

from seqcore.readers.records import (
    DataFormatError,
    Problem,
    Progress,
    ReadOptions,
    ReviewFile,
    Sentence,
    Source,
    Target,
    numbered_note,
)
from seqcore.readers.stream import _source_label, decoded_lines
from seqcore.readers.targets import place_term
from seqcore.tokens import tokenize

MARK = "$T$"
POLARITY_CODES = {"-1": "negative", "0": "neutral", "1": "positive"}
POLARITY_WORDS = ("negative", "neutral", "positive", "conflict")


def looks_like_absa_txt(lines: list[str]) -> bool:
    """Tell the format by its first triple: a line with $T$, a term, and a polarity."""
    body = [line.strip() for line in lines if line.strip()][:3]
    return len(body) == 3 and MARK in body[0] and MARK not in body[1] and _polarity(body[2]) is not None


def _polarity(value: str) -> str | None:
    value = value.strip().lower()
    return POLARITY_CODES.get(value.lstrip("+")) or (value if value in POLARITY_WORDS else None)


def _triples(lines: Iterator[tuple[int, str]]) -> Iterator[list[tuple[int, str]]]:
    triple: list[tuple[int, str]] = []
    for lineno, line in lines:
        line = line.rstrip("\n")
        if not line.strip():
            continue
        triple.append((lineno, line))
        if len(triple) == 3:
            yield triple
            triple = []
    if triple:
        yield triple


def read_absa_txt(
    source: Source,
    name: str | None = None,
    options: ReadOptions | None = None,
    max_bytes: int | None = None,
    progress: Progress | None = None,
) -> ReviewFile:
    """Read an ABSA-PyTorch / PyABSA text file as a review file: one sentence per run of triples, one target per triple."""
    label = _source_label(source, name)
    encoding = options.encoding if options else None
    problems: list[Problem] = []
    sentences: list[Sentence] = []
    current: Sentence | None = None
    for triple in _triples(decoded_lines(source, label, encoding, max_bytes, progress)):
        lineno = triple[0][0]
        if len(triple) < 3:
            problems.append(
                Problem(label, "the file ends inside a triple (sentence, term, polarity); it was skipped.", None, lineno)
            )
            break
        (_, marked), (_, term), (pol_line, raw_polarity) = triple
        term = term.strip()
        polarity = _polarity(raw_polarity)
        sid = f"#{len(sentences) + 1}"
        if marked.count(MARK) != 1:
            message = f"line has {marked.count(MARK)} {MARK} marks, not one; the triple was skipped."
        elif not term:
            message = "the aspect term line is empty; the triple was skipped."
        elif polarity is None:
            message = (
                f"polarity {raw_polarity.strip()!r} (line {pol_line}) is not -1, 0, 1 or a polarity word; the triple was skipped."
            )
        else:
            start = marked.index(MARK)
            text = marked[:start] + term + marked[start + len(MARK) :]
            if current is None or current.text != text:
                tokens, offsets = tokenize(text)
                current = Sentence(sid, text, tokens, offsets, [], lineno)
                sentences.append(current)
            placed, message_or_none = place_term(term, start, start + len(term), text, current.token_offsets)
            if placed is not None:
                current.targets.append(Target(term, polarity, placed.start, placed.end, placed.token_span))
                continue
            message = message_or_none or "the term covers no token; it was skipped."
        problems.append(Problem(label, message, None, lineno))
    if not sentences and not problems:
        raise DataFormatError(f"{label} is empty; expected the ABSA text format (sentence with $T$, term, polarity).")
    notes = [numbered_note(len(sentences))] if sentences else []
    return ReviewFile(label, "absa_txt", sentences, problems, notes)
