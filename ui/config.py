"""Where the app finds things, and its own defaults and limits: every number a page shows a widget with, named once.

The library's defaults (`ModelConfig`, `TrainConfig`, `seqcore.gatestats`) are written in seqcore; this
module only names what the app chooses differently, and says why.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from seqcore.gatestats import DEFAULT_THRESHOLD, THRESHOLD_RANGE, THRESHOLD_STEP

ROOT = Path(__file__).resolve().parents[1]
DEMO_DIR = ROOT / "demo"
TRAIN_PAGE = "app_pages/5_train.py"
# The lesson's first sentence (and every page's first sentence): the SST models turn twice, down at "not good" and
# up at "but the service was wonderful"; "food" and "service" give the aspect pages their aspects.
DEFAULT_SENTENCE = "The food was not good, but the service was wonderful."
# The trajectory page's examples and the lesson's sentences (docs/teaching.md): each turns at a negation or a contrast,
# and the SST models turn there the way a reader does (measured: bench/lesson_turns.py, docs/teaching.md: the turn,
# measured); the mistakes kept on purpose are named there (the RNN dips at "not bad at all"; the LSTM, taught negation
# without contrasts, stays too low after "but it is very moving" and too high after "but ... painfully slow").
TRAJECTORY_EXAMPLES = (
    DEFAULT_SENTENCE,
    "It is not funny, but it is very moving.",
    "It is not a masterpiece, but it is a lot of fun.",
    "The food was delicious, but the service was painfully slow.",
    "The plot is thin, but the acting is wonderful.",
    "It is not a good movie.",
    "The food was not bad at all, but the service was painfully slow.",
)
TASK_ORDER = {"sentiment": 0, "aspect": 1, "tagging": 2}  # the sidebar lists models task by task


def models_dir() -> Path:
    """The shipped models' folder: models/ beside app.py (SEQCORE_MODELS_DIR overrides it, for tests)."""
    return Path(os.environ.get("SEQCORE_MODELS_DIR") or ROOT / "models")


@dataclass(frozen=True)
class Range:
    """A number widget's bounds and step (its default comes from the library or from APP_TRAIN_DEFAULTS)."""

    low: float
    high: float
    step: float


# Training in a browser session: a quick model on a shared CPU, so smaller sizes, fewer epochs, a higher
# learning rate and less dropout than the library's defaults (ModelConfig, TrainConfig: meant for the shipped
# models). Every setting not named here (layers, batch size, patience, ...) is the library's own default
# (`ui.jobs.train_form_defaults` merges them).
# The sizes and epochs come from the page's preset (TRAIN_PRESETS, below).
APP_TRAIN_DEFAULTS = {
    "cell": "gru",
    "lr": 0.005,
    "dropout": 0.2,
    "device": "cpu",  # a GPU, where there is one, stays free for the other sessions' questions
}
# Two presets on the Train page (each sets the sizes and epochs; the data stay as chosen). "full" is the default: long
# enough to point at the chart and press Stop in front of a class; "quick" shows the mechanics. Their times are
# measured by `python bench/bench_train_presets.py` on the default data (a GRU on 2,000 rt-polarity sentences).
TRAIN_PRESETS = {
    "full": {"embedding_dim": 64, "hidden_size": 128, "epochs": 10, "patience": 10},
    "quick": {"embedding_dim": 32, "hidden_size": 32, "epochs": 3, "patience": 3},
}
TRAIN_PRESET_DEFAULT = "full"
# What the page says each preset takes, measured in the app (runs of 2,000 rt-polarity sentences) on this project's
# 2-core machine while other work loaded it (load average 5 to 7): full finished in 21.6 s and 20.7 s, quick in 3.0 s
# and 6.0 s; a run with 12 epochs once took 46 s under heavier load. bench/bench_train_presets.py times training alone.
TRAIN_PRESET_TIMES = {"full": "about 25 s", "quick": "about 5 s"}
TRAIN_PRESET_KEYS = {
    "embedding_dim": "train_emb",
    "hidden_size": "train_hidden",
    "epochs": "train_epochs",
    "patience": "train_patience",
}
TRAIN_RANGES = {
    "embedding_dim": Range(4, 300, 4),
    "hidden_size": Range(2, 512, 2),
    "num_layers": Range(1, 4, 1),
    "epochs": Range(1, 1000, 1),
    "lr": Range(1e-5, 1.0, 0.001),
    "batch_size": Range(1, 512, 1),
    "patience": Range(1, 1000, 1),
    "dropout": Range(0.0, 0.8, 0.05),
}
# Sentences of a real corpus used by default (a fixed-seed subset): seconds per epoch on a 2-core CPU.
CORPUS_SUBSET = {"sentiment": 2000, "aspect": 1000, "tagging": 800}
CORPUS_SUBSET_RANGE = Range(50, 20000, 50)
SUBSET_SEED = 13
MIN_TRAIN_SENTENCES = 4  # fewer cannot be split into train and dev
REPORTS_PER_EPOCH = 10  # progress reports per epoch while training (the bar moves about this often)
POLL_SECONDS = 1.0  # how often the Train page redraws a running job (and the server polls its training runs)
# Training runs in a child process at low priority (seqcore.background); SEQCORE_MAX_TRAINING runs at once per
# server (default 1), the others queue. A run ends, keeping its best model so far, after TRAIN_MAX_SECONDS; a run
# whose browser session went away is killed after TRAIN_ORPHAN_SECONDS (Streamlit keeps a disconnected session
# two minutes for a reconnect, and a reconnected session takes its run back).
TRAIN_MAX_SECONDS = 30 * 60
TRAIN_ORPHAN_SECONDS = float(os.environ.get("SEQCORE_TRAIN_ORPHAN_SECONDS") or 120)  # the browser test shortens it

