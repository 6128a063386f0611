"""CSV and TSV files of labeled sentences, with or without a header, read the way spreadsheets write them.

The delimiter (tab, comma, semicolon or |) is sniffed from the file's start; quoted fields may hold
delimiters, quotes ("") and newlines. The text and label columns are given (`ReadOptions`), else found by
the header's names, else by content: the label column has few distinct short values, the text column
holds the most words. A file where that cannot be told is refused with the columns and the flags to use.

The file streams: only the first `SAMPLE_ROWS` rows are held to decide the columns, so `iter_table` needs
bounded memory whatever the file's size. A CSV bomb is refused with the line: a field over
`MAX_FIELD_CHARS`, a row over `MAX_COLUMNS` columns, a quote never closed, a line over `MAX_LINE_CHARS`.
Cells are text: a formula-like cell (`=HYPERLINK(...)`) is read as the characters it holds, never evaluated.
"""

from __future__ import annotations

import csv
import itertools
import re
from collections import Counter
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from seqcore.readers.records import Columns, DataFormatError, LabeledFile, LabeledText, Problem, Progress, ReadOptions, Source
from seqcore.readers.stream import _source_label, decoded_lines

TEXT_NAMES = ("text", "sentence", "review", "content")
LABEL_NAMES = ("label", "sentiment", "polarity", "class", "target")
DELIMITERS = ("\t", ",", ";", "|")
SAMPLE_ROWS = 200  # rows held to decide the dialect, the header and the columns
MAX_FIELD_CHARS = 1 << 20  # one cell over a million characters is no sentence: refused
MAX_COLUMNS = 1_000  # a row with more columns is no table of sentences: refused
MAX_LABELS = 10_000  # more distinct values than this in the label column: it is not a label column
MAX_PROBLEMS = 1_000  # problems kept per file; the rest are counted
LABEL_MAX_DISTINCT = 100  # a column with more distinct values in the sample is not a label column
_INTEGRAL = re.compile(r"^[+-]?\d+\.0*$")

# csv's field limit is process-wide; a field longer than this raises csv.Error, turned into a clear message.
csv.field_size_limit(MAX_FIELD_CHARS)


def column_flags(what: str = "") -> str:
    """The sentence that says how to name the columns, on the CLI and in the app."""
    return f"name the {what or 'columns'} with --text-column and --label-column (a header name or a number from 1; in the app: the two column boxes)"


def normalise_label(value: str) -> str:
    """A label as read: surrounding spaces dropped, and a whole number written with a decimal point (1.0) read as 1."""
    value = value.strip()
    return value.split(".")[0].lstrip("+") or "0" if _INTEGRAL.match(value) else value


@dataclass(frozen=True)
class Dialect:
    delimiter: str
    quoted: bool  # quotes group fields (CSV always; TSV only when the file quotes what needs it)


def _parse(lines: Sequence[str], dialect: Dialect) -> list[list[str]]:
    """Parse sample lines leniently (the real reading is strict); a csv error ends the sample."""
    reader = csv.reader(lines, **_csv_args(dialect, strict=False))
    rows = []
    try:
        for row in reader:
            if row:
                rows.append(row)
    except csv.Error:
        pass
    return rows


def _csv_args(dialect: Dialect, strict: bool) -> dict:
    if dialect.quoted:
        return {"delimiter": dialect.delimiter, "quotechar": '"', "doublequote": True, "strict": strict}
    return {"delimiter": dialect.delimiter, "quoting": csv.QUOTE_NONE}


