"""The app's side of the seam: everything streamlit-side that pages share, in small modules.

- `ui.models`: the model registry (shipped + this session's), cached loaders, card lines, model pickers.
- `ui.sources`: the one data picker (test set, dev split, corpus, demo file, upload) and cached parsers.
- `ui.scores`: a model's predictions and metrics on labeled data, cached by model and data.
- `ui.jobs`: background training, its progress, and keeping its model in the session.
- `ui.widgets`: the sidebar, the sentence box, tables with CSV downloads, charts, problem lists, highlights.
- `ui.links`: a view's state in the URL (links that reproduce it) and presenter mode.
- `ui.teaching`: the teaching pages' numbers (gradient flow, readouts, masking, shapes), cached.
- `ui.experiments`: the memory experiment in a child process, with progress, Stop and results kept per settings.
- `ui.errors`: exceptions shown as one red line, never a traceback.
- `ui.state`: every read and write of the session state, through small typed functions.
- `ui.config`: paths, and the app's own defaults and limits, named once.

Importing `ui` loads neither torch nor spaCy: seqcore's heavy modules are imported inside the
functions that need them, so the sidebar draws (from the models' JSON cards) before any model loads.
"""

from __future__ import annotations

from ui import config, experiments, links, state, teaching
from ui.config import DEFAULT_SENTENCE, DEMO_DIR, TRAIN_PAGE
from ui.errors import error_message, user_errors
from ui.jobs import (
    TrainJob,
    clean_name,
    collect_finished_training,
    current_job,
    how_it_ended,
    next_model_name,
    progress_text,
    start_training,
    train_form_defaults,
    trained_zip,
)
from ui.links import follow_link, keep_in_link, link_view, presenting, secondary, spans_for_terms, write_link
from ui.models import (
    ModelEntry,
    all_models,
    any_model,
    card_line,
    comparison_default,
    current_model,
    get_predictor,
    model_for_task,
    models_of_task,
    point_to_train,
    session_models,
    shipped_models,
    side_by_side_default,
    task_title,
)
from ui.scores import accuracy, aspect_file_predictions, evaluation, predictions, trajectory_table
from ui.sources import Picked, data_hash, demo_files, pick_data, train_corpora
from ui.widgets import (
    CLASS_BACKGROUNDS,
    cell_table,
    chart,
    example_sentences,
    highlighted,
    mask_rows,
    parameter_table,
    polarity_spans,
    review_summary,
    rounded,
    sentence_input,
    show_problems,
    sidebar,
    table,
    tag_table,
)

__all__ = [
    "CLASS_BACKGROUNDS",
    "DEFAULT_SENTENCE",
    "DEMO_DIR",
    "TRAIN_PAGE",
    "ModelEntry",
    "Picked",
    "TrainJob",
    "accuracy",
    "all_models",
    "any_model",
    "aspect_file_predictions",
    "card_line",
    "cell_table",
    "chart",
    "clean_name",
    "collect_finished_training",
    "comparison_default",
    "config",
    "current_job",
    "current_model",
    "data_hash",
    "demo_files",
    "error_message",
    "evaluation",
    "example_sentences",
    "experiments",
    "follow_link",
    "get_predictor",
    "highlighted",
    "how_it_ended",
    "keep_in_link",
    "link_view",
    "links",
    "mask_rows",
    "model_for_task",
    "models_of_task",
    "next_model_name",
    "parameter_table",
    "pick_data",
    "point_to_train",
    "polarity_spans",
    "predictions",
    "presenting",
    "progress_text",
    "review_summary",
    "rounded",
    "secondary",
    "sentence_input",
    "session_models",
    "shipped_models",
    "show_problems",
    "side_by_side_default",
    "sidebar",
    "spans_for_terms",
    "start_training",
    "state",
    "table",
    "tag_table",
    "task_title",
    "teaching",
    "train_corpora",
    "train_form_defaults",
    "trained_zip",
    "trajectory_table",
    "user_errors",
    "write_link",
]
