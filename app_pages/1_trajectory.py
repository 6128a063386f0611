"""Sentiment trajectory: how a sentiment model's belief moves word by word, model against model."""

from __future__ import annotations

import streamlit as st

import ui
from seqcore import plots

EXAMPLES = list(ui.config.TRAJECTORY_EXAMPLES)  # each turns at not or but (docs/teaching.md: the turn, measured)

st.title("📈 Sentiment trajectory", help=ui.glossary.tip("RNN, GRU, LSTM", "P(class)"))
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

ui.link_view(ui.current_model(), text="traj_sentence", text2="traj_edit")
ui.example_sentences("traj_example", "traj_sentence", EXAMPLES)
text = ui.sentence_input("traj_sentence", "Sentence (type your own and press Enter)")

by_key = {m.key: m for m in models}
chosen = st.multiselect(
    f"Models drawn side by side (up to {ui.config.COMPARED_MODELS:d}; the sidebar's model, used by the other pages, starts first)",
    list(by_key),
    default=ui.trajectory_default(models),  # the SST models (phrase-level sentiment) when shipped
    max_selections=ui.config.COMPARED_MODELS,
    key="traj_models",
    format_func=lambda k: f"{by_key[k].label} · {by_key[k].cell.upper()}",
)
if not chosen:
    st.info("Choose at least one model.")
    st.stop()

runs = {}  # drawn name -> trajectory
run_of = {}  # model key -> trajectory
with ui.user_errors("The sentence could not be read"):
    for k in chosen:
        entry = by_key[k]
        # a cold server's first view: the warm-up's remembered answers, so no model (and no torch) is loaded yet
        runs[f"{entry.name} ({entry.cell.upper()})"] = run_of[k] = ui.trajectory_of(entry, text)

if runs:
    tokens = next(iter(runs.values())).tokens
    labels = sorted({lab for run in runs.values() for lab in run.labels})
    shown = ui.secondary(what="classes drawn").multiselect("Classes to draw", labels, default=labels, key="traj_classes")
    fig = plots.trajectory_figure(tokens, {n: (run.labels, run.probs) for n, run in runs.items()}, classes=shown)
    ui.chart(
        fig,
        "Each line is one model's probability of one class after reading the sentence up to that word "
        "(colour: class, dash: model). Hover a point for its word and value.",
        key="traj_chart",
    )
    st.caption(ui.plain(ui.trajectory_note([by_key[k] for k in chosen])))  # what a point means, one or two directions

    cols = st.columns(len(runs))
    for col, (name, run) in zip(cols, runs.items()):
        label, p = run.final()
        col.metric(ui.plain(name), ui.plain(label), f"P = {p:.3f} after the whole sentence", delta_color="off", delta_arrow="off")

    st.subheader("Word by word")
    ui.table(
        ui.trajectory_table(runs),
        "trajectory",
        key="traj_table",
        caption="One row per word: each model's class probabilities after reading up to and including that word.",
    )

if not runs:
    st.stop()
st.header("A closer look at one model")
left, right = st.columns(2)
explained = left.selectbox(
    "Model to explain (one of those drawn above)",
    [k for k in chosen if k in run_of],
    key="traj_explain_model",
    format_func=lambda k: f"{by_key[k].label} · {by_key[k].cell.upper()}",
)
with right:
    edit = ui.capped(ui.edited_copy_input(text, "traj_edit", "Edited copy, for before and after (empty: no comparison)"))
entry = by_key[explained]
comparing = bool(edit.strip()) and edit.strip() != text.strip()

with st.container(key="traj_saliency_section"):
    st.subheader("Which words drove the answer", help=ui.glossary.tip("integrated gradients", "completeness", "logit"))
    with ui.user_errors("The words could not be explained"):
        focus = ui.pick_focus(ui.ModelHead(entry.task, run_of[explained].labels), text, "traj_focus")
        # the model is loaded only once the toggle is on
        ui.show_saliency(entry, None, {"original": text, **({"edited": edit} if comparing else {})}, focus, "traj_saliency")

with st.container(key="traj_before_after"):
    st.subheader("Before and after")
    if not comparing:
        st.info("Type an edited copy of the sentence above (change, add or drop a word) to compare the two.")
    else:  # no st.stop(): the sidebar's last lines and the link are drawn after the page
        with ui.user_errors("The edited sentence could not be read"):
            predictor = ui.get_predictor(entry)
            before, after = run_of[explained], predictor.trajectory(edit)
            ui.chart(
                plots.edit_trajectory_figure((before.tokens, after.tokens), before.labels, (before.probs, after.probs), shown),
                f"{ui.plain(entry.name)}: P(class) after each word of the original (solid) and of the edited copy (dashed), words aligned: "
                "+ marks an inserted word, − a dropped one, a→b a replaced one. Hover a point for its word and value.",
                key="traj_edit_chart",
            )
            for col, name, run in zip(st.columns(2), ("Original", "Edited copy"), (before, after)):
                label, p = run.final()
                col.metric(
                    ui.plain(name), ui.plain(label), f"P = {p:.3f} after the whole sentence", delta_color="off", delta_arrow="off"
                )
            rows = ui.state_change_rows(entry, predictor, text, edit)
            ui.chart(
                plots.units_figure(rows, by="final", title=f"{entry.name}: units whose final state moved most with the edit"),
                "Each bar is one hidden unit's final state after the edit minus before it (the state the model answers from: "
                "after the last word reading forward, after the first reading backward); green went up, purple (hatched) went down.",
                key="traj_edit_units_chart",
            )
            ui.table(
                ui.rounded(rows, 5),
                "final_state_change",
                key="traj_edit_units",
                caption="The units whose final state moved most: before, after, and the difference (state units).",
            )
