"""Embedding projector: a model's words in 2-D before and after training, coloured by the class each leans to."""

from __future__ import annotations

import streamlit as st

import ui
from seqcore.projector import projector_figure
from ui import projector as proj

st.title("🗺️ Embedding projector")
st.write(
    "Every word a model knows is a vector; here the most frequent ones are laid out in two dimensions (PCA keeps the "
    "two directions of largest spread; t-SNE keeps near neighbours near). Each word is coloured by the class it leans "
    "to in the model's training labels: how much more often than usual it came with that class (log-odds). Side by "
    "side: the same words before training (the seeded random start, or the skip-gram vectors it started from) and "
    "after. In the after panel, words that predict a class have drifted apart from the rest."
)

picked = ui.any_model()
if picked is None:
    st.stop()
entry, predictor = picked
ui.link_view(entry, text="proj_word")

c1, c2, c3 = st.columns(3)
method = c1.radio(
    "Layout",
    ["pca", "tsne"],
    format_func=lambda m: {"pca": "PCA (instant)", "tsne": "t-SNE (computed once, then cached)"}[m],
    key="proj_method",
    horizontal=True,
)
n = c2.slider("Words drawn (most frequent first)", 50, proj.PROJECTOR_MAX_WORDS, proj.PROJECTOR_WORDS, 50, key="proj_n")
labelled = c3.slider("Words named on the plot", 0, 200, proj.PROJECTOR_LABELS, 10, key="proj_labels")
folders = proj.vector_folders()
views = ["model"] + [f.name for f in folders]
view = st.radio(
    "Show",
    views,
    format_func=lambda v: (
        f"{entry.name}: before and after training" if v == "model" else f"skip-gram vectors {v} (from models/vectors/{v})"
    ),
    key="proj_view",
    horizontal=True,
)
word = st.text_input("Find a word (highlighted, with its nearest neighbours)", key="proj_word", max_chars=60).strip()

shown: dict = {}
with ui.user_errors("The word vectors could not be read"):
    if view == "model":
        before = proj.model_vectors(entry, predictor, "before")
        after = proj.model_vectors(entry, predictor, "after")
        if before is not None:
            shown["before training"] = before
        if after is not None:
            shown["after training"] = after
    else:
        folder = next(f for f in folders if f.name == view)
        vectors = proj.folder_vectors(folder)
        if vectors is not None:
            shown[f"skip-gram vectors {view}"] = vectors
if view == "model" and "after training" in shown and "before training" not in shown:
    emb = entry.card.get("embeddings")
    gone = emb.get("from") if isinstance(emb, dict) else None
    st.info(
        f"The embedding before training is not drawn: this model started from the skip-gram vectors "
        f"{ui.md_plain(str(gone))}, which are not here (`python -m seqcore skipgram` rebuilds them; its card says how)."
        if gone
        else "The embedding before training is not drawn: this model's card holds no seed to rebuild it from."
    )
if not shown:
    st.warning(
        "This model's embedding before training cannot be rebuilt: its card has no seed, or names vectors that are not here."
    )
    st.stop()

leans = proj.leans(entry, predictor)
if not leans:
    st.info("The model's training files are not in data/, so the words are not coloured by class.")

first = next(iter(shown.values()))
how = "PCA" if method == "pca" else "t-SNE"
order = None
cols = st.columns(len(shown))
for (name, vectors), col in zip(shown.items(), cols):
    with col, ui.user_errors(f"The {name} layout could not be computed"):
        known = bool(word) and vectors.knows(word)
        near = [w for w, _ in vectors.nearest(word, proj.PROJECTOR_NEIGHBOURS)] if known else []
        lay = proj.layout(entry, view, name, method, n, vectors, order, tuple([word.lower(), *near] if known else []))
        order = order or lay.words  # every panel draws the same words
        fig = projector_figure(
            lay.points,
            lay.words,
            [leans.get(w) for w in lay.words],
            labelled,
            f"{entry.name if view == 'model' else view}: {name}",
            [word.lower(), *near] if known else [],
            lay.axes,
            font=proj.label_font(),
        )
        named = len(fig.data[1].text)
        ui.chart(
            fig,
            f"{ui.plain(name.capitalize())}: the {len(lay.words):d} most frequent words, by {ui.plain(how)}; "
            "colour: the class the word leans to in the training labels (pale: hardly; grey: none), the "
            f"{min(labelled, len(lay.words)):d} most frequent named where the name fits ({named:d} here: the others "
            "would cover each other; hover any point for its word). Axes have no unit.",
            key=f"proj_fig_{name}",
        )

if word:
    if not any(v.knows(word) for v in shown.values()):
        st.warning(f"The word {ui.md_plain(word)} is not in this vocabulary.")
    else:
        st.subheader(f"Nearest neighbours of {ui.md_plain(word)} (cosine)")
        usable = {k: v for k, v in shown.items() if v.knows(word)}
        ui.table(
            proj.neighbour_rows(word, usable, proj.PROJECTOR_NEIGHBOURS),
            "neighbours",
            key="proj_neighbours",
            caption="The nearest words by cosine similarity of their vectors, in each view (1 = same direction).",
        )
        lean = leans.get(word.lower())
        if lean and lean.label:
            st.caption(
                f"{ui.md_plain(word)} leans to {ui.md_plain(lean.label)}: log-odds {lean.log_odds:.2f} over the class "
                f"prior, from {lean.count:d} labelled occurrences."
            )
if first is not None and "before training" in shown and isinstance(entry.card.get("embeddings"), dict):
    st.caption("This model started from skip-gram vectors: the left panel shows them as they were copied in.")
