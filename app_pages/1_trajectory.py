"""Sentiment trajectory: how a sentiment model's belief moves word by word, model against model."""

from __future__ import annotations

import streamlit as st

import ui
from seqcore import plots

EXAMPLES = [
    ui.DEFAULT_SENTENCE,
    "The plot is thin, but the acting is wonderful.",
    "I expected a masterpiece and got a dull, tired mess.",
    "Not good.",
    "It is not that the film is bad; it is simply forgettable.",
    "A gorgeous, moving and surprisingly funny story.",
]

st.title("📈 Sentiment trajectory")
st.write(
    "A whole-sentence sentiment model reads a sentence left to right. Here you see what it would answer "
    "if the sentence stopped after each word: the probability of every class after word 1, 2, 3 and so on. "
    "Put two or three models side by side (a plain RNN, a GRU, an LSTM) to see which ones change their mind at *but* or *not*."
)

models = ui.models_of_task("sentiment")
if not models:
    ui.point_to_train(
        "No sentiment model is available: none is shipped in models/ and none was trained in this session.",
        "Train a sentiment model on the Train page",
    )
    st.stop()

ui.link_view(ui.current_model(), text="traj_sentence")
ui.example_sentences("traj_example", "traj_sentence", EXAMPLES)
text = ui.sentence_input("traj_sentence", "Sentence (type your own and press Enter)")

by_key = {m.key: m for m in models}
chosen = st.multiselect(
    f"Models to compare (up to {ui.config.COMPARED_MODELS})",
    list(by_key),
    default=ui.comparison_default(models),
    max_selections=ui.config.COMPARED_MODELS,
    key="traj_models",
    format_func=lambda k: f"{by_key[k].label} · {by_key[k].cell.upper()}",
)
if not chosen:
    st.info("Choose at least one model.")
    st.stop()

runs = {}
with ui.user_errors("The sentence could not be read"):
    for k in chosen:
        entry = by_key[k]
        runs[f"{entry.name} ({entry.cell.upper()})"] = ui.get_predictor(entry).trajectory(text)

if runs:
    tokens = next(iter(runs.values())).tokens
    labels = sorted({lab for run in runs.values() for lab in run.labels})
    shown = ui.secondary().multiselect("Classes to draw", labels, default=labels, key="traj_classes")
    fig = plots.trajectory_figure(tokens, {n: (run.labels, run.probs) for n, run in runs.items()}, classes=shown)
    ui.chart(
        fig,
        "Each line is one model's probability of one class after reading the sentence up to that word "
        "(colour: class, dash: model). Hover a point for its word and value.",
        key="traj_chart",
    )

    cols = st.columns(len(runs))
    for col, (name, run) in zip(cols, runs.items()):
        label, p = run.final()
        col.metric(name, label, f"P = {p:.3f} after the whole sentence", delta_color="off", delta_arrow="off")

    st.subheader("Word by word")
    ui.table(
        ui.trajectory_table(runs),
        "trajectory",
        key="traj_table",
        caption="One row per word: each model's class probabilities after reading up to and including that word.",
    )
