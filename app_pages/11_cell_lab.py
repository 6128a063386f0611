"""Cell lab: which gates matter? Train LSTM and GRU variants over several seeds, live, and compare with Greff et al. 2017."""

from __future__ import annotations

import streamlit as st

import ui
from seqcore.cells import CELLS, cell_spec
from seqcore.labplots import parameters_figure, variants_figure
from ui.celllab import LAB_TASKS, LabChoice

TASK_TITLES = {"memory": "remember the first word of a noisy sequence", "sentiment": "sentiment of movie-review sentences"}

st.title("🧪 Cell lab")
st.write(
    "Greff et al. (*LSTM: A Search Space Odyssey*, 2017) removed one part of the LSTM at a time and trained each variant "
    "many times. Here a class can do the same in minutes: pick variants and a task, and each variant trains with every "
    "seed under the same settings and time budget, then reads a test set it never saw. Bars are the mean over seeds, "
    "whiskers one standard deviation, dots the single runs; Welch's t-test says whether a variant differs from the "
    "vanilla LSTM (with peepholes) by more than seeds alone would explain."
)
ui.link_view(ui.current_model())
st.info(ui.plain(ui.celllab.paper_summary()))

default_variants, _ = ui.celllab.lab_defaults()
c1, c2 = st.columns([1, 3])
task = c1.radio("Task", LAB_TASKS, format_func=lambda t: f"{t}: {TASK_TITLES[t]}", key="lab_task")
variants = c2.multiselect(
    "Variants", CELLS, default=list(default_variants[:4]), key="lab_variants", format_func=lambda c: f"{c}: {cell_spec(c).title}"
)
c3, c4 = st.columns(2)
seeds = c3.slider("Seeds per variant", *ui.config.LAB_SEEDS, key="lab_seeds", help="Each seed draws its own weights and data.")
if task == "memory":
    length = c4.select_slider("Sequence length (words)", ui.config.MEMORY_LENGTHS, value=ui.config.LAB_LENGTH, key="lab_length")
    subset = ui.config.LAB_SUBSET
else:
    length = ui.config.LAB_LENGTH
    subset = ui.secondary(c4).select_slider(
        "Training sentences per run", ui.config.LAB_SUBSETS, value=ui.config.LAB_SUBSET, key="lab_subset"
    )
choice = LabChoice.of(task, variants, seeds, length, subset)
with st.expander("What each chosen variant changes, and what the papers found"):
    ui.table(
        [{"variant": v, "change": cell_spec(v).description} for v in choice.variants],
        "variants",
        key="lab_changes",
        caption="One row per chosen variant: the change from the cell it varies.",
    )
    ui.table(ui.celllab.findings(choice.variants), "findings", key="lab_findings", caption="The published finding, per variant.")
if choice.variants:
    counts, E, H = ui.celllab.parameter_counts(choice)
    ui.chart(
        parameters_figure(counts, E, H),
        "What each variant costs: a removed gate drops a quarter of an LSTM layer's weights; peepholes add 3 x H, "
        "full gate recurrence nine H x H matrices.",
        key="lab_params",
    )


def start() -> None:  # a callback: the job exists before the page redraws, so the button is drawn disabled
    with ui.user_errors("The lab could not start"):
        ui.celllab.start_lab(choice)


job = ui.celllab.poll_lab()
running = job is not None and not job.done
cached = ui.celllab.cached_result(choice)
st.button(
    "Run the lab",
    type="primary",
    key="lab_run",
    on_click=start,
    disabled=running or not choice.variants or cached is not None,
    help="Already measured for these settings: the result is below." if cached is not None else None,
)
chance = ui.celllab.CHANCE.get(task)


@st.fragment(run_every=ui.config.POLL_SECONDS if running else None)
def lab_monitor() -> None:
    job = ui.celllab.poll_lab()
    mine = job is not None and (not job.done or ui.celllab.job_choice(job) == choice)
    if job is not None and mine and not job.done:
        st.button("Stop", key="lab_stop", on_click=job.stop, help="Ends the lab after the current step.")
        fraction, where = ui.celllab.progress_of(job)
        st.progress(fraction, text=ui.plain(where))
        partial = ui.celllab.partial_result(job)
        if partial.runs:
            ui.chart(
                variants_figure(partial.summary(), ui.celllab.baseline_of(choice.variants), chance),
                "Test accuracy per variant over the seeds finished so far: bar the mean, whisker one standard deviation.",
                key="lab_live",
            )
        return
    if running:  # it finished while this fragment polled: redraw the page once, which stops the polling
        st.rerun(scope="app")
    if job is not None and mine and job.error:
        if job.stop_requested:
            st.info("Stopped before it started: press Run the lab to queue it again.")
        else:
            st.error(f"The lab failed: {ui.plain(job.error)}")
        return
    result = job.result if job is not None and mine else cached
    if result is None:
        st.info("Press **Run the lab** to train every chosen variant with every seed.")
        return
    if result.stopped:
        st.warning(f"Stopped by you after {len(result.runs)} run(s); the unfinished run is left out.")
    rows = result.summary()
    if not rows:  # stopped before any run finished
        return
    ui.chart(
        variants_figure(rows, ui.celllab.baseline_of(result.settings.variants), chance),
        "Test accuracy per variant: bar the mean over seeds, whisker one standard deviation, circles the single runs"
        + ("; dotted: chance (50%)." if chance else "."),
        key="lab_result",
    )
    st.markdown(
        "**Measured** (test accuracy): "  # markup: seqcore's numbers and variant names, no user text
        + "; ".join(ui.celllab.measured(result))
        + f". {result.seconds:.0f} s on this server's CPU."
    )
    ui.table(
        [{k: v for k, v in r.items() if k != "accuracies"} for r in rows],
        "cell_lab_summary",
        key="lab_summary",
        caption="One row per variant: seeds, mean and standard deviation of test accuracy, seconds, runs that spent their "
        "budget, and Welch's t-test against the baseline (difference of means, t, two-sided p).",
    )
    ui.table(result.rows(), "cell_lab_runs", key="lab_runs", caption="One row per run: variant, seed, test and dev accuracy.")


lab_monitor()
