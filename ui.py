"""Streamlit-side helpers shared by every page: cached loaders, the model list, the sidebar, tables, errors.

All caching lives here. Shipped models are loaded once per process (`st.cache_resource`) and parsed
uploads are cached by their bytes (`st.cache_data`); models trained in a browser session live only
in that session's `st.session_state`, so no other session can see them.
"""

from __future__ import annotations

import hashlib
import html
import json
import os
import shutil
import tempfile
import threading
import time
import traceback
import uuid
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd
import plotly.graph_objects as go
import streamlit as st

from seqcore import corpora
from seqcore.batching import Example
from seqcore.checkpoints import Checkpoint, checkpoint_to_zip, save_checkpoint
from seqcore.inference import Predictor
from seqcore.models import article
from seqcore.readers import ReviewFile, read_conllu, read_labeled_tsv, read_semeval

ROOT = Path(__file__).resolve().parent
DEMO_DIR = ROOT / "demo"


def models_dir() -> Path:
    """The shipped models' folder: models/ beside app.py (SEQCORE_MODELS_DIR overrides it, for tests)."""
    return Path(os.environ.get("SEQCORE_MODELS_DIR") or ROOT / "models")


TASK_ORDER = {"sentiment": 0, "aspect": 1, "tagging": 2}
TASK_NAMES = {"sentiment": "whole-sentence sentiment", "aspect": "aspect polarity", "tagging": "part-of-speech tagging"}
TRAIN_PAGE = "app_pages/5_train.py"
DEFAULT_SENTENCE = "The food was not bad at all, but the service was painfully slow."

# --------------------------------------------------------------------------- torch


def set_torch_threads() -> None:
    """Run torch on SEQCORE_TORCH_THREADS threads (default 1).

    The app's models are small and a server runs several sessions and a training thread at once:
    one thread per operation is about as fast on an idle machine, and on a busy 2-core machine
    several threads per operation were measured 100 times slower (they wait on each other).
    """
    import torch

    wanted = int(os.environ.get("SEQCORE_TORCH_THREADS") or 1)
    if torch.get_num_threads() != wanted:
        torch.set_num_threads(wanted)


# --------------------------------------------------------------------------- errors


def error_message(err: BaseException) -> str:
    """A one-line message for an exception: its text, or its kind when it has none."""
    text = str(err.args[0]) if isinstance(err, KeyError) and err.args else str(err)
    return text or type(err).__name__


@contextmanager
def user_errors(what: str = "") -> Iterator[None]:
    """Show any exception raised inside the block as a red message on the page, never as a traceback.

    Streamlit's own rerun and stop signals are BaseExceptions and pass through untouched.
    """
    try:
        yield
    except Exception as err:  # noqa: BLE001 - the page must go on working whatever seqcore raises
        st.error(f"{what}{': ' if what else ''}{error_message(err)}")
        if os.environ.get("SEQCORE_APP_DEBUG"):
            st.code(traceback.format_exc())


# --------------------------------------------------------------------------- models


@dataclass(frozen=True)
class ModelEntry:
    """One model the app can use: shipped (a folder under models/) or trained in this session."""

    key: str
    name: str
    source: str  # "shipped" or "session"
    task: str
    cell: str
    card: dict = field(hash=False, compare=False)
    path: str | None = None
    config: dict = field(default_factory=dict, hash=False, compare=False)

    @property
    def label(self) -> str:
        where = "" if self.source == "shipped" else " (trained in this session)"
        return f"{self.name}{where}"


def _mtime(path: Path) -> float:
    try:
        return max(p.stat().st_mtime for p in path.iterdir())
    except (OSError, ValueError):
        return 0.0


@st.cache_data(show_spinner=False, max_entries=200)
def _read_model_info(path: str, mtime: float) -> dict:
    """Read card.json and config.json of a model folder (cached until the folder changes)."""
    folder = Path(path)
    card = json.loads((folder / "card.json").read_text(encoding="utf-8"))
    config = json.loads((folder / "config.json").read_text(encoding="utf-8"))
    return {"card": card, "config": config}


