"""seqcore.presenter: a figure made for a projector, checked on the figure objects (the browser test measures the drawing)."""

from __future__ import annotations

import re

import numpy as np

from seqcore import plots
from seqcore.presenter import FONT, LINE_PX, WIDE_CHART_PX, for_projector, plot_width, title_text, wrap

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
    # Not a count of columns but whether the words fit: 12 short words keep theirs, one long word among them does not.
    short = ["a", "b", "c", "d", "is", "it", "no", "so", "to", "up", "we", "ok"]
    assert for_projector(plots.saliency_figure(short, {"ig": np.zeros(12)}, "positive")).data[0].texttemplate == "%{text}"
    long = short[:-1] + ["wonderful"]
    assert for_projector(plots.saliency_figure(long, {"ig": np.zeros(12)}, "positive")).data[0].texttemplate == ""
    few = ["not", "bad", "at", "all"]
    assert for_projector(plots.saliency_figure(few, {"ig": np.zeros(4)}, "positive")).data[0].texttemplate == "%{text}"
    assert sal.layout.height >= len("attribution to logit(positive)") * FONT * 0.6  # its colour bar's title fits beside it


def test_log_axes_label_decades_only_and_titles_read_as_text():
    lines = {"GRU · trained": np.logspace(-5, 0, 15)}
    fig = for_projector(plots.gradient_norm_figure(TOKENS, lines, "a &lt;b&gt; title"))
    assert fig.layout.yaxis.dtick == 1  # 10^k only: Plotly draws its 2 and 5 labels smaller than the font
    assert title_text(fig) == "a <b> title"
    deep = for_projector(plots.gradient_norm_figure(TOKENS, {"RNN": np.logspace(-11, 0, 15)}, "t"))
    under = len("14: word14") * FONT * 0.6 + FONT * 3 + 40  # the longest word label turned, the axis title, a margin
    plot_px = deep.layout.height - deep.layout.margin.t - under
    assert plot_px >= 12 * FONT * LINE_PX  # 12 decades, each labelled a line apart: the figure grew for them
    assert wrap("one two three four", 9) == "one two<br>three<br>four"


def test_a_chart_too_narrow_for_every_word_says_which_words_it_labels():
    tokens = [f"w{k}" for k in range(60)]  # the Gates window's most words
    fig = for_projector(plots.gate_heatmap(np.full((60, 4), 0.5), tokens, "gru", "z"))
    shown = [t for t in fig.layout.xaxis.ticktext if t]
    title = fig.layout.xaxis.title.text.replace("<br>", " ")  # a long axis title is written on two lines
    every = int(re.search(r"\(1 word in (\d+) labelled: too many for the width", title)[1])
    assert len(shown) == len(range(0, 60, every))
    width = plot_width(fig, FONT)
    assert width < WIDE_CHART_PX  # the colour bar and the row labels take their share of the page
    assert width / 60 * every >= FONT * LINE_PX  # labelled words stand a line's height apart
    assert width / 60 * (every - 1) < FONT * LINE_PX  # and no more are left out than must be
    assert all(len(line) <= 70 for line in fig.layout.xaxis.title.text.split("<br>"))
    long = for_projector(plots.gate_heatmap(np.full((300, 4), 0.5), [f"w{k}" for k in range(300)], "gru", "z"))
    title = long.layout.xaxis.title.text.replace("<br>", " ")  # 300 words: the figure labels 1 in 5, the room fewer
    shown = [v for v, t in zip(long.layout.xaxis.tickvals, long.layout.xaxis.ticktext) if t]
    every = int(re.search(r"\(1 word in (\d+) labelled", title)[1])
    assert title.count("labelled") == 1 and shown == list(range(0, 300, every))
    few = for_projector(plots.gate_heatmap(np.full((15, 4), 0.5), tokens[:15], "gru", "z"))
    assert all(few.layout.xaxis.ticktext) and "labelled" not in few.layout.xaxis.title.text  # 15 words: every one
