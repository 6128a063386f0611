"""Read SemEval ABSA XML (2014 and 2015/2016), sentence polarity lines, labeled TSV and CoNLL-U.

Pure Python: no torch. Every reader keeps the good part of a file and lists what was wrong.
A file on disk, plain or gzip-compressed (`.conllu.gz`), is read chunk by chunk, so its size is
not limited and parsing needs bounded memory (a SemEval file is parsed incrementally and each
`<sentence>` is dropped from the tree once read). Bytes already in memory (an upload) are limited
to `MAX_IN_MEMORY_BYTES`.
"""

from __future__ import annotations

import codecs
import gzip
import io
import os
import re
import xml.etree.ElementTree as ET
import zlib
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, BinaryIO
from xml.parsers import expat

import defusedxml
import defusedxml.ElementTree as DET

from seqcore.tokens import offsets_to_token_span, tokenize

POLARITIES = ("positive", "negative", "neutral", "conflict")


class DataFormatError(ValueError):
    """A whole file cannot be read: not XML, hostile, truncated, wrong root, too large, binary, bad encoding."""


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
Progress = Callable[[str, int, int], None]  # (file name, bytes read so far, file size in bytes)

UPLOAD_NAME = "<upload>"
# Bytes held whole in memory (an upload) are capped; the app's upload limit (.streamlit/config.toml) is the same 20 MB.
MAX_IN_MEMORY_BYTES = 20 * 2**20
CHUNK_BYTES = 1 << 16
SNIFF_BYTES = 1 << 18  # how much of a file's start decides its kind
_BOM = b"\xef\xbb\xbf"
_GZIP_MAGIC = b"\x1f\x8b"
_XML_ENCODING = re.compile(rb"""^\s*<\?xml[^>]*?encoding\s*=\s*["']([A-Za-z0-9._-]+)["']""")
_UTF8_NAMES = {"utf-8", "utf8", "us-ascii", "ascii"}


# --------------------------------------------------------------------------- sources


def _source_label(source: Source, name: str | None) -> str:
    """The name a source is reported by: the name given, else the file's name, else <upload> for bytes."""
    if name:
        return name
    if isinstance(source, (bytes, bytearray, memoryview)):
        return UPLOAD_NAME
    return Path(source).name


