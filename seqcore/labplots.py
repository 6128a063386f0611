"""The cell lab's figure: each variant's test accuracy over its seeds, beside the baseline. Pure: rows in, Plotly out.

`seqcore.plots` is over 900 lines, so the lab's builder lives here; it imports neither torch nor spaCy.
"""

from __future__ import annotations

from collections.abc import Sequence

import plotly.graph_objects as go

from seqcore import palette


def variants_figure(rows: Sequence[dict], baseline: str | None = None, chance: float | None = None, title: str = "") -> go.Figure:
    """Mean test accuracy per variant (bar) with one standard deviation (error bar) and every seed's run (dots).

    `rows` are `seqcore.celllab.LabResult.summary()` rows (variant, accuracy_mean, accuracy_std, accuracies,
    p_value). The baseline's bar is blue, the others grey; a dotted line marks `chance` when given.
    """
    names = [r["variant"] for r in rows]
    colours = [palette.BLUE if n == baseline else palette.GREY for n in names]
    notes = []
    for r in rows:
        p = r.get("p_value")
        notes.append(f"Welch p = {p:.3f} against {r['vs']}" if p is not None else "no test against a baseline")
    fig = go.Figure(
        go.Bar(
            x=names,
            y=[r["accuracy_mean"] for r in rows],
            error_y={"type": "data", "array": [r["accuracy_std"] for r in rows], "visible": True},
            marker_color=colours,
            name="mean ± 1 standard deviation",
            customdata=[[r["seeds"], note] for r, note in zip(rows, notes)],
            hovertemplate="%{x}<br>mean test accuracy = %{y:.1%} over %{customdata[0]} seeds<br>%{customdata[1]}<extra></extra>",
        )
    )
    xs = [r["variant"] for r in rows for _ in r["accuracies"]]
    ys = [a for r in rows for a in r["accuracies"]]
    fig.add_trace(
        go.Scatter(
            x=xs,
            y=ys,
            mode="markers",
            name="one seed",
            marker={"color": palette.BLACK, "size": 7, "symbol": "circle-open"},
            hovertemplate="%{x}<br>one seed: test accuracy = %{y:.1%}<extra></extra>",
        )
    )
    if chance is not None:
        fig.add_hline(y=chance, line={"dash": "dot", "color": palette.GREY}, annotation_text=f"chance ({chance:.0%})")
    fig.update_layout(
        title={"text": title or "Test accuracy per variant: mean ± 1 standard deviation over seeds"},
        xaxis_title="cell variant",
        yaxis_title="test accuracy (0-1)",
        hovermode="closest",
        margin={"l": 60, "r": 20, "t": 60, "b": 60},
        legend={"orientation": "h", "y": -0.3},
        bargap=0.35,
    )
    low = min([*ys, chance if chance is not None else 1.0, 1.0])
    fig.update_yaxes(range=[max(0.0, low - 0.1), 1.02])
    return fig


def parameters_figure(counts: dict[str, int], input_size: int, hidden_size: int) -> go.Figure:
    """Bars of the parameters of one recurrent layer per variant (`CellSpec.parameters`), at the given sizes."""
    names = list(counts)
    fig = go.Figure(
        go.Bar(
            x=names,
            y=[counts[n] for n in names],
            marker_color=palette.GREY,
            text=[f"{counts[n]:,}" for n in names],
            textposition="outside",
            hovertemplate="%{x}<br>%{y:,} parameters in one layer<extra></extra>",
        )
    )
    fig.update_layout(
        title={"text": f"Parameters of one recurrent layer (input {input_size}, hidden {hidden_size})"},
        xaxis_title="cell variant",
        yaxis_title="parameters (count)",
        margin={"l": 60, "r": 20, "t": 60, "b": 60},
    )
    return fig
