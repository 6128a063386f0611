"""Plotly figure builders for the app: pure functions from numbers to figures, no streamlit.

Every figure has a title, axis titles with units, and a hover template that names the values
under the pointer. Words sit on a numeric axis (their position) labelled with the word itself,
so a word that occurs twice keeps two places.

Plotly draws a subset of HTML in every text it shows (tick labels, legends, hover labels): words,
aspect terms, class labels and model names come from users, so they pass through `plotly_text`,
which escapes them (Plotly shows `&lt;b&gt;` as the text `<b>`).
"""

from __future__ import annotations

import html
from collections.abc import Mapping, Sequence

import numpy as np
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from seqcore import palette
from seqcore.cells import gate_info

# Every colour comes from seqcore.palette (colour-blind safe; negative blue, positive orange, and those two only for the classes).
CLASS_COLORS = palette.CLASS_COLORS
PALETTE = palette.LINES
DASHES = ["solid", "dash", "dot", "dashdot"]
SYMBOLS = ["circle", "x", "diamond", "square", "triangle-up"]
BAR_PATTERNS = ["", ".", "x"]  # bars beyond the palette's colours repeat a colour with a pattern
WORD_AXIS = "word (position: token)"
class_color = palette.class_color


def plotly_text(value: object) -> str:
    """A user's string as Plotly text: its HTML escaped, so a tag or a link in it is shown, not drawn."""
    return html.escape(str(value), quote=False)


def _texts(values: Sequence[object]) -> list[str]:
    return [plotly_text(v) for v in values]


def word_ticks(tokens: Sequence[str], start: int = 0) -> dict:
    """Axis settings that put each word at its position, labelled "position: word" (the first word at `start`)."""
    return {
        "tickmode": "array",
        "tickvals": list(range(start, start + len(tokens))),
        "ticktext": [f"{start + i}: {plotly_text(w)}" for i, w in enumerate(tokens)],
    }


def _layout(fig: go.Figure, title: str, x: str, y: str, height: int | None = None) -> go.Figure:
    fig.update_layout(
        title={"text": title},
        xaxis_title=x,
        yaxis_title=y,
        hovermode="closest",
        margin={"l": 60, "r": 20, "t": 60, "b": 60},
        legend={"orientation": "h", "y": -0.25},
    )
    if height:
        fig.update_layout(height=height)
    return fig


def _named_hline(fig: go.Figure, y: float, name: str, color: str, dash: str) -> None:
    """A horizontal line across the plot, named in the legend (a note on the line would sit on the data)."""
    fig.add_hline(y=y, line={"dash": dash, "color": color})
    fig.add_trace(
        go.Scatter(
            x=[None],
            y=[None],
            mode="lines",
            name=name,
            line={"dash": dash, "color": color},
            hovertemplate=f"{name}<extra></extra>",
        )
    )


# ----------------------------------------------------------------------------- page 1: trajectory


def trajectory_figure(
    tokens: Sequence[str], runs: Mapping[str, tuple[Sequence[str], np.ndarray]], classes: Sequence[str] | None = None
) -> go.Figure:
    """Lines of P(class | words 0..t) after each word, one line per model and class.

    `runs` maps a model name to (labels, probs) with probs of shape (T, C). Colour tells the class,
    the dash pattern tells the model.
    """
    fig = go.Figure()
    x = list(range(len(tokens)))
    for m, (raw_name, (labels, probs)) in enumerate(runs.items()):
        name = plotly_text(raw_name)
        probs = np.asarray(probs)
        if probs.shape != (len(tokens), len(labels)):
            raise ValueError(
                f"{name}: probabilities of shape {probs.shape} do not fit {len(tokens)} words x {len(labels)} classes"
            )
        for k, label in enumerate(labels):
            if classes is not None and label not in classes:
                continue
            fig.add_trace(
                go.Scatter(
                    x=x,
                    y=probs[:, k].tolist(),
                    mode="lines+markers",
                    name=f"{name} · P({plotly_text(label)})",
                    line={"color": class_color(label, k), "dash": DASHES[m % len(DASHES)]},
                    customdata=_texts(tokens),
                    hovertemplate=f"{name}<br>after word %{{x}}: %{{customdata}}<br>P({plotly_text(label)}) = %{{y:.3f}}<extra></extra>",
                )
            )
    _layout(fig, "Class probability after each word", WORD_AXIS, "P(class | words so far) (probability, 0-1)")
    fig.update_xaxes(**word_ticks(tokens))
    fig.update_yaxes(range=[-0.02, 1.02])
    return fig


def align_tokens(a: Sequence[str], b: Sequence[str]) -> list[tuple[int | None, int | None]]:
    """Align a sentence's tokens with its edit's as slots (i, j): equal words (any case) share a slot, an inserted or
    deleted word has a slot of its own (None on the other side), replaced words pair up in order."""
    from difflib import SequenceMatcher

    slots: list[tuple[int | None, int | None]] = []
    matcher = SequenceMatcher(a=[t.lower() for t in a], b=[t.lower() for t in b], autojunk=False)
    for _, i1, i2, j1, j2 in matcher.get_opcodes():
        for k in range(max(i2 - i1, j2 - j1)):
            i = i1 + k if k < i2 - i1 else None
            j = j1 + k if k < j2 - j1 else None
            slots.append((i, j))  # insert: i is None; delete: j is None; a longer side of a replace: the other is None
    return slots


