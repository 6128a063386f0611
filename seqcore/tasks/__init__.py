"""Files and cards become task examples here, in one place; and the vocabularies a model needs.

Data files on disk (`load_examples`), an upload or demo file held as bytes (`examples_from_file`)
and a model card's test set (`card_test_files`, `card_test_examples`) all go through the same
functions, so the CLI, the fit pipeline and the app apply the same rules: conflict dropped for a
3-class aspect model, NULL targets skipped, labels a model does not know counted and left out.
Each file is read by its kind (`readers.sniff_kind`, then `readers.by_kind`): CSV, TSV and JSONL
with a text and a label, aspect JSONL and ABSA text beside SemEval XML, word/tag lines beside CoNLL-U;
`ReadOptions` carries the columns and the encoding a user named.
What a task reads and how its items are named is in `seqcore.taskspecs`.
"""

from __future__ import annotations

from seqcore.tasks.cards import CardTestFiles, card_test_examples, card_test_files
from seqcore.tasks.examples import (
    DUPLICATE_SPAN,
    HARD_SLICE,
    aspect_examples,
    build_encoder,
    check_data_file,
    corpus_examples,
    disagreeing_aspects,
    example_labels,
    known_label_examples,
    labeled_items,
    load_examples,
    problem_rows,
    review_aspect_examples,
    sentence_labels_from_reviews,
    sentiment_examples,
    sst_examples,
    sst_file_examples,
    subsample,
    tagging_examples,
)
from seqcore.tasks.files import ParsedFile, examples_from_file, file_examples, parsed_corpus_examples, read_task_file

__all__ = [
    "CardTestFiles",
    "DUPLICATE_SPAN",
    "HARD_SLICE",
    "ParsedFile",
    "aspect_examples",
    "build_encoder",
    "card_test_examples",
    "card_test_files",
    "check_data_file",
    "corpus_examples",
    "disagreeing_aspects",
    "example_labels",
    "examples_from_file",
    "file_examples",
    "known_label_examples",
    "labeled_items",
    "load_examples",
    "parsed_corpus_examples",
    "problem_rows",
    "read_task_file",
    "review_aspect_examples",
    "sentence_labels_from_reviews",
    "sentiment_examples",
    "sst_examples",
    "sst_file_examples",
    "subsample",
    "tagging_examples",
]
