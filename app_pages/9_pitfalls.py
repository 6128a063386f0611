"""Pitfalls: the classic mistakes with padded batches, live on real models: the wrong readout step, padding counted
in a tagger's loss, and one output against one output per word."""

from __future__ import annotations

import streamlit as st

import ui
from seqcore import plots
from seqcore.pitfalls import READOUT_TITLES, READOUTS

st.title("🕳️ Pitfalls", help=ui.glossary.tip("batch", "padding", "the Theano bug"))
st.write(
    "A batch of sentences is a rectangle: the shorter ones are filled up with padding to the longest. Three mistakes "
    "follow from that, and each one still runs without an error. This project grew out of a course whose Theano GRU "
    "classified every sentence from its first word, and whose loss counted the padding. Here each mistake is made on "
    "purpose, on a real trained model, so you can see what it costs."
)
ui.link_view(ui.current_model(), text="pit_sentence", aspect="pit_terms")

# ------------------------------------------------------------------ 1. readouts
st.header("1. Reading the sentence at the wrong step", help=ui.glossary.tip("majority class"))
st.write(
    "A sentence classifier must read each sentence where it ends. The same trained model, on the same batches, read "
    "three ways: at each sentence's **last real word** (right), at the **last padded position** (as if the lengths were "
    "forgotten), and at **step 0** (the first word only: the Theano bug)."
)
found = ui.model_for_task("sentiment", key="pit_model", note=False)
if found is not None:
    entry, predictor = found
    data = ui.pick_data(
        "sentiment",
        "pit_source",
        ["test", "dev", "demo", "upload"],
        entry=entry,
        labels=predictor.labels,
        radio_label="Read out on",
        horizontal=True,
        keys={"demo": "pit_demo", "upload": "pit_upload"},
    )
    ui.show_problems(data, "pit_problems", data.title or "the file")
    if data.examples and data.data_key:
        with ui.user_errors("The readouts could not be computed"):
            comparison = ui.teaching.readout_comparison(entry, predictor, data.data_key, data.examples)
            cols = st.columns(len(READOUTS))
            for col, r in zip(cols, READOUTS):
                col.metric(
                    ui.plain(READOUT_TITLES[r]),
                    f"{comparison.accuracy[r]:.1%}",
                    f"{comparison.correct[r]:d} of {comparison.n:d} sentences right",
                    delta_color="off",
                    delta_arrow="off",
                )
            ui.chart(
                plots.readout_figure(
                    {READOUT_TITLES[r]: comparison.accuracy[r] for r in READOUTS}, ui.teaching.majority_share(data.examples)
                ),
                f"Accuracy of {ui.plain(entry.name)} on {ui.plain(data.title)} ({comparison.n:d} sentences) under each "
                f"readout: {ui.plain(comparison.order)}; {comparison.padding_share:.0%} of the cells in these batches are padding. "
                "Dotted: what always answering the most common class scores.",
                key="pit_readouts",
            )
            st.markdown(
                "\n".join(f"- **{ui.plain(READOUT_TITLES[r])}**: {ui.plain(comparison.descriptions[r])}." for r in READOUTS)
            )
            batch = comparison.batch
            ui.chart(
                plots.padded_batch_figure(batch.tokens, batch.lengths, {READOUT_TITLES[r]: batch.positions[r] for r in READOUTS}),
                "One padded batch of the test order: one row per sentence, one column per step; grey cells are padding. "
                "The markers show where each readout takes the output it classifies (open markers: the backward direction).",
                key="pit_batch",
            )
            ui.table(
                ui.teaching.batch_rows(comparison),
                "padded_batch",
                key="pit_batch_table",
                caption="The drawn batch: each sentence's length, the padded length, its gold label and each readout's answer.",
            )
            ui.table(comparison.rows(), "readouts", key="pit_readout_table", caption="The three readouts, in numbers.")

