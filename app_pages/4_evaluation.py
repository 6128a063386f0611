"""Evaluation: confusion matrix, per-class scores and the examples behind every cell."""

from __future__ import annotations

import pandas as pd
import streamlit as st

import ui
from seqcore import plots
from seqcore.corpora import data_dir
from seqcore.explain import cell_rows, confusion_cells, per_class_table

st.title("🎯 Evaluation")
st.write(
    "How good is the model, and where does it go wrong? Score it on its own test set (read from the project's "
    "`data/` folder), on a demo file, or on a file you upload: the confusion matrix shows which "
    "gold class gets predicted as which, and every cell lists the examples that landed in it."
)

picked = ui.any_model()
if picked is None:
    st.stop()
entry, predictor = picked
task = entry.task
labels = tuple(predictor.labels)

options: dict[str, str] = {}
found = ui.card_test_files(entry.card)
if found is not None:
    files, kfold = found
    where = ", ".join(f.name for f in files)
    options["test"] = (
        f"Its test set: fold {kfold['fold']} of {kfold['folds']} over {where}" if kfold else f"Its test set: {where}"
    )
trained = st.session_state.get("trained_models", {}).get(entry.key)
if trained and trained.get("dev_examples"):
    options["dev"] = "Its dev split (held out while it trained in this session)"
if task in ("aspect", "sentiment") and ui.demo_files():
    options["demo"] = "A demo file"
options["upload"] = "A file you upload"
if (entry.card.get("test_metrics") or {}).get("confusion"):
    options["card"] = "The numbers stored in its card (not recomputed)"
how = st.radio("Score it on", list(options), format_func=options.get, key="eval_source")

examples, data_key, problems, skipped, title = None, None, [], {}, ""
if how == "test":
    with ui.user_errors("The test set could not be read"):
        examples = ui.test_examples(entry)
        data_key, title = f"test:{data_dir()}", options["test"].replace("Its test set", "its test set")
elif how == "dev":
    examples, data_key, title = trained["dev_examples"], f"dev:{entry.key}", "its dev split"
elif how in ("demo", "upload"):
    source = None
    if how == "demo":
        names = [p.name for p in ui.demo_files()]
        name = st.selectbox("Demo file", names, key="eval_demo")
        source = ((ui.DEMO_DIR / name).read_bytes(), name)
        if task == "sentiment":
            st.caption(
                "A sentiment model is scored on the demo sentences whose aspect opinions all agree (all positive or all negative)."
            )
    else:
        upload = st.file_uploader(
            f"Labeled file: {ui.UPLOAD_HELP[task]}",
            type=ui.UPLOAD_TYPES[task] + (["xml"] if task == "sentiment" else []),
            key="eval_upload",
        )
        if upload is not None:
            source = (upload.getvalue(), upload.name)
    if source is not None:
        with ui.user_errors(f"{source[1]} could not be read"):
            examples, problems, skipped = ui.examples_from_file(task, source[0], source[1], labels)
            data_key, title = f"file:{ui.data_hash(source[0])}", source[1]

if how == "card":
    with ui.user_errors("The card's stored numbers could not be shown"):
        stored = entry.card["test_metrics"]
        st.info(
            "These numbers were computed when the model was trained and are stored in its card.json; nothing is recomputed here."
        )
        c1, c2, c3 = st.columns(3)
        c1.metric("Test accuracy (stored)", f"{stored['accuracy']:.1%}")
        c2.metric("Test macro-F1 (stored)", f"{stored['macro_f1']:.3f}")
        c3.metric("Items (stored)", stored.get("n", sum(stored.get("support", []))))
        tabs = st.tabs(["Counts", "Row-normalized"])
        for tab, norm in zip(tabs, (False, True)):
            with tab:
                ui.chart(
                    plots.confusion_figure(
                        stored["confusion"],
                        stored["labels"],
                        norm,
                        "Stored in the model card: test confusion matrix" + (", row-normalized" if norm else " (counts)"),
                    ),
                    "From card.json, not recomputed: rows are gold labels, columns predicted labels"
                    + ("; each row sums to 100%." if norm else "; each cell counts items."),
                    key=f"eval_card_cm_{norm}",
                )
        per_class = per_class_table(stored)
        ui.chart(
            plots.per_class_figure(per_class),
            "Precision, recall and F1 of each class, as stored in the card.",
            key="eval_card_pc",
        )
        ui.table(
            pd.DataFrame(per_class), "per_class_stored", key="eval_card_table", caption="Per-class scores stored in the card."
        )

    st.stop()

