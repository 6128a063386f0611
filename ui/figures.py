"""Lighter charts on the wire: the same figure in fewer bytes (issue 17).

Every rerun sends each chart to the browser as Plotly JSON, and two things made it heavy without showing
anything more:

- floats written with every digit (`0.20265302062034607`) where the hover shows three or four decimals;
- Streamlit's theme template, copied into every chart, with defaults for ten trace types the chart does not have.

`lighten(fig)` rounds each numeric data array of a trace to what its hover text shows, read from the d3 format
in the trace's `hovertemplate` (`.3f`: 3 decimals, `.1%`: 3, `.3e`: 4 significant digits), so the hover text is
the same string as before: rounding follows JavaScript's `toFixed` (ties go up), which d3-format calls. An
array the hover does not show but the chart draws (a heatmap's `z`, `customdata` nobody reads) keeps 4
significant digits, 1/10,000 of its range, far below a pixel or a colour step. Every other array keeps every
digit: `x` and `y` unless the hover formats them (they are also axis positions and unified-hover headers), an
array the hover shows unformatted (`%{z}`), and everything of a trace with Plotly's default hover. The
template keeps its layout and the trace defaults of the trace types the figure has, which are the only ones
Plotly reads. Pure: no Streamlit here; tests/app/test_figures.py checks the hover strings stay the same.

It also spares the browser a measurement per tick label: Plotly's default for a numeric axis measures each drawn
label's box to hide one that leaves the chart (`ticklabeloverflow`); every chart here makes room for its labels, so
`lighten` lets them be drawn unmeasured (`"allow"`, already the default of a category axis). On the Sentiment
trajectory page with a 300-token sentence this cut the browser's CPU time from 3.3 to 1.2 s (docs/speed.md).
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

import numpy as np

if TYPE_CHECKING:  # annotations only: importing ui must not load plotly
    import plotly.graph_objects as go

ARRAYS = ("x", "y", "z", "customdata")  # the data arrays rounded (text, labels and colours are left alone)
DRAWN_DIGITS = 4  # significant digits of an array that is drawn but not printed
_REFERENCE = re.compile(r"%\{(\w+)(?:\[\d+\])?(?::([^}]*))?\}")
_PRECISION = re.compile(r"\.(\d+)~?([a-z%]?)$")


def rule(spec: str | None) -> tuple[str, int] | None:
    """How a d3 format shows a number: ("fixed", decimals) or ("sig", significant digits); None: in full.

    >>> rule(".3f"), rule("+.4f"), rule(".1%"), rule(".3e"), rule(None), rule(",")
    (('fixed', 3), ('fixed', 4), ('fixed', 3), ('sig', 4), None, None)
    """
    if not spec:
        return None
    found = _PRECISION.search(spec)
    if found is None:
        return None
    digits, kind = int(found.group(1)), found.group(2)
    if kind == "f":
        return ("fixed", digits)
    if kind == "%":
        return ("fixed", digits + 2)
    if kind == "e":
        return ("sig", digits + 1)
    if kind in ("", "g", "r", "s"):
        return ("sig", max(1, digits))
    return None  # d, x, c, ...: integers or characters, kept whole


def shown_rules(hovertemplate: Any) -> dict[str, tuple[str, int] | None]:
    """{array name: how the hover shows it} for every array a hover template refers to (the finest rule
    if it is shown twice; None, in full, if one reference has no format)."""
    found: dict[str, tuple[str, int] | None] = {}
    templates = hovertemplate if isinstance(hovertemplate, (list, tuple)) else [hovertemplate]
    for template in templates:
        for name, spec in _REFERENCE.findall(template or ""):
            new = rule(spec)
            if name in found:
                old = found[name]
                same_kind = new is not None and old is not None and old[0] == new[0]
                new = (new[0], max(old[1], new[1])) if same_kind else None  # type: ignore[index]
            found[name] = new
    return found


def round_like_js(values: np.ndarray, how: tuple[str, int]) -> np.ndarray:
    """Round to `how` = ("fixed", decimals) or ("sig", digits), ties up (JavaScript's toFixed/toExponential);
    non-finite values and zeros stay as they are."""
    out = values.astype(float, copy=True)
    finite = np.isfinite(out) & (out != 0)
    if not finite.any():
        return out
    v = out[finite]
    kind, digits = how
    if kind == "fixed":
        decimals = np.full(v.shape, digits)
    else:
        decimals = digits - 1 - np.floor(np.log10(np.abs(v))).astype(int)
    up = decimals >= 0
    scale = 10.0 ** np.abs(decimals)
    rounded = np.empty_like(v)
    rounded[up] = np.floor(v[up] * scale[up] + 0.5) / scale[up]
    rounded[~up] = np.floor(v[~up] / scale[~up] + 0.5) * scale[~up]
    out[finite] = rounded
    return out


def _numeric(value: Any) -> np.ndarray | None:
    """A trace array as floats, or None if it is not one (strings, mixed or ragged lists, typed-array dicts)."""
    if value is None or isinstance(value, (str, dict)):
        return None
    try:
        arr = np.asarray(value)
    except ValueError:  # ragged
        return None
    if arr.dtype.kind != "f" or arr.size == 0:
        return None  # integers, booleans and strings are already short, or not numbers
    return arr


def lighten(fig: go.Figure) -> go.Figure:
    """Round the figure's data to what its hover shows and trim its template (see the module); in place, returned."""
    for trace in fig.data:
        template = getattr(trace, "hovertemplate", None)
        info = getattr(trace, "hoverinfo", None)
        shows = shown_rules(template)
        hidden = info in ("skip", "none")
        for name in ARRAYS:
            if name not in trace:
                continue
            if name in shows:
                how = shows[name]
            elif (template or hidden) and name in ("z", "customdata"):
                how = ("sig", DRAWN_DIGITS)  # drawn (a colour) or carried along, never printed
            else:
                how = None  # x and y position the points and head a unified hover; a default hover prints all
            arr = _numeric(trace[name]) if how is not None else None
            if arr is None or how is None:
                continue
            rounded = round_like_js(arr, how)
            if not np.array_equal(rounded, arr, equal_nan=True):
                _set_checked_array(trace, name, rounded.tolist())
    _trim_template(fig)
    _labels_unmeasured(fig)
    _lines_without_markers(fig)
    return fig


MARKERS_UP_TO = 120  # a line with more points than this is drawn without a marker on each


def _lines_without_markers(fig: go.Figure) -> None:
    """Draw a line of more than `MARKERS_UP_TO` points without its markers (a 300-word sentence: a marker every few
    pixels, one SVG shape each, thousands per chart, merging into a thick line anyway). The line, its colour and dash,
    and its hover at every point stay."""
    for trace in fig.data:
        mode = getattr(trace, "mode", None) or ""
        if trace.type == "scatter" and "lines" in mode and "markers" in mode and trace.x is not None:
            if len(trace.x) > MARKERS_UP_TO:
                trace.mode = mode.replace("+markers", "").replace("markers+", "")


def _labels_unmeasured(fig: go.Figure) -> None:
    """Let tick labels be drawn without measuring each one against the chart's edge (`ticklabeloverflow="allow"`).

    Plotly's default for a numeric axis ("hide past div") measures the box of every tick label after drawing it, to
    hide those that stick out of the chart: a forced browser layout per label, the largest part of drawing a chart
    with a labelled word axis (0.45 of 2.2 s of Gates' drawing; 2 of 3.3 s on a 300-word trajectory). The charts' margins grow to fit
    their labels (automargin), so no label sticks out and none was hidden: the same picture, drawn sooner. Category
    axes already default to "allow". Only figures with cartesian traces have these axes.
    """
    if not any("xaxis" in trace for trace in fig.data):
        return
    for axis in [*fig.select_xaxes(), *fig.select_yaxes()]:
        if axis.ticklabeloverflow is None:
            axis.ticklabeloverflow = "allow"


def _trim_template(fig: go.Figure) -> None:
    """Keep the template's layout and its defaults for the trace types this figure has (Plotly reads no other)."""
    template = fig.layout.template
    if template is None or template.data is None:
        return
    full = template.to_plotly_json()
    used = {trace.type for trace in fig.data}
    data = full.get("data") or {}
    if set(data) - used:
        fig.layout.template = {**full, "data": {kind: v for kind, v in data.items() if kind in used}}


def _set_checked_array(trace: Any, name: str, value: list) -> None:
    """Set an array whose values Plotly already checked (only their digits changed), without checking each element
    again (about 3 us each: 20 ms for a 60-word, 128-unit heatmap). Plotly's own `_validate` switch, where it has one."""
    validate = getattr(trace, "_validate", None)
    if not isinstance(validate, bool):
        trace[name] = value
        return
    trace._validate = False
    try:
        trace[name] = value
    finally:
        trace._validate = validate
