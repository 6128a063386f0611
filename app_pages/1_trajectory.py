"""Sentiment trajectory: how a sentiment model's belief moves word by word, model against model."""

from __future__ import annotations

import pandas as pd
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

models = [m for m in ui.all_models() if m.task == "sentiment"]
if not models:
    st.warning("No sentiment model is available: none is shipped in models/ and none was trained in this session.")
    st.page_link(ui.TRAIN_PAGE, label="Train a sentiment model on the Train page", icon="🏋️")
    st.stop()


def use_example() -> None:
    st.session_state["traj_sentence"] = st.session_state["traj_example"]
    st.session_state["current_sentence"] = st.session_state["traj_example"]


st.selectbox(
    "Pick an example sentence",
    EXAMPLES,
    key="traj_example",
    on_change=use_example,
    index=None,
    placeholder="Choose one, or type your own below",
)
text = ui.sentence_input("traj_sentence", "Sentence (type your own and press Enter)")

by_key = {m.key: m for m in models}
current = ui.current_model()
default: list[str] = []
if current is not None and current.key in by_key:
    default.append(current.key)
for cell in ("rnn", "gru", "lstm"):  # one model per cell, so the default compares the three cells
    if len(default) >= 3:
        break
    pick = next(
        (m.key for m in models if m.cell == cell and m.key not in default and all(by_key[d].cell != cell for d in default)), None
    )
    if pick:
        default.append(pick)
chosen = st.multiselect(
    "Models to compare (up to three)",
    list(by_key),
    default=default[:3],
    max_selections=3,
    key="traj_models",
    format_func=lambda k: f"{by_key[k].label} · {by_key[k].cell.upper()}",
)
if not chosen:
    st.info("Choose at least one model.")
    st.stop()

runs, errors = {}, []
with ui.user_errors("The sentence could not be read"):
    for k in chosen:
        entry = by_key[k]
        traj = ui.get_predictor(entry).trajectory(text)
        runs[f"{entry.name} ({entry.cell.upper()})"] = (traj.labels, traj.probs, traj.tokens)

if runs:
    tokens = next(iter(runs.values()))[2]
    labels = sorted({lab for labels, _, _ in runs.values() for lab in labels})
    shown = st.multiselect("Classes to draw", labels, default=labels, key="traj_classes")
    fig = plots.trajectory_figure(tokens, {n: (lab, p) for n, (lab, p, _) in runs.items()}, classes=shown)
    ui.chart(
        fig,
        "Each line is one model's probability of one class after reading the sentence up to that word "
        "(colour: class, dash: model). Hover a point for its word and value.",
        key="traj_chart",
    )

    cols = st.columns(len(runs))
    for col, (name, (labs, probs, _)) in zip(cols, runs.items()):
        k = int(probs[-1].argmax())
        col.metric(name, labs[k], f"P = {probs[-1, k]:.3f} after the whole sentence", delta_color="off", delta_arrow="off")

    rows = []
    for t, tok in enumerate(tokens):
        row = {"position": t, "word": tok}
        for name, (labs, probs, _) in runs.items():
            for c, lab in enumerate(labs):
                row[f"{name} P({lab})"] = round(float(probs[t, c]), 4)
            row[f"{name} predicts"] = labs[int(probs[t].argmax())]
        rows.append(row)
    st.subheader("Word by word")
    ui.table(
        pd.DataFrame(rows),
        "trajectory",
        key="traj_table",
        caption="One row per word: each model's class probabilities after reading up to and including that word.",
    )
