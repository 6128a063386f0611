"""Plotly figure builders for the app: pure functions from numbers to figures, no streamlit.

Every figure has a title, axis titles with units, and a hover template that names the values
under the pointer. Words sit on a numeric axis (their position) labelled with the word itself,
so a word that occurs twice keeps two places.

Plotly draws a subset of HTML in every text it shows (tick labels, legends, hover labels): words,
aspect terms, class labels and model names come from users, so they pass through `plotly_text`,
which escapes them (Plotly shows `&lt;b&gt;` as the text `<b>`).

One module per view: `base` (what every figure shares), `trajectory`, `gates`, `scores`, `tasks`,
`teaching`, `explain`; every builder is importable from `seqcore.plots` as before.
"""

from __future__ import annotations

from seqcore.plots.base import (
    BAR_PATTERNS,
    CLASS_COLORS,
    DASHES,
    PALETTE,
    SYMBOLS,
    WORD_AXIS,
    _layout,
    _named_hline,
    _texts,
    class_color,
    plotly_text,
    word_ticks,
)
from seqcore.plots.explain import (
    AGAINST,
    SALIENCY_SCALE,
    SIGNED,
    TOWARDS,
    pattern_figure,
    saliency_figure,
    unit_label,
    units_figure,
)
from seqcore.plots.gates import gate_heatmap, gates_grid, saturation_compare_figure, saturation_figure, unit_figure
from seqcore.plots.scores import confusion_figure, per_class_figure, row_normalize, training_figure
from seqcore.plots.tasks import aspect_probs_figure, mask_figure, step_figure, tag_figure
from seqcore.plots.teaching import (
    gradient_norm_figure,
    gradient_panels_figure,
    masking_figure,
    memory_figure,
    padded_batch_figure,
    readout_figure,
)
from seqcore.plots.trajectory import _slot_label, align_tokens, edit_trajectory_figure, trajectory_figure

__all__ = [
    "AGAINST",
    "TOWARDS",
    "BAR_PATTERNS",
    "CLASS_COLORS",
    "DASHES",
    "PALETTE",
    "SALIENCY_SCALE",
    "SIGNED",
    "SYMBOLS",
    "WORD_AXIS",
    "_layout",
    "_named_hline",
    "_slot_label",
    "_texts",
    "align_tokens",
    "aspect_probs_figure",
    "class_color",
    "confusion_figure",
    "edit_trajectory_figure",
    "gate_heatmap",
    "gates_grid",
    "gradient_norm_figure",
    "gradient_panels_figure",
    "mask_figure",
    "masking_figure",
    "memory_figure",
    "padded_batch_figure",
    "pattern_figure",
    "per_class_figure",
    "plotly_text",
    "readout_figure",
    "row_normalize",
    "saliency_figure",
    "saturation_compare_figure",
    "saturation_figure",
    "step_figure",
    "tag_figure",
    "training_figure",
    "trajectory_figure",
    "unit_figure",
    "unit_label",
    "units_figure",
    "word_ticks",
]
