"""Read SemEval ABSA XML (2014 and 2015/2016), sentence polarity lines, labeled TSV and CoNLL-U.

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
| `tsv` | labeled tab-separated lines |
| `conllu` | CoNLL-U words and UPOS tags |
| `sniff` | a file's kind from its name and first bytes |
| `describe` | counts of what a file holds (`stats`) |
"""

from seqcore.readers.conllu import iter_conllu, read_conllu
from seqcore.readers.describe import describe_file, duplicate_targets, review_counts
from seqcore.readers.polarity import read_polarity, read_polarity_lines
from seqcore.readers.records import (
    POLARITIES,
    DataFormatError,
    LabeledText,
    Problem,
    Progress,
    ReviewFile,
    Sentence,
    Source,
    TaggedSentence,
    Target,
)
from seqcore.readers.semeval import SemEvalStream, read_semeval
from seqcore.readers.sniff import KIND_NAMES, sniff_kind
from seqcore.readers.stream import CHUNK_BYTES, MAX_IN_MEMORY_BYTES, SNIFF_BYTES, UPLOAD_NAME
from seqcore.readers.tsv import read_labeled_tsv

__all__ = [
    "CHUNK_BYTES",
    "KIND_NAMES",
    "MAX_IN_MEMORY_BYTES",
    "POLARITIES",
    "SNIFF_BYTES",
    "UPLOAD_NAME",
    "DataFormatError",
    "LabeledText",
    "Problem",
    "Progress",
    "ReviewFile",
    "SemEvalStream",
    "Sentence",
    "Source",
    "TaggedSentence",
    "Target",
    "describe_file",
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
