"""Inside the cell: the equations with the model's real shapes, parameter counts, tensor shapes, and one step by hand."""

from __future__ import annotations

import pandas as pd
import streamlit as st

import ui
from seqcore import plots
from seqcore.batching import Example
from seqcore.cells import cell_spec
from seqcore.explain import embed_tokens, parameter_breakdown, parameter_totals, shape_arrow, shape_flow, step_detail
from seqcore.inference import term_to_token_span
from seqcore.models import count_parameters
from seqcore.tokens import tokenize

st.title("🔬 Inside the cell")
st.write(
    "The equations a cell computes at every word, with this model's own sizes; where its parameters sit, gate by gate; "
    "the shape of every tensor on the way from words to classes; and one step worked out with the real numbers."
)

picked = ui.any_model()
if picked is None:
    st.stop()
entry, predictor = picked
model, cfg = predictor.model, predictor.model.cfg
spec = cell_spec(cfg.cell)
H, E = cfg.hidden_size, cfg.input_size

st.header(f"The {spec.title} equations")
st.latex(spec.latex)
sizes = (
    rf"x_t \in \mathbb{{R}}^{{{E}}},\quad h_t \in \mathbb{{R}}^{{{H}}},\quad "
    rf"W_{{i\ast}} \in \mathbb{{R}}^{{{H} \times {E}}},\quad W_{{h\ast}} \in \mathbb{{R}}^{{{H} \times {H}}},\quad "
    rf"b_{{i\ast}}, b_{{h\ast}} \in \mathbb{{R}}^{{{H}}}"
)
st.latex(sizes)
notes = [
    f"Layer 0 reads x_t of size {E} (the word embedding"
    + (f" of {cfg.embedding_dim} plus {cfg.char_filters} character features)" if model.chars is not None else ")")
]
if cfg.num_layers > 1:
    notes.append(
        f"layers 1 to {cfg.num_layers - 1} read the previous layer's output, of size {cfg.output_size}, so their W_i* are {H} x {cfg.output_size}"
    )
if cfg.bidirectional:
    notes.append("each layer has a forward and a backward copy with weights of their own")
st.caption(
    "; ".join(notes)
    + f". σ is the logistic sigmoid, ⊙ the element-wise product; {', '.join(spec.blocks)} each own one block of W_ih and W_hh."
)

st.subheader("Parameters, gate by gate")
with ui.user_errors("The parameters could not be listed"):
    rows = parameter_breakdown(model)
    df = pd.DataFrame(rows).astype({"layer": "object", "direction": "object", "gate": "object"})
    ui.table(
        df,
        f"{entry.name}_parameters",
        key="inside_params",
        caption="Every parameter block: the recurrent rows give one gate's slice of W_ih, W_hh and the two biases.",
    )
    totals = parameter_totals(rows)
    ui.table(pd.DataFrame(totals), f"{entry.name}_parameter_totals", key="inside_totals", caption="Per component and per layer.")
    total = totals[-1]["parameters"]
    st.success(f"The blocks add up to {total:,} parameters, the model's total (count_parameters: {count_parameters(model):,}).")


st.header("Tensor shapes for the current sentence")
text = ui.sentence_input("inside_sentence", "Sentence (press Enter to apply)")
tokens, offsets = tokenize(text)
example = None
with ui.user_errors("The sentence could not be read"):
    if not tokens:
        raise ValueError("the sentence is empty: type at least one word")
    example = Example(id="input", tokens=tokens, text=text)
    if cfg.task == "aspect":
        terms_text = st.text_input(
            "Aspect term(s), separated by commas", value=tokens[min(1, len(tokens) - 1)], key="inside_terms"
        )
        terms = [t.strip() for t in terms_text.split(",") if t.strip()]
        if not terms:
            raise ValueError("name at least one aspect term that occurs in the sentence")
        example.aspects = [term_to_token_span(text, offsets, t) for t in terms]
    flow = shape_flow(model, predictor.encoder, example)
    st.code(shape_arrow(flow), language=None, wrap_lines=True)
    ui.table(
        pd.DataFrame([{**r, "shape": "[" + ", ".join(map(str, r["shape"])) + "]"} for r in flow]),
        "shapes",
        key="inside_shapes",
        caption="Each stage of the forward pass for this one sentence (B = 1), read off the real tensors.",
    )

if example is not None:
    st.header("One step with the real numbers")
    c1, c2, c3 = st.columns(3)
    t = c1.selectbox(
        "Word", range(len(tokens)), format_func=lambda k: f"{k}: {tokens[k]}", key="inside_word", index=min(1, len(tokens) - 1)
    )
    layer = c2.selectbox("Layer", range(cfg.num_layers), key="inside_layer", format_func=lambda k: f"layer {k}")
    direction = c3.selectbox("Direction", ["forward", "backward"] if cfg.bidirectional else ["forward"], key="inside_direction")
    units = st.multiselect("Units to show", list(range(H)), default=list(range(min(4, H))), key="inside_units")
    with ui.user_errors("The step could not be computed"):
        x0 = embed_tokens(model, predictor.encoder, tokens)
        step = step_detail(model, x0, tokens, layer, direction, t)
        prev = "the start (zeros)" if step.prev_t is None else f"word {step.prev_t} ({tokens[step.prev_t]})"
        st.write(f"Step at word {t} (**{tokens[t]}**), layer {layer}, {direction}: h_{{t-1}} is the state after {prev}.")
        k = min(8, len(step.x))
        vec = pd.DataFrame({"dimension": range(k), "x_t": step.x[:k].round(4)})
        state = {"unit": units, "h_{t-1}": [round(float(step.h_prev[u]), 4) for u in units]}
        if step.c_prev is not None:
            state["c_{t-1}"] = [round(float(step.c_prev[u]), 4) for u in units]
        cols = st.columns(2)
        with cols[0]:
            ui.table(
                vec,
                "x_t",
                key="inside_x",
                caption=f"The first {k} of {len(step.x)} numbers of this layer's input x_t at this word.",
            )
        with cols[1]:
            ui.table(pd.DataFrame(state), "previous_state", key="inside_prev", caption="The previous state of the chosen units.")
        if units:
            detail = step.table(units)
            ui.table(
                pd.DataFrame(detail).round(5),
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
