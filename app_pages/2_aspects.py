"""Aspects: open a SemEval review file, see its problems, browse sentences, compare predicted and gold polarity."""

from __future__ import annotations

import numpy as np
import pandas as pd
import streamlit as st

import ui
from seqcore import plots
from seqcore.explain import aspect_masks, problem_rows, review_aspect_examples, review_summary
from seqcore.tokens import tokenize

COMMON_ASPECTS = {
    "food",
    "service",
    "staff",
    "waiter",
    "waitress",
    "server",
    "soup",
    "pizza",
    "price",
    "prices",
    "ambience",
    "atmosphere",
    "wine",
    "wine list",
    "menu",
    "drinks",
    "place",
    "music",
    "dessert",
    "decor",
    "portions",
    "bread",
    "fish",
    "sushi",
    "coffee",
    "battery",
    "battery life",
    "screen",
    "keyboard",
    "delivery",
    "table",
    "view",
    "meal",
    "dinner",
    "lunch",
}


def aspect_candidates(text: str) -> list[tuple[tuple[int, int], str]]:
    """Every word and pair of adjacent words of the sentence, as (token span, text)."""
    tokens, _ = tokenize(text)
    word = [any(c.isalpha() for c in t) for t in tokens]
    singles = [((i, i + 1), t) for i, t in enumerate(tokens) if word[i]]
    pairs = [((i, i + 2), f"{tokens[i]} {tokens[i + 1]}") for i in range(len(tokens) - 1) if word[i] and word[i + 1]]
    return singles + pairs


st.title("🍽️ Aspects")
st.write(
    "An aspect model reads a whole review sentence and answers, for each aspect term in it (*the wine list*, *our waiter*), "
    "whether the sentence speaks of it positively, negatively or neutrally. The model is told where the aspect is by a "
    "binary mask over the tokens. Open a demo file or upload a SemEval ABSA file (2014 or 2015/2016 format)."
)

picked = ui.model_for_task("aspect", key="asp_model")
entry, predictor = picked if picked else (None, None)

st.header("A review file")
source = ui.review_source("asp")
review = None
if source is not None:
    data, name = source
    with ui.user_errors(f"{name} could not be read"):
        review = ui.parse_semeval(data, name)

