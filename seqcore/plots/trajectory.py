"""The sentiment trajectory, and before/after an edit of the sentence."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
import plotly.graph_objects as go

from seqcore.plots.base import (
    DASHES,
    SYMBOLS,
    WORD_AXIS,
    _layout,
    _texts,
    class_color,
    plotly_text,
    word_ticks,
)


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
