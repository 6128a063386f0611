"""seqcore.presenter: a figure made for a projector, checked on the figure objects (the browser test measures the drawing)."""

from __future__ import annotations

import numpy as np

from seqcore import plots
from seqcore.presenter import FONT, for_projector, title_text, wrap

TOKENS = [f"word{k}" for k in range(15)]


def test_every_text_is_at_least_the_projector_font():
    fig = for_projector(plots.trajectory_figure(TOKENS, {"GRU": (["negative", "positive"], np.full((15, 2), 0.5))}))
    assert fig.layout.font.size >= FONT and fig.layout.legend.font.size >= FONT and fig.layout.title.font.size >= FONT
    assert fig.layout.xaxis.tickfont.size >= FONT and fig.layout.yaxis.title.font.size >= FONT
    assert fig.layout.xaxis.tickangle == -90  # 15 words: written vertically, so neighbours never touch


def test_every_row_is_labelled_and_the_figure_grows_for_it():
    rows = [{"layer": 0, "direction": "forward", "unit": u, "score": 1 / (u + 1), "contribution": 0.1} for u in range(20)]
    before = plots.units_figure(rows).layout.height
    fig = for_projector(plots.units_figure(rows))
    assert fig.layout.yaxis.dtick == 1 and fig.layout.yaxis.tickmode == "linear"
    assert fig.layout.height >= 20 * FONT * 1.5 > before


def test_the_legend_covers_nothing_and_notes_are_in_it():
    short = for_projector(plots.memory_figure([10, 30], {"rnn": [1.0, 0.5], "gru": [1.0, 1.0]}))
    assert short.layout.legend.x > 1 and short.layout.legend.xanchor == "left"  # beside the plot
    long = for_projector(plots.readout_figure({"last relevant step (right)": 0.8, "step 0 (the Theano bug)": 0.6}, 0.52))
    legend = long.layout.legend
    assert legend.orientation == "h" and legend.yref == "container" and legend.yanchor == "top"
    assert long.layout.margin.t > FONT * 1.6  # the plot starts below the legend's rows
    assert not long.layout.annotations  # "majority class" is a legend entry, not a note on the bars


def test_long_categories_wrap_and_narrow_cells_lose_their_words():
    fig = for_projector(plots.readout_figure({"last relevant step (right)": 0.8, "last padded position (wrong)": 0.7}))
    assert all("<br>" in t for t in fig.layout.xaxis.ticktext) and fig.layout.xaxis.tickangle == 0
    sal = for_projector(plots.saliency_figure(TOKENS, {"ig": np.linspace(-1, 1, 15)}, "positive"))
    assert sal.data[0].texttemplate == ""  # 15 columns: the words are on the axis and in the hover
    assert sal.layout.height >= len("attribution to logit(positive)") * FONT * 0.6  # its colour bar's title fits beside it


def test_log_axes_label_decades_only_and_titles_read_as_text():
    lines = {"GRU · trained": np.logspace(-5, 0, 15)}
    fig = for_projector(plots.gradient_norm_figure(TOKENS, lines, "a &lt;b&gt; title"))
    assert fig.layout.yaxis.dtick == 1  # 10^k only: Plotly draws its 2 and 5 labels smaller than the font
    assert title_text(fig) == "a <b> title"
    assert wrap("one two three four", 9) == "one two<br>three<br>four"


def test_a_chart_too_narrow_for_every_word_says_which_words_it_labels():
    tokens = [f"w{k}" for k in range(60)]  # the Gates window's most words
    fig = for_projector(plots.gate_heatmap(np.full((60, 4), 0.5), tokens, "gru", "z"))
    shown = [t for t in fig.layout.xaxis.ticktext if t]
    assert len(shown) == 30 and "(1 word in 2 labelled: too many for the width" in fig.layout.xaxis.title.text
    few = for_projector(plots.gate_heatmap(np.full((15, 4), 0.5), tokens[:15], "gru", "z"))
    assert all(few.layout.xaxis.ticktext) and "labelled" not in few.layout.xaxis.title.text  # 15 words: every one
