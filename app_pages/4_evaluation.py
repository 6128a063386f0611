"""Evaluation: confusion matrix, per-class scores and the examples behind every cell."""

from __future__ import annotations

import streamlit as st

import ui
from seqcore import plots
from seqcore.metrics import cell_rows, confusion_cells, per_class_table
from seqcore.tasks import disagreeing_aspects
from seqcore.taskspecs import task_spec

st.title("🎯 Evaluation", help=ui.glossary.tip("test set", "confusion matrix"))
st.write(
    "How good is the model, and where does it go wrong? Score it on its own test set (read from the project's "
    "`data/` folder), on a demo file, or on a file you upload: the confusion matrix shows which "
    "gold class gets predicted as which, and every cell lists the examples that landed in it."
)

picked = ui.any_model()
if picked is None:
    st.stop()
entry, predictor = picked
ui.link_view(entry)
task = task_spec(entry.task)

own = (
    {"card": "The numbers stored in its card (not recomputed)"} if (entry.card.get("test_metrics") or {}).get("confusion") else {}
)
data = ui.pick_data(
    entry.task,
    "eval_source",
    ["test", "dev", "demo", "upload", *own],
    entry=entry,
    labels=predictor.labels,
    option_labels=own,
    radio_label="Score it on",
    keys={"demo": "eval_demo", "upload": "eval_upload"},
)


def confusion_tabs(confusion: list, labels: list, what: str, key: str, title: str | None = None, clickable: bool = False) -> dict:
    """The confusion matrix as counts and row-normalized, in two tabs; with `clickable`, their selection events by key."""
    events = {}
    for tab, norm in zip(st.tabs(["Counts", "Row-normalized"]), (False, True)):
        with tab:
            shown = None if title is None else title + (", row-normalized" if norm else " (counts)")
            fig = plots.confusion_figure(confusion, labels, norm, shown, clickable=clickable)
            caption = f"Rows are gold labels, columns predicted labels, {ui.plain(what)}" + (
                "; each row is divided by its total, so the diagonal is each class's accuracy."
                if norm
                else "; each cell counts items."
            )
            if clickable:
                events[f"{key}_{norm}"] = ui.clickable_chart(
                    fig,
                    caption + " Click a cell to list its examples below.",
                    f"{key}_{norm}",  # markup: built above
                )
            else:
                ui.chart(fig, caption, key=f"{key}_{norm}")  # markup: built above from literals and ui.plain
    return events


if data.kind == "card":
    with ui.user_errors("The card's stored numbers could not be shown"):
        stored = entry.card["test_metrics"]
        st.info(
            "These numbers were computed when the model was trained and are stored in its card.json; nothing is recomputed here."
        )
        hard_stored = entry.card.get("hard_slice") or {}
        cols = st.columns(4 if hard_stored.get("accuracy") is not None else 3)
        cols[0].metric("Test accuracy (stored)", f"{stored['accuracy']:.1%}")
        cols[1].metric("Test macro-F1 (stored)", f"{stored['macro_f1']:.3f}")
        cols[2].metric("Items (stored)", ui.plain(stored.get("n", sum(stored.get("support", [])))))
        if len(cols) == 4:  # aspect models: the test sentences whose aspects disagree in polarity
            cols[3].metric(
                "Hard-slice accuracy (stored)",
                f"{hard_stored['accuracy']:.1%}",
                help=f"On the {int(hard_stored.get('aspects', 0)):d} aspects of the {int(hard_stored.get('sentences', 0)):d} "
                "test sentences whose aspects disagree in polarity.",  # markup: numbers only
            )
        confusion_tabs(
            stored["confusion"],
            stored["labels"],
            "from card.json, not recomputed",
            "eval_card_cm",
            "Stored in the model card: test confusion matrix",
        )
        per_class = per_class_table(stored)
        ui.chart(
            plots.per_class_figure(per_class),
            "Precision, recall and F1 of each class, as stored in the card.",
            key="eval_card_pc",
        )
        ui.table(per_class, "per_class_stored", key="eval_card_table", caption="Per-class scores stored in the card.")
    st.stop()

ui.show_problems(data, "eval_problems", data.title or "the file")
if data.examples is None or data.data_key is None:
    st.stop()
if not data.examples:
    st.warning("Nothing in this data can be scored by this model.")
    st.stop()

examples, data_key = data.examples, data.data_key
if task.name == "aspect":
    hard = disagreeing_aspects(examples)
    stored = entry.card.get("hard_slice") or {}
    note = f" The card's test score on it: {stored['accuracy']:.1%}." if stored.get("accuracy") is not None else ""
    if st.toggle(
        f"Only the hard slice: the {len(hard)} sentences whose aspects disagree in polarity",
        key="eval_hard",
        help="A model that reads a sentence's overall tone rather than each aspect gets at least one aspect of each wrong."
        + note,  # markup: note is built above from a number
    ):
        if not hard:
            st.warning("No sentence of this data has aspects of different polarities.")
            st.stop()
        examples, data_key = hard, data_key + "|hard-slice"
metrics = rows = None
with ui.user_errors("The model could not be scored on this data"):
    metrics, loss = ui.evaluation(entry, predictor, data_key, examples)
    rows = ui.predictions(entry, predictor, data_key, examples)
if metrics is None or rows is None:
    st.stop()

st.subheader(f"On {ui.plain(data.title)}" + (" (hard slice)" if examples is not data.examples else ""))
c1, c2, c3, c4 = st.columns(4)
c1.metric("Accuracy", f"{metrics['accuracy']:.1%}", help=ui.glossary.tip("accuracy"))
c2.metric("Macro-F1", f"{metrics['macro_f1']:.3f}", help=ui.glossary.tip("macro-F1", "precision and recall"))
c3.metric(ui.plain(task.items.capitalize()), f"{metrics['n']:d}")
c4.metric("Mean loss", f"{loss:.3f} nats", help=ui.glossary.tip("loss", "nats"))
per_tag = " (per-tag confusion)" if task.name == "tagging" else ""
with st.container(key="eval_confusion"):
    clicks = confusion_tabs(
        metrics["confusion"], metrics["labels"], f"over {metrics['n']} {task.items}{per_tag}", "eval_cm", clickable=True
    )

per_class = per_class_table(metrics)
ui.chart(
    plots.per_class_figure(per_class),
    "Precision (how often a predicted class is right), recall (how much of a gold class is found) and F1 of each class.",
    key="eval_pc",
)
ui.table(
    per_class,
    "per_class",
    key="eval_pc_table",
    caption="Per-class accuracy (the share of each gold class predicted correctly, equal to recall), precision, recall, F1 and support.",
)

st.subheader("The examples in one cell")
cells = confusion_cells(metrics["confusion"], metrics["labels"])
clicked = ui.follow_clicked_cell(clicks, cells, "eval_cell")
if clicked is not None and not any((c["gold"], c["predicted"]) == clicked for c in cells):
    st.info(f"No item has gold label {ui.plain(clicked[0])} and predicted label {ui.plain(clicked[1])}: that cell is empty.")
st.caption("Click a cell of the confusion matrix above, or pick one here.")
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
ui.table(
    ui.cell_table(picked_rows, task),
    f"cell_{cell['gold']}_{cell['predicted']}",
    key="eval_cell_table",
    caption=f"The {len(picked_rows)} items with gold label {ui.plain(cell['gold'])} that the model predicted as "
    f"{ui.plain(cell['predicted'])}.",
)

with st.expander("Every prediction"):
    ui.table(rows, "predictions", key="eval_all", caption="One row per scored item.")
