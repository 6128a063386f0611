"""Tagging: per-token predicted against gold part-of-speech tags, wrong tags marked."""

from __future__ import annotations

import pandas as pd
import streamlit as st

import ui
from seqcore import plots
from seqcore.explain import tag_rows
from seqcore.tasks import tagging_examples

st.title("🏷️ Tagging")
st.write(
    "A tagging model gives every word its own label: here its part of speech (UPOS: NOUN, VERB, ADJ, ...). "
    "Type a sentence (with its gold tags, if you know them) or upload a CoNLL-U file to see predicted against gold "
    "tags word by word, wrong tags marked ✗."
)

picked = ui.model_for_task("tagging", key="tag_model")
if picked is None:
    st.stop()
entry, predictor = picked


def show(rows: list[dict], name: str, key: str) -> None:
    df = pd.DataFrame(rows)
    df["mark"] = ["" if c is None else ("✓" if c else "✗ wrong") for c in df["correct"]]
    df = df[["position", "word", "predicted", "gold", "mark", "probability"]].round({"probability": 4})
    wrong = df["mark"] == "✗ wrong"
    styled = df.style.apply(lambda r: ["background-color: #fcbba1" if wrong[r.name] else "" for _ in r], axis=1)
    ui.table(
        df,
        name,
        key=key,
        display=styled,
        caption="One row per word: the predicted tag and its probability, the gold tag, and ✗ where they differ.",
    )
    if wrong.any():
        st.error(f"{int(wrong.sum())} of {len(df)} words tagged wrong.")
    elif df["gold"].notna().all():
        st.success(f"All {len(df)} words tagged right.")
    ui.chart(
        plots.tag_figure(rows),
        "The model's probability for the tag it chose at each word: green right, red wrong, grey without a gold tag.",
        key=f"{key}_chart",
    )


how = st.radio("Input", ["Type a sentence", "Upload a CoNLL-U file"], horizontal=True, key="tag_how")
if how == "Type a sentence":
    text = ui.sentence_input("tag_sentence", "Sentence (press Enter to apply)")
    gold_text = st.text_input(
        "Gold tags (optional): one per word, separated by spaces", key="tag_gold", help="For example: DET NOUN AUX ADJ PUNCT"
    )
    with ui.user_errors("No tags"):
        predicted = predictor.tag(text)
        tokens = [tok for tok, _, _ in predicted]
        gold = gold_text.split() if gold_text.strip() else None
        st.caption("Words: " + " | ".join(f"{i}: {w}" for i, w in enumerate(tokens)))
        show(tag_rows(tokens, predicted, gold), "tags", key="tag_typed")
else:
    upload = st.file_uploader("CoNLL-U file (words in column 2, UPOS tags in column 4)", type=["conllu", "txt"], key="tag_upload")
    if upload is None:
        st.caption("No file yet.")
        st.stop()
    data = upload.getvalue()
    with ui.user_errors(f"{upload.name} could not be read"):
        sentences, problems = ui.parse_conllu(data, upload.name)
        if problems:
            st.warning(f"{len(problems)} problem(s) in {upload.name}: those sentences were skipped, the rest was kept.")
            ui.table(
                pd.DataFrame([{"sentence id": p.sentence_id, "line": p.line, "problem": p.message} for p in problems]),
                "problems",
                key="tag_problems",
                caption="What the reader found wrong, with sentence id and line.",
            )
        if not sentences:
            raise ValueError(f"{upload.name} holds no readable sentence")
        examples = tagging_examples(sentences)
        known = set(predictor.labels)
        scorable = [ex for ex in examples if set(ex.tags) <= known]
        if len(scorable) < len(examples):
            st.caption(
                f"{len(examples) - len(scorable)} sentence(s) use tags this model does not know and are not scored over the file."
            )
        if scorable:
            rows = ui.predictions(entry, predictor, f"conllu:{ui.data_hash(data)}", scorable)
            acc = sum(r["gold"] == r["predicted"] for r in rows) / len(rows)
            st.metric(
                "Accuracy over the file",
                f"{acc:.1%}",
                f"{len(rows)} words in {len(scorable)} sentences",
                delta_color="off",
                delta_arrow="off",
            )
        i = st.selectbox(
            "Sentence",
            range(len(sentences)),
            key="tag_pick",
            format_func=lambda k: f"{sentences[k].id}: {' '.join(sentences[k].words)[:80]}",
        )
        s = sentences[i]
        predicted = predictor.tag(list(s.words))
        show(tag_rows(list(s.words), predicted, list(s.tags)), f"tags_{s.id}", key="tag_file")
