"""The one data picker every page uses: a model's test set or dev split, a corpus of data/, a demo file or an upload.

`pick_data` draws the choice and returns a `Picked`: the examples (labeled, of the task), the file's
problems as rows, what was skipped and why, and the parsed file for pages that browse it. Files are
read by `seqcore.tasks` (the same rules as the CLI); parsed files and examples are cached by content
(`ui.reading`, which also draws a labeled table's column boxes and says what the reader did).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

import streamlit as st

from seqcore import corpora
from seqcore.taskspecs import task_spec
from ui import state
from ui.config import CORPUS_SUBSET, CORPUS_SUBSET_RANGE, DEMO_DIR, SUBSET_SEED
from ui.errors import user_errors
from ui.models import ModelEntry, model_version
from ui.reading import column_boxes, data_hash, file_examples, read_file, show_reading
from ui.text import plain

if TYPE_CHECKING:  # annotations only: importing ui must not load torch or spaCy
    from seqcore.batching import Example
    from seqcore.tasks import ParsedFile


def demo_files() -> list[Path]:
    """The review files shipped in demo/ (SemEval 2014 and 2016 formats), clean files first."""
    if not DEMO_DIR.is_dir():
        return []
    return sorted(DEMO_DIR.glob("*.xml"), key=lambda p: ("broken" in p.name, p.name))


def demos_fit(task: str) -> bool:
    """Whether the demo files (SemEval XML) are data of `task`."""
    return bool(demo_files()) and "xml" in task_spec(task).upload_types


def train_corpora(task: str) -> list[corpora.Corpus]:
    """The task's corpora whose training files are in the data folder (`seqcore.corpora`), the default first."""
    return [c for c in corpora.corpora_for_task(task) if c.available("train")]


@st.cache_data(show_spinner="Reading the training data from the data folder...", max_entries=8)
def _corpus_train_examples(root: str, name: str, limit: int | None, seed: int) -> list[Example]:
    from seqcore.tasks import load_examples, subsample

    found = corpora.corpus(name)
    examples, _ = load_examples(found.task, found.files("train", root))
    return subsample(examples, limit, seed)


def corpus_train_examples(corpus: corpora.Corpus, limit: int | None, seed: int = SUBSET_SEED) -> list[Example]:
    """A fixed-seed random subset of a corpus's training file(s) (cached)."""
    return _corpus_train_examples(str(corpora.data_dir()), corpus.name, limit, seed)


@st.cache_data(show_spinner="Reading the test set from the data folder...", max_entries=16)
def _test_examples(version: str, root: str, _card: dict) -> list[Example]:
    from seqcore.tasks import card_test_examples

    return card_test_examples(_card, root)


def test_examples(entry: ModelEntry) -> list[Example]:
    """The examples a shipped model's card was scored on, rebuilt from the data folder (`tasks.card_test_examples`)."""
    return _test_examples(model_version(entry), str(corpora.data_dir()), entry.card)


def test_set_label(entry: ModelEntry) -> str | None:
    """Name a model's test set when its files are in the data folder ("Its test set: ..."); None otherwise."""
    from seqcore.tasks import card_test_files

    found = card_test_files(entry.card)
    if found is None:
        return None
    where = ", ".join(f.name for f in found.files)
    kfold = found.kfold
    return f"Its test set: fold {kfold['fold']} of {kfold['folds']} over {where}" if kfold else f"Its test set: {where}"


def dev_examples(entry: ModelEntry) -> list[Example]:
    """The dev split a model trained in this session held out (empty for shipped models)."""
    record = state.trained_model(entry.key)
    return list(record["dev_examples"]) if record else []


@dataclass
class Picked:
    """What the reader chose and what it holds: examples of the task, problems, skipped items, the parsed file."""

    kind: str  # test, dev, corpus, demo, upload, or a page's own option
    title: str = ""  # what the data is, for "On ..." headers
    data_key: str | None = None  # names the data in the prediction caches
    examples: list[Example] | None = None  # None: nothing chosen yet, or it could not be read
    problems: list[dict] = field(default_factory=list)
    skipped: dict[str, int] = field(default_factory=dict)
    parsed: ParsedFile | None = None  # a demo file or an upload, as read
    note: dict = field(default_factory=dict)  # the data as a training card records it
    data: bytes | None = None


