"""Read SemEval ABSA XML (2014 and 2015/2016), sentence polarity lines, labeled TSV and CoNLL-U.

Pure Python: no torch. Every reader keeps the good part of a file and lists what was wrong.
"""

from __future__ import annotations

import os
import re
import xml.etree.ElementTree as ET
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from xml.parsers import expat

import defusedxml
import defusedxml.ElementTree as DET

from seqcore.tokens import offsets_to_token_span, tokenize

POLARITIES = ("positive", "negative", "neutral", "conflict")


class DataFormatError(ValueError):
    """A whole file cannot be read: not XML, hostile, truncated, wrong root, too large, bad encoding."""


@dataclass(frozen=True)
class Problem:
    """One thing wrong in a file that was skipped or repaired; the rest of the file was kept."""

    source: str  # file name (or "<upload>")
    message: str  # what was wrong, one sentence
    sentence_id: str | None = None
    line: int | None = None  # 1-based line in the file, when known

    def __str__(self) -> str:
        where = self.source
        if self.line is not None:
            where += f", line {self.line}"
        if self.sentence_id is not None:
            where += f", sentence {self.sentence_id}"
        return f"{where}: {self.message}"


@dataclass(frozen=True)
class Target:
    """One aspect term (2014) or opinion (2016) of a sentence."""

    term: str | None  # None for a NULL (sentence-level) target
    polarity: str  # one of POLARITIES
    start: int | None = None  # character offsets into Sentence.text, end exclusive; None for NULL
    end: int | None = None
    token_span: tuple[int, int] | None = None  # [first, last + 1) token indices; None for NULL
    category: str | None = None

    @property
    def is_null(self) -> bool:
        return self.term is None


@dataclass
class Sentence:
    """A sentence with its tokens and targets; text is exactly as in the file."""

    id: str
    text: str
    tokens: list[str]
    token_offsets: list[tuple[int, int]]  # character (start, end) of each token
    targets: list[Target] = field(default_factory=list)
    line: int | None = None


@dataclass
class ReviewFile:
    """A parsed SemEval file: the good sentences and the problems found."""

    source: str
    format: str  # "semeval2014" or "semeval2016"
    sentences: list[Sentence]
    problems: list[Problem]


@dataclass(frozen=True)
class LabeledText:
    """A sentence with one label for the whole sequence (sentence polarity)."""

    text: str
    label: str


@dataclass(frozen=True)
class TaggedSentence:
    """A sentence of words with one tag per word (CoNLL-U UPOS)."""

    id: str
    words: list[str]
    tags: list[str]


Source = str | os.PathLike[str] | bytes

UPLOAD_NAME = "<upload>"
_BOM = b"\xef\xbb\xbf"
_XML_ENCODING = re.compile(rb"""^\s*<\?xml[^>]*?encoding\s*=\s*["']([A-Za-z0-9._-]+)["']""")
_UTF8_NAMES = {"utf-8", "utf8", "us-ascii", "ascii"}


# --------------------------------------------------------------------------- sources


def _read_source(source: Source, name: str | None, max_bytes: int) -> tuple[bytes, str]:
    """Return the bytes of a path or an upload, and the name to use in messages."""
    if isinstance(source, (bytes, bytearray, memoryview)):
        label = name or UPLOAD_NAME
        size = len(source)
    else:
        path = Path(source)
        label = name or path.name
        # Check the size before reading so that a huge file is never loaded.
        size = path.stat().st_size
    if size > max_bytes:
        raise DataFormatError(
            f"{label} is {size:,} bytes, over the limit of {max_bytes:,} bytes; split the file or raise max_bytes."
        )
    data = bytes(source) if isinstance(source, (bytes, bytearray, memoryview)) else path.read_bytes()
    return data, label


def _decode_utf8(data: bytes, label: str) -> str:
    """Decode UTF-8 (with or without a BOM), or say where the first bad byte is."""
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as err:
        line = data[: err.start].count(b"\n") + 1
        raise DataFormatError(
            f"{label} is not UTF-8 text (byte 0x{data[err.start]:02x} at line {line}, offset {err.start}); save it as UTF-8."
        ) from err


