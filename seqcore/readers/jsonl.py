"""JSON Lines: one JSON object per line, as Hugging Face datasets and many scripts save them.

Sentiment: each object holds a text and a label, under keys found as a table's columns are (given,
else by name, else by content). Labels may be strings or numbers: 1, 1.0 and "1" are one label "1".
Aspects: each object holds a text and `"aspects": [{"term", "from", "to", "polarity"}]`; offsets are
checked as the XML reader checks them, with the same problem rows. Lines stream; a line that is not a
JSON object is a problem row, and a line over the line limit refuses the file.
"""

from __future__ import annotations

import itertools
import json
from collections import Counter
from collections.abc import Iterator
from typing import Any

from seqcore.readers.records import (
    POLARITIES,
    Columns,
    DataFormatError,
    LabeledFile,
    LabeledText,
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
from seqcore.readers.table import (
    LABEL_NAMES,
    MAX_LABELS,
    MAX_PROBLEMS,
    SAMPLE_ROWS,
    TEXT_NAMES,
    _by_content,
    _by_name,
    column_flags,
    normalise_label,
)
from seqcore.readers.targets import occurrences, place_term
from seqcore.tokens import tokenize


def json_label(value: Any) -> str | None:
    """A JSON label as text: 1, 1.0 and "1" are "1"; true is "true"; None for null, a list or an object."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else str(value)
    if isinstance(value, str):
        return normalise_label(value)
    return None


def _objects(lines: Iterator[tuple[int, str]], label: str) -> Iterator[tuple[int, dict | Problem]]:
    """(line, object) for each non-blank line, or (line, Problem) for a line that is not a JSON object."""
    for lineno, line in lines:
        if not line.strip():
            continue
        try:
            obj = json.loads(line.rstrip("\n"))
        except (ValueError, RecursionError) as err:
            if isinstance(err, json.JSONDecodeError):
                reason = f"{err.msg}, column {err.colno}"
            else:
                reason = "nested too deeply" if isinstance(err, RecursionError) else str(err)[:200]
            yield lineno, Problem(label, f"line is not JSON ({reason}); it was skipped.", None, lineno)
            continue
        if not isinstance(obj, dict):
            yield lineno, Problem(label, f"line holds a JSON {type(obj).__name__}, not an object; it was skipped.", None, lineno)
            continue
        yield lineno, obj


def _keys(sample: list[dict], options: ReadOptions, need_label: bool, label: str) -> Columns:
    """Choose the text and label keys of the sample's objects: given, else by name, else by content."""
    keys = list(dict.fromkeys(k for obj in sample for k in obj))
    if not keys:
        raise DataFormatError(f"{label}: no line holds a JSON object with keys; expected a text and a label on every line.")
    for given, what in ((options.text_column, "text"), (options.label_column, "label")):
        if given is not None and given not in keys:
            raise DataFormatError(f"{label}: there is no {what} key {given!r}; the keys are {', '.join(map(repr, keys))}.")
    text = options.text_column or (keys[i] if (i := _by_name(keys, TEXT_NAMES)) is not None else None)
    lab = options.label_column or (keys[i] if (i := _by_name(keys, LABEL_NAMES)) is not None else None)
    how = "given" if options.text_column or options.label_column else "by name" if text or lab else ""
    if text is None or lab is None:
        usable = [k for k in keys if all(isinstance(o.get(k, ""), (str, int, float)) for o in sample)]
        rows = [[str(o.get(k, "")) for k in usable] for o in sample]
        chosen = _by_content(
            rows,
            len(usable),
            need_label,
            usable.index(text) if text in usable else None,
            usable.index(lab) if lab in usable else None,
        )
        if isinstance(chosen, str) and text is not None and not need_label:
            chosen = (usable.index(text) if text in usable else 0, None)
        if isinstance(chosen, str) or not usable:
            raise DataFormatError(
                f"{label}: cannot tell which key holds the text and which the label ({chosen or 'no key holds text'}); "
                f"the keys are {', '.join(map(repr, keys))}; {column_flags('keys')}."
            )
        text, lab = usable[chosen[0]], None if chosen[1] is None else usable[chosen[1]]
        how = f"{how}, the rest by content" if how else "by content"
    if text == lab:
        raise DataFormatError(f"{label}: the text key and the label key are the same key; {column_flags('keys')}.")
    return Columns(tuple(keys), text, lab, how, True, "")


class JsonlStream:
    """The labeled sentences of a JSONL file, yielded as read; `columns`, `label_map` and `notes` as `TableStream`'s."""

    kind = "jsonl"

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
        self.label_map: Counter[tuple[str, str]] = Counter()
        self.notes: list[str] = []
        self.problem_count = 0

    def __iter__(self) -> Iterator[LabeledText | Problem]:
        self.label_map.clear()
        self.notes.clear()
        self.problem_count = 0
        objects = _objects(
            decoded_lines(self.source, self.label, self.options.encoding, self.max_bytes, self.progress), self.label
        )
        head = list(itertools.islice(objects, SAMPLE_ROWS))
        sample = [o for _, o in head if isinstance(o, dict)]
        if not sample:
            if not head:
                raise DataFormatError(f"{self.label} is empty; expected one JSON object per line.")
            raise DataFormatError(f"{self.label}: none of its first {len(head)} lines is a JSON object; expected JSON Lines.")
        self.columns = cols = _keys(sample, self.options, self.need_label, self.label)
        types: set[str] = set()
        for lineno, obj in itertools.chain(head, objects):
            item = obj if isinstance(obj, Problem) else self._record(lineno, obj, cols, types)
            if isinstance(item, Problem):
                self.problem_count += 1
                if self.problem_count > MAX_PROBLEMS:
                    continue
            yield item
        if len(types) > 1:
            self.notes.append('labels are written both as numbers and as strings: 1, 1.0 and "1" were read as one label.')
        if self.problem_count > MAX_PROBLEMS:
            self.notes.append(
                f"{self.problem_count - MAX_PROBLEMS:,} more problems were not listed (the first {MAX_PROBLEMS:,} are)."
            )

    def _record(self, lineno: int, obj: dict, cols: Columns, types: set[str]) -> LabeledText | Problem:
        text = obj.get(cols.text)
        if not isinstance(text, str) or not text.strip():
            what = (
                "no text"
                if text is None
                else "an empty text"
                if isinstance(text, str)
                else f"a {type(text).__name__} as its text"
            )
            return Problem(self.label, f"line has {what} under {cols.text!r}; it was skipped.", None, lineno)
        if cols.label is None:
            return LabeledText(text, "")
        raw = obj.get(cols.label)
        read = json_label(raw)
        if read is None or not read:
            what = "no label" if raw is None else "an empty label" if raw == "" else f"a {type(raw).__name__} as its label"
            return Problem(self.label, f"line has {what} under {cols.label!r}; it was skipped.", None, lineno)
        written = json.dumps(raw, ensure_ascii=False)
        if (written, read) not in self.label_map and len(self.label_map) >= MAX_LABELS:
            raise DataFormatError(
                f"{self.label}: key {cols.label!r} has over {MAX_LABELS:,} different values, so it is not a label; {column_flags('keys')}."
            )
        types.add("string" if isinstance(raw, str) else "number")
        self.label_map[written, read] += 1
        return LabeledText(text, read)

    def labels(self) -> dict[str, str]:
        return {w: r for w, r in self.label_map}


def read_jsonl(
    source: Source,
    name: str | None = None,
    options: ReadOptions | None = None,
    need_label: bool = True,
    max_bytes: int | None = None,
    progress: Progress | None = None,
) -> LabeledFile:
    """Read a JSONL file of labeled sentences (see `JsonlStream`)."""
    stream = JsonlStream(source, name, options, need_label, max_bytes, progress)
    records: list[LabeledText] = []
    problems: list[Problem] = []
    for item in stream:
        (problems if isinstance(item, Problem) else records).append(item)  # type: ignore[arg-type]
    return LabeledFile(stream.label, "jsonl", records, problems, list(stream.notes), stream.columns, stream.labels())


# --------------------------------------------------------------------------- aspects


def is_aspect_jsonl(source: Source, name: str | None = None, encoding: str | None = None) -> bool:
    """Whether the first JSON object of a JSONL file has an "aspects" key."""
    objects = _objects(decoded_lines(source, name, encoding), _source_label(source, name))
    for _, obj in itertools.islice(objects, SAMPLE_ROWS):
        if isinstance(obj, dict):
            return "aspects" in obj
    return False


class _AspectLines:
    def __init__(self, label: str) -> None:
        self.label = label
        self.problems: list[Problem] = []
        self.placed_without_offsets = 0
        self.numbered = 0
        self.seen: set[str] = set()

    def problem(self, message: str, sid: str | None, line: int) -> None:
        self.problems.append(Problem(self.label, message, sid, line))

    def sentence(self, lineno: int, obj: dict, text_key: str, position: int) -> Sentence | None:
        sid = obj.get("id")
        if sid is None or (isinstance(sid, str) and not sid.strip()):
            sid = f"#{position}"
            self.numbered += 1
        sid = str(sid)
        if sid in self.seen:
            self.problem("sentence id repeats an earlier sentence; this one was skipped.", sid, lineno)
            return None
        self.seen.add(sid)
        text = obj.get(text_key)
        if not isinstance(text, str) or not text.strip():
            self.problem(f"line has no text under {text_key!r}; it was skipped.", sid, lineno)
            return None
        aspects = obj.get("aspects")
        if not isinstance(aspects, list):
            self.problem('line has no "aspects" list; it was skipped.', sid, lineno)
            return None
        tokens, offsets = tokenize(text)
        targets = [t for a in aspects if (t := self.target(a, text, offsets, sid, lineno)) is not None]
        return Sentence(sid, text, tokens, offsets, targets, lineno)

    def target(self, aspect: Any, text: str, offsets: list[tuple[int, int]], sid: str, lineno: int) -> Target | None:
        if not isinstance(aspect, dict):
            self.problem(f"an aspect is a JSON {type(aspect).__name__}, not an object; it was skipped.", sid, lineno)
            return None
        term, polarity = aspect.get("term"), aspect.get("polarity")
        if not isinstance(term, str) or not term.strip():
            self.problem("aspect term has no term text; it was skipped.", sid, lineno)
            return None
        polarity = polarity.strip().lower() if isinstance(polarity, str) else polarity
        if polarity not in POLARITIES:
            self.problem(
                f"aspect term {term!r} has polarity {polarity!r}, not one of {', '.join(POLARITIES)}; it was skipped.",
                sid,
                lineno,
            )
            return None
        raw_from, raw_to = aspect.get("from"), aspect.get("to")
        if raw_from is None and raw_to is None and len(occurrences(term, text)) == 1:
            self.placed_without_offsets += 1
            start = text.find(term)
            raw_from, raw_to = start, start + len(term)
        placed, message = place_term(term, raw_from, raw_to, text, offsets)
        if message is not None:
            self.problem(message, sid, lineno)
        if placed is None:
            return None
        return Target(term, polarity, placed.start, placed.end, placed.token_span, aspect.get("category"))


def read_aspect_jsonl(
    source: Source,
    name: str | None = None,
    options: ReadOptions | None = None,
    max_bytes: int | None = None,
    progress: Progress | None = None,
) -> ReviewFile:
    """Read aspect JSONL (`{"text", "aspects": [{"term", "from", "to", "polarity"}]}` per line) as a review file."""
    options = options or ReadOptions()
    label = _source_label(source, name)
    reader = _AspectLines(label)
    sentences: list[Sentence] = []
    text_key = options.text_column
    position = 0
    for lineno, obj in _objects(decoded_lines(source, label, options.encoding, max_bytes, progress), label):
        if isinstance(obj, Problem):
            reader.problems.append(obj)
            continue
        if text_key is None:
            found = _by_name(list(obj), TEXT_NAMES)
            if found is None:
                raise DataFormatError(
                    f"{label}: line {lineno} has no text key (text, sentence, review or content); the keys are "
                    f"{', '.join(map(repr, obj))}; name it with --text-column."
                )
            text_key = list(obj)[found]
        position += 1
        sentence = reader.sentence(lineno, obj, text_key, position)
        if sentence is not None:
            sentences.append(sentence)
    if position == 0 and not reader.problems:
        raise DataFormatError(f"{label} is empty; expected one JSON object per line.")
    notes = []
    if reader.numbered:
        notes.append(numbered_note(reader.numbered))
    if reader.placed_without_offsets:
        n = reader.placed_without_offsets
        some = "1 aspect term has" if n == 1 else f"{n:,} aspect terms have"
        notes.append(f"{some} no offsets; placed where the term occurs once in its text.")
    return ReviewFile(label, "jsonl", sentences, reader.problems, notes)