class _Stream:
    """A file on disk or bytes in memory, read chunk by chunk and gunzipped on the fly when it is gzip.

    Use it as a context manager. The first chunk read is checked for NUL bytes, so a binary file is
    refused before anything is parsed; `progress` hears (name, bytes read, size) after every chunk.
    """

    def __init__(self, source: Source, name: str | None = None, max_bytes: int | None = None, progress: Progress | None = None):
        self.progress = progress
        self.raw: BinaryIO
        if isinstance(source, (bytes, bytearray, memoryview)):
            data = bytes(source)
            self.label = name or UPLOAD_NAME
            self.size = len(data)
            self._check_size(MAX_IN_MEMORY_BYTES if max_bytes is None else max_bytes, in_memory=True)
            self.raw = io.BytesIO(data)
            head = data[:2]
        else:
            path = Path(source)
            self.label = name or path.name
            if path.is_dir():
                raise DataFormatError(f"{path} is a folder, not a file; name the data files inside it.")
            self.size = path.stat().st_size  # FileNotFoundError for a missing file
            if max_bytes is not None:
                self._check_size(max_bytes, in_memory=False)
            reader = open(path, "rb")  # closed by __exit__
            head = reader.peek(2)[:2]
            self.raw = reader
        self.gzip = head == _GZIP_MAGIC
        self.file: BinaryIO = gzip.GzipFile(fileobj=self.raw, mode="rb") if self.gzip else self.raw  # type: ignore[assignment]
        self._seekable = self.raw.seekable()
        self._read = 0
        self._checked = False

    def _check_size(self, limit: int, in_memory: bool) -> None:
        if self.size <= limit:
            return
        how = (
            " for a file held whole in memory, as an upload is; read it from disk instead "
            "(python -m seqcore stats FILE streams a file of any size)."
            if in_memory
            else "; leave max_bytes unset to stream a file of any size."
        )
        raise DataFormatError(f"{self.label} is {self.size:,} bytes, over the limit of {limit:,} bytes{how}")

    def __enter__(self) -> _Stream:
        return self

    def __exit__(self, *exc: object) -> None:
        self.file.close()
        self.raw.close()

    def read(self, n: int = CHUNK_BYTES) -> bytes:
        """Return up to n bytes of content (gunzipped); b"" at the end."""
        try:
            chunk = self.file.read(n)
        except (OSError, EOFError, zlib.error) as err:
            if not self.gzip:
                raise
            raise DataFormatError(f"{self.label} is a damaged gzip file ({err}); compress or download it again.") from None
        if not self._checked:
            self._checked = True
            nul = chunk.find(b"\x00")
            if nul != -1:
                raise DataFormatError(
                    f"{self.label} is a binary file, not text (NUL byte at offset {nul}); "
                    "expected UTF-8 text: SemEval XML, CoNLL-U, or one sentence per line."
                )
        self._read += len(chunk)
        if self.progress is not None:
            done = self.raw.tell() if self._seekable else self._read
            self.progress(self.label, min(done, self.size) if chunk else self.size, self.size)
        return chunk

    def chunks(self) -> Iterator[bytes]:
        while chunk := self.read():
            yield chunk

    def lines(self) -> Iterator[bytes]:
        """Yield the lines, split on b"\\n" only and without it; a final newline adds no empty line."""
        pieces: list[bytes] = []
        for chunk in self.chunks():
            parts = chunk.split(b"\n")
            if len(parts) == 1:
                pieces.append(chunk)
                continue
            pieces.append(parts[0])
            yield b"".join(pieces)
            yield from parts[1:-1]
            pieces = [parts[-1]] if parts[-1] else []
        if pieces:
            yield b"".join(pieces)


def _not_utf8(label: str, data: bytes, start: int, line: int, offset: int) -> DataFormatError:
    return DataFormatError(
        f"{label} is not UTF-8 text (byte 0x{data[start]:02x} at line {line}, offset {offset}); save it as UTF-8."
    )


class _Utf8Check:
    """Check that bytes are UTF-8 as they stream by, and say where the first bad byte is."""

    def __init__(self, label: str) -> None:
        self.label = label
        self.tail = b""  # an incomplete character at the end of the last chunk
        self.offset = 0
        self.line = 1

    def feed(self, chunk: bytes, final: bool = False) -> None:
        data = self.tail + chunk
        try:
            data.decode("utf-8")
            good = len(data)
        except UnicodeDecodeError as err:
            if err.reason != "unexpected end of data" or final:
                line = self.line + data.count(b"\n", 0, err.start)
                raise _not_utf8(self.label, data, err.start, line, self.offset + err.start) from None
            good = err.start
        self.line += data.count(b"\n", 0, good)
        self.offset += good
        self.tail = data[good:]


def _is_utf8(source: Source, name: str | None, max_bytes: int | None) -> bool:
    """Whether the whole content is valid UTF-8 (one streaming pass)."""
    decoder = codecs.getincrementaldecoder("utf-8")()
    with _Stream(source, name, max_bytes) as stream:
        try:
            for chunk in stream.chunks():
                decoder.decode(chunk)
            decoder.decode(b"", final=True)
        except UnicodeDecodeError:
            return False
    return True