def _decode_text(data: bytes) -> str:
    """Decode UTF-8 when the bytes are valid UTF-8, else Latin-1 (which never fails)."""
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return data.decode("latin-1")


def _lines(text: str) -> list[str]:
    """Split on "\\n" only and drop the empty piece after a final newline."""
    # str.splitlines would also break on U+0085 and U+2028, which occur inside sentences.
    lines = text.split("\n")
    if lines and lines[-1] == "":
        lines.pop()
    # A CR before the LF comes from Windows line endings, not from the text.
    return [line[:-1] if line.endswith("\r") else line for line in lines]


# --------------------------------------------------------------------------- SemEval XML


class _LineTreeBuilder(ET.TreeBuilder):
    """Build an ElementTree and remember the line where each element starts."""

    def __init__(self) -> None:
        super().__init__()
        self.expat: Any = None
        self.lines: dict[ET.Element, int] = {}

    def start(self, tag: str, attrs: dict[str, str]) -> ET.Element:  # type: ignore[override]
        elem = super().start(tag, attrs)
        self.lines[elem] = self.expat.CurrentLineNumber
        return elem


def _parse_xml(data: bytes, label: str) -> tuple[ET.Element, dict[ET.Element, int]]:
    """Parse XML safely, refusing DTDs, entities and external references."""
    if not data.strip():
        raise DataFormatError(f"{label} is empty; expected a SemEval XML file.")
    _decode_utf8(data, label)
    declared = _XML_ENCODING.match(data.removeprefix(_BOM))
    if declared and declared.group(1).decode("ascii").lower() not in _UTF8_NAMES:
        raise DataFormatError(
            f'{label} declares encoding {declared.group(1).decode("ascii")!r}; save it as UTF-8 and declare encoding="UTF-8".'
        )
    builder = _LineTreeBuilder()
    parser = DET.DefusedXMLParser(target=builder, forbid_dtd=True, forbid_entities=True, forbid_external=True)
    builder.expat = parser.parser
    try:
        parser.feed(data)
        root = parser.close()
    except ET.ParseError as err:
        line, column = err.position
        reason = expat.ErrorString(err.code) if err.code else str(err)
        raise DataFormatError(
            f"{label} is not well-formed XML ({reason} at line {line}, column {column + 1}); "
            "check that the file is complete and really is XML."
        ) from None
    except defusedxml.DefusedXmlException as err:
        line = parser.parser.CurrentLineNumber
        raise DataFormatError(
            f"{label} was refused at line {line}: it contains a DTD, an entity or an external "
            f"reference ({type(err).__name__}), which can expand without bound or read local files; "
            "remove the <!DOCTYPE ...> declaration."
        ) from None
    return root, builder.lines


def _occurrences(term: str, text: str) -> list[int]:
    """Return every start index of term in text, overlapping ones included."""
    starts = []
    i = text.find(term)
    while i != -1:
        starts.append(i)
        i = text.find(term, i + 1)
    return starts


