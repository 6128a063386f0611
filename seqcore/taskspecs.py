"""One spec per task: what it predicts, what it reads, how its items are named, and its model defaults.

Everything that needs to know a task reads it from `TASK_SPECS`: the model config (`seqcore.models`),
the file readers for a task (`seqcore.tasks`), the fit pipeline's defaults (`seqcore.pipeline`), the
CLI and the app. Like `seqcore.cells`, this module imports neither torch nor spaCy, so the app can
name tasks (its sidebar, its pickers) before any model is loaded.
"""

from __future__ import annotations

from dataclasses import dataclass

ASPECT_LABELS = ("negative", "neutral", "positive")  # conflict is dropped for the 3-class aspect task


@dataclass(frozen=True)
class TaskSpec:
    """Everything seqcore knows about one task, apart from the code that reads its files."""

    name: str  # the value of ModelConfig.task
    title: str  # what the task does, in words: "aspect polarity"
    item: str  # what one label belongs to: "sentence", "aspect term", "word"
    items: str  # the plural
    file_kinds: tuple[str, ...]  # what a data file of the task sniffs as (`readers.sniff_kind`)
    reads: str  # the data files it reads, in words, for messages
    upload_types: tuple[str, ...]  # file name endings a labeled upload may have
    upload_help: str  # a labeled upload, in words
    bidirectional: bool  # the model default: read both directions
    use_chars: bool  # the model default: add a character CNN to each word
    class_order: tuple[str, ...] = ()  # known labels that come first, in this order; the others follow sorted


# What each task reads, as readers.sniff_kind names it (a CoNLL-U file with many malformed lines sniffs as TSV:
# the tagging reader then reports each bad sentence). The word vocabulary lowercases; tagging also reads
# characters, so case still reaches the model.
SENTIMENT = TaskSpec(
    name="sentiment",
    title="whole-sentence sentiment",
    item="sentence",
    items="sentences",
    file_kinds=("text_lines", "labeled_tsv", "csv", "jsonl", "sst_trees"),
    reads="CSV, TSV or JSONL files with a text and a label, a pair of rt-polarity files (.pos and .neg), or Stanford Sentiment Treebank files",
    upload_types=("csv", "tsv", "txt", "jsonl", "xml"),
    upload_help="a labeled file: CSV or TSV (with or without a header; the text and label columns are found, "
    "or chosen below) or JSONL (a text and a label per line), or SemEval XML, whose sentences with opinions "
    "that all agree are labeled by them",
    bidirectional=False,
    use_chars=False,
    # SST's five classes in their order (binary models keep the two they see: negative, positive).
    class_order=("very negative", "negative", "neutral", "positive", "very positive"),
)
ASPECT = TaskSpec(
    name="aspect",
    title="aspect polarity",
    item="aspect term",
    items="aspect terms",
    file_kinds=("xml", "jsonl", "absa_txt"),
    reads="SemEval ABSA XML (2014 <sentences> or 2015/2016 <Reviews>), aspect JSONL or the ABSA-PyTorch text format",
    upload_types=("xml", "jsonl", "txt"),
    upload_help="a SemEval ABSA XML file (2014 or 2015/2016 format), aspect JSONL "
    '({"text", "aspects": [{"term", "from", "to", "polarity"}]} per line) or the ABSA-PyTorch text format '
    "(the sentence with $T$, the term, the polarity)",
    bidirectional=True,
    use_chars=False,
    class_order=ASPECT_LABELS,
)
TAGGING = TaskSpec(
    name="tagging",
    title="part-of-speech tagging",
    item="word",
    items="words",
    file_kinds=("conllu", "labeled_tsv", "word_tags"),
    reads="CoNLL-U (words in column 2, UPOS tags in column 4; .conllu or .conllu.gz) or word/tag lines",
    upload_types=("conllu", "txt", "tsv"),
    upload_help="a CoNLL-U file (words in column 2, UPOS tags in column 4) or two-column word/tag lines, "
    "a blank line between sentences",
    bidirectional=True,
    use_chars=True,
)

TASK_SPECS: dict[str, TaskSpec] = {spec.name: spec for spec in (SENTIMENT, ASPECT, TAGGING)}
TASKS: tuple[str, ...] = tuple(TASK_SPECS)


def task_spec(task: str) -> TaskSpec:
    """Return the spec of `task`."""
    try:
        return TASK_SPECS[task]
    except KeyError:
        raise ValueError(f"unknown task {task!r}: use {', '.join(TASKS[:-1])} or {TASKS[-1]}") from None


def article(word: str) -> str:
    """Return `word` with its English indefinite article: "a sentiment", "an aspect"."""
    return f"{'an' if word[:1].lower() in 'aeiou' else 'a'} {word}"
