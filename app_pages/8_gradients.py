"""Gradients through time: how much of a prediction's loss reaches each word, and a live memory experiment."""

from __future__ import annotations

import streamlit as st

import ui
from seqcore import plots
from seqcore.cells import CELLS
from seqcore.traces import DIRECTIONS
from ui.experiments import MemorySettings

EXAMPLES = [
    ui.DEFAULT_SENTENCE,
    "I had heard so much about this film from friends who saw it twice, and after two long hours in a cold theatre "
    "I can only say that it was a complete and utter waste of time.",
    "Despite a slow first act, a clumsy script and a lead who seems bored in every scene, the last twenty minutes are "
    "so tender and so beautifully shot that I left the cinema happy.",
    "Not good.",
]

st.title(
    "📉 Gradients through time",
    help=ui.glossary.tip("gradient", "Jacobian", "vanishing gradient", "orders of magnitude", "untrained twin"),
)
st.write(
    "Training moves each weight by the gradient of the loss. For a word early in a sentence, that gradient must travel "
    "back through every later step: **dL/dh_t** is the gradient of the loss with respect to the hidden state after word t. "
    "In a plain RNN each step back multiplies it by the recurrent weights and the slope of tanh, so it shrinks "
    "geometrically (Bengio et al. 1994): early words barely change the weights. The GRU and LSTM add paths whose factor "
    "stays near 1. The chart is on a log axis: one grid line down is ten times less."
)

models = ui.models_of_task("sentiment")
if not models:
    ui.point_to_train(
        "No sentiment model is available: none is shipped in models/ and none was trained in this session. "
        "The memory experiment below needs none.",
        "Train a sentiment model on the Train page",
    )
