"""Read the app's Plotly charts as figures: parsed JSON, never the escaped text of its serialisation.

Plotly 7 writes non-ASCII characters as \\u escapes (``·`` becomes ``\\u00b7``), so a substring of the
spec says nothing about what a reader sees. These helpers parse the spec and look at what is drawn:
trace types and names, titles, axis titles, tick labels, annotations and hover text.
"""

from __future__ import annotations

import json
from typing import Any

# Where a figure keeps the words it shows: trace fields and layout fields that hold text.
_TRACE_TEXT = ("name", "text", "hovertext", "x", "y", "customdata", "labels", "header", "cells")
_LAYOUT_SKIP = ("template",)  # the theme's defaults are no part of what this chart says


def figure(chart) -> dict[str, Any]:
    """The chart's figure as a dict (``data`` and ``layout``)."""
    return json.loads(chart.proto.spec)


def traces(chart) -> list[dict[str, Any]]:
    return figure(chart)["data"]


def trace_types(chart) -> list[str]:
    return [t.get("type", "scatter") for t in traces(chart)]


def trace_names(chart) -> list[str]:
    return [t["name"] for t in traces(chart) if t.get("name")]


def _strings(value: Any) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        return [s for v in value.values() for s in _strings(v)]
    if isinstance(value, list):
        return [s for v in value for s in _strings(v)]
    return []


def texts(chart) -> list[str]:
    """Every string the chart can show: its traces' names, labels and hover text, and its layout's titles,
    tick labels and annotations."""
    fig = figure(chart)
    shown = [s for t in fig["data"] for key in _TRACE_TEXT for s in _strings(t.get(key))]
    return shown + [s for key, v in fig.get("layout", {}).items() if key not in _LAYOUT_SKIP for s in _strings(v)]


def shows(chart, phrase: str) -> bool:
    """Whether some text of the chart contains ``phrase``."""
    return any(phrase in s for s in texts(chart))


def log_axes(chart) -> list[str]:
    """The layout's axes drawn on a log scale (e.g. ``["yaxis"]``)."""
    layout = figure(chart).get("layout", {})
    return [k for k, v in layout.items() if k.startswith(("xaxis", "yaxis")) and isinstance(v, dict) and v.get("type") == "log"]
