"""Train: fit a small GRU, LSTM or RNN here, watch its curves grow, stop it, keep it, download it."""

from __future__ import annotations

import pandas as pd
import streamlit as st

import ui
from seqcore import plots
from seqcore.cells import CELLS
from seqcore.tasks import labeled_items
from seqcore.taskspecs import TASKS, task_spec

st.title("🏋️ Train", help=ui.glossary.tip("epoch", "dev split", "loss"))
st.write(
    "Train your own model in this browser session. Training runs in a process of its own at low priority, so the "
    "other pages stay quick: the chart grows after every epoch, and **Stop** ends it between two steps while keeping "
    "the best model so far (best on the dev split). The model then joins the sidebar's list, for this session only, "
    "and downloads as a zip (safetensors + JSON); upload such a zip below to bring a model back."
)

job = ui.current_job()
if job is not None and not job.running:
    job.announced = True  # app_script.py registered its model before the sidebar; this full run shows the result
running = job is not None and job.running

# ------------------------------------------------------------------ what to train
st.header("What to train")
task = st.radio("Task", TASKS, format_func=ui.task_title, horizontal=True, key="train_task", disabled=running)
spec = task_spec(task)
form = ui.train_form_defaults(task)
data = ui.pick_data(
    task,
    f"train_source_{task}",
    ui.config.TRAIN_SOURCES[task],
    option_labels=ui.config.TRAIN_SOURCE_LABELS[task],
    demo_all=task in ui.config.DEMO_ALL_FILES,
    upload_label="Training file",
    disabled=running,
    keys={"demo": "train_demo", "upload": f"train_upload_{task}", "limit": f"train_limit_{task}"},
)
ui.show_problems(data, "train_problems")
examples = data.examples
if examples is not None:
    st.caption(
        f"{len(examples)} training sentences ({labeled_items(task, examples):d} labeled {ui.plain(spec.items)}); "
        f"{form['dev_fraction']:.0%} of them, grouped by sentence text, are held out as the dev split that picks the best epoch."
    )

# ------------------------------------------------------------------ how
st.header("Model and optimiser")
R = ui.config.TRAIN_RANGES
PRESETS, PRESET_KEYS = ui.config.TRAIN_PRESETS, ui.config.TRAIN_PRESET_KEYS  # a preset sets its boxes' values


def preset_label(name: str) -> str:
    p = PRESETS[name]
    return f"{name}: {p['hidden_size']} units, {p['epochs']} epochs ({ui.config.TRAIN_PRESET_TIMES[name]})"


def apply_preset() -> None:
    for field, key in PRESET_KEYS.items():
        ui.state.set_widget(key, PRESETS[ui.state.widget_value("train_preset")][field])


preset: str = (
    st.radio(
        "Preset",
        list(PRESETS),
        format_func=preset_label,
        horizontal=True,
        key="train_preset",
        disabled=running,
        on_change=apply_preset,
        help="Full lasts long enough to watch the curves grow and press Stop; quick shows the mechanics. The times are for "
        "the default data on a 2-core CPU; the boxes below can still be changed.",
    )
    or ui.config.TRAIN_PRESET_DEFAULT
)
form.update(PRESETS[preset])


def number(col, label: str, name: str, key: str, **kw) -> float:
    r = R[name]
    start = None if ui.state.has_widget(key) else form[name]  # a box a preset has set keeps that value, and no default
    return col.number_input(ui.plain(label), r.low, r.high, start, r.step, key=key, disabled=running, **kw)