def _text_lines(
    source: Source,
    name: str | None = None,
    max_bytes: int | None = None,
    encoding: str | None = None,
    progress: Progress | None = None,
) -> Iterator[tuple[int, str]]:
    """Yield (line number, line) of a text file or upload, split on "\\n" only, a CR before it dropped.

    `encoding=None` decodes UTF-8 when the whole content is valid UTF-8, else Latin-1 (which never
    fails); "utf-8" refuses other bytes, saying where. A UTF-8 byte order mark is dropped.
    """
    # str.splitlines would also break on U+0085 and U+2028, which occur inside sentences.
    if encoding is None:
        encoding = "utf-8" if _is_utf8(source, name, max_bytes) else "latin-1"
    utf8 = codecs.lookup(encoding).name == "utf-8"
    with _Stream(source, name, max_bytes, progress) as stream:
        offset = 0
        for lineno, raw in enumerate(stream.lines(), start=1):
            skip = len(_BOM) if lineno == 1 and utf8 and raw.startswith(_BOM) else 0
            try:
                line = raw[skip:].decode(encoding)
            except UnicodeDecodeError as err:
                raise _not_utf8(stream.label, raw, skip + err.start, lineno, offset + skip + err.start) from None
            offset += len(raw) + 1
            # A CR before the LF comes from Windows line endings, not from the text.
            yield lineno, line[:-1] if line.endswith("\r") else line


def _decode_text(data: bytes) -> str:
    """Decode UTF-8 when the bytes are valid UTF-8, else Latin-1 (which never fails)."""
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return data.decode("latin-1")


def _lines(text: str) -> list[str]:
    """Split on "\\n" only, drop the empty piece after a final newline and a CR before each newline."""
    lines = text.split("\n")
    if lines and lines[-1] == "":
        lines.pop()
    return [line[:-1] if line.endswith("\r") else line for line in lines]


# --------------------------------------------------------------------------- SemEval XML


class _SentenceTreeBuilder(ET.TreeBuilder):
    """Build the tree of each <sentence>, hand it over when it closes, and drop closed elements from the tree.

    Only the open elements and the sentences not yet read stay in memory, whatever the file's size.
    `lines` maps each element still held to the line where it starts.
    """

    def __init__(self) -> None:
        super().__init__()
        self.expat: Any = None
        self.lines: dict[ET.Element, int] = {}
        self.root: ET.Element | None = None
        self.closed: list[ET.Element] = []  # closed <sentence> elements, in document order of their ends
        self._open: list[ET.Element] = []
        self._in_sentence = 0

    def start(self, tag: str, attrs: dict[str, str]) -> ET.Element:
        elem = super().start(tag, attrs)
        self.lines[elem] = self.expat.CurrentLineNumber
        if self.root is None:
            self.root = elem
        if tag == "sentence":
            self._in_sentence += 1
        self._open.append(elem)
        return elem

    def end(self, tag: str) -> ET.Element:
        elem = super().end(tag)
        self._open.pop()
        if tag == "sentence":
            self._in_sentence -= 1
            self.closed.append(elem)
        if self._in_sentence == 0 and self._open:
            self._open[-1].remove(elem)
            if tag != "sentence":
                self.forget(elem)
        return elem

    def forget(self, elem: ET.Element) -> None:
        for e in elem.iter():
            self.lines.pop(e, None)


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

    def __init__(self, label: str, fmt: str, lines: dict[ET.Element, int], problems: list[Problem]) -> None:
        self.label = label
        self.fmt = fmt
        self.lines = lines
        self.problems = problems
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
        kept = [(target, where) for target, where in found if target is not None]
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