def _slot_label(a: Sequence[str], b: Sequence[str], i: int | None, j: int | None) -> str:
    if i is None:
        return f"+{b[j]}" if j is not None else ""
    if j is None:
        return f"−{a[i]}"
    return a[i] if a[i].lower() == b[j].lower() else f"{a[i]}→{b[j]}"


def edit_trajectory_figure(
    tokens: tuple[Sequence[str], Sequence[str]],
    labels: Sequence[str],
    probs: tuple[np.ndarray, np.ndarray],
    classes: Sequence[str] | None = None,
    names: tuple[str, str] = ("original", "edited"),
) -> go.Figure:
    """P(class | words so far) for a sentence and its edit, one model, on one axis of aligned words.

    `tokens` and `probs` ((T_a, C), (T_b, C)) are the two sentences'. Words are aligned (`align_tokens`):
    a word both share has one place, labelled with it; "+w" was inserted, "−w" deleted, "a→b" replaced.
    Colour tells the class, the dash pattern the sentence (solid: the first, dashed: the edit).
    """
    slots = align_tokens(tokens[0], tokens[1])
    fig = go.Figure()
    for side in (0, 1):
        words, p = tokens[side], np.asarray(probs[side])
        if p.shape != (len(words), len(labels)):
            raise ValueError(
                f"{names[side]}: probabilities of shape {p.shape} do not fit {len(words)} words x {len(labels)} classes"
            )
        xs = [x for x, slot in enumerate(slots) if slot[side] is not None]
        at = [t for slot in slots if (t := slot[side]) is not None]  # the sentence's own positions, in order
        for k, label in enumerate(labels):
            if classes is not None and label not in classes:
                continue
            fig.add_trace(
                go.Scatter(
                    x=xs,
                    y=[float(p[t, k]) for t in at],
                    mode="lines+markers",
                    name=f"{names[side]} · P({label})",
                    line={"color": class_color(label, k), "dash": DASHES[side]},
                    marker={"symbol": SYMBOLS[side]},
                    customdata=[f"{t}: {words[t]}" for t in at],
                    hovertemplate=f"{names[side]}<br>after word %{{customdata}}<br>P({label}) = %{{y:.3f}}<extra></extra>",
                )
            )
    _layout(
        fig,
        f"Class probability after each word: {names[0]} (solid) and {names[1]} (dashed)",
        "word, aligned (+ inserted, − deleted, a→b replaced)",
        "P(class | words so far) (probability, 0-1)",
    )
    fig.update_xaxes(
        tickmode="array",
        tickvals=list(range(len(slots))),
        ticktext=[_slot_label(tokens[0], tokens[1], i, j) for i, j in slots],
    )
    fig.update_yaxes(range=[-0.02, 1.02])
    return fig


# ----------------------------------------------------------------------------- page 3: gates


def gate_heatmap(
    values: np.ndarray,
    tokens: Sequence[str],
    cell: str,
    gate: str,
    title: str | None = None,
    units: Sequence[int] | None = None,
    start: int = 0,
) -> go.Figure:
    """Heatmap of one gate or state: hidden units (rows) x words (columns); values has shape (T, H).

    `units` lists the rows to draw, top to bottom (a ranking, or its top k); rows keep their real
    unit index as label. None draws every unit in index order. `start` is the position of the first
    word given (a window over a longer sentence): words keep their position in the sentence.
    """
    values = np.asarray(values)
    if values.ndim != 2 or values.shape[0] != len(tokens):
        raise ValueError(f"gate values of shape {values.shape} do not fit {len(tokens)} words")
    info = gate_info(cell, gate)
    T, H = values.shape
    z = values.T  # (H, T)
    rows: list = list(range(H))
    if units is not None:
        rows = [int(u) for u in units]
        bad = [u for u in rows if not 0 <= u < H]
        if bad or not rows:
            raise ValueError(f"units {bad or rows} are not rows of a layer with {H} units (0..{H - 1})")
        z = z[rows]  # (k, T) in the given order
        rows = [str(u) for u in rows]  # category labels: the real unit index, in the given order
        H = len(rows)
    if info.low is None or info.high is None:  # unbounded cell state: symmetric range around 0
        bound = float(np.abs(z).max()) if z.size else 1.0
        zmin, zmax = -bound or -1.0, bound or 1.0
    else:
        zmin, zmax = info.low, info.high
    # Sigmoid gates: dark = closed (0), yellow = open (1). Others: purple negative, white 0, green positive.
    scale = palette.SEQUENTIAL if info.activation == "sigmoid" else palette.DIVERGING
    fig = go.Figure(
        go.Heatmap(
            z=z.tolist(),
            x=list(range(start, start + T)),
            y=rows,
            zmin=zmin,
            zmax=zmax,
            colorscale=scale,
            customdata=[_texts(tokens)] * H,
            colorbar={"title": {"text": f"{gate} value"}},
            hovertemplate=f"unit %{{y}}<br>word %{{x}}: %{{customdata}}<br>{gate} = %{{z:.3f}}<extra></extra>",
        )
    )
    act = {"sigmoid": "sigmoid, 0 to 1", "tanh": "tanh range, -1 to 1", "none": "unbounded"}[info.activation]
    _layout(
        fig,
        title or f"{gate}: {info.long_name} ({act})",
        WORD_AXIS,
        "hidden unit (index)",
        height=max(260, min(460, 80 + 12 * H)),
    )
    fig.update_xaxes(**word_ticks(tokens, start))
    fig.update_yaxes(autorange="reversed")
    if units is not None:
        fig.update_yaxes(type="category", title_text="hidden unit (index, in the given order)")
    return fig


