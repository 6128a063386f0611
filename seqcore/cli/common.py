"""What every command shares: the one-line user error, the reading progress line, and small argument checks."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from typing import TextIO

from seqcore.readers import ReadOptions


class CliError(Exception):
    """A user error to print as one line, with exit code 2."""


class ProgressLine:
    """Show how far the reading of a big file has gone, on stderr: in place on a terminal, every 25% in a log."""

    MIN_BYTES = 2_000_000  # smaller files are read in about a second: no line

    def __init__(self, out: TextIO | None = None) -> None:
        self.out = out
        self.shown: dict[str, int] = {}
        self.open = False  # a terminal line waits for its newline

    def __call__(self, name: str, done: int, total: int) -> None:
        if total < self.MIN_BYTES:
            return
        out = self.out or sys.stderr
        tty = out.isatty()
        percent = min(100, 100 * done // total)
        step = percent if tty else percent // 25 * 25
        if self.shown.get(name) == step:
            return
        self.shown[name] = step
        line = f"reading {name}: {step:3d}% of {total / 1e6:.1f} MB"
        if tty:
            out.write("\r" + line + ("\n" if percent == 100 else ""))
            self.open = percent < 100
        else:
            out.write(line + "\n")
        out.flush()

    def end(self) -> None:
        """End a terminal line left open by a file that stopped early (an error)."""
        if self.open:
            (self.out or sys.stderr).write("\n")
            self.open = False


PROGRESS = ProgressLine()


def file_error(e: Exception, path: str | None = None) -> str:
    """One line for an error about a file: the reader's sentence, or what the system said, with the path."""
    if isinstance(e, FileNotFoundError):
        return f"no such file: {e.filename}" if e.filename else (str(e.args[0]) if e.args else f"no such file: {path}")
    if isinstance(e, OSError):
        return f"cannot read {e.filename or path}: {e.strerror or e}"
    return str(e)


def parse_span(text: str) -> tuple[int, int]:
    """Parse "I:J" into two ints; the range is checked against the sentence later."""
    first, colon, last = text.partition(":")
    try:
        if not colon:
            raise ValueError
        return int(first), int(last)
    except ValueError as e:
        raise CliError(f"--span must be I:J, two token indices with the end exclusive (e.g. 2:4), got {text!r}") from e


def check_top(k: int) -> int:
    if k < 1:
        raise CliError(f"--top must be at least 1, got {k}")
    return k


def add_focus_flags(p: argparse.ArgumentParser) -> None:
    """Flags that choose the logit to explain: the aspect or token the task needs, and the class."""
    p.add_argument("--aspect", metavar="TERM", help="aspect models: the aspect term to explain (must occur in the sentence)")
    p.add_argument("--token", type=int, metavar="I", help="tagging models: the index of the token whose tag to explain (0-based)")
    p.add_argument("--target", metavar="CLASS", help="the class whose logit to explain (default: the predicted class)")


def add_read_flags(p: argparse.ArgumentParser) -> None:
    """Flags that say how to read CSV, TSV and JSONL files: which columns, which encoding."""
    g = p.add_argument_group("reading CSV, TSV and JSONL files")
    g.add_argument(
        "--text-column",
        metavar="COLUMN",
        help="the column holding the sentence: a header name, a number from 1, or a JSONL key "
        "(default: a column named text, sentence, review or content, else the one with the most words)",
    )
    g.add_argument(
        "--label-column",
        metavar="COLUMN",
        help="the column holding the label: a header name, a number from 1, or a JSONL key "
        "(default: a column named label, sentiment, polarity, class or target, else the one with few distinct short values)",
    )
    g.add_argument(
        "--encoding",
        metavar="NAME",
        help="the files' text encoding, e.g. cp1252, latin-1 or utf-16 (default: UTF-8 with or without a byte order "
        "mark; other bytes are refused with the line)",
    )


def read_options(args: argparse.Namespace) -> ReadOptions:
    """The reading flags as `ReadOptions`."""
    return ReadOptions(args.text_column, args.label_column, args.encoding)


def print_notes(notes: Sequence[str], out: TextIO | None = None) -> None:
    """Say once what the reader normalised or chose (columns, labels, numbered ids): one line each on stderr."""
    for note in notes:
        print(f"note: {note}", file=out or sys.stderr)