class SemEvalStream:
    """The sentences of a SemEval-2014 (<sentences>) or 2015/2016 (<Reviews>) file, yielded as they are parsed.

    The file is fed to defusedxml's parser chunk by chunk; each <sentence> is read as soon as it
    closes and then dropped, so memory stays bounded whatever the file's size. `format` is set once
    the root element is seen, and `problems` fills in as the sentences go by. A file that cannot be
    read at all (empty, not UTF-8, not XML, hostile, truncated, another root) raises DataFormatError.
    """

    def __init__(
        self, source: Source, name: str | None = None, max_bytes: int | None = None, progress: Progress | None = None
    ) -> None:
        self.source, self.max_bytes, self.progress = source, max_bytes, progress
        self.label = _source_label(source, name)
        self.format: str | None = None
        self.problems: list[Problem] = []

    def __iter__(self) -> Iterator[Sentence]:
        self.problems.clear()
        with _Stream(self.source, self.label, self.max_bytes, self.progress) as stream:
            builder = _SentenceTreeBuilder()
            parser = DET.DefusedXMLParser(target=builder, forbid_dtd=True, forbid_entities=True, forbid_external=True)
            builder.expat = parser.parser
            reader = _SentenceReader(self.label, "", builder.lines, self.problems)
            utf8 = _Utf8Check(self.label)
            seen_text, first, position = False, True, 0
            for chunk in stream.chunks():
                text = chunk.removeprefix(_BOM) if first else chunk
                if first:
                    self._check_declared_encoding(text)
                    first = False
                utf8.feed(chunk)
                seen_text = seen_text or bool(text.strip())
                self._parse(parser, chunk)
                if self.format is None and builder.root is not None:
                    self.format = reader.fmt = self._format_of(builder.root, builder.lines)
                for elem in builder.closed:
                    position += 1
                    sentence = reader.sentence(elem, position)
                    builder.forget(elem)
                    if sentence is not None:
                        yield sentence
                builder.closed.clear()
            utf8.feed(b"", final=True)
            if not seen_text:
                raise DataFormatError(f"{self.label} is empty; expected a SemEval XML file.")
            self._parse(parser, None)

    def _check_declared_encoding(self, head: bytes) -> None:
        declared = _XML_ENCODING.match(head)
        if declared and declared.group(1).decode("ascii").lower() not in _UTF8_NAMES:
            raise DataFormatError(
                f'{self.label} declares encoding {declared.group(1).decode("ascii")!r}; save it as UTF-8 and declare encoding="UTF-8".'
            )

    def _parse(self, parser: DET.DefusedXMLParser, chunk: bytes | None) -> None:
        """Feed a chunk (None: end of file), refusing DTDs, entities and external references."""
        try:
            if chunk is None:
                parser.close()
            else:
                parser.feed(chunk)
        except ET.ParseError as err:
            line, column = err.position
            reason = expat.ErrorString(err.code) if err.code else str(err)
            raise DataFormatError(
                f"{self.label} is not well-formed XML ({reason} at line {line}, column {column + 1}); "
                "check that the file is complete and really is XML."
            ) from None
        except defusedxml.DefusedXmlException as err:
            line = parser.parser.CurrentLineNumber
            raise DataFormatError(
                f"{self.label} was refused at line {line}: it contains a DTD, an entity or an external "
                f"reference ({type(err).__name__}), which can expand without bound or read local files; "
                "remove the <!DOCTYPE ...> declaration."
            ) from None

    def _format_of(self, root: ET.Element, lines: dict[ET.Element, int]) -> str:
        if root.tag == "sentences":
            return "semeval2014"
        if root.tag == "Reviews":
            return "semeval2016"
        raise DataFormatError(
            f"{self.label} has root element <{root.tag}> at line {lines.get(root, 1)}; expected "
            "<sentences> (SemEval-2014) or <Reviews> (SemEval-2015/2016)."
        )


def read_semeval(
    source: Source, name: str | None = None, max_bytes: int | None = None, progress: Progress | None = None
) -> ReviewFile:
    """Read a SemEval-2014 (<sentences>) or SemEval-2015/2016 (<Reviews>) ABSA XML file or upload.

    A file on disk is streamed (any size); bytes in memory are limited to MAX_IN_MEMORY_BYTES
    unless `max_bytes` says otherwise (it limits a file on disk too when given).
    """
    stream = SemEvalStream(source, name, max_bytes, progress)
    sentences = list(stream)
    return ReviewFile(stream.label, stream.format or "", sentences, stream.problems)


# --------------------------------------------------------------------------- sentence polarity


def read_polarity_lines(
    source: Source,
    label: str,
    name: str | None = None,
    encoding: str | None = None,
    max_bytes: int | None = None,
    progress: Progress | None = None,
) -> list[LabeledText]:
    """Read one sentence per line, all with the same label; blank lines are skipped.

    ``encoding=None`` decodes UTF-8 when the bytes are valid UTF-8, else Latin-1.
    """
    lines = _text_lines(source, name, max_bytes, encoding, progress)
    return [LabeledText(line, label) for _, line in lines if line.strip()]