class _SentenceReader:
    """Turn <sentence> elements into Sentence records, collecting problems on the way."""

    def __init__(self, label: str, fmt: str, lines: dict[ET.Element, int]) -> None:
        self.label = label
        self.fmt = fmt
        self.lines = lines
        self.problems: list[Problem] = []
        self.seen_ids: set[str] = set()

    def problem(self, message: str, sentence_id: str | None, elem: ET.Element | None) -> None:
        line = self.lines.get(elem) if elem is not None else None
        self.problems.append(Problem(self.label, message, sentence_id, line))

    def sentence(self, elem: ET.Element, position: int) -> Sentence | None:
        sid = elem.get("id")
        if sid is None or not sid.strip():
            sid = f"#{position}"
            self.problem(f"sentence has no id; it was kept as {sid!r}.", sid, elem)
        elif sid in self.seen_ids:
            self.problem("sentence id repeats an earlier sentence; this one was skipped.", sid, elem)
            return None
        self.seen_ids.add(sid)

        text_elem = elem.find("text")
        if text_elem is None:
            self.problem("sentence has no <text>; it was skipped.", sid, elem)
            return None
        # Never strip: offsets count leading spaces.
        text = text_elem.text or ""
        if not text.strip():
            self.problem("sentence text is empty; it was skipped.", sid, elem)
            return None

        tokens, offsets = tokenize(text)
        if self.fmt == "semeval2014":
            terms = elem.iterfind("aspectTerms/aspectTerm")
            found = [self.aspect_term(t, text, offsets, sid) for t in terms]
        else:
            opinions = elem.iterfind("Opinions/Opinion")
            found = [self.opinion(o, text, offsets, sid) for o in opinions]
        kept = [pair for pair in found if pair[0] is not None]
        if self.fmt == "semeval2014":
            kept = self.drop_contradictions(kept, sid)
        targets = [target for target, _ in kept]
        return Sentence(sid, text, tokens, offsets, targets, self.lines.get(elem))

    def polarity(self, elem: ET.Element, sid: str, what: str) -> str | None:
        polarity = elem.get("polarity")
        if polarity not in POLARITIES:
            self.problem(
                f"{what} has polarity {polarity!r}, not one of {', '.join(POLARITIES)}; it was skipped.",
                sid,
                elem,
            )
            return None
        return polarity

    def aspect_term(
        self, elem: ET.Element, text: str, offsets: list[tuple[int, int]], sid: str
    ) -> tuple[Target | None, ET.Element]:
        term = elem.get("term")
        if term is None or not term.strip():
            self.problem("aspect term has no term text; it was skipped.", sid, elem)
            return None, elem
        polarity = self.polarity(elem, sid, f"aspect term {term!r}")
        if polarity is None:
            return None, elem
        return self.located(elem, term, polarity, None, text, offsets, sid), elem

    def opinion(self, elem: ET.Element, text: str, offsets: list[tuple[int, int]], sid: str) -> tuple[Target | None, ET.Element]:
        term = elem.get("target")
        category = elem.get("category")
        polarity = self.polarity(elem, sid, f"opinion on {term!r}")
        if polarity is None:
            return None, elem
        # Decide NULL by the string: some NULL targets carry non-zero offsets, even past the text.
        # A missing target attribute is how the category-only 2015/2016 domains write it.
        if term is None or term == "NULL":
            return Target(None, polarity, category=category), elem
        if not term.strip():
            self.problem(
                'opinion has an empty target (write target="NULL" for a sentence-level opinion); it was skipped.',
                sid,
                elem,
            )
            return None, elem
        return self.located(elem, term, polarity, category, text, offsets, sid), elem

    def located(
        self,
        elem: ET.Element,
        term: str,
        polarity: str,
        category: str | None,
        text: str,
        offsets: list[tuple[int, int]],
        sid: str,
    ) -> Target | None:
        """Check a target's offsets against its term, repairing them when the term occurs once."""
        raw_from, raw_to = elem.get("from"), elem.get("to")
        what = f"target {term!r}"
        try:
            start, end = int(raw_from or ""), int(raw_to or "")
        except ValueError:
            reason = f"{what} has offsets from={raw_from!r} to={raw_to!r}, which are not integers"
        else:
            if not 0 <= start <= end <= len(text):
                reason = f"{what} has offsets {start}-{end} outside the text of {len(text)} characters"
            elif text[start:end] != term:
                reason = f"{what} has offsets {start}-{end}, which cover {text[start:end]!r}"
            else:
                reason = ""
        if reason:
            starts = _occurrences(term, text)
            if len(starts) != 1:
                times = "does not occur" if not starts else f"occurs {len(starts)} times"
                self.problem(f"{reason}, and the term {times} in the text; it was skipped.", sid, elem)
                return None
            start, end = starts[0], starts[0] + len(term)
            self.problem(f"{reason}; repaired to {start}-{end}, where the term occurs once.", sid, elem)
        span = offsets_to_token_span(offsets, start, end)
        if span is None:
            self.problem(f"{what} covers no token; it was skipped.", sid, elem)
            return None
        return Target(term, polarity, start, end, span, category)

    def drop_contradictions(self, kept: list[tuple[Target, ET.Element]], sid: str) -> list[tuple[Target, ET.Element]]:
        """Drop every 2014 aspect term whose span is also annotated with another polarity."""
        # 2014 marks mixed sentiment with "conflict", so two polarities on one span are an error.
        # 2016 has no "conflict": it writes two opinions instead, so this only runs for 2014.
        polarities: dict[tuple[int | None, int | None], set[str]] = {}
        for target, _ in kept:
            polarities.setdefault((target.start, target.end), set()).add(target.polarity)
        bad = {span for span, pols in polarities.items() if len(pols) > 1}
        reported: set[tuple[int | None, int | None]] = set()
        out = []
        for target, elem in kept:
            span = (target.start, target.end)
            if span not in bad:
                out.append((target, elem))
            elif span not in reported:
                reported.add(span)
                names = ", ".join(sorted(polarities[span]))
                self.problem(
                    f"target {target.term!r} at {target.start}-{target.end} is annotated with "
                    f"different polarities ({names}); all its annotations were skipped.",
                    sid,
                    elem,
                )
        return out


