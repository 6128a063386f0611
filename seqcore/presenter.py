"""A figure made for a projector (presenter mode): 1280x720 seen from the back of a room.

`for_projector(fig)` is pure (a Plotly figure in, the same figure changed): every chart text at least `font`
pixels; the legend beside the plot, where it covers nothing; word axes written vertically so neighbouring words
never touch; every row of a heatmap or bar chart labelled, the figure made tall enough for that; titles and axis
titles given room. The browser test (tests/app/test_lesson.py) measures the drawn result: no two text boxes of a
chart overlap and none leaves the chart.
"""

from __future__ import annotations

import html
import math
import re

import plotly.graph_objects as go

FONT = 18  # px: legible from the back of a room
ROW_PX = 1.5  # pixels of height per pixel of font for one labelled row
WORD_TICKS = 6  # an x axis with more tick labels than this is written vertically
LABEL_CHARS = 40  # ... and so is one whose labels add up to more characters than this
TITLE_CHARS = 36  # a title longer than this is broken into lines (a chart may be half the page wide: about 440 px)
CATEGORY_CHARS = 14  # a long category label is broken into lines of about this many characters
SIDE_LEGEND_CHARS = 18  # a legend whose names are all this short stands beside the plot; a longer one, above it
PAGE_CHART_PX = 800  # a chart the whole page wide at 1280 px, with the sidebar open; its plot area is that less its sides
WIDE_CHART_PX = 680  # the plot area of such a chart with short y tick labels and nothing beside it (measured: 690-720)
AXIS_TITLE_CHARS = 60  # an axis title longer than this is written on two lines
LINE_PX = 1.45  # the room one line of text takes, per pixel of font (the browser's text box: 24 px at 18 px, and a gap)
NARROW_CHART_PX = 420  # the narrowest chart a page draws at 1280 px (two columns): legend rows are counted for it
CELL_PLOT_PX = 420  # the narrowest plot area a heatmap with words in its cells gets at 1280 px (beside its colour bar)
CHAR_PX = 0.6  # width of one character, per pixel of font (Source Sans, a wide word)


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


def _cell_text_fits(trace: go.Heatmap, font: int) -> bool:
    """Whether the longest text written in a heatmap's cells fits its cell's width at `font` px, on the narrowest plot."""
    if trace.z is None or not len(trace.z) or not len(trace.z[0]):
        return True
    columns = len(trace.z[0])
    texts = [str(t) for row in (trace.text or []) for t in (row if isinstance(row, (list, tuple)) else [row])]
    longest = max((len(t) for t in texts), default=0)
    return longest * font * CHAR_PX + 6 <= CELL_PLOT_PX / columns


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


def plot_width(fig: go.Figure, font: int) -> int:
    """The plot area's width (px) of a chart the whole page wide, less its y tick labels and title on the left and a
    colour bar or a legend beside it on the right (estimated from the figure, conservatively)."""
    labels = [str(t) for trace in fig.data if trace.type in ("heatmap", "bar") for t in (trace.y or []) if isinstance(t, str)]
    left = max([6, *(len(t) for t in labels)]) * font * CHAR_PX + font * 2
    right = 0.0
    if any(trace.type in ("heatmap", "contour") and trace.showscale is not False for trace in fig.data):
        right = font * 5 + 40  # the bar, its tick labels and its turned title
    else:
        names = _legend_names(fig)
        if names and max(len(n) for n in names) <= SIDE_LEGEND_CHARS:  # `_place_legend` puts it beside the plot
            right = max(len(n) for n in names) * font * CHAR_PX + 60
    return int(min(WIDE_CHART_PX, PAGE_CHART_PX - left - right))