else:
    current = ui.current_model()
    entry = current if current in models else models[0]
    ui.link_view(entry, text="grad_sentence", layer="grad_layer", direction="grad_direction")
    by_key = {m.key: m for m in models}
    with ui.secondary(what="example sentences"):
        ui.example_sentences("grad_example", "grad_sentence", EXAMPLES)
    text = ui.sentence_input("grad_sentence", "Sentence (type your own and press Enter; longer sentences show the fall better)")
    chosen = st.multiselect(
        f"Models drawn side by side (up to {ui.config.GRADIENT_MODELS:d}; the sidebar's model, used by the other pages, starts first)",
        list(by_key),
        default=ui.comparison_default(models, ui.config.GRADIENT_MODELS),
        max_selections=ui.config.GRADIENT_MODELS,
        key="grad_models",
        format_func=lambda k: f"{by_key[k].label} · {by_key[k].cell.upper()}",
    )
    c1, c2, c3, c4 = st.columns(4)
    layers = max(int(by_key[k].config.get("num_layers", 1)) for k in chosen) if chosen else 1
    bidirectional = any(by_key[k].config.get("bidirectional") for k in chosen)
    layer = c1.selectbox("Layer", range(layers), key="grad_layer", format_func=lambda k: f"layer {k}")
    direction = c2.selectbox(
        "Direction",
        DIRECTIONS[: 2 if bidirectional else 1],
        key="grad_direction",
        help="Forward: the loss enters at the last word and flows back to the first. Backward: the other way round.",
    )
    readouts = ui.config.GRADIENT_READOUTS
    readout = ui.secondary(c3, "where the loss enters").radio(
        "Where the loss enters",
        list(readouts),
        index=list(readouts).index(ui.config.GRADIENT_READOUT_DEFAULT),
        format_func=readouts.__getitem__,
        key="grad_readout",
        help="The shipped models pool by max over the words: the loss then enters at many words and hides the fall.",
    )
    twin = ui.secondary(c4, "untrained twins").toggle(
        "Untrained twins too",
        value=True,
        key="grad_twin",
        help="The same model freshly initialised (same sizes, random weights): the fall before any training.",
    )

    flows = {}
    with ui.user_errors("The sentence could not be read"):
        for k in chosen:
            flows.update(ui.teaching.gradient_flows(by_key[k], ui.get_predictor(by_key[k]), text, readout, twin))
    if not chosen:
        st.info("Choose at least one model.")
    elif flows:
        tokens = next(iter(flows.values())).tokens
        lines = ui.teaching.gradient_lines(flows, layer, direction)
        colours = ui.teaching.cell_colours(flows)  # the memory experiment's colours: RNN vermillion, GRU green, LSTM black
        where = "the last word" if direction == "forward" else "the first word"
        ui.chart(
            plots.gradient_norm_figure(tokens, lines, f"||dL/dh_t|| per word: layer {layer}, {direction}", colours),
            f"The size of the gradient of the loss (of the class each model predicts) with respect to the hidden state after "
            f"each word, layer {layer:d}, {ui.plain(direction)} direction, on a log axis. With the last-step readout the loss "
            f"enters at {ui.plain(where)}; every step away from it multiplies the gradient by that step's Jacobian. Colour: model (by cell "
            "where the cells differ: RNN vermillion, GRU green, LSTM black); solid: trained, dashed: its untrained twin. "
            "Hover a point for its word and value.",
            key="grad_chart",
        )
        falls = ui.teaching.gradient_metrics(flows, layer, direction)
        for col, (name, cell, fall, twin_fall) in zip(st.columns(max(1, len(falls))), falls):
            col.metric(
                f"{ui.plain(name)} ({ui.plain(cell)}): the gradient falls by",
                ui.plain(ui.teaching.fall_text(fall)),
                f"untrained twin {ui.plain(ui.teaching.fall_text(twin_fall))}" if twin_fall is not None else None,
                delta_color="off",
                delta_arrow="off",
            )
        st.caption(
            "In orders of magnitude (factors of ten): "
            + "; ".join(
                f"{ui.plain(name)} {fall:.1f}" + (f" (untrained {twin:.1f})" if twin is not None else "")
                for name, _, fall, twin in falls
            )
            + "."
        )
        ui.table(
            ui.teaching.gradient_summary(flows, layer, direction),
            "gradient_summary",
            key="grad_summary",
            caption="How far each model's gradient falls along the sentence (log10 of the largest over the smallest norm).",
        )

        st.subheader("Every layer and direction, model by model")
        trained = {n: f for n, f in flows.items() if not n.endswith(ui.teaching.UNTRAINED)}
        if ui.presenting():  # a projector: one model per tab, each chart the page's width
            for tab, (name, flow) in zip(st.tabs(list(trained)), trained.items()):
                with tab:
                    ui.chart(
                        plots.gradient_norm_figure(tokens, flow.lines(name), f"{name} ({flow.cell.upper()})", colours),
                        f"{ui.plain(name)}: ||dL/dh_t|| of every layer and direction, and ||dL/dx_t|| of the word embeddings (input x).",
                        key=f"grad_all_{name}",
                    )
        else:  # one chart, a panel per model: one figure to draw, none hidden in a tab (issue 17)
            ui.chart(
                plots.gradient_panels_figure(
                    tokens, {f"{n} ({f.cell.upper()})": f.lines(n) for n, f in trained.items()}, colours
                ),
                "One panel per model: ||dL/dh_t|| of every layer and direction, and ||dL/dx_t|| of the word embeddings "
                "(input x), each on a log axis; the words are named under the last panel. Hover a point for its word and value.",
                key="grad_all",
            )

        st.subheader("How much reaches each word's embedding")
        inputs = plots.gradient_norm_figure(
            tokens, ui.teaching.input_lines(flows), "||dL/dx_t||: the gradient at each input", colours
        )
        inputs.update_yaxes(title_text="gradient norm ||dL/dx_t|| (log scale)")
        ui.chart(
            inputs,
            "The gradient with respect to each word's input vector: what training would change in that word's embedding.",
            key="grad_inputs",
        )
        ui.table(
            ui.teaching.gradient_table(flows, layer, direction),
            "gradient_norms",
            key="grad_table",
            caption=f"One row per word: each model's ||dL/dh_t|| (layer {layer:d}, {ui.plain(direction)}) and ||dL/dx_t||.",
        )