def shipped_models() -> tuple[list[ModelEntry], list[str]]:
    """Every readable model folder under models/, and a message for each folder that is not."""
    entries, broken = [], []
    root = models_dir()
    if not root.is_dir():
        return entries, broken
    for folder in sorted(p for p in root.iterdir() if p.is_dir() and not p.name.startswith(".")):
        if not (folder / "card.json").is_file():
            continue
        try:
            info = _read_model_info(str(folder), _mtime(folder))
            card, config = info["card"], info["config"]
            task, cell = card.get("task") or config["task"], card.get("cell") or config["cell"]
        except (OSError, ValueError, KeyError) as err:
            broken.append(f"{folder.name}: {error_message(err)}")
            continue
        entries.append(ModelEntry(f"shipped:{folder.name}", folder.name, "shipped", task, cell, card, str(folder), config))
    entries.sort(key=lambda e: (TASK_ORDER.get(e.task, 9), e.name))
    return entries, broken


def session_models() -> list[ModelEntry]:
    """Models trained in this browser session (kept in its session_state only)."""
    trained = st.session_state.setdefault("trained_models", {})
    return [item["entry"] for item in trained.values()]


def all_models() -> list[ModelEntry]:
    shipped, _ = shipped_models()
    return shipped + session_models()


@st.cache_resource(show_spinner="Loading the model...", max_entries=16)
def _load_predictor(path: str, mtime: float) -> Predictor:
    """Load a shipped model once per process (until its folder changes)."""
    return Predictor.load(path)


def get_predictor(entry: ModelEntry) -> Predictor:
    """Return the ready-to-use model of an entry; raises CheckpointError for a broken folder."""
    if entry.source == "session":
        return st.session_state["trained_models"][entry.key]["predictor"]
    return _load_predictor(entry.path, _mtime(Path(entry.path)))


def card_line(entry: ModelEntry) -> str:
    """The model's one-line card: task, cell, and its test accuracy (or dev accuracy, said so)."""
    card = entry.card
    parts = [TASK_NAMES.get(entry.task, entry.task), entry.cell.upper()]
    if entry.config.get("bidirectional"):
        parts[-1] = "bidirectional " + parts[-1]
    test = (card.get("test_metrics") or {}).get("accuracy")
    dev = (card.get("dev_metrics") or {}).get("accuracy")
    if test is not None:
        parts.append(f"test accuracy {test:.1%}")
    elif dev is not None:
        parts.append(f"dev accuracy {dev:.1%} (no test set)")
    else:
        parts.append("no test score")
    return " · ".join(parts)


def current_model() -> ModelEntry | None:
    """The model chosen in the sidebar, or None when there is none."""
    models = {m.key: m for m in all_models()}
    return models.get(st.session_state.get("model_key"))


def sidebar() -> None:
    """Draw the sidebar every page shares: the model in use and its one-line card."""
    shipped, broken = shipped_models()
    models = shipped + session_models()
    with st.sidebar:
        st.markdown("### Model in use")
        if not models:
            st.info("No model yet: `models/` is empty and none was trained in this session.")
            st.page_link(TRAIN_PAGE, label="Train one on the Train page", icon="🏋️")
        else:
            keys = [m.key for m in models]
            by_key = {m.key: m for m in models}
            if st.session_state.get("model_key") not in by_key:
                st.session_state["model_key"] = keys[0]
            st.selectbox(
                "Model in use",
                keys,
                key="model_key",
                format_func=lambda k: by_key[k].label,
                help="Every model shipped in models/, plus those trained in this browser session.",
            )
            entry = by_key[st.session_state["model_key"]]
            st.caption(card_line(entry))
        for message in broken:
            st.warning(f"A model folder could not be read: {message}")
        st.caption("Nothing leaves this machine: the app reads local files only.")


