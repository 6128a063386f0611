"""Aspects: open a SemEval review file, see its problems, browse sentences, compare predicted and gold polarity."""

from __future__ import annotations

import streamlit as st

import ui
from seqcore import plots
from seqcore.batching import aspect_masks
from seqcore.inference import aspect_candidates, aspect_probs, aspect_rows, max_tokens, suggest_aspects

st.title("🍽️ Aspects", help=ui.glossary.tip("aspect term", "polarity", "SemEval"))
st.write(
    "An aspect model reads a whole review sentence and answers, for each aspect term in it (*the wine list*, *our waiter*), "
    "whether the sentence speaks of it positively, negatively or neutrally. The model is told where the aspect is by a "
    "binary mask over the tokens. Open a demo file or upload a SemEval ABSA file (2014 or 2015/2016 format)."
)

st.header("A review file")
data = ui.pick_data(  # read with the three aspect classes; a model of other classes re-reads it below
    "aspect",
    "asp_how",
    ["demo", "upload"],
    option_labels={"demo": "Open a demo file", "upload": "Upload a file"},
    values_are_labels=True,
    radio_label="Review file",
    upload_label="Review file",
    horizontal=True,
    keys={"demo": "asp_demo", "upload": "asp_upload"},
)
picked = ui.model_for_file("aspect", "asp_model", ui.file_domain(data))  # a model of the file's domain, unless the user chose
entry, predictor = picked if picked else (None, None)
linked = ui.link_view(entry, text="asp_own", aspect=None)  # the own sentence's terms are applied below
data = ui.for_labels(data, predictor.labels if predictor is not None else None)
review = data.parsed.review if data.parsed is not None else None

if review is not None:
    summary = ui.review_summary(review)
    cols = st.columns(3 if ui.presenting() else len(summary))  # a projector: three to a row, so no label is cut
    for k, (label, value) in enumerate(summary.items()):
        cols[k % len(cols)].metric(ui.plain(label), ui.plain(value))
    if data.problems:
        ui.show_problems(data, "asp_problems", review.source, skipped=False)
    else:
        st.success(f"{ui.plain(review.source)}: no problems found.")

    if not review.sentences:
        st.info("The file holds no readable sentence.")
    else:
        # ---------------------------------------------------------------- accuracy over the file
        rows: list[dict] = []
        if entry is not None and predictor is not None and data.examples is not None and data.data_key is not None:
            with ui.user_errors("The model could not score this file"):
                rows = ui.aspect_file_predictions(entry, data.data_key, predictor, data.examples)
                if rows:
                    st.metric(
                        "Accuracy over the file",
                        f"{ui.accuracy(rows):.1%}",
                        f"{len(rows)} aspect terms scored",
                        delta_color="off",
                        delta_arrow="off",
                    )
                else:
                    st.info("No aspect term in this file can be scored by this model.")
                st.caption(
                    f"Skipped: {ui.skipped_text(data.skipped)}. A NULL target is a sentence-level opinion with no words to "
                    "point at; a polarity the model does not know (conflict, for a model of "
                    f"{ui.plain(', '.join(predictor.labels))}) cannot be scored; a span annotated twice with one polarity "
                    "(SemEval-2016 writes one opinion per category) is kept once."
                )

        # ---------------------------------------------------------------- browse sentences
        st.subheader("Browse the sentences")
        sentences = review.sentences
        i = st.selectbox(
            "Sentence",
            range(len(sentences)),
            index=next((k for k, s in enumerate(sentences) if any(t.token_span for t in s.targets)), 0),
            key="asp_sentence",
            format_func=lambda k: f"{sentences[k].id}: {sentences[k].text.strip()[: ui.config.LABEL_CHARS]}",
        )
        s = sentences[i]
        ui.highlighted(s.text, ui.polarity_spans(s))
        st.caption(
            "Aspect terms are highlighted by their gold polarity: orange positive, blue negative, grey neutral, "
            "wine-red conflict. Hover a term for its label."
        )
        for t in s.targets:
            if t.token_span is None:
                st.caption(
                    f"NULL target (category {ui.plain(t.category or '-')}, {ui.plain(t.polarity)}): an opinion on the whole "
                    "sentence, with no span to mask."
                )

        located = [t for t in s.targets if t.token_span is not None]
        if len(s.tokens) > max_tokens():
            st.warning(
                f"This sentence has {len(s.tokens):,} tokens, more than the {max_tokens():,} the interactive views read "
                "(a setting of the machine running the app): its mask and predictions are not drawn here. The file's accuracy above includes it."
            )
        elif located:
            names = [t.term or "" for t in located]
            spans = [t.token_span for t in located if t.token_span is not None]
            masks = aspect_masks(len(s.tokens), spans)
            ui.chart(
                plots.mask_figure(s.tokens, names, masks),
                "The binary mask the model gets for each aspect: one row per aspect, 1 under its tokens, 0 elsewhere. "
                "The model averages its outputs over the 1s.",
                key="asp_mask",
            )
            ui.table(
                ui.mask_rows(names, s.tokens, masks),
                f"mask_{s.id}",
                key="asp_mask_table",
                caption="The same mask as numbers, one column per token.",
            )

            if predictor is not None:
                with ui.user_errors("The model could not read this sentence"):
                    preds = predictor.predict_aspects(s.text, spans=spans)
                    ui.table(
                        aspect_rows(preds, [t.polarity for t in located]),
                        f"aspects_{s.id}",
                        key="asp_sentence_table",
                        caption="Predicted against gold polarity for each aspect of this sentence (one forward pass for all of them).",
                    )
                    ui.chart(
                        plots.aspect_probs_figure(names, predictor.labels, aspect_probs(preds, predictor.labels)),
                        "How the model splits its probability between the classes for each aspect.",
                        key="asp_probs",
                    )
            if entry is not None and predictor is not None:
                with st.container(key="asp_file_why"), ui.user_errors("The words could not be explained"):
                    st.markdown("**Which words drove the answer**: pick one aspect of this sentence.")
                    focus = ui.pick_focus(predictor, s.text, "asp_file_focus", aspects=list(zip(spans, names)))
                    ui.show_saliency(entry, predictor, {"this sentence": s.text}, focus, "asp_file_saliency")
        else:
            st.info("This sentence has no aspect term with a span, so there is nothing to mask or predict.")

        if rows:
            st.subheader("Every scored aspect in the file")
            ui.table(
                rows,
                "aspect_predictions",
                key="asp_all",
                caption="One row per aspect term the model could score: sentence id, text, term, gold, predicted and the model's confidence.",
            )

