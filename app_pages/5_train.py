"""Train: fit a small GRU, LSTM or RNN here, watch its curves grow, stop it, keep it, download it."""

from __future__ import annotations

import re

import pandas as pd
import streamlit as st

import ui
from seqcore import corpora, plots
from seqcore.pipeline import TASK_DEFAULTS, FitSpec
from seqcore.training import TrainConfig

st.title("🏋️ Train")
st.write(
    "Train your own model in this browser session. Training runs in the background: the chart grows after every "
    "epoch, and **Stop** ends it between two steps while keeping the best model so far (best on the dev split). "
    "The model then joins the sidebar's list, for this session only, and downloads as a zip (safetensors + JSON)."
)

job: ui.TrainJob | None = st.session_state.get("train_job")
if job is not None and job.done.is_set():
    job.settings["announced"] = True  # app.py registered its model before the sidebar; this full run shows the result

running = job is not None and job.running

# ------------------------------------------------------------------ what to train
st.header("What to train")
task = st.radio(
    "Task", list(ui.TASK_NAMES), format_func=lambda t: ui.TASK_NAMES[t], horizontal=True, key="train_task", disabled=running
)

# The real corpora of the task in data/ (seqcore.corpora); sentiment starts on rt-polarity, the others on a demo file.
real = {f"corpus:{c.name}": f"{c.display}, train split, from data/: a random subset" for c in ui.train_corpora(task)}
sources: dict[str, str] = dict(real) if task == "sentiment" else {}
if task in ("sentiment", "aspect") and ui.demo_files():
    sources["demo"] = (
        "The demo review files: sentences whose opinions all agree (tiny: for trying the mechanics)"
        if task == "sentiment"
        else "A demo review file (tiny: for trying the mechanics)"
    )
if task != "sentiment":
    sources.update(real)
sources["upload"] = "A file you upload"
how = st.radio("Data", list(sources), format_func=sources.get, key=f"train_source_{task}", disabled=running)

examples, problems, skipped, data_note = None, [], {}, {}
with ui.user_errors("The training data could not be read"):
    if how.startswith("corpus:"):
        corpus = corpora.corpus(how.removeprefix("corpus:"))
        default_n = {"sentiment": 2000, "aspect": 1000, "tagging": 800}[task]
        limit = st.number_input(
            "Sentences to use (a fixed-seed random subset)", 50, 20000, default_n, 50, key=f"train_limit_{task}", disabled=running
        )
        examples = ui.corpus_train_examples(corpus, int(limit))
        data_note = {"train": corpus.refs("train"), "subset": int(limit), "subset_seed": 13}
    elif how == "demo":
        if task == "sentiment":
            names = [p.name for p in ui.demo_files() if "broken" not in p.name]
            examples, problems, skipped = [], [], {}
            for name in names:
                ex, pr, sk = ui.examples_from_file(task, (ui.DEMO_DIR / name).read_bytes(), name, None)
                examples += ex
                problems += pr
                for k, v in sk.items():
                    skipped[k] = skipped.get(k, 0) + v
            data_note = {"train": [f"demo/{n}" for n in names], "labels": "sentences whose opinions all agree"}
        else:
            name = st.selectbox("Demo file", [p.name for p in ui.demo_files()], key="train_demo", disabled=running)
            examples, problems, skipped = ui.examples_from_file(task, (ui.DEMO_DIR / name).read_bytes(), name, None)
            data_note = {"train": [f"demo/{name}"]}
    else:
        upload = st.file_uploader(
            f"Training file: {ui.UPLOAD_HELP[task]}", type=ui.UPLOAD_TYPES[task], key=f"train_upload_{task}", disabled=running
        )
        if upload is not None:
            examples, problems, skipped = ui.examples_from_file(task, upload.getvalue(), upload.name, None)
            data_note = {"train": [upload.name]}

if problems:
    st.warning(f"{len(problems)} problem(s) in the data: those parts were skipped or repaired.")
    ui.table(
        pd.DataFrame(problems),
        "training_data_problems",
        key="train_problems",
        caption="What the reader found wrong, with sentence id and line.",
    )
if skipped:
    st.caption("Left out: " + "; ".join(f"{v} {k}" for k, v in skipped.items()) + ".")
if examples is not None:
    n_items = {
        "sentiment": len(examples),
        "aspect": sum(len(e.aspects) for e in examples),
        "tagging": sum(len(e.tokens) for e in examples),
    }[task]
    st.caption(
        f"{len(examples)} training sentences ({n_items} labeled {'aspects' if task == 'aspect' else 'words' if task == 'tagging' else 'sentences'}); "
        "10% of them, grouped by sentence text, are held out as the dev split that picks the best epoch."
    )