def unit_figure(tokens: Sequence[str], gates: Mapping[str, np.ndarray], unit: int, cell: str) -> go.Figure:
    """Lines of one hidden unit's value of every gate and state across the words; each array is (T,)."""
    fig = go.Figure()
    x = list(range(len(tokens)))
    for k, (name, values) in enumerate(gates.items()):
        values = np.asarray(values)
        if values.shape != (len(tokens),):
            raise ValueError(f"gate {name}: values of shape {values.shape} do not fit {len(tokens)} words")
        info = gate_info(cell, name)
        fig.add_trace(
            go.Scatter(
                x=x,
                y=values.tolist(),
                mode="lines+markers",
                name=f"{name} ({info.long_name})",
                line={"color": PALETTE[k % len(PALETTE)], "dash": DASHES[k // len(PALETTE) % len(DASHES)]},
                marker={"symbol": SYMBOLS[k % len(SYMBOLS)]},  # a second cue: colours repeat after len(PALETTE) lines
                customdata=_texts(tokens),
                hovertemplate=f"{name}, unit {unit}<br>word %{{x}}: %{{customdata}}<br>value = %{{y:.3f}}<extra></extra>",
            )
        )
    _layout(fig, f"Unit {unit} across the sentence", WORD_AXIS, "gate or state value (unitless)")
    fig.update_xaxes(**word_ticks(tokens))
    return fig


def saturation_figure(rows: Sequence[Mapping], title: str = "Saturated gate values") -> go.Figure:
    """Stacked bars per gate: the share of values near the top and near the bottom of its range (in %)."""
    names = [f"{r['gate']} ({r['name']})" for r in rows]
    fig = go.Figure()
    fig.add_trace(
        go.Bar(
            x=names,
            y=[100 * r["share_high"] for r in rows],
            name="near the top",
            marker_color=palette.UP,
            customdata=[r["high_rule"] for r in rows],
            hovertemplate="%{x}<br>%{customdata}: %{y:.1f}% of values<extra></extra>",
        )
    )
    fig.add_trace(
        go.Bar(
            x=names,
            y=[100 * r["share_low"] for r in rows],
            name="near the bottom (hatched)",
            marker_color=palette.DOWN,
            marker_pattern_shape=palette.DOWN_PATTERN,
            customdata=[r["low_rule"] for r in rows],
            hovertemplate="%{x}<br>%{customdata}: %{y:.1f}% of values<extra></extra>",
        )
    )
    fig.update_layout(barmode="stack")
    _layout(fig, title, "gate (activation)", "share of values (% of units x words)")
    fig.update_yaxes(range=[0, 100])
    return fig


def saturation_compare_figure(summaries: Mapping[str, Sequence[Mapping]]) -> go.Figure:
    """Grouped bars of the saturated share (both ends) of every gate, one colour per model."""
    fig = go.Figure()
    for k, (model, rows) in enumerate(summaries.items()):
        fig.add_trace(
            go.Bar(
                x=[f"{r['gate']} ({r['name']})" for r in rows],
                y=[100 * r["share_saturated"] for r in rows],
                name=model,
                marker_color=PALETTE[k % len(PALETTE)],
                hovertemplate=f"{model}<br>%{{x}}: %{{y:.1f}}% saturated<extra></extra>",
            )
        )
    fig.update_layout(barmode="group")
    _layout(fig, "Saturated share per gate, model by model", "gate (long name)", "saturated values (% of units x words)")
    fig.update_yaxes(range=[0, 100])
    return fig


# ----------------------------------------------------------------------------- page 4: evaluation


def row_normalize(confusion: Sequence[Sequence[float]] | np.ndarray) -> np.ndarray:
    """Divide each row of a confusion matrix by its sum; an empty row stays 0."""
    m = np.asarray(confusion, dtype=np.float64)
    sums = m.sum(axis=1, keepdims=True)
    return np.divide(m, sums, out=np.zeros_like(m), where=sums > 0)


def confusion_figure(
    confusion: Sequence[Sequence[int]],
    labels: Sequence[str],
    normalize: bool = False,
    title: str | None = None,
    clickable: bool = False,
) -> go.Figure:
    """Confusion matrix heatmap: gold labels down, predicted labels across; counts or row shares.

    `clickable` lays one invisible marker on each cell's centre (a heatmap cannot be selected by a click
    in Plotly, a scatter point can): a click selects the nearest centre, the cell under the pointer, whose
    x is the predicted label and y the gold label; the selected cell gets an outline. The hover moves to
    the markers, with the same text.
    """
    counts = np.asarray(confusion, dtype=np.int64)
    if counts.shape != (len(labels), len(labels)):
        raise ValueError(f"a confusion matrix of shape {counts.shape} does not fit {len(labels)} labels")
    shares = row_normalize(counts)
    z = shares if normalize else counts
    custom = np.stack([counts, shares], axis=-1).tolist()  # (C, C, 2): count and row share for the hover
    hover = "gold %{y}, predicted %{x}<br>%{customdata[0]} items, %{customdata[1]:.1%} of the gold row<extra></extra>"
    fig = go.Figure(
        go.Heatmap(
            z=z.tolist(),
            x=list(labels),
            y=list(labels),
            colorscale=palette.COUNTS,
            customdata=custom,
            zmin=0,
            zmax=1 if normalize else max(1, int(counts.max(initial=0))),
            texttemplate="%{z:.0%}" if normalize else "%{z}",
            colorbar={"title": {"text": "share of gold row" if normalize else "items"}},
            hovertemplate=hover,
            hoverinfo="skip" if clickable else None,
        )
    )
    if clickable:
        n = len(labels)
        fig.add_trace(
            go.Scatter(
                x=[labels[j] for i in range(n) for j in range(n)],  # (C * C,) row by row: gold i, predicted j
                y=[labels[i] for i in range(n) for j in range(n)],
                mode="markers",
                marker={"symbol": "square-open", "size": 26, "color": palette.HIGHLIGHT, "opacity": 0, "line": {"width": 3}},
                selected={"marker": {"opacity": 1}},
                unselected={"marker": {"opacity": 0}},
                customdata=[custom[i][j] for i in range(n) for j in range(n)],
                hovertemplate=hover,
                name="cells",
                showlegend=False,
            )
        )
        # Every point in the plot area is nearest to its own cell's centre, so a click anywhere in a cell selects it.
        fig.update_layout(hovermode="closest", hoverdistance=-1, clickmode="event+select")
    default = "Confusion matrix, row-normalized (share of each gold class)" if normalize else "Confusion matrix (counts of items)"
    _layout(fig, title or default, "predicted label", "gold label", height=max(320, min(800, 140 + 32 * len(labels))))
    fig.update_xaxes(type="category", side="bottom")
    fig.update_yaxes(type="category", autorange="reversed")
    return fig


def per_class_figure(rows: Sequence[Mapping]) -> go.Figure:
    """Grouped bars of precision, recall and F1 per class (rows from `metrics.per_class_table`)."""
    fig = go.Figure()
    for k, metric in enumerate(("precision", "recall", "F1")):
        fig.add_trace(
            go.Bar(
                x=[r["class"] for r in rows],
                y=[r[metric] for r in rows],
                name=metric,
                marker_color=PALETTE[k],
                customdata=[r["support"] for r in rows],
                hovertemplate=f"class %{{x}}<br>{metric} = %{{y:.3f}}<br>support %{{customdata}} items<extra></extra>",
            )
        )
    fig.update_layout(barmode="group")
    _layout(fig, "Precision, recall and F1 per class", "class (gold label)", "score (0-1)")
    fig.update_xaxes(type="category")
    fig.update_yaxes(range=[0, 1.02])
    return fig


# ----------------------------------------------------------------------------- page 5: training


def training_figure(history: Sequence[Mapping]) -> go.Figure:
    """Train and dev loss (left axis) and dev accuracy (right axis) per epoch; rows are epoch reports."""
    epochs = [int(h["epoch"]) for h in history]
    fig = make_subplots(specs=[[{"secondary_y": True}]])
    fig.add_trace(
        go.Scatter(
            x=epochs,
            y=[h["train_loss"] for h in history],
            mode="lines+markers",
            name="train loss",
            line={"color": palette.line_color(0)},
            hovertemplate="epoch %{x}<br>train loss = %{y:.4f} nats<extra></extra>",
        ),
        secondary_y=False,
    )
    fig.add_trace(
        go.Scatter(
            x=epochs,
            y=[h.get("dev_loss") for h in history],
            mode="lines+markers",
            name="dev loss",
            line={"color": palette.line_color(1)},
            hovertemplate="epoch %{x}<br>dev loss = %{y:.4f} nats<extra></extra>",
        ),
        secondary_y=False,
    )
    fig.add_trace(
        go.Scatter(
            x=epochs,
            y=[h.get("dev_accuracy") for h in history],
            mode="lines+markers",
            name="dev accuracy",
            line={"color": palette.line_color(2), "dash": "dash"},
            hovertemplate="epoch %{x}<br>dev accuracy = %{y:.1%}<extra></extra>",
        ),
        secondary_y=True,
    )
    _layout(fig, "Training curves", "epoch (passes over the training set)", "loss (mean cross-entropy, nats)")
    fig.update_yaxes(title_text="loss (mean cross-entropy, nats)", secondary_y=False, rangemode="tozero")
    fig.update_yaxes(
        title_text="dev accuracy (0-1)",
        secondary_y=True,
        range=[0, 1.02],
        tickmode="array",
        tickvals=[0, 0.2, 0.4, 0.6, 0.8, 1.0],
        showgrid=False,
    )
    fig.update_xaxes(dtick=1, range=[0.5, max(epochs + [1]) + 0.5])
    return fig


# ----------------------------------------------------------------------------- page 2: aspects


def aspect_probs_figure(terms: Sequence[str], labels: Sequence[str], probs: np.ndarray) -> go.Figure:
    """Horizontal stacked bars: each aspect's predicted probability of every class; probs is (A, C)."""
    probs = np.asarray(probs)
    if probs.shape != (len(terms), len(labels)):
        raise ValueError(f"probabilities of shape {probs.shape} do not fit {len(terms)} aspects x {len(labels)} classes")
    names = [f"{i}: {plotly_text(t)}" for i, t in enumerate(terms)]
    fig = go.Figure()
    for k, label in enumerate(labels):
        fig.add_trace(
            go.Bar(
                y=names,
                x=probs[:, k].tolist(),
                orientation="h",
                name=plotly_text(label),
                marker_color=class_color(label, k),
                hovertemplate=f"aspect %{{y}}<br>P({plotly_text(label)}) = %{{x:.3f}}<extra></extra>",
            )
        )
    fig.update_layout(barmode="stack")
    _layout(
        fig,
        "Predicted polarity of each aspect",
        "probability (0-1, stacked over classes)",
        "aspect term",
        height=max(220, 90 + 45 * len(terms)),
    )
    fig.update_xaxes(range=[0, 1])
    fig.update_yaxes(type="category", autorange="reversed")
    return fig


def mask_figure(tokens: Sequence[str], names: Sequence[str], masks: np.ndarray) -> go.Figure:
    """The binary aspect mask: one row per aspect, 1 under the aspect's tokens, 0 elsewhere; masks is (A, T)."""
    masks = np.asarray(masks)
    if masks.shape != (len(names), len(tokens)):
        raise ValueError(f"a mask of shape {masks.shape} does not fit {len(names)} aspects x {len(tokens)} words")
    rows = [f"{i}: {plotly_text(n)}" for i, n in enumerate(names)]
    fig = go.Figure(
        go.Heatmap(
            z=masks.tolist(),
            x=list(range(len(tokens))),
            y=rows,
            zmin=0,
            zmax=1,
            colorscale=palette.HIGHLIGHT_SCALE,
            texttemplate="%{z}",
            showscale=False,
            customdata=[_texts(tokens)] * len(rows),
            xgap=2,
            ygap=2,
            hovertemplate="aspect %{y}<br>word %{x}: %{customdata}<br>mask = %{z}<extra></extra>",
        )
    )
    _layout(fig, "Aspect mask (1 = the aspect's tokens)", WORD_AXIS, "aspect term", height=max(180, 110 + 40 * len(rows)))
    fig.update_xaxes(**word_ticks(tokens))
    fig.update_yaxes(type="category", autorange="reversed")
    return fig


# ----------------------------------------------------------------------------- page 6 and 7


def step_figure(rows: Sequence[Mapping]) -> go.Figure:
    """Grouped bars of each gate's value for a few units at one step (rows from `StepDetail.table`)."""
    gates = list(dict.fromkeys(r["gate"] for r in rows))
    fig = go.Figure()
    for k, gate in enumerate(gates):
        sel = [r for r in rows if r["gate"] == gate]
        fig.add_trace(
            go.Bar(
                x=[f"unit {r['unit']}" for r in sel],
                y=[r["value"] for r in sel],
                name=gate,
                marker_color=PALETTE[k % len(PALETTE)],
                marker_pattern_shape=BAR_PATTERNS[k // len(PALETTE) % len(BAR_PATTERNS)],  # colours repeat: a hatch too
                customdata=[r["pre-activation"] if r["pre-activation"] is not None else float("nan") for r in sel],
                hovertemplate=f"{gate}, %{{x}}<br>value = %{{y:.4f}}<br>pre-activation = %{{customdata:.4f}}<extra></extra>",
            )
        )
    fig.update_layout(barmode="group")
    _layout(fig, "Gate values at this step", "hidden unit (index)", "value after the activation (unitless)")
    return fig


def tag_figure(rows: Sequence[Mapping]) -> go.Figure:
    """Bars of the predicted tag's probability per word: black where it matches gold, vermillion where not, light grey without gold."""
    colors = [palette.UNKNOWN if r["correct"] is None else (palette.CORRECT if r["correct"] else palette.WRONG) for r in rows]
    fig = go.Figure(
        go.Bar(
            x=[r["position"] for r in rows],
            y=[r["probability"] for r in rows],
            marker_color=colors,
            customdata=[_texts([r["word"], r["predicted"], r["gold"] or "-"]) for r in rows],
            hovertemplate="word %{x}: %{customdata[0]}<br>predicted %{customdata[1]}, P = %{y:.3f}<br>gold %{customdata[2]}<extra></extra>",
        )
    )
    _layout(fig, "Confidence in each predicted tag", WORD_AXIS, "P(predicted tag) (probability, 0-1)")
    fig.update_xaxes(**word_ticks([r["word"] for r in rows]))
    fig.update_yaxes(range=[0, 1.02])
    return fig


# ----------------------------------------------------------------------------- teaching: gradients through time


def gradient_norm_figure(
    tokens: Sequence[str],
    lines: Mapping[str, Sequence[float] | np.ndarray],
    title: str = "How much of the loss reaches each word",
    colors: Mapping[str, str] | None = None,
) -> go.Figure:
    """Norm of dL/dh_t (or dL/dx_t) per word on a log axis, one line per model, layer and direction.

    Names "model · series" share a colour per model and change dash within it; `colors` maps a model
    to its colour (for example `palette.CELL_COLORS` of its cell, as on the memory figure), else the
    models take the line colours in order. Zeros (no path from the loss) cannot sit on a log axis and
    are left as gaps.
    """
    fig = go.Figure()
    models: dict[str, int] = {}
    seen: dict[str, int] = {}
    for name, given in lines.items():
        values = np.asarray(given, dtype=float)
        if values.shape != (len(tokens),):
            raise ValueError(f"{name}: {values.shape} norms do not fit {len(tokens)} words")
        model = name.split(" · ")[0]
        colour = models.setdefault(model, len(models))
        dash = seen[model] = seen.get(model, -1) + 1
        fig.add_trace(
            go.Scatter(
                x=list(range(len(tokens))),
                y=[float(v) if v > 0 else None for v in values],
                mode="lines+markers",
                name=name,
                line={"color": (colors or {}).get(model, palette.line_color(colour)), "dash": DASHES[dash % len(DASHES)]},
                customdata=list(tokens),
                hovertemplate=f"{name}<br>word %{{x}}: %{{customdata}}<br>gradient norm = %{{y:.3e}}<extra></extra>",
            )
        )
    _layout(fig, title, WORD_AXIS, "gradient norm ||dL/dh_t|| (log scale)")
    fig.update_xaxes(**word_ticks(tokens))
    fig.update_yaxes(type="log", exponentformat="power")
    return fig


def memory_figure(lengths: Sequence[int], accuracy: Mapping[str, Sequence[float | None]], chance: float = 0.5) -> go.Figure:
    """Test accuracy against sequence length, one line per cell; a dotted line marks chance."""
    fig = go.Figure()
    for k, (cell, values) in enumerate(accuracy.items()):
        if len(values) != len(lengths):
            raise ValueError(f"{cell}: {len(values)} accuracies do not fit {len(lengths)} lengths")
        fig.add_trace(
            go.Scatter(
                x=list(lengths),
                y=list(values),
                mode="lines+markers",
                name=cell.upper(),
                line={"color": palette.CELL_COLORS.get(cell, palette.line_color(k))},
                marker={"symbol": SYMBOLS[k % len(SYMBOLS)], "size": 10},
                hovertemplate=f"{cell.upper()}<br>length %{{x}} words<br>test accuracy = %{{y:.1%}}<extra></extra>",
            )
        )
    _named_hline(fig, chance, f"chance ({chance:.0%})", palette.REFERENCE, "dot")
    _layout(
        fig,
        "Remembering the first word: accuracy against sequence length",
        "sequence length (words, log scale)",
        "test accuracy (0-1)",
    )
    fig.update_xaxes(type="log", tickmode="array", tickvals=list(lengths), ticktext=[str(n) for n in lengths])
    fig.update_yaxes(range=[0, 1.02])
    return fig


# ----------------------------------------------------------------------------- teaching: pitfalls


def readout_figure(accuracy: Mapping[str, float], chance: float | None = None) -> go.Figure:
    """Bars of the accuracy of each way to read the same model; an optional dotted line marks the majority class."""
    names = list(accuracy)
    fig = go.Figure(
        go.Bar(
            x=names,
            y=[accuracy[n] for n in names],
            marker_color=[palette.line_color(k) for k in range(len(names))],
            text=[f"{accuracy[n]:.1%}" for n in names],
            textposition="outside",
            showlegend=False,
            hovertemplate="%{x}<br>accuracy = %{y:.1%}<extra></extra>",
        )
    )
    if chance is not None:
        _named_hline(fig, chance, f"majority class ({chance:.0%})", palette.REFERENCE, "dot")
    _layout(fig, "The same model, read at three places", "readout (where the sentence is read)", "accuracy (0-1)")
    fig.update_xaxes(type="category")
    fig.update_yaxes(range=[0, 1.1])
    return fig


def padded_batch_figure(
    tokens: Sequence[Sequence[str]],
    lengths: Sequence[int],
    positions: Mapping[str, Sequence[Mapping[str, Sequence[int]]]],
) -> go.Figure:
    """A padded batch as a grid (rows = sentences, columns = steps; grey = padding) with each readout's read positions.

    `positions[readout][row]` maps a direction ("forward", "backward") to the positions whose
    outputs that readout feeds to the classifier; backward positions get open markers.
    """
    B = len(tokens)
    T = max((len(r) for r in tokens), default=0)
    if len(lengths) != B or any(len(r) != T for r in tokens):
        raise ValueError("give one row of tokens per length, every row padded to the same width")
    real = [[1 if t < lengths[b] else 0 for t in range(T)] for b in range(B)]
    fig = go.Figure(
        go.Heatmap(
            z=real,
            x=list(range(T)),
            y=list(range(B)),
            zmin=0,
            zmax=1,
            colorscale=palette.PADDING_SCALE,
            showscale=False,
            text=[list(r) for r in tokens],
            texttemplate="%{text}",
            xgap=2,
            ygap=2,
            hovertemplate="sentence %{y}, step %{x}: %{text}<extra></extra>",
        )
    )
    n = max(len(positions), 1)
    for k, (readout, rows) in enumerate(positions.items()):
        if len(rows) != B:
            raise ValueError(f"{readout}: positions for {len(rows)} rows, the batch has {B}")
        offset = 0.3 * (k - (n - 1) / 2) / max(n - 1, 1)  # readouts side by side inside each row
        for direction in ("forward", "backward"):
            xs = [t for row in rows for t in row.get(direction, [])]
            ys = [b + offset for b, row in enumerate(rows) for _ in row.get(direction, [])]
            if not xs:
                continue
            symbol = SYMBOLS[k % len(SYMBOLS)] + ("-open" if direction == "backward" else "")
            fig.add_trace(
                go.Scatter(
                    x=xs,
                    y=ys,
                    mode="markers",
                    name=f"{readout} ({direction})",
                    marker={"symbol": symbol, "size": 11, "color": palette.line_color(k), "line": {"width": 2}},
                    hovertemplate=f"{readout}<br>{direction} output read at step %{{x}}<extra></extra>",
                )
            )
    _layout(
        fig, "One padded batch: where each readout reads", "step (position in the padded batch)", "sentence (row of the batch)"
    )
    fig.update_xaxes(dtick=1, range=[-0.5, T - 0.5])
    fig.update_yaxes(autorange="reversed", dtick=1)
    fig.update_layout(height=max(260, 120 + 48 * B))
    return fig


def masking_figure(rows: Sequence[Mapping], metric: str = "accuracy") -> go.Figure:
    """Masked vs counted accuracy (or loss) of the same predictions as the padding grows; rows from MaskingScores."""
    if metric not in ("accuracy", "loss"):
        raise ValueError(f"metric must be accuracy or loss, got {metric!r}")
    share = [100 * r["padded_tokens"] / (r["padded_tokens"] + r["real_tokens"]) for r in rows]
    series = [("masked (real tokens only)", f"masked_{metric}", "solid")]
    series.append((f"counted (padding labelled {rows[0]['pad_label']})" if rows else "counted", f"counted_{metric}", "dash"))
    if metric == "accuracy":
        series.append(("counted (padding scored as a hit)", "counted_accuracy_pad_free", "dot"))
    fig = go.Figure()
    fmt = ".1%" if metric == "accuracy" else ".3f"
    unit = "" if metric == "accuracy" else " nats"
    for k, (name, key, dash) in enumerate(series):
        fig.add_trace(
            go.Scatter(
                x=share,
                y=[r[key] for r in rows],
                mode="lines+markers",
                name=name,
                line={"color": palette.line_color(k), "dash": dash},
                customdata=[r["padded_length"] for r in rows],
                hovertemplate=f"{name}<br>padding %{{x:.0f}}% (padded to %{{customdata}} steps)<br>{metric} = %{{y:{fmt}}}{unit}<extra></extra>",
            )
        )
    ylabel = "token accuracy (0-1)" if metric == "accuracy" else "mean cross-entropy (nats)"
    _layout(fig, f"The same predictions: {metric} with padding masked vs counted", "padded positions (% of the batch)", ylabel)
    if metric == "accuracy":
        fig.update_yaxes(range=[0, 1.02])
    return fig


# ----------------------------------------------------------------------------- why: saliency, units, search

SALIENCY_SCALE = palette.DIVERGING  # purple below zero, white at zero, green above: no class colour
TOWARDS, AGAINST = palette.TOWARDS, palette.AGAINST


def saliency_figure(
    tokens: Sequence[str], rows: Mapping[str, Sequence[float]], target: str, title: str | None = None
) -> go.Figure:
    """Coloured words: one row per method (e.g. integrated gradients, gradient x input), values (T,) per row.

    Diverging purple-white-green centred on zero with symmetric bounds: green words push the target
    class's logit up, purple ones push it down (never the class colours). The word is written in its cell; the hover gives the number.
    """
    names = list(rows)
    if not names:
        raise ValueError("give at least one row of attributions")
    z = np.array([np.asarray(rows[n], dtype=float) for n in names])  # (R, T)
    if z.shape != (len(names), len(tokens)):
        raise ValueError(f"attributions of shape {z.shape} do not fit {len(names)} rows x {len(tokens)} words")
    bound = float(np.abs(z).max()) if z.size else 0.0
    bound = bound if bound > 0 else 1.0
    fig = go.Figure(
        go.Heatmap(
            z=z.tolist(),
            x=list(range(len(tokens))),
            y=names,
            zmin=-bound,
            zmax=bound,
            zmid=0.0,
            colorscale=SALIENCY_SCALE,
            text=[list(tokens)] * len(names),
            texttemplate="%{text}",
            xgap=2,
            ygap=2,
            colorbar={"title": {"text": f"attribution to logit({target})", "side": "right"}},
            hovertemplate="%{y}<br>word %{x}: %{text}<br>attribution = %{z:.4f} (logit units)<extra></extra>",
        )
    )
    _layout(
        fig,
        title or f"Which words drove logit({target}): green pushes towards it, purple away",
        WORD_AXIS,
        "method",
        height=max(260, 160 + 50 * len(names)),  # room for the colour bar and its title
    )
    fig.update_xaxes(**word_ticks(tokens))
    fig.update_yaxes(type="category", autorange="reversed")
    return fig


def unit_label(row: Mapping) -> str:
    """Name a unit as "layer 0 fwd #17"."""
    return f"layer {row['layer']} {'fwd' if row['direction'] == 'forward' else 'bwd'} #{row['unit']}"


SIGNED = {
    "relevance": "signed contribution (logit units)",
    "change": "signed contribution (logit units)",
    "final": "after - before (state units)",
}


def units_figure(
    rows: Sequence[Mapping], by: str = "relevance", target: str | None = None, title: str | None = None
) -> go.Figure:
    """Horizontal bars of ranked units, best on top; rows have layer, direction, unit, score and a signed value.

    by="relevance": bar = |gradient x activation| of the target logit, green when the unit pushes
    towards the class (contribution >= 0), purple and hatched when against. by="change": bar = mean |h - h before|
    over the range, coloured by contribution. by="final": rows from `attribution.final_state_change`,
    bar = |after - before|, green when the state went up. Two legend entries say what the colours mean.
    """
    if by not in ("relevance", "change", "final"):
        raise ValueError(f"by must be relevance, change or final, not {by!r}")
    names = [unit_label(r) for r in rows]
    signed = [float(r.get("difference" if by == "final" else "contribution", 0.0)) for r in rows]
    colors = [TOWARDS if c >= 0 else AGAINST for c in signed]
    hatches = ["" if c >= 0 else palette.DOWN_PATTERN for c in signed]
    what = f"logit({target})" if target else "the logit"
    fig = go.Figure(
        go.Bar(
            y=names,
            x=[float(r["score"]) for r in rows],
            orientation="h",
            marker_color=colors,
            marker_pattern_shape=hatches,
            customdata=signed,
            name="units",
            showlegend=False,
            hovertemplate=f"%{{y}}<br>score = %{{x:.4f}}<br>{SIGNED[by]} = %{{customdata:+.4f}}<extra></extra>",
        )
    )
    if by == "relevance":
        x_title = "relevance: |sum over words of gradient x activation| (logit units)"
        default = f"Units that matter for {what}"
    elif by == "change":
        x_title = "change over the selected words: mean |h - h before| (state units)"
        default = "Units that change most over the selected words"
    else:
        x_title = "|final state after the edit - final state before| (state units)"
        default = "Units whose final state changed most"
    up, down = ("went up", "went down") if by == "final" else (f"pushes towards {what}", f"pushes against {what}")
    for name, color, hatch in ((up, TOWARDS, ""), (f"{down} (hatched)", AGAINST, palette.DOWN_PATTERN)):
        fig.add_trace(
            go.Bar(
                x=[None],
                y=[None],
                name=name,
                marker_color=color,
                marker_pattern_shape=hatch,
                hovertemplate=f"{name}<extra></extra>",
            )
        )
    _layout(fig, title or default, x_title, "hidden unit (layer, direction, index)", height=max(240, 90 + 22 * len(rows)))
    fig.update_yaxes(type="category", autorange="reversed")
    fig.update_xaxes(rangemode="tozero")
    return fig


def pattern_figure(
    tokens: Sequence[str],
    states: np.ndarray,
    names: Sequence[str],
    span: tuple[int, int],
    threshold: float,
    title: str | None = None,
) -> go.Figure:
    """The hidden states of a search pattern's units over the query sentence, as LSTMVis draws them.

    `states` (T, P): one line per unit (named by `names`, e.g. "layer 0 fwd #17"); the selected words
    `span` (I:J, end exclusive) are shaded and the threshold drawn: a pattern unit is above it at every
    selected word and below it just before them (in its reading order).
    """
    states = np.asarray(states, dtype=float)
    if states.shape != (len(tokens), len(names)):
        raise ValueError(f"states of shape {states.shape} do not fit {len(tokens)} words x {len(names)} units")
    fig = go.Figure()
    x = list(range(len(tokens)))
    for k, name in enumerate(names):
        fig.add_trace(
            go.Scatter(
                x=x,
                y=states[:, k].tolist(),
                mode="lines",
                name=name,
                line={"color": PALETTE[k % len(PALETTE)], "width": 1.5, "dash": DASHES[k // len(PALETTE) % len(DASHES)]},
                customdata=list(tokens),
                hovertemplate=f"{name}<br>word %{{x}}: %{{customdata}}<br>h = %{{y:.3f}}<extra></extra>",
            )
        )
    fig.add_vrect(x0=span[0] - 0.5, x1=span[1] - 0.5, fillcolor=palette.HIGHLIGHT, opacity=0.15, line_width=0)
    fig.add_hline(y=threshold, line={"color": palette.BLACK, "dash": "dash"})
    _layout(
        fig,
        title
        or f"The pattern's {len(names)} units over the sentence (shaded: the selected words; dashed: the threshold {threshold:.2f})",
        WORD_AXIS,
        "hidden state h (tanh range, -1 to 1)",
    )
    fig.update_xaxes(**word_ticks(tokens))
    fig.update_yaxes(range=[-1.05, 1.05])
    return fig