# ------------------------------------------------------------------ the memory experiment
st.header("A live experiment: remember the first word", help=ui.glossary.tip("chance", "RNN, GRU, LSTM"))
st.write(
    "Each sequence is *A* or *B* followed by noise words (x0 ... x19); its label is its first word, so a model that reads "
    "left to right must carry that one word to the end. Small RNN, GRU and LSTM models (16 units) train on 1,000 "
    "sequences of each length until they solve it (100% on a dev set) or for 25 epochs, then read 500 fresh ones. "
    "50% is chance. It runs in the background (about half a minute for the default grid): the page stays usable."
)
default_lengths, default_cells = ui.experiments.memory_defaults()
c1, c2, c3 = st.columns([3, 2, 1])
lengths = c1.multiselect("Sequence lengths (words)", ui.config.MEMORY_LENGTHS, default=list(default_lengths), key="mem_lengths")
cells = c2.multiselect("Cells", CELLS, default=list(default_cells), format_func=str.upper, key="mem_cells")
seed = ui.secondary(c3, "seed").number_input("Seed", 0, 1_000_000, ui.config.MEMORY_SEED, key="mem_seed")
settings = MemorySettings.of(lengths, cells, int(seed))


def start() -> None:  # a callback: the job exists before the page redraws, so the button is drawn disabled
    with ui.user_errors("The experiment could not start"):
        ui.experiments.start_memory(settings)


job = ui.experiments.poll_memory()
running = job is not None and not job.done
cached = ui.experiments.cached_result(settings)
st.button(
    "Run the experiment",
    type="primary",
    key="mem_run",
    on_click=start,
    disabled=running or not lengths or not cells or cached is not None,
    help="Already measured for these settings: the result is below." if cached is not None else None,
)


@st.fragment(run_every=ui.config.POLL_SECONDS if running else None)
def memory_monitor() -> None:
    job = ui.experiments.poll_memory()
    mine = job is not None and (not job.done or ui.experiments.job_settings(job) == settings)
    if job is not None and mine and not job.done:
        shown = ui.experiments.job_settings(job)
        st.button("Stop", key="mem_stop", on_click=job.stop, help="Ends the experiment after the current step.")
        fraction, where = ui.experiments.progress_of(job)
        st.progress(fraction, text=ui.plain(where))
        runs = ui.experiments.finished_runs(job)
        ui.chart(
            plots.memory_figure(shown.lengths, ui.experiments.partial_table(shown, runs)),
            "Test accuracy against sequence length, one line per cell, filled in as the runs finish; dotted: chance.",
            key="mem_live",
        )
        return
    if running:  # it finished while this fragment polled: redraw the page once, which stops the polling
        st.rerun(scope="app")
    if job is not None and mine and job.error:
        if job.stop_requested:
            st.info("Stopped before it started: press Run the experiment to queue it again.")
        else:
            st.error(f"The experiment failed: {ui.plain(job.error)}")
        return
    result = job.result if job is not None and mine else cached
    if result is None:
        st.info("Press **Run the experiment** to train the grid above.")
        return
    if result.stopped:
        st.warning(f"Stopped by you after {len(result.runs)} run(s); the unfinished run is left out.")
    ui.chart(
        plots.memory_figure(result.task.lengths, result.table()),
        "Test accuracy against sequence length, one line per cell; dotted: chance (50%). Hover a point for its value.",
        key="mem_result",
    )
    st.markdown(
        "**Measured** (test accuracy on 500 fresh sequences; 50% is chance): "
        + "; ".join(ui.experiments.measured(result))  # markup: seqcore's numbers and cell names, no user text
        + f". {result.seconds:.0f} s on this server's CPU, seed {result.task.seed:d}."
    )
    ui.table(
        result.rows(),
        "memory_experiment",
        key="mem_table",
        caption="One row per run: test and best dev accuracy, the epoch kept, epochs run and seconds.",
    )


memory_monitor()