def sniff_dialect(lines: Sequence[str], name: str = "") -> Dialect | None:
    """Choose the delimiter that splits the sample's lines into the same number (2 or more) of columns most often.

    A name ending in .tsv prefers tabs and .csv commas when they split the lines as well. A tab file's
    quotes are text unless it quotes a field that needs it (one holding a tab, a newline or a quote).
    """
    lowered = name.lower().removesuffix(".gz")
    preferred = "\t" if lowered.endswith((".tsv", ".tab")) else "," if lowered.endswith(".csv") else ""
    scored: list[tuple[tuple[float, bool, int], str]] = []
    for delimiter in DELIMITERS:
        rows = _parse(lines, Dialect(delimiter, True))
        if not rows:
            continue
        counts = Counter(len(r) for r in rows)
        width, hits = max(counts.items(), key=lambda kv: (kv[1], kv[0]))
        if width >= 2:
            scored.append(((hits / len(rows), delimiter == preferred, -DELIMITERS.index(delimiter)), delimiter))
    if not scored or max(scored)[0][0] < 0.5:
        return None
    chosen = max(scored)[1]
    if chosen != "\t":
        return Dialect(chosen, True)
    needs_quotes = any(
        "\t" in field or "\n" in field or '"' in field for row in _parse(lines, Dialect("\t", True)) for field in row
    )
    return Dialect("\t", needs_quotes)


def _key(name: str) -> set[str]:
    """The words of a header name: "Review_Text" -> {"review", "text"}."""
    return set(re.split(r"[^a-z0-9]+", name.strip().lower())) - {""}


def _by_name(header: Sequence[str], names: Sequence[str]) -> int | None:
    """The first column whose header is one of `names`, exactly, else by one of its words."""
    for exact in (True, False):
        for i, h in enumerate(header):
            if (h.strip().lower() in names) if exact else bool(_key(h) & set(names)):
                return i
    return None


def _resolve(given: str, header: Sequence[str] | None, width: int, label: str, what: str) -> int:
    """A column named on the command line or in the app: a header name, else a number from 1."""
    if header is not None and not given.strip().isdigit():
        for i, h in enumerate(header):
            if h.strip() == given.strip():
                return i
        for i, h in enumerate(header):
            if h.strip().lower() == given.strip().lower():
                return i
    if given.strip().isdigit() and 1 <= int(given) <= width:
        return int(given) - 1
    names = ", ".join(repr(h) for h in header) if header is not None else f"numbers 1 to {width} (the file has no header)"
    raise DataFormatError(f"{label}: there is no {what} column {given!r}; the columns are {names}.")


@dataclass
class _Stats:
    distinct: int
    words: float
    chars: float
    max_words: int


def _stats(rows: Sequence[Sequence[str]], i: int) -> _Stats:
    cells = [c for r in rows if i < len(r) and (c := r[i].strip())]  # an empty cell is a problem row, not evidence
    if not cells:
        return _Stats(0, 0.0, 0.0, 0)
    words = [len(c.split()) for c in cells]
    return _Stats(len(set(cells)), sum(words) / len(cells), sum(map(len, cells)) / len(cells), max(words))


def _label_like(s: _Stats, n: int) -> bool:
    """Few distinct short values: a label column (a tiny file is given the benefit of the doubt)."""
    return s.distinct >= 1 and s.max_words <= 3 and s.distinct <= LABEL_MAX_DISTINCT and (s.distinct <= n / 2 or n < 10)


def _by_content(
    rows: Sequence[Sequence[str]], width: int, need_label: bool, text: int | None, label: int | None
) -> tuple[int, int | None] | str:
    """Choose the text column (most words) and the label column (fewest distinct short values); a reason when unsure."""
    rows = [r for r in rows if len(r) >= width]  # a short row is a problem row, not evidence
    n = len(rows)
    stats = [_stats(rows, i) for i in range(width)]
    if text is None:
        order = sorted((i for i in range(width) if i != label), key=lambda i: (stats[i].words, stats[i].chars), reverse=True)
        text = order[0]
        if len(order) > 1 and label is None:
            runner = stats[order[1]]
            if not _label_like(runner, n) and runner.words >= 0.8 * stats[text].words and runner.chars >= 0.8 * stats[text].chars:
                return "two columns hold text of the same length"
    if label is None:
        candidates = sorted((i for i in range(width) if i != text and _label_like(stats[i], n)), key=lambda i: stats[i].distinct)
        if not candidates:
            return (text, None) if not need_label else "no column has few distinct short values, as a label column does"
        if len(candidates) > 1 and stats[candidates[0]].distinct == stats[candidates[1]].distinct:
            return "two columns could be the label"
        label = candidates[0]
    t, lab = stats[text], stats[label]
    if t.words < 1.5 * lab.words and t.chars < 3 * lab.chars:
        return "the text column is no longer than the label column"
    return text, label