def read_polarity(
    pos_path: str | os.PathLike[str], neg_path: str | os.PathLike[str], progress: Progress | None = None
) -> list[LabeledText]:
    """Read the Cornell sentence polarity files: positive sentences first, then negative."""
    # The files are single-byte (cp1252 mixed with Latin-1); Latin-1 never fails on them.
    return read_polarity_lines(pos_path, "positive", encoding="latin-1", progress=progress) + read_polarity_lines(
        neg_path, "negative", encoding="latin-1", progress=progress
    )


def _tsv_items(lines: Iterable[tuple[int, str]], source: str) -> Iterator[LabeledText | Problem]:
    """Turn "label<TAB>text" lines into records, or a Problem for each malformed line."""
    first = True
    for lineno, line in lines:
        if not line.strip():
            continue
        if first and line.strip().lower() == "label\ttext":
            first = False
            continue
        first = False
        label, tab, text = line.partition("\t")
        if not tab:
            message = "line has no tab between the label and the text; it was skipped."
        elif not label.strip():
            message = "line has an empty label; it was skipped."
        elif not text.strip():
            message = "line has an empty text; it was skipped."
        else:
            yield LabeledText(text, label.strip())
            continue
        yield Problem(source, message, None, lineno)


def read_labeled_tsv(
    source: Source, name: str | None = None, max_bytes: int | None = None, progress: Progress | None = None
) -> tuple[list[LabeledText], list[Problem]]:
    """Read "label<TAB>text" lines; an optional "label<TAB>text" header is skipped."""
    label = _source_label(source, name)
    records: list[LabeledText] = []
    problems: list[Problem] = []
    for item in _tsv_items(_text_lines(source, label, max_bytes, None, progress), label):
        (problems if isinstance(item, Problem) else records).append(item)  # type: ignore[arg-type]
    return records, problems


# --------------------------------------------------------------------------- CoNLL-U

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


# --------------------------------------------------------------------------- sniffing

KIND_NAMES = {
    "xml": "an XML file",
    "conllu": "a CoNLL-U file",
    "labeled_tsv": "a tab-separated file",
    "text_lines": "a plain text file",
    "sst_trees": "a Stanford Sentiment Treebank file",
    "empty": "an empty file",
}
# A line of an SST tree file starts with a labelled node holding a node: `(3 (2 ...` (seqcore.treebank reads it).
_SST_LINE = re.compile(r"^\([0-4] \(")


def _looks_like_conllu(lines: list[str]) -> bool:
    """Tell CoNLL-U by its 10-column tab-separated word lines."""
    body = [line for line in lines[:500] if line.strip() and not line.startswith("#")]
    return bool(body) and sum(line.count("\t") == 9 for line in body) >= 0.9 * len(body)


def sniff_kind(source: Source, name: str | None = None) -> str:
    """Tell a file's kind from its name and first bytes: "xml", "conllu", "sst_trees", "labeled_tsv", "text_lines" or "empty".

    A name ending in .xml (or .xml.gz), or a start that says XML, means "xml", whatever follows:
    the XML reader then reads it or says why not. A folder, a binary file or a damaged gzip file
    raises DataFormatError; a missing file raises FileNotFoundError.
    """
    with _Stream(source, name) as stream:
        head = stream.read(SNIFF_BYTES)
        label = stream.label
    if label.lower().endswith((".xml", ".xml.gz")) or head.removeprefix(_BOM).lstrip().startswith(b"<"):
        return "xml"
    if not head.removeprefix(_BOM).strip():
        return "empty"
    # Judge whole lines only: the head may end inside one.
    complete = head if len(head) < SNIFF_BYTES else head[: head.rfind(b"\n") + 1]
    lines = _lines(_decode_text(complete))
    if _looks_like_conllu(lines):
        return "conllu"
    trees = [line for line in lines if line.strip()][:50]
    if trees and sum(bool(_SST_LINE.match(line)) for line in trees) >= 0.8 * len(trees):
        return "sst_trees"
    sample = [line for line in lines if line.strip()][:200]
    # Most lines, not all: a TSV upload with a few malformed lines is still a TSV upload.
    if sample and sum("\t" in line for line in sample) >= 0.5 * len(sample):
        return "labeled_tsv"
    return "text_lines"


