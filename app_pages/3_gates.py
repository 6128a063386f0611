"""Gates: every gate and state of a layer, units x words, recomputed exactly from the model's weights."""

from __future__ import annotations

from functools import partial

import streamlit as st

import ui
from seqcore import plots
from seqcore.cells import cell_spec, gate_info
from seqcore.gatestats import saturation
from seqcore.traces import DIRECTIONS


def gate_label(cell: str, gate: str) -> str:
    return f"{gate}: {gate_info(cell, gate).long_name}"


st.title("🚦 Gates", help=ui.glossary.tip("gate", "hidden unit", "cell state", "layer", "direction"))
st.write(
    "Inside a GRU or an LSTM, small gates decide at every word what to forget, what to write and what to show. "
    "PyTorch's fused cells keep these values to themselves; seqcore recomputes every step from the model's own weights "
    "so each gate can be drawn: one row per hidden unit, one column per word."
)
with st.expander("For developers: how exact the recomputed gates are"):
    st.caption(
        "The recomputed states equal PyTorch's fused cell, or a variant's own module, to 1e-5 (tests/seqcore/test_traces.py checks every cell).",
        help=ui.glossary.tip("tolerance (1e-5)"),
    )

picked = ui.any_model()
if picked is None:
    st.stop()
entry, predictor = picked
cfg = predictor.model.cfg
ui.link_view(
    entry, text="gates_sentence", layer="gates_layer", direction="gates_direction", unit="gates_unit", threshold="gates_threshold"
)

text = ui.sentence_input("gates_sentence", "Sentence (press Enter to apply)")
trace = None
with ui.user_errors("The sentence could not be traced"):
    trace = predictor.trace(text)
if trace is None:
    st.stop()

c1, c2 = st.columns(2)
layer = c1.selectbox("Layer", range(cfg.num_layers), key="gates_layer", format_func=lambda k: f"layer {k}")
direction = c2.selectbox(
    "Direction",
    DIRECTIONS[: cfg.num_directions],
    key="gates_direction",
    help="A bidirectional model reads the sentence twice: left to right (forward) and right to left (backward).",
)
lt = trace.get(layer, direction)
tokens = trace.tokens

st.subheader("Units that matter", help=ui.glossary.tip("logit", "gradient x activation"))
st.write(
    "Not every unit matters for the answer. Each unit is ranked by gradient x activation: how much its state, "
    "word after word, moves the logit of the explained class. Select a word range to rank by how much each unit "
    "changes over those words instead. The heatmaps below draw the best-ranked units first."
)
top = ui.top_units_input(cfg.hidden_size, "gates_units")
ranking = span = None
with ui.user_errors("The units could not be ranked (the rows keep their index order)"):
    focus = ui.pick_focus(predictor, text, "gates_focus", tokens=tokens)
    by_range = st.toggle(
        "Rank by change over a word range", key="gates_by_range", help="Rank units by mean |h - h before| over the words."
    )
    span = ui.word_range(tokens, "gates_span", "Word range (token indices I:J, end exclusive)") if by_range else None
    ranking = ui.unit_ranking(entry, predictor, text, focus, span)
by = "change" if span else "relevance"
order = list(range(cfg.hidden_size))
if ranking is not None:
    with st.container(key="gates_ranking"):
        ui.show_ranking(ranking, layer, direction, by, top, "gates_rank")
    order = ui.shown_units(ranking, layer, direction, by, None)
units = order if top is None else order[:top]

shown = (
    f"the {len(units)} best-ranked of {cfg.hidden_size:d} units" if top is not None else f"all {cfg.hidden_size:d} units, ranked"
)
st.subheader(f"Every gate and state: layer {layer:d}, {ui.plain(direction)}, {ui.plain(cell_spec(cfg.cell).title)}")
if ranking is not None:
    st.caption(
        f"Rows: {shown} for the {ui.md_plain(ranking.item)} (label: the unit's real index), best on top."
    )  # markup: numbers
c1, c2 = st.columns(2)
with c1:
    words = ui.window("First word shown", len(tokens), ui.config.GATES_MAX_WORDS, "gates_words", "words")
with c2:  # the rows keep the ranking's order; at most GATES_MAX_UNITS of them are drawn at once
    rows = ui.window("First unit shown (in this order)", len(units), ui.config.GATES_MAX_UNITS, "gates_rows", "hidden units")
drawn = rows.of(units)
names = list(trace.gate_names)
sigmoid = [n for n in names if gate_info(cfg.cell, n).activation == "sigmoid"]
if ui.presenting():  # a projector: one heatmap per row, every row labelled (seqcore.presenter)
    for name in names:
        info = gate_info(cfg.cell, name)
        ui.chart(
            ui.gate_window_heatmap(lt.gates[name], tokens, cfg.cell, name, words, drawn),
            f"{ui.plain(name)} = {ui.plain(info.long_name)}: its value for each shown hidden unit (row, best-ranked on top) "
            f"after every word (column); {'0 = closed, 1 = open' if info.activation == 'sigmoid' else 'green positive, purple negative'}.",
            key=f"gates_heat_{name}",
        )
else:  # one chart with a panel per gate: one figure for the browser to draw instead of one per gate (issue 17)
    ui.chart(
        plots.gates_grid({n: words.of(lt.gates[n]) for n in names}, words.of(tokens), cfg.cell, drawn, words.start),
        "Each panel is one gate or state: its value for each shown hidden unit (row, best-ranked on top) after every word "
        f"(column). Sigmoid gates ({ui.plain(', '.join(sigmoid))}): 0 = closed, 1 = open; the others: green positive, "
        "purple negative. Gates with the same range share a colour bar; hover a cell for its unit, word and value.",
        key="gates_heat",
    )


