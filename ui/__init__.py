"""The app's side of the seam: everything streamlit-side that pages share, in small modules.

- `ui.models`: the model registry (shipped + this session's), cached loaders, card lines, model pickers.
- `ui.sources`: the one data picker (test set, dev split, corpus, demo file, upload) and cached parsers.
- `ui.scores`: a model's predictions and metrics on labeled data, cached by model and data.
- `ui.explain`: what to explain (aspect, token, class, word range) and which units matter, cached.
- `ui.saliency`: which words drove the answer (integrated gradients, on demand) and before/after, cached.
- `ui.search`: hidden-state search: a corpus's states computed once per model and corpus, matches highlighted.
- `ui.selection`: chart clicks (a confusion cell) read as the page's choice.
- `ui.jobs`: training in a child process (a capped pool per server), its progress, and keeping its model.
- `ui.trainer`: the server's pool and the page runs its children step aside for (`page_work`).
- `ui.uploads`: a model zip uploaded (treated as hostile) joins this session's models.
- `ui.widgets`: the sidebar, the sentence box, tables with CSV downloads, charts, problem lists, highlights.
- `ui.links`: a view's state in the URL (links that reproduce it) and presenter mode.
- `ui.presenter`: presenter mode's charts: text for a projector, the title as a heading above the chart.
- `ui.teaching`: the teaching pages' numbers (gradient flow, readouts, masking, shapes), cached.
- `ui.projector`: the embedding projector's vectors (before/after training), 2-D layouts (t-SNE computed once) and class leans, cached.
- `ui.experiments`: the memory experiment in a child process, with progress, Stop and results kept per settings.
- `ui.celllab`: the cell lab (variants trained over seeds) in a child process, the same way.
- `ui.errors`: exceptions shown as one red line, never a traceback.
- `ui.text`: user strings as plain text in Markdown (`plain`; `md_plain`, stricter, inside a sentence) and in HTML (`html_text`).
- `ui.windows`: draw at most a bounded number of words and units at once (the Gates page's window).
- `ui.state`: every read and write of the session state, through small typed functions.
- `ui.config`: paths, and the app's own defaults and limits, named once.
- `ui.preloaded`: the models the server's warm-up (`ui.warmup`) loaded, handed once to the first run that asks.
- `ui.glossary`: one plain sentence per technical term: the pages' tooltips, the sidebar's glossary, docs/glossary.md.

Importing `ui` loads neither torch nor spaCy: seqcore's heavy modules are imported inside the
functions that need them, so the sidebar draws (from the models' JSON cards) before any model loads.
"""

from __future__ import annotations

from ui import celllab, config, experiments, glossary, links, projector, state, teaching, windows
from ui.config import DEFAULT_SENTENCE, DEMO_DIR, TRAIN_PAGE
from ui.domains import file_domain, for_labels, model_for_file, trajectory_default
from ui.errors import error_message, user_errors
from ui.explain import (
    Focus,
    ModelHead,
    default_span,
    pick_focus,
    ranked_rows,
    ranked_unit_slider,
    sentence_tokens,
    show_ranking,
    shown_units,
    terms_input,
    text_key,
    top_units_input,
    unit_ranking,
    word_range,
)
from ui.jobs import (
    TrainJob,
    clean_name,
    collect_session_models,
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
    freeze_long_lived,
    get_predictor,
    model_for_task,
    models_of_task,
    point_to_train,
    session_models,
    shipped_models,
    side_by_side_default,
    task_title,
    trajectory_of,
)
from ui.parts import part
from ui.saliency import (
    draw_saliency,
    edited_copy_input,
    negation_edit,
    saliency_rows,
    show_saliency,
    state_change_rows,
    word_saliency,
)
from ui.scores import accuracy, aspect_file_predictions, evaluation, predictions, trajectory_note, trajectory_table
from ui.search import (
    SEARCH_KINDS,
    corpus_sentences,
    corpus_states_for,
    find_matches,
    fitting_sentences,
    match_html,
    match_rows,
    show_matches,
    units_of,
)
from ui.selection import clickable_chart, clicked_cell, follow_clicked_cell
from ui.sources import Picked, data_hash, demo_files, pick_data, train_corpora
from ui.text import html_text, md_plain, plain
from ui.trainer import page_work
from ui.uploads import model_zip_upload
from ui.widgets import (
    CLASS_BACKGROUNDS,
    capped,
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
    sidebar_device,
    skipped_text,
    table,
    tag_table,
)
from ui.windows import Window, gate_window_heatmap, window

__all__ = [
    "CLASS_BACKGROUNDS",
    "DEFAULT_SENTENCE",
    "DEMO_DIR",
    "Focus",
    "ModelEntry",
    "Picked",
    "SEARCH_KINDS",
    "TRAIN_PAGE",
    "TrainJob",
    "Window",
    "accuracy",
    "all_models",
    "any_model",
    "aspect_file_predictions",
    "capped",
    "card_line",
    "cell_table",
    "celllab",
    "chart",
    "clean_name",
    "clickable_chart",
    "clicked_cell",
    "collect_session_models",
    "comparison_default",
    "config",
    "corpus_sentences",
    "corpus_states_for",
    "current_job",
    "current_model",
    "data_hash",
    "default_span",
    "demo_files",
    "draw_saliency",
    "edited_copy_input",
    "error_message",
    "evaluation",
    "file_domain",
    "for_labels",
    "gate_window_heatmap",
    "glossary",
    "example_sentences",
    "experiments",
    "projector",
    "find_matches",
    "fitting_sentences",
    "follow_clicked_cell",
    "follow_link",
    "freeze_long_lived",
    "get_predictor",
    "trajectory_of",
    "highlighted",
    "html_text",
    "how_it_ended",
    "keep_in_link",
    "link_view",
    "links",
    "mask_rows",
    "match_html",
    "match_rows",
    "md_plain",
    "model_for_task",
    "model_for_file",
    "model_zip_upload",
    "page_work",
    "part",
    "models_of_task",
    "negation_edit",
    "next_model_name",
    "parameter_table",
    "pick_data",
    "ModelHead",
    "pick_focus",
    "plain",
    "point_to_train",
    "polarity_spans",
    "predictions",
    "presenting",
    "progress_text",
    "ranked_rows",
    "ranked_unit_slider",
    "review_summary",
    "rounded",
    "saliency_rows",
    "secondary",
    "sentence_input",
    "terms_input",
    "sentence_tokens",
    "session_models",
    "shipped_models",
    "show_matches",
    "show_problems",
    "show_ranking",
    "show_saliency",
    "shown_units",
    "side_by_side_default",
    "sidebar",
    "sidebar_device",
    "spans_for_terms",
    "skipped_text",
    "start_training",
    "state",
    "state_change_rows",
    "table",
    "tag_table",
    "task_title",
    "teaching",
    "text_key",
    "top_units_input",
    "train_corpora",
    "train_form_defaults",
    "trained_zip",
    "trajectory_default",
    "trajectory_note",
    "trajectory_table",
    "unit_ranking",
    "units_of",
    "user_errors",
    "word_range",
    "word_saliency",
    "write_link",
    "window",
    "windows",
]
