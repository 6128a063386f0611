"""Tagging: per-token predicted against gold part-of-speech tags, wrong tags marked."""

from __future__ import annotations

import streamlit as st

import ui
from seqcore import plots
from seqcore.scoring import tag_rows

st.title("🏷️ Tagging", help=ui.glossary.tip("UPOS tags", "CoNLL-U"))
st.write(
    "A tagging model gives every word its own label: here its part of speech (UPOS: NOUN, VERB, ADJ, ...). "
    "Type a sentence (with its gold tags, if you know them) or upload a CoNLL-U file to see predicted against gold "
    "tags word by word, wrong tags marked ✗."
)

picked = ui.model_for_task("tagging", key="tag_model")
if picked is None:
    st.stop()
entry, predictor = picked
ui.link_view(entry, text="tag_sentence")


def show(rows: list[dict], name: str, key: str) -> None:
    df = ui.tag_table(rows, name, key)
    wrong = int((df["mark"] == "✗ wrong").sum())
    # A neutral box either way: red and green read as alarm and success, and are the pair colour-blind viewers confuse.
    if wrong:
        st.info(f"{wrong:d} of {len(df)} words tagged wrong (marked ✗ in the table).")
    elif df["gold"].notna().all():
        st.info(f"All {len(df)} words tagged right.")
    ui.chart(
        plots.tag_figure(rows),
        "The model's probability for the tag it chose at each word: black right, vermillion wrong, light grey without a gold tag.",
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
        st.caption("Words: " + " | ".join(f"{i:d}: {ui.plain(w)}" for i, w in enumerate(tokens)))
        show(tag_rows(tokens, predicted, gold_text.split() or None), "tags", key="tag_typed")
        with st.container(key="tag_why"):
            st.subheader("Which words drove a tag")
            focus = ui.pick_focus(predictor, text, "tag_focus", tokens=tokens)
            ui.show_saliency(entry, predictor, {"your sentence": text}, focus, "tag_saliency")
else:
    data = ui.pick_data(
        "tagging", "tag_source", ["upload"], labels=predictor.labels, upload_label="CoNLL-U file", keys={"upload": "tag_upload"}
    )
    if data.parsed is None:
        st.stop()
    ui.show_problems(data, "tag_problems", data.title)
    sentences = data.parsed.sentences
    with ui.user_errors(f"{data.title} could not be read"):
        if not sentences:
            raise ValueError(f"{data.title} holds no readable sentence")
        if data.examples and data.data_key:
            rows = ui.predictions(entry, predictor, data.data_key, data.examples)
            st.metric(
                "Accuracy over the file",
                f"{ui.accuracy(rows):.1%}",
                f"{len(rows)} words in {len(data.examples)} sentences",
                delta_color="off",
                delta_arrow="off",
            )
        i = st.selectbox(
            "Sentence",
            range(len(sentences)),
            key="tag_pick",
            format_func=lambda k: f"{sentences[k].id}: {' '.join(sentences[k].words)[: ui.config.LABEL_CHARS]}",
        )
        s = sentences[i]
        show(tag_rows(list(s.words), predictor.tag(list(s.words)), list(s.tags)), f"tags_{s.id}", key="tag_file")
        st.subheader("Which words drove a tag")
        words = tuple(s.words)
        focus = ui.pick_focus(predictor, words, "tag_file_focus", tokens=words)
        ui.show_saliency(entry, predictor, {"this sentence": words}, focus, "tag_file_saliency")
