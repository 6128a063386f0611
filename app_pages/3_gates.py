"""Gates: every gate and state of a layer, units x words, recomputed exactly from the model's weights."""

from __future__ import annotations

import pandas as pd
import streamlit as st

import ui
from seqcore import plots
from seqcore.cells import cell_spec, gate_info
from seqcore.explain import saturation

st.title("🚦 Gates")
st.write(
    "Inside a GRU or an LSTM, small gates decide at every word what to forget, what to write and what to show. "
    "PyTorch's fused cells keep these values to themselves; seqcore recomputes every step from the model's own weights "
    "(equal to the fused cell to 1e-5) so each gate can be drawn: one row per hidden unit, one column per word."
)

picked = ui.any_model()
if picked is None:
    st.stop()
entry, predictor = picked
cfg = predictor.model.cfg

text = ui.sentence_input("gates_sentence", "Sentence (press Enter to apply)")
trace = None
with ui.user_errors("The sentence could not be traced"):
    trace = predictor.trace(text)
if trace is None:
    st.stop()

c1, c2, c3 = st.columns(3)
layer = c1.selectbox("Layer", range(cfg.num_layers), key="gates_layer", format_func=lambda k: f"layer {k}")
directions = ["forward", "backward"] if cfg.bidirectional else ["forward"]
direction = c2.selectbox(
    "Direction",
    directions,
    key="gates_direction",
    help="A bidirectional model reads the sentence twice: left to right (forward) and right to left (backward).",
)
threshold = c3.slider(
    "Saturation threshold",
    0.55,
    0.99,
    0.9,
    0.01,
    key="gates_threshold",
    help="A sigmoid gate is saturated above the threshold or below 1 - threshold; a tanh value when |v| > threshold.",
)
lt = trace.get(layer, direction)
tokens = trace.tokens

st.subheader(f"Every gate and state: layer {layer}, {direction}, {cell_spec(cfg.cell).title}")
names = list(trace.gate_names)
cols = st.columns(2)
for k, name in enumerate(names):
    info = gate_info(cfg.cell, name)
    with cols[k % 2]:
        ui.chart(
            plots.gate_heatmap(lt.gates[name], tokens, cfg.cell, name),
            f"{name} = {info.long_name}: its value for every hidden unit (row) after every word (column); "
            f"{'0 = closed, 1 = open' if info.activation == 'sigmoid' else 'blue positive, red negative'}.",
            key=f"gates_heat_{name}",
        )

st.subheader("One unit across the sentence")
unit = st.slider("Hidden unit", 0, cfg.hidden_size - 1, 0, key="gates_unit")
ui.chart(
    plots.unit_figure(tokens, {n: lt.gates[n][:, unit] for n in names}, unit, cfg.cell),
    f"The value of every gate and state of unit {unit} after each word: a row of each heatmap above, as lines.",
    key="gates_unit_chart",
)
unit_df = pd.DataFrame({"position": range(len(tokens)), "word": tokens, **{n: lt.gates[n][:, unit].round(4) for n in names}})
ui.table(unit_df, f"unit_{unit}", key="gates_unit_table", caption=f"Unit {unit}'s values, word by word.")

st.subheader("Saturated gates")
sat = saturation(cfg.cell, lt.gates, threshold)
if sat:
    ui.chart(
        plots.saturation_figure(sat, f"Saturated values, layer {layer} {direction} (threshold {threshold:.2f})"),
        "For each gate, the share of its values (over all units and words) pinned near an end of its range: "
        f"sigmoid gates above {threshold:.2f} (open) or below {1 - threshold:.2f} (closed); tanh values above "
        f"{threshold:.2f} or below -{threshold:.2f}. The LSTM cell state c is unbounded and is left out.",
        key="gates_sat",
    )
    sat_df = pd.DataFrame(sat)
    ui.table(sat_df, "saturation", key="gates_sat_table", caption="The same shares as numbers, with the rule used for each end.")

st.header("LSTM and GRU side by side")
st.write("The same sentence through two models: does the LSTM's forget gate behave like the GRU's update gate?")
models = ui.all_models()
by_key = {m.key: m for m in models}
if len(models) < 2:
    st.info("Only one model is available; ship or train a second one (an LSTM and a GRU) to compare them.")
else:

    def first_key(cell: str, fallback: int) -> str:
        same_task = [m for m in models if m.cell == cell and m.task == entry.task]
        any_task = [m for m in models if m.cell == cell]
        return (same_task or any_task or [models[fallback]])[0].key

    left_default, right_default = first_key("lstm", 0), first_key("gru", 1)
    if left_default == right_default:
        right_default = next(m.key for m in models if m.key != left_default)
    keys = list(by_key)
    summaries = {}
    sides = st.columns(2)
    for side, default_key, key in ((sides[0], left_default, "gates_left"), (sides[1], right_default, "gates_right")):
        with side:
            chosen = st.selectbox(
                "Model",
                keys,
                index=keys.index(default_key),
                key=key,
                format_func=lambda k: f"{by_key[k].label} · {cell_spec(by_key[k].cell).title}",
            )
            m = by_key[chosen]
            with ui.user_errors(f"{m.name} could not trace the sentence"):
                p = ui.get_predictor(m)
                tr = p.trace(text)
                lt2 = tr.get(0, "forward")
                gate = st.selectbox(
                    "Gate or state",
                    list(tr.gate_names),
                    index=len(tr.gate_names) - 1,
                    key=f"{key}_gate",
                    format_func=lambda g, c=m.cell: f"{g}: {gate_info(c, g).long_name}",
                )
                ui.chart(
                    plots.gate_heatmap(
                        lt2.gates[gate],
                        tr.tokens,
                        m.cell,
                        gate,
                        f"{m.name}: {gate} ({gate_info(m.cell, gate).long_name}), layer 0 forward",
                    ),
                    f"{m.name}'s {gate_info(m.cell, gate).long_name} for every unit and word, first layer, left to right.",
                    key=f"{key}_heat",
                )
                summaries[f"{m.name} ({cell_spec(m.cell).title})"] = saturation(m.cell, lt2.gates, threshold)
    if summaries:
        ui.chart(
            plots.saturation_compare_figure(summaries),
            f"The share of each gate's values beyond the saturation threshold ({threshold:.2f}), layer 0 forward, model by model.",
            key="gates_compare_sat",
        )
        comp = pd.DataFrame([{"model": name, **row} for name, rows in summaries.items() for row in rows])
        ui.table(comp, "saturation_compare", key="gates_compare_table", caption="Saturated shares of both models, gate by gate.")