# ------------------------------------------------------------------ 2. masking
st.header("2. Counting the padding in a tagger's loss", help=ui.glossary.tip("masked", "loss", "nats"))
st.write(
    "A tagger predicts a label at every position, padding included. The loss and the accuracy must skip the padded "
    "positions (a mask). Counted in, the padding carries whatever label the label tensor was filled with (class 0), "
    "so the numbers move with the amount of padding while the predictions on the real words stay the same."
)
found = ui.model_for_task("tagging", key="pit_tag_model", note=False)
if found is not None:
    tag_entry, tagger = found
    tag_data = ui.pick_data(
        "tagging",
        "pit_tag_source",
        ["test", "dev", "upload"],
        entry=tag_entry,
        labels=tagger.labels,
        radio_label="Tagged sentences",
        horizontal=True,
        keys={"upload": "pit_tag_upload"},
    )
    ui.show_problems(tag_data, "pit_tag_problems", tag_data.title or "the file")
    if tag_data.examples and tag_data.data_key:
        with ui.user_errors("The masking comparison could not be computed"):
            rows = ui.teaching.masking_rows(tag_entry, tagger, tag_data.data_key, tag_data.examples)
            first, most = rows[0], rows[-1]
            c1, c2, c3 = st.columns(3)
            c1.metric(
                "Accuracy, padding masked",
                f"{first['masked_accuracy']:.1%}",
                "the same at every padding",
                delta_color="off",
                delta_arrow="off",
            )
            c2.metric(
                "Accuracy, padding counted",
                f"{most['counted_accuracy']:.1%}",
                f"{most['padding_share']:.0%} padding, labelled {ui.plain(most['pad_label'])}",
                delta_color="off",
                delta_arrow="off",
            )
            c3.metric(
                "Loss, masked vs counted",
                f"{first['masked_loss']:.3f} vs {most['counted_loss']:.3f}",
                "nats per position",
                delta_color="off",
                delta_arrow="off",
            )
            left, right = st.columns(2)
            with left:
                ui.chart(
                    plots.masking_figure(rows, "accuracy"),
                    f"The same {first['rows']:d} sentences ({first['real_tokens']:d} real words) padded to 1, 2, 4 and 8 times "
                    "their longest sentence. Masked, the accuracy stays; counted, it sinks (padding labelled class 0) or "
                    "climbs towards 100% (a model that learned to predict the padding label there).",
                    key="pit_mask_accuracy",
                )
            with right:
                ui.chart(
                    plots.masking_figure(rows, "loss"),
                    "The mean cross-entropy over the same predictions: masked it is the loss on the real words; counted, "
                    "the padding's loss swamps it.",
                    key="pit_mask_loss",
                )
            ui.table(rows, "masking", key="pit_mask_table", caption="Every padding step: masked and counted loss and accuracy.")

# ------------------------------------------------------------------ 3. paradigms
st.header("3. One output, or one per word", help=ui.glossary.tip("many-to-one, many-to-many", "tensor shape"))
st.write(
    "A sentence classifier is **many-to-one**: its states are pooled into one vector and one prediction. A tagger is "
    "**many-to-many**: every state goes to the output head. The shapes below are read off the real tensors of the "
    "sidebar's model for your sentence, beside the shapes the same weights give when read the other way."
)
found = ui.any_model()
if found is not None:
    entry, predictor = found
    text = ui.sentence_input("pit_sentence", "Sentence (press Enter to apply)")
    with ui.user_errors("The shapes could not be computed"):
        terms = None
        if entry.task == "aspect":
            example, _ = predictor.example(text)
            terms = ui.terms_input("pit_terms", text, example.tokens)
        shapes = ui.teaching.paradigm(entry, predictor, text, terms)
        left, right = st.columns(2)
        with left:
            st.subheader(f"This model: {ui.plain(shapes.kind)}")
            st.caption(ui.plain(shapes.explanation.capitalize()) + ".")
            if not ui.presenting():  # presenter mode: the labelled list below instead of the bare chain
                st.code(ui.teaching.shape_line(shapes.stages), language=None, wrap_lines=True)
            ui.table(
                shapes.stages,
                "shapes",
                key="pit_shapes",
                caption="Every stage of the forward pass (B = 1 sentence).",
                summary=ui.teaching.shape_summary(shapes.stages),
            )
        with right:
            st.subheader(f"The same weights, {ui.plain(shapes.other_kind)}")
            st.caption("Untrained for this reading: only the shapes are the lesson.")
            if not ui.presenting():
                st.code(ui.teaching.shape_line(shapes.other_stages), language=None, wrap_lines=True)
            ui.table(
                shapes.other_stages,
                "other_shapes",
                key="pit_other_shapes",
                caption="The other paradigm's last stages.",
                summary=ui.teaching.shape_summary(shapes.other_stages),
            )