@ui.part  # the unit slider reruns this section only
def one_unit(order: list[int], tokens: list[str], lt, names: list[str], cell: str) -> None:
    unit = ui.ranked_unit_slider(order, "gates_unit", "Hidden unit (in ranking order: the best-ranked first)")
    ui.chart(
        plots.unit_figure(tokens, {n: lt.gates[n][:, unit] for n in names}, unit, cell),
        f"The value of every gate and state of unit {unit:d} after each word: a row of each heatmap above, as lines.",
        key="gates_unit_chart",
    )
    ui.table(lt.unit_rows(tokens, unit), f"unit_{unit}", key="gates_unit_table", caption=f"Unit {unit:d}'s values, word by word.")


st.subheader("One unit across the sentence")
one_unit(order, tokens, lt, names, cfg.cell)


@ui.part  # the threshold and the comparison's controls rerun these two sections only
def saturated_gates(entry, text: str, lt, layer: int, direction: str, cell: str, words) -> None:
    st.subheader("Saturated gates", help=ui.glossary.tip("saturated", "threshold"))
    sat_range = ui.config.SATURATION
    threshold = ui.secondary(what="saturation threshold").slider(
        "Saturation threshold",
        sat_range.low,
        sat_range.high,
        ui.config.SATURATION_DEFAULT,
        sat_range.step,
        key="gates_threshold",
        help="A sigmoid gate is saturated above the threshold or below 1 - threshold; a tanh value when |v| > threshold.",
    )
    sat = saturation(cell, lt.gates, threshold)
    if sat:
        ui.chart(
            plots.saturation_figure(sat, f"Saturated values, layer {layer} {direction} (threshold {threshold:.2f})"),
            "For each gate, the share of its values (over all units and words) pinned near an end of its range: "
            f"sigmoid gates above {threshold:.2f} (open) or below {1 - threshold:.2f} (closed); tanh values above "
            f"{threshold:.2f} or below -{threshold:.2f}. Unbounded values (the LSTM cell state c; a variant's g or h without "
            "tanh) are left out.",
            key="gates_sat",
        )
        ui.table(sat, "saturation", key="gates_sat_table", caption="The same shares as numbers, with the rule used for each end.")

    st.header("LSTM and GRU side by side")
    st.write("The same sentence through two models: does the LSTM's forget gate behave like the GRU's update gate?")
    models = ui.all_models()
    by_key = {m.key: m for m in models}
    compare = st.toggle(
        "Compare two models", key="gates_compare", help="Trace the sentence through two models and draw one gate of each."
    )  # off at first: two more traces and three more charts to draw on every rerun
    if not compare:
        pass
    elif len(models) < 2:
        st.info("Only one model is available; ship or train a second one (an LSTM and a GRU) to compare them.")
    else:
        summaries = {}
        sides = st.columns(2)
        for side, default_key, key in zip(sides, ui.side_by_side_default(models, entry), ("gates_left", "gates_right")):
            with side:
                chosen = st.selectbox(
                    "Model",
                    list(by_key),
                    index=list(by_key).index(default_key),
                    key=key,
                    format_func=lambda k: f"{by_key[k].label} · {cell_spec(by_key[k].cell).title}",
                )
                m = by_key[chosen]
                with ui.user_errors(f"{m.name} could not trace the sentence"):
                    tr = ui.get_predictor(m).trace(text)
                    lt2 = tr.get(0, "forward")
                    gate_names = list(tr.gate_names)
                    gate = (
                        st.selectbox(
                            "Gate or state",
                            gate_names,
                            index=len(gate_names) - 1,
                            key=f"{key}_gate",
                            format_func=partial(gate_label, m.cell),
                        )
                        or gate_names[-1]
                    )
                    long_name = gate_info(m.cell, gate).long_name
                    first = ui.windows.leading(lt2.gates[gate].shape[1], ui.config.GATES_MAX_UNITS)
                    ui.chart(
                        ui.gate_window_heatmap(
                            lt2.gates[gate],
                            tr.tokens,
                            m.cell,
                            gate,
                            words,
                            list(range(first.stop)) if first.clipped else None,
                            f"{m.name}: {gate} ({long_name}), layer 0 forward",  # a Plotly title: names are clean_name-d
                        ),
                        f"{ui.plain(m.name)}'s {ui.plain(long_name)} for every unit and word, first layer, left to right"
                        + (f" (its first {first.stop:d} of {first.total:d} units)." if first.clipped else "."),
                        key=f"{key}_heat",
                    )
                    summaries[f"{m.name} ({cell_spec(m.cell).title})"] = saturation(m.cell, lt2.gates, threshold)
        if summaries:
            ui.chart(
                plots.saturation_compare_figure(summaries),
                f"The share of each gate's values beyond the saturation threshold ({threshold:.2f}), layer 0 forward, model by model.",
                key="gates_compare_sat",
            )
            comp = [{"model": name, **row} for name, rows in summaries.items() for row in rows]
            ui.table(
                comp, "saturation_compare", key="gates_compare_table", caption="Saturated shares of both models, gate by gate."
            )


saturated_gates(entry, text, lt, layer, direction, cfg.cell, words)