def duplicate_targets(sentence: Sentence) -> int:
    """Count the targets that repeat another one's span with the same polarity: a reader of the file keeps one.

    SemEval-2016 writes one opinion per category, so a span with two categories is annotated twice; when
    the polarities agree the annotations are one aspect term (`tasks.aspect_examples` keeps it once), when
    they differ the span is ambiguous and skipped, and is not counted here.
    """
    by_span: dict[tuple[int, int], list[str]] = {}
    for t in sentence.targets:
        if t.token_span is not None:
            by_span.setdefault(t.token_span, []).append(t.polarity)
    return sum(len(pols) - 1 for pols in by_span.values() if len(set(pols)) == 1)


def _review_counts(
    label: str, sentences: Iterable[Sentence], fmt: Callable[[], str | None], problems: list[Problem]
) -> dict[str, Any]:
    """Count sentences, targets, polarities, NULL targets and duplicate annotations, reading `sentences` once."""
    n_sentences = with_targets = nulls = duplicates = 0
    counts: Counter[str] = Counter()
    for sentence in sentences:
        n_sentences += 1
        with_targets += bool(sentence.targets)
        counts.update(t.polarity for t in sentence.targets)
        nulls += sum(t.is_null for t in sentence.targets)
        duplicates += duplicate_targets(sentence)
    return {
        "source": label,
        "kind": fmt(),  # a stream knows its format once its root was read
        "sentences": n_sentences,
        "sentences_with_targets": with_targets,
        "targets": sum(counts.values()),
        "polarities": {p: counts[p] for p in POLARITIES if counts[p]},
        "null_targets": nulls,
        "duplicate_targets": duplicates,  # same span and polarity as another target: merged into it
        "problems": [str(p) for p in problems],
    }


def review_counts(review: ReviewFile) -> dict[str, Any]:
    """Count what a parsed SemEval file holds: the same summary `describe_file` gives of an XML file."""
    return _review_counts(review.source, review.sentences, lambda: review.format, review.problems)


def describe_file(source: Source, name: str | None = None, progress: Progress | None = None) -> dict[str, Any]:
    """Sniff a file's kind (SemEval XML, CoNLL-U, labeled TSV or plain lines) and count what it holds.

    The file is streamed: only counts are kept, so a file of any size can be described.
    """
    kind = sniff_kind(source, name)
    label = _source_label(source, name)
    if kind == "xml":
        stream = SemEvalStream(source, label, progress=progress)
        return _review_counts(label, stream, lambda: stream.format, stream.problems)
    if kind == "conllu":
        n_sentences = n_words = 0
        tag_counts: Counter[str] = Counter()
        problems: list[str] = []
        for item in iter_conllu(source, label, progress=progress):
            if isinstance(item, Problem):
                problems.append(str(item))
            else:
                n_sentences += 1
                n_words += len(item.words)
                tag_counts.update(item.tags)
        return {
            "source": label,
            "kind": "conllu",
            "sentences": n_sentences,
            "words": n_words,
            "tags": dict(tag_counts.most_common()),
            "problems": problems,
        }
    if kind == "labeled_tsv":
        records, found = read_labeled_tsv(source, label, progress=progress)
        return {
            "source": label,
            "kind": "labeled_tsv",
            "sentences": len(records),
            "labels": dict(Counter(r.label for r in records).most_common()),
            "problems": [str(p) for p in found],
        }
    non_blank = sum(bool(line.strip()) for _, line in _text_lines(source, label, progress=progress))
    return {"source": label, "kind": "text_lines", "sentences": non_blank, "problems": []}