# ---------------------------------------------------------------- your own sentence
st.header("Your own sentence")
if predictor is None:
    st.info("An aspect model is needed to predict your own sentence.")
else:
    text = ui.sentence_input("asp_own", "Sentence (press Enter to apply)")
    with ui.user_errors("No prediction"):
        candidates = aspect_candidates(text)
        labels_of = dict(candidates)
        spans_key = f"asp_spans_{ui.data_hash(text.encode())}"
        from_link = ui.spans_for_terms(candidates, linked.get("aspect"))
        if from_link:
            ui.state.set_widget(spans_key, from_link)
        chosen = st.multiselect(
            "Aspect term(s) in the sentence",
            list(labels_of),
            default=suggest_aspects(candidates),
            key=spans_key,
            format_func=lambda sp: f"{labels_of[sp]}  [tokens {sp[0]}-{sp[1] - 1}]",
            help="Words and word pairs of your sentence; the model gets one mask per chosen term and predicts them in one pass.",
        )
        ui.keep_in_link("aspect", ", ".join(labels_of[sp] for sp in chosen))
        if not chosen:
            st.info("Choose at least one aspect term.")
        else:
            preds = predictor.predict_aspects(text, spans=list(chosen))
            ui.table(
                aspect_rows(preds), "my_aspects", key="asp_own_table", caption="The model's polarity for each term you chose."
            )
            ui.chart(
                plots.aspect_probs_figure([p.term for p in preds], predictor.labels, aspect_probs(preds, predictor.labels)),
                "How the model splits its probability between the classes for each term you chose.",
                key="asp_own_probs",
            )
            if entry is not None:
                with st.container(key="asp_own_why"):
                    st.markdown("**Which words drove the answer**: pick one of the terms you chose.")
                    focus = ui.pick_focus(predictor, text, "asp_own_focus", aspects=[(sp, labels_of[sp]) for sp in chosen])
                    ui.show_saliency(entry, predictor, {"your sentence": text}, focus, "asp_own_saliency")