LABELS = {
    "dev": "Its dev split (held out while it trained in this session)",
    "demo": "A demo file",
    "upload": "A file you upload",
}


def _options(task: str, kinds: Sequence[str], entry: ModelEntry | None, labels: Mapping[str, str]) -> dict[str, str]:
    """The choices that have data here: value -> label, in the order of `kinds`."""
    out: dict[str, str] = {}
    for kind in kinds:
        if kind == "test":
            label = test_set_label(entry) if entry is not None else None
            if label:
                out["test"] = label
        elif kind == "dev":
            if entry is not None and dev_examples(entry):
                out["dev"] = labels.get("dev", LABELS["dev"])
        elif kind == "corpus":
            for c in train_corpora(task):
                out[f"corpus:{c.name}"] = f"{c.display}, train split, from data/: a random subset"
        elif kind == "demo":
            if demos_fit(task):
                out["demo"] = labels.get("demo", LABELS["demo"])
        else:
            out[kind] = labels.get(kind, LABELS.get(kind, kind))
    return out


def pick_data(
    task: str,
    key: str,
    kinds: Sequence[str],
    *,
    entry: ModelEntry | None = None,
    labels: Sequence[str] | None = None,
    option_labels: Mapping[str, str] | None = None,
    radio_label: str = "Data",
    upload_label: str = "Labeled file",
    demo_all: bool = False,
    horizontal: bool = False,
    disabled: bool = False,
    keys: Mapping[str, str] | None = None,
    values_are_labels: bool = False,
    need_label: bool = True,
) -> Picked:
    """Let the reader choose the data; read it (cached) and return what it holds.

    `kinds` lists the choices in order: "test" (the model's card's test set, when in data/), "dev" (its
    dev split, for models trained here), "corpus" (each corpus of the task in data/, a fixed-seed subset),
    "demo" (a demo file; all clean ones at once with `demo_all`), "upload", or a page's own option
    (returned as `Picked(kind)` with nothing read). `labels` are the model's classes (None when training).
    `keys` names the widgets: "radio", "demo", "upload", "limit" (defaults derived from `key`); with
    `values_are_labels` the radio's values are the labels themselves, not the kinds. `need_label=False` (a search
    corpus) reads a table or JSONL upload that has a text column and no label column.
    """
    keys = {"radio": key, "demo": f"{key}_demo", "upload": f"{key}_upload", "limit": f"{key}_limit", **(keys or {})}
    options = _options(task, kinds, entry, option_labels or {})
    choice = next(iter(options))
    ask = len(kinds) > 1  # a page that offers several kinds always shows the choice, even when only one has data
    if ask and values_are_labels:
        kind_of = {label: kind for kind, label in options.items()}
        choice = kind_of[st.radio(plain(radio_label), list(kind_of), key=keys["radio"], horizontal=horizontal, disabled=disabled)]
    elif ask:
        choice = st.radio(
            plain(radio_label),
            list(options),
            format_func=options.__getitem__,
            key=keys["radio"],
            horizontal=horizontal,
            disabled=disabled,
        )
    label_tuple = tuple(labels) if labels is not None else None
    if choice == "test":
        picked = Picked(
            "test", title=options["test"].replace("Its test set", "its test set"), data_key=f"test:{corpora.data_dir()}"
        )
        with user_errors("The test set could not be read"):
            assert entry is not None
            picked.examples = test_examples(entry)
        return picked
    if choice == "dev":
        assert entry is not None
        return Picked("dev", title="its dev split", data_key=f"dev:{entry.key}", examples=dev_examples(entry))
    if choice.startswith("corpus:"):
        corpus = corpora.corpus(choice.removeprefix("corpus:"))
        low, high, step = int(CORPUS_SUBSET_RANGE.low), int(CORPUS_SUBSET_RANGE.high), int(CORPUS_SUBSET_RANGE.step)
        limit = int(
            st.number_input(
                "Sentences to use (a fixed-seed random subset)",
                low,
                high,
                CORPUS_SUBSET[task],
                step,
                key=keys["limit"],
                disabled=disabled,
            )
        )
        picked = Picked(
            choice, title=corpus.display, note={"train": corpus.refs("train"), "subset": limit, "subset_seed": SUBSET_SEED}
        )
        with user_errors(f"{corpus.display} could not be read"):
            picked.examples = corpus_train_examples(corpus, limit)
        return picked
    if choice == "demo" and demo_all:
        demos = [p.name for p in demo_files() if "broken" not in p.name]
        found = _demo_bytes(demos)
        return _read_files(task, found, label_tuple, "demo") if found else Picked("demo", title=", ".join(demos))
    if choice == "demo":
        names = [p.name for p in demo_files()]
        name = st.selectbox(
            "Demo file",
            names,
            key=keys["demo"],
            disabled=disabled,
            help="Files written for this project: SemEval-2014 and 2016 formats; broken_demo.xml shows how problems are reported.",
        )
        found = _demo_bytes([name])
        return _read_files(task, found, label_tuple, "demo") if found else Picked("demo", title=name)
    if choice == "upload":
        spec = task_spec(task)
        upload = st.file_uploader(
            f"{plain(upload_label)}: {plain(spec.upload_help)}",
            type=list(spec.upload_types),
            key=keys["upload"],
            disabled=disabled,
        )
        if upload is None:
            st.caption(f"No file yet: upload {plain(spec.upload_help)}.")
            return Picked("upload")
        data = upload.getvalue()
        columns = column_boxes(task, data, upload.name, keys["upload"], disabled, need_label)
        return _read_files(task, [(data, upload.name)], label_tuple, "upload", columns, need_label)
    return Picked(choice)


