"""Read SemEval ABSA XML, CSV/TSV and JSONL files of labeled sentences, aspect JSONL and ABSA text, CoNLL-U and word/tag files.

Pure Python: no torch. One module per format; every name is importable from `seqcore.readers`.
Every reader keeps the good part of a file and lists what was wrong. A file on disk, plain or
gzip-compressed (`.conllu.gz`), is read chunk by chunk, so its size is not limited and parsing needs
bounded memory (a SemEval file is parsed incrementally and each `<sentence>` is dropped from the tree
once read). Bytes already in memory (an upload) are limited to `MAX_IN_MEMORY_BYTES`.

| module | what it reads |
|---|---|
| `records` | the records returned (`Sentence`, `LabeledText`, `TaggedSentence`, `Problem`) and `DataFormatError` |
| `stream` | bytes from disk, gzip or memory, chunk by chunk; UTF-8 checks; lines |
| `semeval` | SemEval-2014 and 2015/2016 ABSA XML |
| `polarity` | one sentence per line, one label for the file |
| `table` | CSV and TSV files: delimiter sniffed, text and label columns given, named or found by content |
| `tsv` | `read_labeled_tsv`, the tab-separated name for `table` |
| `jsonl` | JSON Lines: a text and a label per line, or a text and its aspects |
| `absa_txt` | the ABSA-PyTorch / PyABSA text format (sentence with $T$, term, polarity) |
| `targets` | an aspect term placed by its offsets, the same way for every aspect format |
| `conllu` | CoNLL-U words and UPOS tags |
| `word_tags` | two-column "word tag" lines, a blank line between sentences |
| `sniff` | a file's kind from its name and first bytes |
| `by_kind` | one file read by its kind for a task: labeled, aspect or tagged sentences |
| `describe` | counts of what a file holds (`stats`) |
"""

from seqcore.readers.absa_txt import read_absa_txt
from seqcore.readers.by_kind import ColumnGuess, guess_columns, labeled_notes, read_labeled, read_reviews, read_tagged
from seqcore.readers.conllu import iter_conllu, read_conllu
from seqcore.readers.describe import describe_file, duplicate_targets, review_counts
from seqcore.readers.jsonl import JsonlStream, is_aspect_jsonl, read_aspect_jsonl, read_jsonl
from seqcore.readers.polarity import read_polarity, read_polarity_lines
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
    TaggedSentence,
    Target,
)
from seqcore.readers.semeval import SemEvalStream, read_semeval
from seqcore.readers.sniff import KIND_NAMES, TABLE_KINDS, sniff_kind
from seqcore.readers.stream import CHUNK_BYTES, MAX_IN_MEMORY_BYTES, SNIFF_BYTES, UPLOAD_NAME
from seqcore.readers.table import TableStream, read_table
from seqcore.readers.tsv import read_labeled_tsv
from seqcore.readers.word_tags import iter_word_tags, read_word_tags

__all__ = [
    "CHUNK_BYTES",
    "KIND_NAMES",
    "MAX_IN_MEMORY_BYTES",
    "POLARITIES",
    "SNIFF_BYTES",
    "UPLOAD_NAME",
    "ColumnGuess",
    "Columns",
    "DataFormatError",
    "LabeledFile",
    "ReadOptions",
    "TableStream",
    "read_table",
    "LabeledText",
    "Problem",
    "Progress",
    "ReviewFile",
    "SemEvalStream",
    "Sentence",
    "Source",
    "TaggedSentence",
    "Target",
    "JsonlStream",
    "TABLE_KINDS",
    "describe_file",
    "guess_columns",
    "labeled_notes",
    "read_labeled",
    "read_reviews",
    "read_tagged",
    "is_aspect_jsonl",
    "iter_word_tags",
    "read_absa_txt",
    "read_aspect_jsonl",
    "read_jsonl",
    "read_word_tags",
    "duplicate_targets",
    "iter_conllu",
    "read_conllu",
    "read_labeled_tsv",
    "read_polarity",
    "read_polarity_lines",
    "read_semeval",
    "review_counts",
    "sniff_kind",
]