def read_semeval(source: Source, name: str | None = None, max_bytes: int = 20_000_000) -> ReviewFile:
    """Read a SemEval-2014 (<sentences>) or SemEval-2015/2016 (<Reviews>) ABSA XML file or upload."""
    data, label = _read_source(source, name, max_bytes)
    root, lines = _parse_xml(data, label)
    if root.tag == "sentences":
        fmt = "semeval2014"
    elif root.tag == "Reviews":
        fmt = "semeval2016"
    else:
        raise DataFormatError(
            f"{label} has root element <{root.tag}> at line {lines.get(root, 1)}; expected "
            "<sentences> (SemEval-2014) or <Reviews> (SemEval-2015/2016)."
        )
    reader = _SentenceReader(label, fmt, lines)
    sentences = []
    for position, elem in enumerate(root.iter("sentence"), start=1):
        sentence = reader.sentence(elem, position)
        if sentence is not None:
            sentences.append(sentence)
    return ReviewFile(label, fmt, sentences, reader.problems)


# --------------------------------------------------------------------------- sentence polarity


def read_polarity_lines(
    source: Source,
    label: str,
    name: str | None = None,
    encoding: str | None = None,
    max_bytes: int = 50_000_000,
) -> list[LabeledText]:
    """Read one sentence per line, all with the same label; blank lines are skipped.

    ``encoding=None`` decodes UTF-8 when the bytes are valid UTF-8, else Latin-1.
    """
    data, _ = _read_source(source, name, max_bytes)
    text = _decode_text(data) if encoding is None else data.decode(encoding)
    return [LabeledText(line, label) for line in _lines(text) if line.strip()]


def read_polarity(pos_path: str | os.PathLike[str], neg_path: str | os.PathLike[str]) -> list[LabeledText]:
    """Read the Cornell sentence polarity files: positive sentences first, then negative."""
    # The files are single-byte (cp1252 mixed with Latin-1); Latin-1 never fails on them.
    return read_polarity_lines(pos_path, "positive", encoding="latin-1") + read_polarity_lines(
        neg_path, "negative", encoding="latin-1"
    )


def read_labeled_tsv(
    source: Source, name: str | None = None, max_bytes: int = 50_000_000
) -> tuple[list[LabeledText], list[Problem]]:
    """Read "label<TAB>text" lines; an optional "label<TAB>text" header is skipped."""
    data, label_name = _read_source(source, name, max_bytes)
    records: list[LabeledText] = []
    problems: list[Problem] = []
    for lineno, line in enumerate(_lines(_decode_text(data)), start=1):
        if not line.strip():
            continue
        if not records and not problems and line.strip().lower() == "label\ttext":
            continue
        label, tab, text = line.partition("\t")
        if not tab:
            message = "line has no tab between the label and the text; it was skipped."
        elif not label.strip():
            message = "line has an empty label; it was skipped."
        elif not text.strip():
            message = "line has an empty text; it was skipped."
        else:
            records.append(LabeledText(text, label.strip()))
            continue
        problems.append(Problem(label_name, message, None, lineno))
    return records, problems


