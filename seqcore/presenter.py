"""A figure made for a projector (presenter mode): 1280x720 seen from the back of a room.

`for_projector(fig)` is pure (a Plotly figure in, the same figure changed): every chart text at least `font`
pixels; the legend beside the plot, where it covers nothing; word axes written vertically so neighbouring words
never touch; every row of a heatmap or bar chart labelled, the figure made tall enough for that; titles and axis
titles given room. The browser test (tests/app/test_lesson.py) measures the drawn result: no two text boxes of a
chart overlap and none leaves the chart.
"""

from __future__ import annotations

import html
import re

import plotly.graph_objects as go

FONT = 18  # px: legible from the back of a room
ROW_PX = 1.5  # pixels of height per pixel of font for one labelled row
WORD_TICKS = 6  # an x axis with more tick labels than this is written vertically
LABEL_CHARS = 40  # ... and so is one whose labels add up to more characters than this
TITLE_CHARS = 36  # a title longer than this is broken into lines (a chart may be half the page wide: about 440 px)
CATEGORY_CHARS = 14  # a long category label is broken into lines of about this many characters
SIDE_LEGEND_CHARS = 18  # a legend whose names are all this short stands beside the plot; a longer one, above it
WIDE_CHART_PX = 800  # the plot area of a chart the whole page wide at 1280 px, beside its colour bar or legend
NARROW_CHART_PX = 420  # the narrowest chart a page draws at 1280 px (two columns): legend rows are counted for it
CELL_TEXT_COLUMNS = 12  # a heatmap with more columns than this loses the words written in its cells


def _axis_rows(fig: go.Figure, axis: str) -> int:
    """How many category rows the traces on y axis `axis` ("y", "y2", ...) draw (horizontal bars, heatmap rows)."""
    rows = 0
    for trace in fig.data:
        if (getattr(trace, "yaxis", None) or "y") != axis:
            continue
        if trace.type == "heatmap" and trace.z is not None:
            rows = max(rows, len(trace.z))
        elif trace.type == "bar" and trace.orientation == "h" and trace.y is not None:
            rows = max(rows, len(trace.y))
    return rows


def title_text(fig: go.Figure) -> str:
    """A figure's title as plain text: Plotly's line breaks as spaces, its tags dropped, its escapes undone."""
    raw = str(fig.layout.title.text or "")
    return html.unescape(re.sub(r"<[^>]+>", "", raw.replace("<br>", " "))).strip()


def wrap(text: str, width: int = TITLE_CHARS) -> str:
    """`text` broken into lines of at most about `width` characters at spaces (Plotly's line break: <br>)."""
    lines: list[str] = []
    for word in text.split(" "):
        if lines and len(lines[-1]) + 1 + len(word) <= width:
            lines[-1] += " " + word
        else:
            lines.append(word)
    return "<br>".join(lines)


def _labels(fig: go.Figure, axis: go.layout.XAxis, name: str) -> list[str]:
    """The tick labels an x axis shows: its ticktext, or the text categories of its traces."""
    if axis.ticktext is not None:
        return [str(t) for t in axis.ticktext]
    out: list[str] = []
    for trace in fig.data:
        if (getattr(trace, "xaxis", None) or "x") == name and getattr(trace, "x", None) is not None:
            out += [str(v) for v in trace.x if isinstance(v, str)]
    return out