class TableStream:
    """The labeled sentences of a CSV or TSV file, yielded as they are read (a `Problem` for each row skipped).

    Once the first item is yielded, `columns` says which columns were read and how; `label_map` (label as
    written -> label read), `notes` and `problem_count` fill in as rows go by. Only the first `SAMPLE_ROWS`
    rows are held at once; `label_map` is bounded by `MAX_LABELS`, the problems yielded by `MAX_PROBLEMS`.
    """

    def __init__(
        self,
        source: Source,
        name: str | None = None,
        options: ReadOptions | None = None,
        need_label: bool = True,
        max_bytes: int | None = None,
        progress: Progress | None = None,
    ) -> None:
        self.source, self.options, self.need_label = source, options or ReadOptions(), need_label
        self.max_bytes, self.progress = max_bytes, progress
        self.label = _source_label(source, name)
        self.columns: Columns | None = None
        self.header_names: tuple[str, ...] | None = None  # set when the columns could not be told apart
        self.label_map: Counter[tuple[str, str]] = Counter()
        self.notes: list[str] = []
        self.problem_count = 0

    @property
    def kind(self) -> str:
        return "labeled_tsv" if self.columns is not None and self.columns.delimiter == "\t" else "csv"

    def __iter__(self) -> Iterator[LabeledText | Problem]:
        self.label_map.clear()
        self.notes.clear()
        self.problem_count = 0
        lines = decoded_lines(self.source, self.label, self.options.encoding, self.max_bytes, self.progress)
        head = list(itertools.islice(lines, SAMPLE_ROWS))
        dialect = sniff_dialect([line for _, line in head], self.label)
        if dialect is None and not self.need_label and any(line.strip() for _, line in head):
            dialect = Dialect(",", True)  # one column of sentences: fine when no label is needed
        if dialect is None:
            if not any(line.strip() for _, line in head):
                raise DataFormatError(f"{self.label} is empty; expected a table of labeled sentences.")
            raise DataFormatError(
                f"{self.label}: no delimiter (tab, comma, semicolon or |) splits its lines into the same columns; "
                "expected a CSV or TSV file with a text column and a label column."
            )
        yield from self._rows(itertools.chain(head, lines), dialect)

    def _rows(self, lines: Iterable[tuple[int, str]], dialect: Dialect) -> Iterator[LabeledText | Problem]:
        # decoded_lines numbers every line from 1, so csv's count of lines read is the line number.
        reader = csv.reader((line for _, line in lines), **_csv_args(dialect, strict=True))
        records = self._records(reader)
        sample = list(itertools.islice(records, SAMPLE_ROWS))
        rows = [r for _, r in sample if isinstance(r, list)]
        if not rows:
            raise DataFormatError(f"{self.label} is empty; expected a table of labeled sentences.")
        width = Counter(len(r) for r in rows).most_common(1)[0][0]
        text, label, header = self._choose(rows, width)
        names = tuple(h.strip() for h in rows[0]) if header else tuple(str(i + 1) for i in range(width))
        names = names + tuple(str(i + 1) for i in range(len(names), width))
        self.columns = Columns(names, names[text], None if label is None else names[label], self._how, header, dialect.delimiter)
        body: Iterable[tuple[int, list[str] | Problem]] = itertools.chain(sample, records)
        skip_header = header
        for lineno, row in body:
            if isinstance(row, list) and skip_header:
                skip_header = False
                continue
            item = row if isinstance(row, Problem) else self._record(lineno, row, text, label, width, dialect)
            if isinstance(item, Problem):
                self.problem_count += 1
                if self.problem_count > MAX_PROBLEMS:
                    continue
            yield item
        self._finish()

    def _records(self, reader: Any) -> Iterator[tuple[int, list[str] | Problem]]:
        """(line, row) of each non-blank record, or (line, Problem) for a row with a stray quote; bombs raise."""
        while True:
            line = reader.line_num + 1  # the line the record starts on
            try:
                row = next(reader)
            except StopIteration:
                return
            except csv.Error as err:
                message = str(err)
                if "field larger than field limit" in message:
                    raise DataFormatError(
                        f"{self.label}: the row starting at line {line} has a field over {MAX_FIELD_CHARS:,} characters; "
                        "a quote opened there may never be closed, or this is not a table of sentences."
                    ) from None
                if "unexpected end of data" in message:
                    raise DataFormatError(
                        f"{self.label}: a quote opened in the row starting at line {line} is never closed; "
                        'close it, or write a quote inside a quoted field as "".'
                    ) from None
                yield line, Problem(self.label, f"row has a quote in the wrong place ({message}); it was skipped.", None, line)
                continue
            if len(row) > MAX_COLUMNS:
                raise DataFormatError(
                    f"{self.label}: line {line} has {len(row):,} columns, over the limit of {MAX_COLUMNS:,}; "
                    "this is not a table of sentences."
                )
            if row:
                yield line, row

    def _choose(self, rows: list[list[str]], width: int) -> tuple[int, int | None, bool]:
        """The text column, the label column and whether the first row is a header; DataFormatError when unsure."""
        opts, first = self.options, rows[0]
        named_text, named_label = _by_name(first, TEXT_NAMES), _by_name(first, LABEL_NAMES)
        cells = {h.strip().lower() for h in first}
        given = [g for g in (opts.text_column, opts.label_column) if g]
        by_header = [g for g in given if not g.strip().isdigit()]  # a number counts columns from 1
        header = named_text is not None or named_label is not None or any(g.strip().lower() in cells for g in by_header)
        hdr = first if header else None
        text = _resolve(opts.text_column, hdr, width, self.label, "text") if opts.text_column else None
        label = _resolve(opts.label_column, hdr, width, self.label, "label") if opts.label_column else None
        how = "given" if given else ""
        if header and text is None and named_text is not None and named_text != label:
            text, how = named_text, how or "by name"
        if header and label is None and named_label is not None and named_label != text:
            label, how = named_label, how or "by name"
        if text is None or label is None:  # a label is looked for even when none is needed (a search corpus)
            chosen = _by_content(rows[1:] if header else rows, width, self.need_label, text, label)
            if not header and len(rows) >= 5:
                again = _by_content(rows[1:], width, self.need_label, text, label)
                if not isinstance(again, str) and again[1] is not None and _header_like(rows, again[0], again[1]):
                    header, chosen = True, again
            if isinstance(chosen, str) and text is not None and not self.need_label:
                chosen = (text, None)
            if isinstance(chosen, str):
                header = header or _names_like(rows)
                self.header_names = tuple(h.strip() for h in first) if header else None
                raise self._ambiguous(chosen, first if header else None, width)
            text, label = chosen
            how = f"{how}, the rest by content" if how else "by content"
        elif not header and label is not None and len(rows) >= 5 and _header_like(rows, text, label):
            header = True
        if label == text:
            raise DataFormatError(f"{self.label}: the text column and the label column are the same column; {column_flags()}.")
        self._how = how
        return text, label, header

    def _ambiguous(self, reason: str, header: Sequence[str] | None, width: int) -> DataFormatError:
        names = ", ".join(repr(h.strip()) for h in header) if header is not None else ", ".join(str(i + 1) for i in range(width))
        what = "columns" if header is not None else "columns (no header; numbered from 1)"
        return DataFormatError(
            f"{self.label}: cannot tell which column is the text and which the label ({reason}); "
            f"its {what} are {names}; {column_flags()}."
        )

    def _record(
        self, lineno: int, row: list[str], text: int, label: int | None, width: int, dialect: Dialect
    ) -> LabeledText | Problem:
        needed = max(text, label if label is not None else -1) + 1
        if not dialect.quoted and len(row) > width and text == width - 1:
            row = [*row[:text], dialect.delimiter.join(row[text:])]  # a tab inside the text, in an unquoted TSV
        elif len(row) > width:
            where = "an unquoted delimiter in a field?" if dialect.delimiter != "\t" else "a tab inside a field?"
            return Problem(
                self.label, f"line has {len(row)} columns, but the file has {width} ({where}); it was skipped.", None, lineno
            )
        if len(row) < needed:
            if width == 2 and dialect.delimiter == "\t" and len(row) == 1:
                message = "line has no tab between the label and the text; it was skipped."
            else:
                message = f"line has {len(row)} column(s), but column {needed} is needed; it was skipped."
            return Problem(self.label, message, None, lineno)
        value = row[label].strip() if label is not None else ""
        if label is not None and not value:
            return Problem(self.label, "line has an empty label; it was skipped.", None, lineno)
        if not row[text].strip():
            return Problem(self.label, "line has an empty text; it was skipped.", None, lineno)
        read = normalise_label(value) if label is not None else ""
        key = (row[label] if label is not None else "", read)  # as written, spaces and all
        if key not in self.label_map and len(self.label_map) >= MAX_LABELS:
            assert self.columns is not None
            raise DataFormatError(
                f"{self.label}: column {self.columns.label!r} has over {MAX_LABELS:,} different values, so it is not a "
                f"label column; {column_flags()}."
            )
        if label is not None:
            self.label_map[key] += 1
        return LabeledText(row[text], read)

    def _finish(self) -> None:
        changed = sorted({w for w, r in self.label_map if w != r})
        if changed:
            shown = ", ".join(repr(w) for w in changed[:5]) + (" ..." if len(changed) > 5 else "")
            self.notes.append(f"labels written with spaces or a decimal point ({shown}) were read as the plain label.")
        if self.problem_count > MAX_PROBLEMS:
            self.notes.append(
                f"{self.problem_count - MAX_PROBLEMS:,} more problems were not listed (the first {MAX_PROBLEMS:,} are)."
            )

    def labels(self) -> dict[str, str]:
        """Each label as written -> the label read."""
        return {w: r for w, r in self.label_map}