c1, c2, c3, c4 = st.columns(4)
form["cell"] = c1.selectbox(
    "Cell", CELLS, index=CELLS.index(form["cell"]), format_func=str.upper, key="train_cell", disabled=running
)
form["embedding_dim"] = int(number(c2, "Embedding size", "embedding_dim", "train_emb", help=ui.glossary.tip("embedding")))
form["hidden_size"] = int(number(c3, "Hidden units", "hidden_size", "train_hidden"))
form["num_layers"] = int(number(c4, "Layers", "num_layers", "train_layers"))
c1, c2, c3, c4 = st.columns(4)
form["epochs"] = int(number(c1, "Epochs (at most)", "epochs", "train_epochs"))
form["lr"] = float(number(c2, "Learning rate (Adam)", "lr", "train_lr", format="%.4f", help=ui.glossary.tip("learning rate")))
form["batch_size"] = int(number(c3, "Batch size", "batch_size", "train_batch"))
form["patience"] = int(
    number(c4, "Patience (epochs without a better dev score)", "patience", "train_patience", help=ui.glossary.tip("patience"))
)
c1, c2, c3 = st.columns(3)
form["bidirectional"] = c1.checkbox(
    "Bidirectional",
    value=form["bidirectional"],
    key=f"train_bidir_{task}",
    disabled=running,
    help=ui.glossary.tip("bidirectional"),
)
r = R["dropout"]
form["dropout"] = float(
    c2.slider(
        "Dropout", r.low, r.high, form["dropout"], r.step, key="train_dropout", disabled=running, help=ui.glossary.tip("dropout")
    )
)
default_name = ui.next_model_name(task, form["cell"])
name = c3.text_input("Model name", value=default_name, key=f"train_name_{default_name}", disabled=running)

if st.button("Start training", type="primary", key="train_start", disabled=running or not examples):
    with ui.user_errors("Training could not start"):
        job = ui.start_training(ui.clean_name(name, default_name), task, form, examples or [], data.note)
    if job is not None and job.running:
        st.rerun()  # draw the page again at once: the form and this button disabled while the run lasts


# ------------------------------------------------------------------ live
@st.fragment(run_every=ui.config.POLL_SECONDS if running else None)
def monitor() -> None:
    job = ui.current_job()
    if job is None:
        return
    st.header(f"Training {ui.plain(job.name)}")
    if job.running:
        st.button(
            "Stop",
            key="train_stop",
            on_click=job.request_stop,
            type="secondary",
            help="Ends training between two steps; the best model so far (on dev) is kept.",
        )
        st.progress(job.fraction(), text=ui.plain(ui.progress_text(job)))
    else:
        st.progress(1.0, text=f"finished in {job.elapsed():.1f} s")
    hist = job.epochs()
    if hist:
        ui.chart(
            plots.training_figure(hist),
            "Train loss and dev loss (left axis) and dev accuracy (right axis) after every epoch; the chart grows while training runs.",
            key="train_curves",
        )
        columns = ["epoch", "step", "train_loss", "dev_loss", "dev_accuracy", "dev_macro_f1", "elapsed", "is_best"]
        ui.table(
            pd.DataFrame(hist)[columns],
            f"{job.name}_history",
            key="train_history",
            caption="Each epoch's scores; is_best marks the epochs that improved the dev score.",
        )
    elif job.running:
        st.caption("The chart appears after the first epoch.")
    if not job.running and not job.announced:
        job.announced = True
        st.rerun(scope="app")  # the whole page (and the sidebar's model list) shows the result, and polling stops
    if job.running:
        return
    if job.error:
        st.error(f"Training failed: {ui.plain(job.error)}")
    elif job.result is not None:
        st.success(f"{ui.plain(job.name)}: {ui.plain(ui.how_it_ended(job))} It is now the sidebar's model (this session only).")
        zipped = ui.trained_zip(job)
        if zipped:
            st.download_button(
                "Download the model (zip: safetensors + JSON)",
                zipped,
                file_name=f"{job.name}.zip",
                mime="application/zip",
                key="train_download",
            )


monitor()

# ------------------------------------------------------------------ bring a model back
st.header("Bring a model back")
st.write(
    "Upload a model zip this page downloaded (here or on another machine): it joins the sidebar for this browser "
    "session only. The zip is checked before anything is read, and a zip that is not a model is refused with the reason."
)
ui.model_zip_upload("train_model_zip")

session = ui.session_models()
if session:
    st.header("Models of this session")
    ui.table(
        [{"name": m.name, "how": m.origin, "task": m.task, "cell": m.cell, "card": ui.card_line(m)} for m in session],
        "session_models",
        key="train_session_models",
        caption="Only you see these (trained or uploaded here); they are gone when this browser session ends.",
    )
