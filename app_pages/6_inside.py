"""Inside the cell: the equations with the model's real shapes, parameter counts, tensor shapes, and one step by hand."""

from __future__ import annotations

import streamlit as st

import ui
from seqcore import plots
from seqcore.anatomy import (
    embed_tokens,
    parameter_breakdown,
    parameter_totals,
    shape_arrow,
    shape_flow,
    shape_rows,
    sizes_latex,
    sizes_note,
    step_detail,
)
from seqcore.cells import cell_spec
from seqcore.models import count_parameters
from seqcore.traces import DIRECTIONS

st.title("🔬 Inside the cell", help=ui.glossary.tip("hidden state", "embedding", "tensor shape"))
st.write(
    "The equations a cell computes at every word, with this model's own sizes; where its parameters sit, gate by gate; "
    "the shape of every tensor on the way from words to classes; and one step worked out with the real numbers."
)

picked = ui.any_model()
if picked is None:
    st.stop()
entry, predictor = picked
model, cfg = predictor.model, predictor.model.cfg
ui.link_view(entry, text="inside_sentence", layer="inside_layer", direction="inside_direction", aspect="inside_terms")

st.header(f"The {ui.plain(cell_spec(cfg.cell).title)} equations")
st.latex(cell_spec(cfg.cell).latex)
st.latex(sizes_latex(cfg))
st.caption(ui.plain(sizes_note(cfg)))

st.subheader("Parameters, gate by gate")
with ui.user_errors("The parameters could not be listed"):
    rows = parameter_breakdown(model)
    ui.table(
        ui.parameter_table(rows),
        f"{entry.name}_parameters",
        key="inside_params",
        caption="Every parameter block: the recurrent rows give one gate's slice of W_ih, W_hh and the two biases.",
    )
    totals = parameter_totals(rows)
    ui.table(totals, f"{entry.name}_parameter_totals", key="inside_totals", caption="Per component and per layer.")
    st.success(
        f"The blocks add up to {totals[-1]['parameters']:,} parameters, the model's total (count_parameters: {count_parameters(model):,})."
    )


st.header("Tensor shapes for the current sentence")
text = ui.sentence_input("inside_sentence", "Sentence (press Enter to apply)")
example = None
with ui.user_errors("The sentence could not be read"):
    if cfg.task == "aspect":
        example, _ = predictor.example(text)  # the first or second word is the aspect term offered at first
        terms = ui.terms_input("inside_terms", text, example.tokens)
        example = predictor.aspect_example(text, terms.split(","))
    else:
        example, _ = predictor.example(text)
    flow = shape_flow(model, predictor.encoder, example)
    st.code(shape_arrow(flow), language=None, wrap_lines=True)
    ui.table(
        shape_rows(flow),
        "shapes",
        key="inside_shapes",
        caption="Each stage of the forward pass for this one sentence (B = 1), read off the real tensors.",
    )

if example is not None:
    tokens = example.tokens
    st.header("One step with the real numbers")
    c1, c2, c3 = st.columns(3)
    t = c1.selectbox(
        "Word", range(len(tokens)), format_func=lambda k: f"{k}: {tokens[k]}", key="inside_word", index=min(1, len(tokens) - 1)
    )
    layer = c2.selectbox("Layer", range(cfg.num_layers), key="inside_layer", format_func=lambda k: f"layer {k}")
    direction = c3.selectbox("Direction", DIRECTIONS[: cfg.num_directions], key="inside_direction")
    H = cfg.hidden_size
    units = ui.secondary(what="units shown").multiselect(
        "Units to show", list(range(H)), default=list(range(min(ui.config.STEP_UNITS_SHOWN, H))), key="inside_units"
    )
    with ui.user_errors("The step could not be computed"):
        step = step_detail(model, embed_tokens(model, predictor.encoder, tokens), tokens, layer, direction, t)
        prev = "the start (zeros)" if step.prev_t is None else f"word {step.prev_t} ({tokens[step.prev_t]})"
        st.write(
            f"Step at word {t:d} (**{ui.plain(tokens[t])}**), layer {layer:d}, {ui.plain(direction)}: "
            f"h\\_{{t-1}} is the state after {ui.plain(prev)}."
        )
        cols = st.columns(2)
        with cols[0]:
            shown = step.input_rows()
            ui.table(
                shown,
                "x_t",
                key="inside_x",
                caption=f"The first {len(shown)} of {len(step.x)} numbers of this layer's input x_t at this word.",
            )
        with cols[1]:
            ui.table(
                step.state_rows(units), "previous_state", key="inside_prev", caption="The previous state of the chosen units."
            )
        if units:
            detail = step.table(units)
            ui.table(
                ui.rounded(detail, 5),
                "step",
                key="inside_step",
                caption="Each gate of each chosen unit: the input part W_i x + b_i, the hidden part W_h h + b_h, their "
                "pre-activation (for the GRU's n: input part + r ⊙ hidden part) and the value after σ or tanh.",
            )
            ui.chart(
                plots.step_figure(detail),
                "The value of each gate and state of the chosen units at this word; hover for the pre-activation.",
                key="inside_step_chart",
            )
            st.caption("Recomputed here from the layer's weights in float64; the same values as the Gates page's trace.")
        else:
            st.info("Choose at least one unit.")