# ------------------------------------------------------------------ how
st.header("Model and optimiser")
c1, c2, c3, c4 = st.columns(4)
cell = c1.selectbox("Cell", ["gru", "lstm", "rnn"], format_func=str.upper, key="train_cell", disabled=running)
emb = c2.number_input("Embedding size", 4, 300, 32, 4, key="train_emb", disabled=running)
hidden = c3.number_input("Hidden units", 2, 512, 32, 2, key="train_hidden", disabled=running)
layers = c4.number_input("Layers", 1, 4, 1, 1, key="train_layers", disabled=running)
c1, c2, c3, c4 = st.columns(4)
epochs = c1.number_input("Epochs (at most)", 1, 1000, 5, 1, key="train_epochs", disabled=running)
lr = c2.number_input("Learning rate (Adam)", 1e-5, 1.0, 0.005, 0.001, format="%.4f", key="train_lr", disabled=running)
batch = c3.number_input("Batch size", 1, 512, 32, 1, key="train_batch", disabled=running)
patience = c4.number_input("Patience (epochs without a better dev score)", 1, 1000, 3, 1, key="train_patience", disabled=running)
c1, c2, c3 = st.columns(3)
bidir = c1.checkbox("Bidirectional", value=TASK_DEFAULTS[task]["bidirectional"], key=f"train_bidir_{task}", disabled=running)
dropout = c2.slider("Dropout", 0.0, 0.8, 0.2, 0.05, key="train_dropout", disabled=running)
count = len(st.session_state.get("trained_models", {})) + 1
name = c3.text_input("Model name", value=f"my-{task}-{cell}-{count}", key=f"train_name_{task}_{cell}_{count}", disabled=running)

start = st.button("Start training", type="primary", key="train_start", disabled=running or not examples)
if start:
    clean = re.sub(r"[^A-Za-z0-9_.-]+", "-", name).strip("-.") or f"model-{count}"
    with ui.user_errors("Training could not start"):
        if len(examples) < 4:
            raise ValueError(f"{len(examples)} sentences are too few to train: a dev split needs a few of them")
        spec = FitSpec(
            task=task,
            cell=cell,
            embedding_dim=int(emb),
            hidden_size=int(hidden),
            num_layers=int(layers),
            bidirectional=bidir,
            dropout=float(dropout),
        )
        steps = max(1, -(-int(len(examples) * 0.9) // int(batch)))
        cfg = TrainConfig(
            epochs=int(epochs),
            batch_size=int(batch),
            lr=float(lr),
            patience=int(patience),
            report_every=max(1, steps // 10),
            device="cpu",
        )
        job = ui.start_training(
            clean, task, spec, cfg, examples, data_note, {"cell": cell, "epochs": int(epochs), "examples": len(examples)}
        )
        st.session_state["train_job"] = job
        running = True


# ------------------------------------------------------------------ live
@st.fragment(run_every=1.0 if running else None)
def monitor() -> None:
    job: ui.TrainJob | None = st.session_state.get("train_job")
    if job is None:
        return
    st.header(f"Training {job.name}")
    if job.running:
        st.button(
            "Stop",
            key="train_stop",
            on_click=job.stop.set,
            type="secondary",
            help="Ends training between two steps; the best model so far (on dev) is kept.",
        )
    reports = list(job.progress)
    last = reports[-1] if reports else None
    left = job.seconds_left()
    if job.running:
        text = (
            (
                f"epoch {last.epoch} of at most {job.settings['epochs']}, step {last.step} of {last.total_steps}; "
                f"{job.elapsed():.0f} s elapsed" + (f", about {left:.0f} s left" if left is not None else "")
            )
            if last
            else "starting..."
        )
        if job.stop.is_set():
            text = "stopping after the current step... " + text
        st.progress(job.fraction(), text=text)
    else:
        st.progress(1.0, text=f"finished in {job.elapsed():.1f} s")
    hist = job.epochs()
    if hist:
        ui.chart(
            plots.training_figure(hist),
            "Train loss and dev loss (left axis) and dev accuracy (right axis) after every epoch; "
            "the chart grows while training runs.",
            key="train_curves",
        )
        df = pd.DataFrame(hist)[["epoch", "step", "train_loss", "dev_loss", "dev_accuracy", "dev_macro_f1", "elapsed", "is_best"]]
        ui.table(
            df,
            f"{job.name}_history",
            key="train_history",
            caption="Each epoch's scores; is_best marks the epochs that improved the dev score.",
        )
    elif job.running:
        st.caption("The chart appears after the first epoch.")
    if job.done.is_set() and not job.settings.get("announced"):
        job.settings["announced"] = True
        st.rerun(scope="app")  # the whole page (and the sidebar's model list) shows the result, and polling stops
    if job.done.is_set():
        if job.error:
            st.error(f"Training failed: {job.error}")
        elif job.fitted is not None:
            res = job.fitted.result
            how_ended = (
                "stopped by you"
                if res.stopped_by_user
                else "stopped early: the dev score stopped improving"
                if res.stopped_early
                else "ran every epoch"
            )
            dev = job.fitted.card.get("dev_metrics") or {}
            st.success(
                f"{job.name}: {how_ended} after {res.epochs_run} epoch(s); kept epoch {res.best_epoch}, "
                f"dev accuracy {dev.get('accuracy', float('nan')):.1%}. It is now the sidebar's model (this session only)."
            )
            trained = st.session_state.get("trained_models", {}).get(job.settings.get("registered"))
            if trained:
                st.download_button(
                    "Download the model (zip: safetensors + JSON)",
                    trained["zip"],
                    file_name=f"{job.name}.zip",
                    mime="application/zip",
                    key="train_download",
                )


monitor()

session = ui.session_models()
if session:
    st.header("Models trained in this session")
    df = pd.DataFrame([{"name": m.name, "task": m.task, "cell": m.cell, "card": ui.card_line(m)} for m in session])
    ui.table(
        df,
        "session_models",
        key="train_session_models",
        caption="Only you see these; they are gone when this browser session ends.",
    )
