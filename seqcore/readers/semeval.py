"""SemEval ABSA XML (2014 <sentences>, 2015/2016 <Reviews>), parsed incrementally.

defusedxml's parser is fed chunk by chunk; each `<sentence>` is read as soon as it closes and then
dropped from the tree, so memory stays bounded whatever the file's size.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections.abc import Iterator
from typing import Any
from xml.parsers import expat

import defusedxml
import defusedxml.ElementTree as DET

from seqcore.readers.records import (
    POLARITIES,
    DataFormatError,
    Problem,
    Progress,
    ReviewFile,
    Sentence,
    Source,
    Target,
    numbered_note,
)
from seqcore.readers.stream import _BOM, _UTF8_NAMES, _XML_ENCODING, _source_label, _Stream, _Utf8Check
from seqcore.readers.targets import place_term
from seqcore.tokens import tokenize


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


class _SentenceReader:
    """Turn <sentence> elements into Sentence records, collecting problems on the way."""

    def __init__(self, label: str, fmt: str, lines: dict[ET.Element, int], problems: list[Problem]) -> None:
        self.label = label
        self.fmt = fmt
        self.lines = lines
        self.problems = problems
        self.seen_ids: set[str] = set()
        self.numbered = 0  # sentences with no id, numbered by position: a note, not a problem

    def problem(self, message: str, sentence_id: str | None, elem: ET.Element | None) -> None:
        line = self.lines.get(elem) if elem is not None else None
        self.problems.append(Problem(self.label, message, sentence_id, line))

    def sentence(self, elem: ET.Element, position: int) -> Sentence | None:
        sid = elem.get("id")
        if sid is None or not sid.strip():
            sid = f"#{position}"
            self.numbered += 1
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
        """Check a target's offsets against its term, repairing them when the term occurs once (`targets.place_term`)."""
        placed, message = place_term(term, elem.get("from"), elem.get("to"), text, offsets)
        if message is not None:
            self.problem(message, sid, elem)
        if placed is None:
            return None
        return Target(term, polarity, placed.start, placed.end, placed.token_span, category)

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
        self.notes: list[str] = []  # benign normalisations, said once each

    def __iter__(self) -> Iterator[Sentence]:
        self.problems.clear()
        self.notes.clear()
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
            if reader.numbered:
                self.notes.append(numbered_note(reader.numbered))

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
    return ReviewFile(stream.label, stream.format or "", sentences, stream.problems, stream.notes)