def model_for_task(task: str, key: str) -> tuple[ModelEntry, Predictor] | None:
    """The model a task page uses: the sidebar's when it fits, else a page-level choice of fitting models.

    With no model of the task, say so, point to the Train page and return None.
    """
    current = current_model()
    if current is not None and current.task == task:
        entry = current
        st.caption(f"Model: **{entry.label}** ({card_line(entry)}). Change it in the sidebar.")
    else:
        fitting = [m for m in all_models() if m.task == task]
        if not fitting:
            st.warning(
                f"No {TASK_NAMES[task]} model is available: none is shipped in models/ and none was trained in this session."
            )
            st.page_link(TRAIN_PAGE, label=f"Train {article(task)} model on the Train page", icon="🏋️")
            return None
        if current is not None:
            st.info(
                f"The sidebar's model does {TASK_NAMES.get(current.task, current.task)}; this page needs "
                f"{article(TASK_NAMES[task])} model, so pick one here."
            )
        by_key = {m.key: m for m in fitting}
        chosen = st.selectbox(
            f"{TASK_NAMES[task].capitalize()} model", list(by_key), key=key, format_func=lambda k: by_key[k].label
        )
        entry = by_key[chosen]
        st.caption(card_line(entry))
    try:
        return entry, get_predictor(entry)
    except Exception as err:  # noqa: BLE001 - a broken checkpoint must not take the page down
        st.error(f"The model {entry.name} could not be loaded: {error_message(err)}")
        return None


def any_model(key: str = "") -> tuple[ModelEntry, Predictor] | None:
    """The sidebar's model, whatever its task; None (with a pointer to Train) when there is none."""
    entry = current_model()
    if entry is None:
        st.warning("No model is available: none is shipped in models/ and none was trained in this session.")
        st.page_link(TRAIN_PAGE, label="Train one on the Train page", icon="🏋️")
        return None
    st.caption(f"Model: **{entry.label}** ({card_line(entry)}). Change it in the sidebar.")
    try:
        return entry, get_predictor(entry)
    except Exception as err:  # noqa: BLE001
        st.error(f"The model {entry.name} could not be loaded: {error_message(err)}")
        return None


# --------------------------------------------------------------------------- the current sentence


def sentence_input(key: str, label: str = "Sentence", help: str | None = None) -> str:
    """A text box that starts from the sentence last used on any page, and becomes it when edited."""
    if key not in st.session_state:
        st.session_state[key] = st.session_state.get("current_sentence", DEFAULT_SENTENCE)
    text = st.text_input(label, key=key, help=help)
    st.session_state["current_sentence"] = text
    return text


# --------------------------------------------------------------------------- files


