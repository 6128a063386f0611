"""Turn parsed files into task examples, and build the vocabularies a model needs."""

from __future__ import annotations

import os
from collections import Counter
from collections.abc import Sequence
from pathlib import Path

from seqcore.batching import Encoder, Example
from seqcore.models import article
from seqcore.readers import (
    KIND_NAMES,
    DataFormatError,
    LabeledText,
    Problem,
    Progress,
    Sentence,
    TaggedSentence,
    read_conllu,
    read_polarity,
    read_semeval,
    sniff_kind,
)
from seqcore.tokens import Vocab, tokenize

SENTIMENT_LABELS = ("negative", "positive")
ASPECT_LABELS = ("negative", "neutral", "positive")  # conflict is dropped for the 3-class task

# What each task reads, as readers.sniff_kind names it (a CoNLL-U file with many malformed lines sniffs as TSV:
# the tagging reader then reports each bad sentence), and the same in words for messages.
TASK_FILE_KINDS = {"sentiment": ("text_lines",), "aspect": ("xml",), "tagging": ("conllu", "labeled_tsv")}
TASK_READS = {
    "sentiment": "a pair of rt-polarity files, one sentence per line (.pos and .neg)",
    "aspect": "SemEval ABSA XML (2014 <sentences> or 2015/2016 <Reviews>)",
    "tagging": "CoNLL-U (words in column 2, UPOS tags in column 4; .conllu or .conllu.gz)",
}


def check_data_file(task: str, path: str | os.PathLike) -> None:
    """Refuse, with the reason, a data file the task cannot read: missing, a folder, binary, or of another kind."""
    path = Path(path)
    if not path.exists():
        raise FileNotFoundError(f"no such data file: {path}")
    kind = sniff_kind(path, name=str(path))  # a folder or a binary file raises DataFormatError here
    if kind not in TASK_FILE_KINDS[task]:
        raise DataFormatError(f"{path} is {KIND_NAMES[kind]}, but {article(task)} model reads {TASK_READS[task]}.")


def sentiment_examples(texts: Sequence[LabeledText], prefix: str = "s") -> list[Example]:
    """Tokenize labeled sentences; sentences with no tokens are skipped."""
    examples = []
    for i, item in enumerate(texts):
        tokens, _ = tokenize(item.text)
        if tokens:
            examples.append(Example(id=f"{prefix}{i}", tokens=tokens, text=item.text, label=item.label))
    return examples


def aspect_examples(
    sentences: Sequence[Sentence], labels: Sequence[str] = ASPECT_LABELS, skipped: Counter | None = None
) -> list[Example]:
    """Return one example per sentence with every aspect term whose polarity is in `labels`.

    NULL (sentence-level) targets have no span and are left out; so are sentences left with no
    aspect. SemEval-2016 annotates a span once per category: a span whose annotations agree is
    kept once, a span annotated with different polarities is ambiguous and left out. Pass a
    Counter as `skipped` to count the targets left out, by reason.
    """
    skipped = Counter() if skipped is None else skipped
    examples = []
    for s in sentences:
        by_span: dict[tuple[int, int], list] = {}
        for t in s.targets:
            if t.token_span is None:
                skipped["NULL target (no span in the text)"] += 1
            elif t.polarity not in labels:
                skipped[f"{t.polarity} (not a class of this model)"] += 1
            else:
                by_span.setdefault(t.token_span, []).append(t)
        kept = []
        for ts in by_span.values():
            if len({t.polarity for t in ts}) == 1:
                kept.append(ts[0])
            else:
                skipped["span annotated with different polarities"] += len(ts)
        if not kept or not s.tokens:
            continue
        examples.append(
            Example(
                id=s.id,
                tokens=list(s.tokens),
                text=s.text,
                aspects=[t.token_span for t in kept],
                aspect_labels=[t.polarity for t in kept],
                aspect_terms=[t.term or "" for t in kept],
            )
        )
    return examples


def tagging_examples(sentences: Sequence[TaggedSentence]) -> list[Example]:
    """Return one example per tagged sentence (words are already tokens)."""
    return [Example(id=s.id, tokens=list(s.words), text=" ".join(s.words), tags=list(s.tags)) for s in sentences if s.words]


def load_examples(
    task: str, paths: Sequence[str | os.PathLike], progress: Progress | None = None
) -> tuple[list[Example], list[Problem]]:
    """Read data files for `task` and return its examples and every problem found.

    sentiment: a pair of polarity files (`*.pos`, `*.neg`); aspect: SemEval XML files (2014 or
    2016); tagging: CoNLL-U files (plain or gzip). Files are streamed (any size); a file that is
    missing, a folder, binary or of the wrong kind for the task is refused with the reason.
    """
    if task not in TASK_FILE_KINDS:
        raise ValueError(f"unknown task {task!r}: use sentiment, aspect or tagging")
    paths = [Path(p) for p in paths]
    for p in paths:
        check_data_file(task, p)
    problems: list[Problem] = []
    if task == "sentiment":
        pos = [p for p in paths if p.suffix == ".pos"]
        neg = [p for p in paths if p.suffix == ".neg"]
        if len(pos) != 1 or len(neg) != 1 or len(paths) != 2:
            raise ValueError("sentiment data is a pair of files: one ending in .pos and one in .neg")
        return sentiment_examples(read_polarity(pos[0], neg[0], progress=progress)), problems
    examples: list[Example] = []
    for p in paths:
        if task == "aspect":
            parsed = read_semeval(p, progress=progress)
            problems.extend(parsed.problems)
            examples.extend(aspect_examples(parsed.sentences))
        else:
            sentences, found = read_conllu(p, progress=progress)
            problems.extend(found)
            examples.extend(tagging_examples(sentences))
    return examples, problems


def build_encoder(
    task: str,
    examples: Sequence[Example],
    min_freq: int = 1,
    max_size: int | None = None,
    lowercase: bool = True,
    use_chars: bool = False,
    label_examples: Sequence[Example] = (),
) -> Encoder:
    """Build word, label and optional character vocabularies from training examples.

    Labels also come from `label_examples` (the dev split), so a rare tag that only dev holds
    is a known class, not a crash; words and characters come from training examples only.
    """
    words = Vocab.build((ex.tokens for ex in examples), min_freq=min_freq, max_size=max_size, lowercase=lowercase)
    chars = Vocab.build(([c for tok in ex.tokens for c in tok] for ex in examples), min_freq=2) if use_chars else None
    examples = list(examples) + list(label_examples)
    if task == "sentiment":
        labels = Vocab.labels(sorted({ex.label for ex in examples if ex.label is not None}))
    elif task == "aspect":
        seen = {lab for ex in examples for lab in ex.aspect_labels}
        labels = Vocab.labels([lab for lab in ASPECT_LABELS if lab in seen] + sorted(seen - set(ASPECT_LABELS)))
    elif task == "tagging":
        labels = Vocab.labels(sorted({tag for ex in examples for tag in (ex.tags or [])}))
    else:
        raise ValueError(f"unknown task {task!r}: use sentiment, aspect or tagging")
    if len(labels) < 2:
        raise ValueError(f"the training data has {len(labels)} label(s) {labels.itos}: a classifier needs at least 2")
    return Encoder(task, words, labels, chars)