def _thin_ticks(axis: go.layout.XAxis, font: int) -> None:
    """More words than a chart's width can label side by side: label every k-th, and say so in the axis title."""
    if axis.ticktext is None:
        return
    texts = list(axis.ticktext)
    every = -(-int(len(texts) * font * 1.3) // WIDE_CHART_PX)
    if every > 1:
        axis.update(ticktext=[t if i % every == 0 else "" for i, t in enumerate(texts)])
        title = axis.title.text or ""
        axis.update(title_text=f"{title} (1 word in {every} labelled: too many for the width; hover for the others)")


def _wrap_categories(fig: go.Figure, axis: str, layout_name: str, labels: list[str]) -> None:
    """A few long category labels written on several lines (a room reads them better than turned ones)."""
    unique = list(dict.fromkeys(labels))
    fig.layout[layout_name].update(tickmode="array", tickvals=unique, ticktext=[wrap(t, CATEGORY_CHARS) for t in unique])


def _place_legend(fig: go.Figure, font: int, top: float, height: int) -> tuple[float, int]:
    """Put the legend where it covers nothing: beside the plot when its names are short, else in rows between the
    title and the plot. Returns (the top margin, the figure's height)."""
    names = [str(t.name or "") for t in fig.data if t.showlegend is not False]
    shown = fig.layout.showlegend if fig.layout.showlegend is not None else len(fig.data) > 1
    if not shown or not names:
        return top, height
    longest = max(len(n) for n in names)
    if longest <= SIDE_LEGEND_CHARS:
        fig.update_layout(legend={"orientation": "v", "x": 1.02, "xanchor": "left", "y": 1.0, "yanchor": "top"})
        return top, max(height, int(len(names) * font * 1.6 + top + 120))  # every entry shown, none scrolled away
    per_row = max(1, int(NARROW_CHART_PX // (longest * font * 0.55 + 50)))
    rows = -(-len(names) // per_row)
    legend_px = rows * font * 1.6
    height += int(legend_px)
    fig.update_layout(
        legend={"orientation": "h", "yref": "container", "y": 1 - top / height, "yanchor": "top", "x": 0, "xanchor": "left"}
    )
    return top + legend_px, height


def for_projector(fig: go.Figure, font: int = FONT) -> go.Figure:
    """Make `fig` readable on a projector (see the module's docstring); returns it."""
    big, bigger = font, font + 4
    title = str(fig.layout.title.text or "")
    title = title if "<br>" in title else wrap(title)
    lines = title.count("<br>") + 1 if title else 0
    fig.update_layout(
        font_size=big,
        hoverlabel_font_size=big,
        legend_font_size=big,
        title={
            "text": title,
            "font": {"size": bigger},
            "automargin": False,
            "yref": "container",
            "y": 1,
            "yanchor": "top",
            "pad": {"t": 8},
        },
    )
    fig.update_annotations(font_size=big)  # subplot titles and notes
    fig.update_xaxes(tickfont_size=big, title_font_size=big, automargin=True, title_standoff=12)
    fig.update_yaxes(tickfont_size=big, title_font_size=big, automargin=True, title_standoff=12)
    fig.for_each_yaxis(lambda ax: ax.update(dtick=1) if ax.type == "log" and ax.tickmode != "array" else None)
    for trace in fig.data:
        if trace.type in ("heatmap", "contour"):
            trace.update(colorbar={"tickfont": {"size": big}, "title": {"font": {"size": big}, "side": "right"}, "len": 1.0})
        if trace.type == "heatmap" and trace.texttemplate and trace.z is not None and len(trace.z[0]) > CELL_TEXT_COLUMNS:
            trace.update(texttemplate="")  # words in narrow cells would run into each other: the axis and the hover name them
        if trace.type in ("bar", "heatmap", "scatter") and hasattr(trace, "textfont"):
            trace.update(textfont={"size": big})
    # Word axes: vertical labels, so neighbouring words never touch; a few long categories: on several lines.
    for name in [k for k in fig.layout if k.startswith("xaxis")]:
        axis = "x" + name.removeprefix("xaxis")
        labels = _labels(fig, fig.layout[name], axis)
        if len(labels) > WORD_TICKS:
            fig.layout[name].update(tickangle=-90)
            _thin_ticks(fig.layout[name], font)
        elif labels and fig.layout[name].ticktext is None and sum(len(t) for t in labels) > LABEL_CHARS:
            _wrap_categories(fig, axis, name, labels)
            fig.layout[name].update(tickangle=0)
    # Every row labelled: a category y axis shows each of its rows, and the figure grows to give each row room.
    height = int(fig.layout.height or 450)
    tallest = 0
    for name in [k for k in fig.layout if k.startswith("yaxis")]:
        rows = _axis_rows(fig, "y" + name.removeprefix("yaxis"))
        if rows:
            if fig.layout[name].tickmode != "array":
                fig.layout[name].update(tickmode="linear", tick0=0, dtick=1)
            tallest = max(tallest, rows)
    if tallest:
        panels = max(1, len({(getattr(t, "yaxis", None) or "y") for t in fig.data}))
        rows_per_column = panels if panels <= 2 else (panels + 1) // 2  # subplots: at most two columns side by side
        height = max(height, int(tallest * font * ROW_PX * rows_per_column + 220))
    for trace in fig.data:  # a colour bar's title stands beside it, turned: the bar must be as tall as the words
        bar_title = trace.colorbar.title.text if trace.type in ("heatmap", "contour") and trace.colorbar else None
        if bar_title and trace.showscale is not False:
            height = max(height, int(len(str(bar_title)) * font * 0.6 + 160))
    top = lines * bigger * 1.35 + 24 if title else 20
    top, height = _place_legend(fig, big, top, height)
    fig.update_layout(height=height, margin={"t": int(top + 12)})
    return fig