def _thin_ticks(fig: go.Figure, axis: go.layout.XAxis, font: int) -> None:
    """More words than a chart's width can label side by side: label every k-th, and say so in the axis title."""
    if axis.ticktext is None:
        return
    texts = list(axis.ticktext)
    every = -(-int(len(texts) * font * LINE_PX) // plot_width(fig, font))  # turned words stand a line's height apart
    if every > 1:
        axis.update(ticktext=[t if i % every == 0 else "" for i, t in enumerate(texts)])
        vals = list(axis.tickvals) if axis.tickvals is not None else []
        step = int(vals[1] - vals[0]) if len(vals) > 1 else 1  # a long input's axis already labels 1 word in `step`
        title = re.sub(r"; 1 word in \d+ labelled, hover for the others$", "", axis.title.text or "")
        axis.update(title_text=f"{title} (1 word in {every * step} labelled: too many for the width; hover for the others)")


def _log_decades(fig: go.Figure, axis: str) -> int:
    """How many powers of ten the positive values on log y axis `axis` ("y", "y2", ...) span (0: none)."""
    values = [
        float(v)
        for trace in fig.data
        if (getattr(trace, "yaxis", None) or "y") == axis and getattr(trace, "y", None) is not None
        for v in trace.y
        if isinstance(v, (int, float)) and v > 0
    ]
    if not values:
        return 0
    return int(math.ceil(math.log10(max(values))) - math.floor(math.log10(min(values)))) + 1


def _bottom_px(fig: go.Figure, font: int) -> int:
    """The room under the plot: turned word labels (their longest), the axis title, and a margin."""
    longest = 0
    for name in [k for k in fig.layout if k.startswith("xaxis")]:
        axis = fig.layout[name]
        if axis.tickangle == -90 and axis.ticktext is not None:
            longest = max([longest, *(len(str(t)) for t in axis.ticktext)])
    return int(longest * font * CHAR_PX + font * 3 + 40)


def _wrap_categories(fig: go.Figure, axis: str, layout_name: str, labels: list[str]) -> None:
    """A few long category labels written on several lines (a room reads them better than turned ones)."""
    unique = list(dict.fromkeys(labels))
    fig.layout[layout_name].update(tickmode="array", tickvals=unique, ticktext=[wrap(t, CATEGORY_CHARS) for t in unique])


def _legend_names(fig: go.Figure) -> list[str]:
    """The names a figure's legend shows (none when it has no legend)."""
    names = [str(t.name or "") for t in fig.data if t.showlegend is not False]
    shown = fig.layout.showlegend if fig.layout.showlegend is not None else len(fig.data) > 1
    return names if shown else []


def _place_legend(fig: go.Figure, font: int, top: float, height: int) -> tuple[float, int]:
    """Put the legend where it covers nothing: beside the plot when its names are short, else in rows between the
    title and the plot. Returns (the top margin, the figure's height)."""
    names = _legend_names(fig)
    if not names:
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
        if trace.type == "heatmap" and trace.texttemplate and not _cell_text_fits(trace, font):
            trace.update(texttemplate="")  # words in narrow cells would run into each other: the axis and the hover name them
        if trace.type in ("bar", "heatmap", "scatter") and hasattr(trace, "textfont"):
            trace.update(textfont={"size": big})
    # Word axes: vertical labels, so neighbouring words never touch; a few long categories: on several lines.
    for name in [k for k in fig.layout if k.startswith("xaxis")]:
        axis = "x" + name.removeprefix("xaxis")
        labels = _labels(fig, fig.layout[name], axis)
        if len(labels) > WORD_TICKS:
            fig.layout[name].update(tickangle=-90)
            _thin_ticks(fig, fig.layout[name], font)
        elif labels and fig.layout[name].ticktext is None and sum(len(t) for t in labels) > LABEL_CHARS:
            _wrap_categories(fig, axis, name, labels)
            fig.layout[name].update(tickangle=0)
    for name in [k for k in fig.layout if k.startswith(("xaxis", "yaxis"))]:  # a long axis title: two lines, not cut
        text = str(fig.layout[name].title.text or "")
        if len(text) > AXIS_TITLE_CHARS and "<br>" not in text:
            fig.layout[name].update(title_text=wrap(text, max(AXIS_TITLE_CHARS, len(text) // 2 + 8)))
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
            height = max(height, int(len(str(bar_title)) * font * CHAR_PX + 160))
    top = lines * bigger * 1.35 + 24 if title else 20
    for name in [k for k in fig.layout if k.startswith("yaxis")]:  # a log axis: every decade labelled, a line apart
        if fig.layout[name].type == "log" and fig.layout[name].tickmode != "array":
            decades = _log_decades(fig, "y" + name.removeprefix("yaxis"))
            height = max(height, math.ceil(decades * font * LINE_PX + _bottom_px(fig, font) + top + 12))
    top, height = _place_legend(fig, big, top, height)
    fig.update_layout(height=height, margin={"t": int(top + 12)})
    return fig