if review is not None:
    summary = review_summary(review)
    cols = st.columns(6)
    for col, (label, value) in zip(
        cols,
        [
            ("SemEval format", summary["format"].removeprefix("semeval")),
            ("sentences", summary["sentences"]),
            ("aspect targets", summary["targets"]),
            ("NULL targets", summary["null_targets"]),
            ("conflict", summary["conflict"]),
            ("problems", summary["problems"]),
        ],
    ):
        col.metric(label, value)

    if review.problems:
        st.warning(
            f"{len(review.problems)} problem(s) in {review.source}: those parts were skipped or repaired, the rest of the file was kept."
        )
        ui.table(
            pd.DataFrame(problem_rows(review.problems)),
            "problems",
            key="asp_problems",
            caption="Each problem the reader found: the sentence id, the line in the file, and what was wrong.",
        )
    else:
        st.success(f"{review.source}: no problems found.")

    if not review.sentences:
        st.info("The file holds no readable sentence.")
    else:
        # ---------------------------------------------------------------- accuracy over the file
        rows: list[dict] = []
        if predictor is not None:
            with ui.user_errors("The model could not score this file"):
                examples, skipped = review_aspect_examples(review, predictor.labels)
                rows = ui.aspect_file_predictions(entry, ui.data_hash(data), predictor, examples)
                n = len(rows)
                skipped_text = "; ".join(f"{v} {k}" for k, v in skipped.items()) or "none"
                if n:
                    acc = sum(r["gold"] == r["predicted"] for r in rows) / n
                    st.metric(
                        "Accuracy over the file", f"{acc:.1%}", f"{n} aspect terms scored", delta_color="off", delta_arrow="off"
                    )
                else:
                    st.info("No aspect term in this file can be scored by this model.")
                st.caption(
                    f"Skipped: {skipped_text}. A NULL target is a sentence-level opinion with no words to point at; "
                    f"a polarity the model does not know (conflict, for a model of {', '.join(predictor.labels)}) cannot be scored."
                )

        # ---------------------------------------------------------------- browse sentences
        st.subheader("Browse the sentences")
        sentences = review.sentences
        first = next((i for i, s in enumerate(sentences) if any(t.token_span for t in s.targets)), 0)
        i = st.selectbox(
            "Sentence",
            range(len(sentences)),
            index=first,
            key="asp_sentence",
            format_func=lambda k: f"{sentences[k].id}: {sentences[k].text.strip()[:80]}",
        )
        s = sentences[i]
        spans = [
            (t.start, t.end, ui.POLARITY_BG.get(t.polarity, "#eeeeee"), f"{t.term}: {t.polarity}")
            for t in s.targets
            if t.token_span is not None
        ]
        st.markdown(
            f"<div style='font-size:1.2rem;line-height:2'>{ui.highlight_html(s.text, spans)}</div>", unsafe_allow_html=True
        )
        st.caption(
            "Aspect terms are highlighted by their gold polarity: green positive, red negative, grey neutral, purple conflict. "
            "Hover a term for its label."
        )
        nulls = [t for t in s.targets if t.token_span is None]
        for t in nulls:
            st.caption(
                f"NULL target (category {t.category or '-'}, {t.polarity}): an opinion on the whole sentence, with no span to mask."
            )

        located = [t for t in s.targets if t.token_span is not None]
        if located:
            names = [t.term or "" for t in located]
            masks = aspect_masks(len(s.tokens), [t.token_span for t in located])
            ui.chart(
                plots.mask_figure(s.tokens, names, masks),
                "The binary mask the model gets for each aspect: one row per aspect, 1 under its tokens, 0 elsewhere. "
                "The model averages its outputs over the 1s.",
                key="asp_mask",
            )
            mask_df = pd.DataFrame(masks, columns=[f"{k}: {w}" for k, w in enumerate(s.tokens)])
            mask_df.insert(0, "aspect", names)
            ui.table(mask_df, f"mask_{s.id}", key="asp_mask_table", caption="The same mask as numbers, one column per token.")

            if predictor is not None:
                with ui.user_errors("The model could not read this sentence"):
                    preds = predictor.predict_aspects(s.text, spans=[t.token_span for t in located])
                    table_rows = []
                    for t, p in zip(located, preds):
                        row = {
                            "term": t.term,
                            "tokens": f"{t.token_span[0]}-{t.token_span[1] - 1}",
                            "gold": t.polarity,
                            "predicted": p.label,
                            "correct": "✓" if p.label == t.polarity else "✗",
                        }
                        row.update({f"P({k})": round(v, 4) for k, v in p.probs.items()})
                        table_rows.append(row)
                    ui.table(
                        pd.DataFrame(table_rows),
                        f"aspects_{s.id}",
                        key="asp_sentence_table",
                        caption="Predicted against gold polarity for each aspect of this sentence (one forward pass for all of them).",
                    )
                    probs = np.array([[p.probs[k] for k in predictor.labels] for p in preds])
                    ui.chart(
                        plots.aspect_probs_figure(names, predictor.labels, probs),
                        "How the model splits its probability between the classes for each aspect.",
                        key="asp_probs",
                    )
        else:
            st.info("This sentence has no aspect term with a span, so there is nothing to mask or predict.")

        if rows:
            st.subheader("Every scored aspect in the file")
            ui.table(
                pd.DataFrame(rows),
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
        if not candidates:
            raise ValueError("the sentence has no word that could be an aspect term")
        labels_of = {span: label for span, label in candidates}
        spans = list(labels_of)
        default: list[tuple[int, int]] = []
        for sp in sorted((sp for sp in spans if labels_of[sp].lower() in COMMON_ASPECTS), key=lambda sp: sp[0] - sp[1]):
            if all(sp[1] <= d[0] or sp[0] >= d[1] for d in default):  # the longest match wins: "wine list" over "wine"
                default.append(sp)
        default = sorted(default) or [max(spans, key=lambda sp: len(labels_of[sp]))]
        chosen = st.multiselect(
            "Aspect term(s) in the sentence",
            spans,
            default=default,
            key=f"asp_spans_{ui.data_hash(text.encode())}",
            format_func=lambda sp: f"{labels_of[sp]}  [tokens {sp[0]}-{sp[1] - 1}]",
            help="Words and word pairs of your sentence; the model gets one mask per chosen term and predicts them in one pass.",
        )
        if not chosen:
            st.info("Choose at least one aspect term.")
        else:
            preds = predictor.predict_aspects(text, spans=list(chosen))
            own = []
            for p in preds:
                row = {"term": p.term, "tokens": f"{p.token_span[0]}-{p.token_span[1] - 1}", "predicted": p.label}
                row.update({f"P({k})": round(v, 4) for k, v in p.probs.items()})
                own.append(row)
            ui.table(
                pd.DataFrame(own), "my_aspects", key="asp_own_table", caption="The model's polarity for each term you chose."
            )
            probs = np.array([[p.probs[k] for k in predictor.labels] for p in preds])
            ui.chart(
                plots.aspect_probs_figure([p.term for p in preds], predictor.labels, probs),
                "How the model splits its probability between the classes for each term you chose.",
                key="asp_own_probs",
            )
