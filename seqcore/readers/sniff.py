"""Tell a file's kind from its name and first bytes."""

from __future__ import annotations

from seqcore.readers.records import Source
from seqcore.readers.stream import _BOM, SNIFF_BYTES, _decode_text, _lines, _Stream

KIND_NAMES = {
    "xml": "an XML file",
    "conllu": "a CoNLL-U file",
    "labeled_tsv": "a tab-separated file",
    "text_lines": "a plain text file",
    "empty": "an empty file",
}


def _looks_like_conllu(lines: list[str]) -> bool:
    """Tell CoNLL-U by its 10-column tab-separated word lines."""
    body = [line for line in lines[:500] if line.strip() and not line.startswith("#")]
    return bool(body) and sum(line.count("\t") == 9 for line in body) >= 0.9 * len(body)


def sniff_kind(source: Source, name: str | None = None) -> str:
    """Tell a file's kind from its name and first bytes: "xml", "conllu", "labeled_tsv", "text_lines" or "empty".

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
    sample = [line for line in lines if line.strip()][:200]
    # Most lines, not all: a TSV upload with a few malformed lines is still a TSV upload.
    if sample and sum("\t" in line for line in sample) >= 0.5 * len(sample):
        return "labeled_tsv"
    return "text_lines"