# --------------------------------------------------------------------------- CoNLL-U

_SENT_ID = re.compile(r"^#\s*sent_id\s*=\s*(.*?)\s*$")
_RANGE_ID = re.compile(r"^\d+-\d+$")
_EMPTY_NODE_ID = re.compile(r"^\d+\.\d+$")


def _blocks(lines: list[str]) -> Iterator[list[tuple[int, str]]]:
    """Yield the runs of non-blank lines, each line with its 1-based number."""
    block: list[tuple[int, str]] = []
    for lineno, line in enumerate(lines, start=1):
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


def read_conllu(
    source: Source, name: str | None = None, max_bytes: int = 100_000_000
) -> tuple[list[TaggedSentence], list[Problem]]:
    """Read the words and UPOS tags of a CoNLL-U file; malformed sentences are skipped and reported."""
    data, label = _read_source(source, name, max_bytes)
    sentences: list[TaggedSentence] = []
    problems: list[Problem] = []
    seen_ids: set[str] = set()
    for number, block in enumerate(_blocks(_lines(_decode_utf8(data, label))), start=1):
        sent_ids = [m.group(1) for _, line in block if (m := _SENT_ID.match(line))]
        sid = sent_ids[0] if sent_ids else f"{label}:{number}"
        if sid in seen_ids:
            message = "sentence id repeats an earlier sentence; this one was skipped."
            problems.append(Problem(label, message, sid, block[0][0]))
            continue
        result = _conllu_sentence(block, sid, label)
        if isinstance(result, Problem):
            problems.append(result)
        else:
            seen_ids.add(sid)
            sentences.append(result)
    return sentences, problems


# --------------------------------------------------------------------------- sniffing


def _looks_like_conllu(lines: list[str]) -> bool:
    """Tell CoNLL-U by its 10-column tab-separated word lines."""
    body = [line for line in lines[:500] if line.strip() and not line.startswith("#")]
    return bool(body) and sum(line.count("\t") == 9 for line in body) >= 0.9 * len(body)


def describe_file(source: Source, name: str | None = None) -> dict[str, Any]:
    """Sniff a file's kind (SemEval XML, CoNLL-U, labeled TSV or plain lines) and count what it holds."""
    data, label = _read_source(source, name, max_bytes=100_000_000)
    head = data.removeprefix(_BOM).lstrip()
    if head.startswith(b"<"):
        review = read_semeval(data, label)
        targets = [t for s in review.sentences for t in s.targets]
        counts = Counter(t.polarity for t in targets)
        return {
            "source": label,
            "kind": review.format,
            "sentences": len(review.sentences),
            "sentences_with_targets": sum(bool(s.targets) for s in review.sentences),
            "targets": len(targets),
            "polarities": {p: counts[p] for p in POLARITIES if counts[p]},
            "null_targets": sum(t.is_null for t in targets),
            "problems": [str(p) for p in review.problems],
        }
    lines = _lines(_decode_text(data))
    if _looks_like_conllu(lines):
        tagged, problems = read_conllu(data, label)
        tag_counts = Counter(tag for s in tagged for tag in s.tags)
        return {
            "source": label,
            "kind": "conllu",
            "sentences": len(tagged),
            "words": sum(len(s.words) for s in tagged),
            "tags": dict(tag_counts.most_common()),
            "problems": [str(p) for p in problems],
        }
    non_blank = [line for line in lines if line.strip()]
    sample = non_blank[:200]
    # Most lines, not all: a TSV upload with a few malformed lines is still a TSV upload.
    if sample and sum("\t" in line for line in sample) >= 0.5 * len(sample):
        records, problems = read_labeled_tsv(data, label)
        return {
            "source": label,
            "kind": "labeled_tsv",
            "sentences": len(records),
            "labels": dict(Counter(r.label for r in records).most_common()),
            "problems": [str(p) for p in problems],
        }
    return {"source": label, "kind": "text_lines", "sentences": len(non_blank), "problems": []}