def data_hash(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()[:16]


@st.cache_data(show_spinner="Reading the file...", max_entries=32)
def parse_semeval(data: bytes, name: str) -> ReviewFile:
    """Parse SemEval XML bytes (cached by content); DataFormatError for a file that cannot be read at all."""
    return read_semeval(data, name=name)


@st.cache_data(show_spinner="Reading the file...", max_entries=32)
def parse_conllu(data: bytes, name: str):
    """Parse CoNLL-U bytes (cached by content): (sentences, problems)."""
    return read_conllu(data, name=name)


@st.cache_data(show_spinner="Reading the file...", max_entries=32)
def parse_labeled_tsv(data: bytes, name: str):
    """Parse "label<TAB>text" bytes (cached by content): (records, problems)."""
    return read_labeled_tsv(data, name=name)


def demo_files() -> list[Path]:
    """The review files shipped in demo/ (SemEval 2014 and 2016 formats)."""
    if not DEMO_DIR.is_dir():
        return []
    return sorted(DEMO_DIR.glob("*.xml"), key=lambda p: ("broken" in p.name, p.name))  # clean files first


def review_source(key: str, label: str = "Review file") -> tuple[bytes, str] | None:
    """Let the user open a demo file or upload one; return (bytes, name) or None."""
    demos = demo_files()
    choices = (["Open a demo file"] if demos else []) + ["Upload a file"]
    how = st.radio(label, choices, key=f"{key}_how", horizontal=True)
    if how == "Open a demo file":
        names = [p.name for p in demos]
        name = st.selectbox(
            "Demo file",
            names,
            key=f"{key}_demo",
            help="Files written for this project: SemEval-2014 and 2016 formats; broken_demo.xml shows how problems are reported.",
        )
        return (DEMO_DIR / name).read_bytes(), name
    upload = st.file_uploader("SemEval ABSA XML (2014 <sentences> or 2015/2016 <Reviews>)", type=["xml"], key=f"{key}_upload")
    if upload is None:
        st.caption("No file yet: upload one, or open a demo file.")
        return None
    return upload.getvalue(), upload.name


def model_version(entry: ModelEntry) -> str:
    """A key that changes when the model changes: session models have unique keys, shipped ones add their folder's time."""
    return entry.key if entry.path is None else f"{entry.key}@{_mtime(Path(entry.path))}"


@st.cache_data(show_spinner="Predicting...", max_entries=64)
def _predictions(version: str, data_key: str, _predictor: Predictor, _examples: Sequence[Example]) -> list[dict]:
    from seqcore.pipeline import predictions_table

    return predictions_table(_predictor.model, list(_examples), _predictor.encoder)


def predictions(entry: ModelEntry, predictor: Predictor, data_key: str, examples: Sequence[Example]) -> list[dict]:
    """Per-item predictions of labeled examples (cached by model and data), from `seqcore.pipeline.predictions_table`."""
    return _predictions(model_version(entry), data_key, predictor, examples)


def aspect_file_predictions(entry: ModelEntry, data_key: str, predictor: Predictor, examples: Sequence[Example]) -> list[dict]:
    """Every scorable aspect of a review file, predicted (cached)."""
    rows = predictions(entry, predictor, data_key, examples)
    return [
        {
            "sentence id": r["id"],
            "text": r["text"],
            "term": r["item"],
            "gold": r["gold"],
            "predicted": r["predicted"],
            "confidence": round(r["confidence"], 4),
        }
        for r in rows
    ]


@st.cache_data(show_spinner="Evaluating...", max_entries=32)
def _evaluation(version: str, data_key: str, _predictor: Predictor, _examples: Sequence[Example]) -> tuple[dict, float]:
    from seqcore.training import evaluate

    metrics, loss = evaluate(_predictor.model, list(_examples), _predictor.encoder)
    return metrics.to_dict(), loss


def evaluation(entry: ModelEntry, predictor: Predictor, data_key: str, examples: Sequence[Example]) -> tuple[dict, float]:
    """Metrics (as a dict) and mean loss of a model on labeled examples, from `seqcore.training.evaluate` (cached)."""
    return _evaluation(model_version(entry), data_key, predictor, examples)


UPLOAD_TYPES = {"sentiment": ["tsv", "txt"], "aspect": ["xml"], "tagging": ["conllu", "txt"]}
UPLOAD_HELP = {
    "sentiment": "a labeled text file: one sentence per line, written label<TAB>text (an optional label<TAB>text header is skipped)",
    "aspect": "a SemEval ABSA XML file, 2014 (<sentences>) or 2015/2016 (<Reviews>) format",
    "tagging": "a CoNLL-U file (words in column 2, UPOS tags in column 4)",
}


@st.cache_data(show_spinner="Reading the file...", max_entries=32)
def examples_from_file(
    task: str, data: bytes, name: str, labels: tuple[str, ...] | None
) -> tuple[list[Example], list[dict], dict[str, int]]:
    """Turn an uploaded or demo file into labeled examples of `task` the model can score.

    `labels` are the model's classes (None when training: every sentiment label and tag is kept,
    and aspects keep the three classes negative, neutral, positive). Returns the examples, the
    file's problems as table rows, and what was skipped (reason -> count). Raises DataFormatError
    for a file that cannot be read at all.
    """
    from seqcore.explain import known_label_examples, problem_rows, review_aspect_examples, sentence_labels_from_reviews
    from seqcore.tasks import ASPECT_LABELS, sentiment_examples, tagging_examples

    if task == "aspect":
        review = parse_semeval(data, name)
        examples, skipped = review_aspect_examples(review, labels or ASPECT_LABELS)
        return examples, problem_rows(review.problems), skipped
    skipped: dict[str, int] = {}
    if task == "sentiment":
        if name.lower().endswith(".xml"):
            review = parse_semeval(data, name)
            records, left = sentence_labels_from_reviews([review])
            problems, skipped = review.problems, {"sentences whose opinions are mixed, neutral or absent": left}
        else:
            records, problems = parse_labeled_tsv(data, name)
        examples = sentiment_examples(records)
    else:
        sentences, problems = parse_conllu(data, name)
        examples = tagging_examples(sentences)
    dropped = 0
    if labels is not None:
        examples, dropped = known_label_examples(examples, labels)
    if dropped:
        skipped[f"{'sentences' if task == 'tagging' else 'lines'} with a label this model does not know"] = dropped
    return examples, problem_rows(problems), skipped


def card_test_files(card: dict) -> tuple[list[Path], dict | None] | None:
    """The files a shipped model was tested on, when they are on this machine; None otherwise.

    Returns (files, kfold): with kfold ({"folds", "fold", "seed"}) the test set is that fold of the
    train files (cross-validated sentiment models), else it is the files themselves.
    """
    from seqcore.pipeline import resolve_data_ref

    data = card.get("data") or {}
    kfold = data.get("kfold") if isinstance(data.get("kfold"), dict) else None
    refs = data.get("train") if kfold else data.get("test")
    if not refs or not isinstance(refs, list) or not all(isinstance(r, str) for r in refs):
        return None
    files = [resolve_data_ref(r) for r in refs]
    return (files, kfold) if all(f.is_file() for f in files) else None


def train_corpora(task: str) -> list[corpora.Corpus]:
    """The task's corpora whose training files are in the data folder (`seqcore.corpora`), the default first."""
    return [c for c in corpora.corpora_for_task(task) if c.available("train")]


@st.cache_data(show_spinner="Reading the training data from the data folder...", max_entries=8)
def _corpus_train_examples(root: str, name: str, limit: int | None, seed: int) -> list[Example]:
    from seqcore.explain import subsample
    from seqcore.tasks import load_examples

    found = corpora.corpus(name)
    examples, _ = load_examples(found.task, found.files("train", root))
    return subsample(examples, limit, seed)


def corpus_train_examples(corpus: corpora.Corpus, limit: int | None, seed: int = 13) -> list[Example]:
    """A fixed-seed random subset of a corpus's training file(s) (cached)."""
    return _corpus_train_examples(str(corpora.data_dir()), corpus.name, limit, seed)


@st.cache_data(show_spinner="Reading the test set from the data folder...", max_entries=16)
def _test_examples(version: str, root: str, _card: dict) -> list[Example]:
    from seqcore.pipeline import card_test_examples

    return card_test_examples(_card, root)


def test_examples(entry: ModelEntry) -> list[Example]:
    """The examples a shipped model's card was scored on, rebuilt from the data folder (`pipeline.card_test_examples`)."""
    return _test_examples(model_version(entry), str(corpora.data_dir()), entry.card)


# --------------------------------------------------------------------------- output


def download(df: pd.DataFrame, name: str, key: str, label: str = "Download CSV") -> None:
    """A CSV download button for a table."""
    st.download_button(label, df.to_csv(index=False).encode("utf-8"), file_name=f"{name}.csv", mime="text/csv", key=key)


def table(df: pd.DataFrame, name: str, key: str, caption: str | None = None, display=None, **kwargs) -> None:
    """Show a table (or its styled `display`), a sentence saying what it holds, and its CSV download."""
    st.dataframe(df if display is None else display, hide_index=True, **kwargs)
    if caption:
        st.caption(caption)
    download(df, name, key=f"dl_{key}")


def chart(fig: go.Figure, caption: str, key: str | None = None) -> None:
    """Show a figure with a sentence under it saying what it shows."""
    st.plotly_chart(fig, key=key, config={"displaylogo": False})
    st.caption(caption)


def highlight_html(text: str, spans: Sequence[tuple[int, int, str, str]]) -> str:
    """HTML of `text` with character spans (start, end, colour, tooltip) marked; overlaps take the first span."""
    owner: list[int | None] = [None] * len(text)
    for k, (start, end, _, _) in enumerate(spans):
        for i in range(max(0, start), min(end, len(text))):
            if owner[i] is None:
                owner[i] = k
    out, i = [], 0
    while i < len(text):
        k = owner[i]
        j = i
        while j < len(text) and owner[j] == k:
            j += 1
        piece = html.escape(text[i:j])
        if k is None:
            out.append(piece)
        else:
            _, _, colour, tip = spans[k]
            out.append(
                f'<mark style="background:{colour};padding:0 2px;border-radius:3px" title="{html.escape(tip)}">{piece}</mark>'
            )
        i = j
    return "".join(out)


POLARITY_BG = {"positive": "#c7e9c0", "negative": "#fcbba1", "neutral": "#d9d9d9", "conflict": "#dadaeb"}


# --------------------------------------------------------------------------- training jobs


@dataclass
class TrainJob:
    """One training run in a background thread; the page polls it. Never touches streamlit."""

    name: str
    task: str
    settings: dict
    stop: threading.Event = field(default_factory=threading.Event)
    done: threading.Event = field(default_factory=threading.Event)
    progress: list = field(default_factory=list)
    started: float = field(default_factory=time.perf_counter)
    finished: float | None = None
    fitted: object | None = None
    error: str | None = None
    thread: threading.Thread | None = None

    @property
    def running(self) -> bool:
        return not self.done.is_set()

    def elapsed(self) -> float:
        return (self.finished or time.perf_counter()) - self.started

    def epochs(self) -> list[dict]:
        return [vars(p) for p in list(self.progress) if p.kind == "epoch"]

    def fraction(self) -> float:
        reports = list(self.progress)
        if not reports:
            return 0.0
        last = reports[-1]
        return min(1.0, last.step / max(1, last.total_steps))

    def seconds_left(self) -> float | None:
        """Time left if every remaining step runs as fast as the steps so far (an upper bound with early stopping)."""
        reports = list(self.progress)
        if not reports or reports[-1].step == 0:
            return None
        last = reports[-1]
        return last.elapsed / last.step * max(0, last.total_steps - last.step)


def start_training(name: str, task: str, spec, train_cfg, examples: Sequence[Example], data: dict, settings: dict) -> TrainJob:
    """Run `seqcore.pipeline.fit` in a daemon thread; Stop sets the job's event, checked between steps."""
    from seqcore.pipeline import fit

    job = TrainJob(name=name, task=task, settings=settings)

    def run() -> None:
        try:
            job.fitted = fit(
                spec, train_cfg, list(examples), data=data, on_progress=job.progress.append, should_stop=job.stop.is_set
            )
        except Exception as err:  # noqa: BLE001 - reported on the page
            job.error = error_message(err)
        finally:
            job.finished = time.perf_counter()
            job.done.set()

    job.thread = threading.Thread(target=run, name=f"train-{name}", daemon=True)
    job.thread.start()
    return job


def register_trained(job: TrainJob) -> ModelEntry:
    """Make a finished job's model one of this session's models, with its checkpoint as zip bytes."""
    fitted = job.fitted
    key = f"session:{uuid.uuid4().hex[:8]}:{job.name}"
    tmp = Path(tempfile.mkdtemp(prefix="seqcore-app-"))
    try:
        folder = save_checkpoint(tmp / job.name, fitted.model, fitted.encoder, fitted.card)
        zipped = checkpoint_to_zip(folder)
        card = json.loads((folder / "card.json").read_text(encoding="utf-8"))
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    predictor = Predictor(Checkpoint(fitted.model, fitted.encoder, card))
    entry = ModelEntry(key, job.name, "session", job.task, fitted.model.cfg.cell, card, None, fitted.model.cfg.to_dict())
    st.session_state.setdefault("trained_models", {})[key] = {
        "entry": entry,
        "predictor": predictor,
        "zip": zipped,
        "dev_examples": list(fitted.dev_examples),
    }
    return entry


def collect_finished_training() -> None:
    """Register this session's finished training run, once, and make its model the sidebar's choice.

    Called by app.py before the sidebar is drawn, since a widget's state cannot change after it is drawn.
    """
    job: TrainJob | None = st.session_state.get("train_job")
    if job is not None and job.done.is_set() and job.fitted is not None and not job.settings.get("registered"):
        entry = register_trained(job)
        job.settings["registered"] = entry.key
        st.session_state["model_key"] = entry.key
