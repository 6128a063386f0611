"""Tell a file's kind from its name and first bytes.

`SNIFFERS` is the ordered list of content tests after XML and empty files: the first that says yes
names the kind. A new format adds its kind to `KIND_NAMES` and one test here, before the looser ones.
"""

from __future__ import annotations

import codecs
import re
from collections.abc import Callable

from seqcore.readers.absa_txt import looks_like_absa_txt
from seqcore.readers.records import Source
from seqcore.readers.stream import _BOM, SNIFF_BYTES, _decode_text, _lines, _Stream, is_wide
from seqcore.readers.table import LABEL_NAMES, TEXT_NAMES, _by_name, sniff_dialect
from seqcore.readers.word_tags import looks_like_word_tags

KIND_NAMES = {
    "xml": "an XML file",
    "conllu": "a CoNLL-U file",
    "jsonl": "a JSON Lines file",
    "absa_txt": "an ABSA text file (sentence with $T$, term, polarity)",
    "word_tags": "a two-column word/tag file",
    "labeled_tsv": "a tab-separated file",
    "csv": "a CSV file",
    "text_lines": "a plain text file",
    "sst_trees": "a Stanford Sentiment Treebank file",
    "empty": "an empty file",
}
# A line of an SST tree file starts with a labelled node holding a node: `(3 (2 ...` (seqcore.treebank reads it).
_SST_LINE = re.compile(r"^\([0-4] \(")
TABLE_KINDS = ("labeled_tsv", "csv")  # read by `seqcore.readers.table`


def _looks_like_conllu(lines: list[str], name: str) -> bool:
    """Tell CoNLL-U by its 10-column tab-separated word lines."""
    body = [line for line in lines[:500] if line.strip() and not line.startswith("#")]
    return bool(body) and sum(line.count("\t") == 9 for line in body) >= 0.9 * len(body)


def _looks_like_jsonl(lines: list[str], name: str) -> bool:
    first = next((line.strip() for line in lines if line.strip()), "")
    return name.endswith((".jsonl", ".ndjson")) or first.startswith("{")


def _looks_like_tsv(lines: list[str], name: str) -> bool:
    # Most lines, not all: a TSV upload with a few malformed lines is still a TSV upload.
    sample = [line for line in lines if line.strip()][:200]
    return name.endswith((".tsv", ".tab")) or (bool(sample) and sum("\t" in line for line in sample) >= 0.5 * len(sample))


def _looks_like_csv(lines: list[str], name: str) -> bool:
    """A .csv name, or a header naming a text or label column in a file that splits into columns."""
    if name.endswith(".csv"):
        return True
    sample = [line + "\n" for line in lines if line.strip()][:200]
    dialect = sniff_dialect(sample, name)
    if dialect is None or not sample:
        return False
    header = sample[0].rstrip("\n").split(dialect.delimiter)
    return _by_name(header, TEXT_NAMES) is not None or _by_name(header, LABEL_NAMES) is not None


def _looks_like_sst(lines: list[str], name: str) -> bool:
    trees = [line for line in lines if line.strip()][:50]
    return bool(trees) and sum(bool(_SST_LINE.match(line)) for line in trees) >= 0.8 * len(trees)


SNIFFERS: list[tuple[str, Callable[[list[str], str], bool]]] = [
    ("sst_trees", _looks_like_sst),
    ("jsonl", _looks_like_jsonl),
    ("conllu", _looks_like_conllu),
    ("absa_txt", lambda lines, name: looks_like_absa_txt(lines)),
    ("word_tags", lambda lines, name: looks_like_word_tags(lines)),
    ("labeled_tsv", _looks_like_tsv),
    ("csv", _looks_like_csv),
]


def sniff_kind(source: Source, name: str | None = None, encoding: str | None = None) -> str:
    """Tell a file's kind from its name and first bytes: one of `KIND_NAMES`.

    A name ending in .xml (or .xml.gz), or a start that says XML, means "xml", whatever follows:
    the XML reader then reads it or says why not. A folder, a binary file or a damaged gzip file
    raises DataFormatError; a missing file raises FileNotFoundError.
    """
    with _Stream(source, name, wide=is_wide(encoding)) as stream:
        head = stream.read(SNIFF_BYTES)
        label = stream.label
    lowered = label.lower().removesuffix(".gz")
    if encoding is not None and is_wide(encoding):
        head = codecs.decode(head, encoding, errors="replace").encode("utf-8")
    if lowered.endswith(".xml") or head.removeprefix(_BOM).lstrip().startswith(b"<"):
        return "xml"
    if not head.removeprefix(_BOM).strip():
        return "empty"
    # Judge whole lines only: the head may end inside one.
    complete = head if len(head) < SNIFF_BYTES else head[: head.rfind(b"\n") + 1]
    lines = _lines(_decode_text(complete))
    for kind, looks_like in SNIFFERS:
        if looks_like(lines, lowered):
            return kind
    return "text_lines"
