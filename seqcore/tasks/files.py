"""A file held as bytes (an upload, a demo file) read for a task (`read_task_file`), then made examples (`file_examples`)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from seqcore.batching import Example
from seqcore.readers import (
    KIND_NAMES,
    TABLE_KINDS,
    Columns,
    DataFormatError,
    LabeledText,
    Problem,
    ReadOptions,
    ReviewFile,
    TaggedSentence,
    is_aspect_jsonl,
    read_aspect_jsonl,
    read_labeled,
    read_reviews,
    read_tagged,
    sniff_kind,
)
from seqcore.tasks.examples import (
    known_label_examples,
    problem_rows,
    review_aspect_examples,
    sentence_labels_from_reviews,
    sentiment_examples,
    tagging_examples,
)
from seqcore.taskspecs import ASPECT_LABELS, task_spec
from seqcore.tokens import tokenize_many


@dataclass
class ParsedFile:
    """One upload or demo file read for a task, before it becomes examples (what a page may browse)."""

    task: str
    name: str
    review: ReviewFile | None = None  # aspect files (XML, JSONL, ABSA text); sentiment from opinions that agree
    records: list[LabeledText] = field(default_factory=list)  # sentiment: CSV, TSV or JSONL rows
    sentences: list[TaggedSentence] = field(default_factory=list)  # tagging: CoNLL-U or word/tag lines
    problems: list[Problem] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)  # said once: columns read, labels read otherwise, ids numbered
    kind: str = ""  # as `sniff_kind` names it
    columns: Columns | None = None  # a table or JSONL file: which columns were read, and how
    label_map: dict[str, str] = field(default_factory=dict)  # each label as written -> the label read


def read_task_file(task: str, data: bytes, name: str, options: ReadOptions | None = None, need_label: bool = True) -> ParsedFile:
    """Read a file held in memory (an upload) as the task reads it; DataFormatError for a file that cannot be read at all.

    `need_label=False` (a search corpus) reads a sentiment table or JSONL file with no label column.
    """
    task_spec(task)
    options = options or ReadOptions()
    kind = sniff_kind(data, name, options.encoding)
    if task == "aspect" or (task == "sentiment" and kind == "xml"):
        if task == "aspect" and kind not in task_spec("aspect").file_kinds and kind not in ("text_lines", "empty"):
            raise DataFormatError(f"{name} is {KIND_NAMES[kind]}, but an aspect model reads {task_spec('aspect').reads}.")
        if kind not in ("jsonl", "absa_txt"):
            kind = "xml"  # the XML reader says why a text file is not XML
        review = read_reviews(data, name, kind, options)
        return ParsedFile(task, name, review=review, problems=list(review.problems), notes=list(review.notes), kind=kind)
    if task == "sentiment":
        if kind == "jsonl" and is_aspect_jsonl(data, name, options.encoding):
            review = read_aspect_jsonl(data, name, options)
            return ParsedFile(task, name, review=review, problems=list(review.problems), notes=list(review.notes), kind=kind)
        found = read_labeled(data, name, kind if kind in (*TABLE_KINDS, "jsonl") else "labeled_tsv", options, need_label)
        return ParsedFile(
            task,
            name,
            records=found.records,
            problems=found.problems,
            notes=found.notes,
            kind=found.kind,
            columns=found.columns,
            label_map=found.label_map,
        )
    sentences, problems = read_tagged(data, name, kind, options)
    return ParsedFile(task, name, sentences=sentences, problems=problems, kind=kind)


def file_examples(parsed: ParsedFile, labels: Sequence[str] | None) -> tuple[list[Example], list[dict], dict[str, int]]:
    """Turn a read file into labeled examples of its task; see `examples_from_file`."""
    task = parsed.task
    skipped: dict[str, int] = {}
    if task == "aspect":
        assert parsed.review is not None
        examples, skipped = review_aspect_examples(parsed.review, labels or ASPECT_LABELS)
        return examples, problem_rows(parsed.problems), skipped
    if task == "sentiment":
        records = parsed.records
        if parsed.review is not None:
            records, left = sentence_labels_from_reviews([parsed.review])
            skipped = {"sentences whose opinions are mixed, neutral or absent": left}
        examples = sentiment_examples(records)
    else:
        examples = tagging_examples(parsed.sentences)
    dropped = 0
    if labels is not None:
        examples, dropped = known_label_examples(examples, labels)
    if dropped:
        skipped[f"{'sentences' if task == 'tagging' else 'lines'} with a label this model does not know"] = dropped
    return examples, problem_rows(parsed.problems), skipped


def parsed_corpus_examples(parsed: ParsedFile) -> list[Example]:
    """Return every sentence of a read file as an unlabeled example, for a search corpus (labels are not needed).

    A review file gives every sentence with tokens, with or without aspects; a TSV every line; a
    CoNLL-U file every sentence. Raises ValueError naming the file when it holds no sentence.
    """
    if parsed.review is not None:
        found = [Example(id=s.id, tokens=list(s.tokens), text=s.text) for s in parsed.review.sentences if s.tokens]
    elif parsed.task == "tagging":
        found = [Example(id=s.id, tokens=list(s.words), text=" ".join(s.words)) for s in parsed.sentences if s.words]
    else:
        found = []
        for i, (r, (tokens, _)) in enumerate(zip(parsed.records, tokenize_many([r.text for r in parsed.records])), start=1):
            if tokens:
                found.append(Example(id=f"{parsed.name}#{i}", tokens=tokens, text=r.text))
    if not found:
        raise ValueError(f"{parsed.name}: no sentence to search in this file")
    return found


def examples_from_file(
    task: str, data: bytes, name: str, labels: Sequence[str] | None
) -> tuple[list[Example], list[dict], dict[str, int]]:
    """Turn an uploaded or demo file into labeled examples of `task` a model can score.

    `labels` are the model's classes (None when training: every sentiment label and tag is kept,
    and aspects keep the three classes negative, neutral, positive). Returns the examples, the
    file's problems as table rows, and what was skipped (reason -> count). Raises DataFormatError
    for a file that cannot be read at all.
    """
    return file_examples(read_task_file(task, data, name), labels)


# ----------------------------------------------------------------------------- a model card's test set