SATURATION = Range(THRESHOLD_RANGE[0], THRESHOLD_RANGE[1], THRESHOLD_STEP)
SATURATION_DEFAULT = DEFAULT_THRESHOLD
STEP_UNITS_SHOWN = 4  # units of the one-step table chosen at first
COMPARED_MODELS = 3  # trajectories drawn side by side at most
LABEL_CHARS = 80  # characters of a sentence shown in a pick list
SHORT_NAME = 22  # characters of a model name the sidebar's picker shows (its caption gives the full name)

# The Train page's data choices, in order: sentiment starts on its real corpus (its demo set, derived from the
# review files' agreeing opinions, is tiny); aspect starts on a demo file (seconds per epoch), its corpora next.
TRAIN_SOURCES = {
    "sentiment": ("corpus", "demo", "upload"),
    "aspect": ("demo", "corpus", "upload"),
    "tagging": ("demo", "corpus", "upload"),
}
# Tasks whose demo training set joins every clean demo file: the sentences of one file that suit them are too few.
DEMO_ALL_FILES = frozenset({"sentiment"})
TRAIN_SOURCE_LABELS = {
    "sentiment": {"demo": "The demo review files: sentences whose opinions all agree (tiny: for trying the mechanics)"},
    "aspect": {"demo": "A demo review file (tiny: for trying the mechanics)"},
    "tagging": {},
}

# Links (ui.links): a view's main state lives in the URL; values longer than these are refused with a message.
LINK_TEXT_CHARS = 2000  # a sentence in a link (the token cap, SEQCORE_MAX_TOKENS, still applies after)
LINK_TERM_CHARS = 200  # aspect terms in a link
LINK_SHOWN_CHARS = 40  # characters of a refused value quoted back in the message
PRESENTER_FONT = 18  # chart font size (px) in presenter mode: legible from the back of a room

# Gradients through time: sentences long enough for the fall to show, and the readout that shows it.
GRADIENT_MODELS = 3  # models compared at most
GRADIENT_READOUTS = {
    "last": "the last step (the loss enters once, at each direction's last word)",
    "own": "the model's own pooling (max or mean: the loss enters at many words)",
}
GRADIENT_READOUT_DEFAULT = "last"  # the shipped models pool by max, which hides the fall (seqcore.gradflow)
UNTRAINED_SEED = 0  # seed of the untrained twins (seqcore.gradflow.fresh_like)

# The memory experiment (seqcore.memory): the lengths offered; its other settings are MemoryTask's defaults.
MEMORY_LENGTHS = (5, 10, 20, 30, 50, 100, 200)
MEMORY_SEED = 13

# Pitfalls (seqcore.pitfalls): how the readouts' batches and the masking batch are drawn.
READOUT_BATCH = 32  # a plain loader's batch size: realistic padding (about half the cells on rt-polarity)
READOUT_DRAWN = 6  # sentences in the drawing of one padded batch
MASKING_BATCH = 16  # sentences in the tagging batch with the most padding
MASKING_FACTORS = (1, 2, 4, 8)  # the same batch padded to these multiples of its longest sentence
BATCH_SEED = 0

# Explanations (units that matter, hidden-state search, word saliency, before and after).
UNITS_TOP = 20  # ranked units drawn at first on the Gates page (a toggle shows every unit)
UNITS_TOP_RANGE = Range(1, 1024, 1)
CHANGED_UNITS_TOP = 20  # units listed whose final state moved most between a sentence and its edit
SEARCH_THRESHOLD = Range(0.0, 0.95, 0.05)  # its default is the library's (seqcore.search.THRESHOLD)
SEARCH_TOP = 10  # matches listed at first
SEARCH_TOP_RANGE = Range(1, 100, 1)
# Hidden states of one searched corpus are kept in memory (float32, tokens x units): at most this many MB per corpus
# (the test sets of the shipped models need 16-40 MB); a bigger file is searched in its first sentences, and says so.
SEARCH_STATES_MB = 300
SEARCH_STATES_CACHED = 6  # corpora whose states a server process keeps (the least recently used go first)
# Bounded work per request. The sentence cap itself is seqcore's (SEQCORE_MAX_TOKENS, default 300 tokens:
# `ui.widgets.capped` cuts longer text and says so). A heatmap draws at most this many words (columns) and
# hidden units (rows) at once: a window the reader moves over the sentence and the units. 60 x 128 cells
# per gate keep the Gates page's eight heatmaps near 60,000 cells (500 words of every unit took minutes to draw).
GATES_MAX_WORDS = 60
GATES_MAX_UNITS = 128  # the shipped models have 100 to 200 units

# The Cell lab (seqcore.celllab, ui.celllab): seeds offered, the memory length and sentiment subset at first.
LAB_SEEDS = (2, 10, 3)  # min, max, default seeds per variant
LAB_LENGTH = 30  # words: a length the vanilla LSTM solves within the budget (docs/cell-lab.md)
LAB_SUBSETS = (500, 1000, 2000, 4000)
LAB_SUBSET = 1000