def _names_like(rows: Sequence[Sequence[str]]) -> bool:
    """Whether the first row reads as column names: short, not numbers, none repeated below it (5 rows or more)."""
    first = rows[0]
    if len(rows) < 5:
        return False
    for i, cell in enumerate(first):
        cell = cell.strip()
        below = {r[i].strip() for r in rows[1:] if i < len(r)}
        if not cell or len(cell.split()) > 3 or _INTEGRAL.match(cell) or cell.replace(".", "").isdigit() or cell in below:
            return False
    return True


def _header_like(rows: Sequence[Sequence[str]], text: int, label: int) -> bool:
    """Whether the first row is a header: its label is a value no other row has, and its "text" is a short name."""
    first = rows[0]
    if max(text, label) >= len(first) or len(first[text].split()) > 3:
        return False
    labels = {r[label].strip() for r in rows[1:] if label < len(r)}
    texts = {r[text].strip() for r in rows[1:] if text < len(r)}
    return bool(labels) and first[label].strip() not in labels and first[text].strip() not in texts


def read_table(
    source: Source,
    name: str | None = None,
    options: ReadOptions | None = None,
    need_label: bool = True,
    max_bytes: int | None = None,
    progress: Progress | None = None,
) -> LabeledFile:
    """Read a CSV or TSV file of labeled sentences (see `TableStream`); DataFormatError when it cannot be read."""
    stream = TableStream(source, name, options, need_label, max_bytes, progress)
    records: list[LabeledText] = []
    problems: list[Problem] = []
    for item in stream:
        (problems if isinstance(item, Problem) else records).append(item)  # type: ignore[arg-type]
    return LabeledFile(stream.label, stream.kind, records, problems, list(stream.notes), stream.columns, stream.labels())
