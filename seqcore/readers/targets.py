"""Check an aspect term's character offsets against its sentence, as every aspect format needs.

The SemEval XML, aspect JSONL and ABSA text readers all place a term the same way, with the same
messages: offsets that cover the term are kept; wrong or missing offsets are repaired when the term
occurs exactly once in the text; otherwise the term is skipped. A span that covers no token is skipped.
"""

from __future__ import annotations

from typing import NamedTuple

from seqcore.tokens import offsets_to_token_span


class Placed(NamedTuple):
    """Where a term was placed: character offsets (end exclusive) and its token span [first, last + 1)."""

    start: int
    end: int
    token_span: tuple[int, int]


def occurrences(term: str, text: str) -> list[int]:
    """Return every start index of term in text, overlapping ones included."""
    starts = []
    i = text.find(term)
    while i != -1:
        starts.append(i)
        i = text.find(term, i + 1)
    return starts


def place_term(
    term: str, raw_from: object, raw_to: object, text: str, offsets: list[tuple[int, int]]
) -> tuple[Placed | None, str | None]:
    """Place `term` in `text` by its offsets; return the place (None: skipped) and a problem message (None: none).

    `raw_from` and `raw_to` are the offsets as written (strings in XML, numbers in JSON, None when absent).
    """
    what = f"target {term!r}"
    try:
        if isinstance(raw_from, bool) or isinstance(raw_to, bool):
            raise ValueError
        start, end = int(str(raw_from) if raw_from is not None else ""), int(str(raw_to) if raw_to is not None else "")
    except ValueError:
        reason = f"{what} has offsets from={raw_from!r} to={raw_to!r}, which are not integers"
    else:
        if not 0 <= start <= end <= len(text):
            reason = f"{what} has offsets {start}-{end} outside the text of {len(text)} characters"
        elif text[start:end] != term:
            reason = f"{what} has offsets {start}-{end}, which cover {text[start:end]!r}"
        else:
            reason = ""
    message = None
    if reason:
        starts = occurrences(term, text)
        if len(starts) != 1:
            times = "does not occur" if not starts else f"occurs {len(starts)} times"
            return None, f"{reason}, and the term {times} in the text; it was skipped."
        start, end = starts[0], starts[0] + len(term)
        message = f"{reason}; repaired to {start}-{end}, where the term occurs once."
    span = offsets_to_token_span(offsets, start, end)
    if span is None:
        return None, f"{what} covers no token; it was skipped."
    return Placed(start, end, span), message