if problems:
    st.warning(f"{len(problems)} problem(s) in the file: those parts were skipped or repaired, the rest was kept.")
    ui.table(
        pd.DataFrame(problems), "problems", key="eval_problems", caption="What the reader found wrong, with sentence id and line."
    )
if skipped:
    st.caption("Not scored: " + "; ".join(f"{v} {k}" for k, v in skipped.items()) + ".")
if examples is None:
    if how == "upload":
        st.caption(f"Upload {ui.UPLOAD_HELP[task]}.")
    st.stop()
if not examples:
    st.warning("Nothing in this data can be scored by this model.")
    st.stop()

metrics = rows = None
with ui.user_errors("The model could not be scored on this data"):
    metrics, loss = ui.evaluation(entry, predictor, data_key, examples)
    rows = ui.predictions(entry, predictor, data_key, examples)
if metrics is None:
    st.stop()

st.subheader(f"On {title}")
c1, c2, c3, c4 = st.columns(4)
c1.metric("Accuracy", f"{metrics['accuracy']:.1%}")
c2.metric("Macro-F1", f"{metrics['macro_f1']:.3f}")
c3.metric({"sentiment": "Sentences", "aspect": "Aspect terms", "tagging": "Words"}[task], metrics["n"])
c4.metric("Mean loss", f"{loss:.3f} nats")

tabs = st.tabs(["Counts", "Row-normalized"])
what = {"sentiment": "sentences", "aspect": "aspect terms", "tagging": "words (per-tag confusion)"}[task]
for tab, norm in zip(tabs, (False, True)):
    with tab:
        ui.chart(
            plots.confusion_figure(metrics["confusion"], metrics["labels"], norm),
            f"Rows are gold labels, columns predicted labels, over {metrics['n']} {what}"
            + (
                "; each row is divided by its total, so the diagonal is each class's accuracy."
                if norm
                else "; each cell counts items."
            ),
            key=f"eval_cm_{norm}",
        )

per_class = per_class_table(metrics)
ui.chart(
    plots.per_class_figure(per_class),
    "Precision (how often a predicted class is right), recall (how much of a gold class is found) and F1 of each class.",
    key="eval_pc",
)
ui.table(
    pd.DataFrame(per_class),
    "per_class",
    key="eval_pc_table",
    caption="Per-class accuracy (the share of each gold class predicted correctly, equal to recall), precision, recall, F1 and support.",
)

st.subheader("The examples in one cell")
cells = confusion_cells(metrics["confusion"], metrics["labels"])
choice = st.selectbox(
    "Confusion cell (gold -> predicted)",
    range(len(cells)),
    key="eval_cell",
    format_func=lambda k: (
        f"gold {cells[k]['gold']} -> predicted {cells[k]['predicted']} ({cells[k]['count']})"
        + ("" if cells[k]["gold"] == cells[k]["predicted"] else "  ✗")
    ),
)
cell = cells[choice]
picked_rows = cell_rows(rows, cell["gold"], cell["predicted"])
cols = (
    ["id", "item", "text", "gold", "predicted", "confidence"]
    if task != "sentiment"
    else ["id", "text", "gold", "predicted", "confidence"]
)
cell_df = pd.DataFrame(picked_rows)[cols].rename(columns={"item": "aspect term" if task == "aspect" else "word"})
ui.table(
    cell_df,
    f"cell_{cell['gold']}_{cell['predicted']}",
    key="eval_cell_table",
    caption=f"The {len(picked_rows)} items with gold label {cell['gold']} that the model predicted as {cell['predicted']}.",
)

with st.expander("Every prediction"):
    ui.table(pd.DataFrame(rows), "predictions", key="eval_all", caption="One row per scored item.")