def _demo_bytes(names: Sequence[str]) -> list[tuple[bytes, str]] | None:
    """The demo files' bytes with their names; None (a red message naming the file and why) if one cannot be read."""
    found = []
    for name in names:
        data = None
        with user_errors("A demo file could not be read"):
            data = (DEMO_DIR / name).read_bytes()
        if data is None:
            return None
        found.append((data, name))
    return found


def _read_files(
    task: str,
    files: list[tuple[bytes, str]],
    labels: tuple[str, ...] | None,
    kind: str,
    columns: tuple[str | None, str | None] = (None, None),
    need_label: bool = True,
) -> Picked:
    """Read one or more files of the task (each cached by content) and join what they hold."""
    names = [name for _, name in files]
    chosen = f"|columns={columns}" if any(columns) else ""  # other columns, other examples: other cached predictions
    picked = Picked(kind, title=", ".join(names), data_key="file:" + ",".join(data_hash(data) for data, _ in files) + chosen)
    picked.note = {"train": [f"demo/{n}" for n in names] if kind == "demo" else names}
    examples: list[Example] = []
    for data, name in files:
        read = False
        with user_errors(f"{name} could not be read"):
            found, problems, skipped = file_examples(task, data, name, labels, *columns, need_label=need_label)
            examples += found
            picked.problems += problems
            for reason, count in skipped.items():
                picked.skipped[reason] = picked.skipped.get(reason, 0) + count
            if len(files) == 1:
                picked.parsed, picked.data = read_file(task, data, name, *columns, need_label=need_label), data
                show_reading(picked.parsed)
                if picked.parsed.columns is not None:
                    picked.note["columns"] = picked.parsed.columns.describe()
            read = True
        if not read:
            return picked  # a file that cannot be read at all: nothing is scored or trained on
    if task == "sentiment" and any(n.lower().endswith(".xml") for n in names):
        picked.note["labels"] = "sentences whose opinions all agree"
        st.caption(
            "A review file gives a sentiment model its sentences whose aspect opinions all agree (all positive or all negative)."
        )
    picked.examples = examples
    return picked
