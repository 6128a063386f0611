"""Hidden-state search (LSTMVis's idea): the units on over a word range, and where else in a corpus they fire."""

from __future__ import annotations

import streamlit as st

import ui
from seqcore import plots
from seqcore.search import THRESHOLD
from seqcore.traces import DIRECTIONS

st.title("🔎 Hidden-state search", help=ui.glossary.tip("hidden-state search", "threshold", "layer-direction", "hidden unit"))
st.write(
    "Select a few words of a sentence. The hidden units that are **on** over them (state above a threshold) and "
    "**off** just before them form a pattern: what the model writes into its memory for those words. Then search a "
    "corpus for other places where the same units fire together: they show what those units respond to "
    "(an idea of LSTMVis, Strobelt et al. 2017)."
)

picked = ui.any_model()
if picked is None:
    st.stop()
entry, predictor = picked
cfg = predictor.model.cfg

ui.link_view(entry, text="search_sentence")
text = ui.sentence_input("search_sentence", "Sentence (press Enter to apply)")
tokens: list[str] = []
with ui.user_errors("The sentence could not be read"):
    tokens = ui.sentence_tokens(predictor, text)
if not tokens:
    st.stop()

span = ui.word_range(
    tokens,
    "search_span",
    "Words to select (token range I:J, end exclusive)",
    help="Drag both ends. The pattern: units on at every selected word and off just before the range in their reading order.",
)

c1, c2, c3, c4 = st.columns(4)
low, high, step = ui.config.SEARCH_THRESHOLD.low, ui.config.SEARCH_THRESHOLD.high, ui.config.SEARCH_THRESHOLD.step
threshold = c1.slider(
    "On above (state threshold)",
    low,
    high,
    THRESHOLD,
    step,
    key="search_threshold",
    help="A unit is on when its state h is above this value (states lie between -1 and 1). Higher: fewer, clearer units.",
)
layer_choice = c2.selectbox(
    "Layer",
    ["every", *range(cfg.num_layers)],
    key="search_layer",
    format_func=lambda k: f"{k} layer" if k == "every" else f"layer {k}",
)
direction_choice = c3.selectbox(
    "Direction",
    ["both", *DIRECTIONS[: cfg.num_directions]],
    key="search_direction",
    format_func=lambda d: "both directions" if d == "both" else d,
    disabled=cfg.num_directions == 1,
)
layer = None if layer_choice == "every" else int(layer_choice)
direction = None if direction_choice == "both" else str(direction_choice)
top_range = ui.config.SEARCH_TOP_RANGE
top = int(
    c4.number_input(
        "Matches to list", int(top_range.low), int(top_range.high), ui.config.SEARCH_TOP, int(top_range.step), key="search_top"
    )
)

st.subheader("Where to search")
data = ui.pick_data(
    entry.task,
    "search_source",
    ui.SEARCH_KINDS,
    entry=entry,
    radio_label="Corpus",
    keys={"demo": "search_demo", "upload": "search_upload"},
    need_label=False,
)
ui.show_problems(data, "search_problems", data.title or "the file", skipped=False)
corpus = None
with ui.user_errors("The corpus could not be read"):
    corpus = ui.corpus_sentences(entry, data)
if corpus is None:
    st.stop()
corpus_key, sentences = corpus
fits = ui.fitting_sentences(sentences, ui.units_of(predictor))
if fits < len(sentences):
    st.warning(
        f"The hidden states of all {len(sentences):,} sentences would pass {ui.config.SEARCH_STATES_MB:,} MB: "
        f"the first {fits:,} are searched."
    )
    sentences, corpus_key = sentences[:fits], f"{corpus_key}:first-{fits}"

found = None
with ui.user_errors("The search failed"):
    states = ui.corpus_states_for(entry, predictor, corpus_key, sentences)
    found = ui.find_matches(predictor, text, states, span, threshold, layer, direction, top)
if found is None:
    st.stop()
pattern, matches = found.pattern, found.matches

m1, m2, m3 = st.columns(3)
m1.metric("Pattern size", f"{len(pattern)} units", help="Units on over the selected words and off just before them.")
m2.metric(
    "Sentences searched", f"{len(states):,}", f"{states.nbytes / 1e6:.1f} MB of states", delta_color="off", delta_arrow="off"
)
m3.metric("Matches listed", len(matches))
if found.near_misses:
    st.info(
        "No unit is on over every selected word and off just before them at this threshold: "
        "lower the threshold, select fewer words, or choose another layer or direction. "
        "The chart shows the units that come closest (the highest lowest state over the selected words)."
    )
what = "one of the units closest to a pattern" if found.near_misses else "one unit of the pattern"
title = f"No pattern: the {len(found.names)} units closest to one" if found.near_misses else None
ui.chart(
    plots.pattern_figure(found.tokens, found.states, found.names, span, threshold, title),
    f"Each line is {ui.plain(what)}: its state after each word of your sentence. A pattern unit is above the dashed threshold "
    "at every shaded word and below it just before them (the word on the left for forward units, on the right for "
    "backward ones). Hover a line for its unit and value.",
    key="search_pattern_chart",
)
if found.near_misses:
    st.stop()
with st.container(key="search_matches"):
    st.subheader("Where the same units fire")
    ui.show_matches(matches, len(pattern))
    st.caption(
        "Best first. Score: the weighted share of the pattern's units that are on over the window and off just before it "
        "(1.0 = all of them, all along); units matched: those on over the whole window and off before it."
    )
ui.table(
    ui.match_rows(matches),
    "search_matches",
    key="search_match_table",
    caption="The matches as a table: sentence id, matched words (tokens start:end), score and units matched.",
)
with st.expander(f"The pattern's {len(pattern)} units"):
    rows = [{**u, "weight": round(float(w), 4)} for u, w in zip(pattern.units, pattern.weights)]
    ui.table(
        rows,
        "search_pattern",
        key="search_pattern_table",
        caption="Each unit of the pattern and its weight: its mean state over the selected words minus the threshold.",
    )
