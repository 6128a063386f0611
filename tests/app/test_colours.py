"""Readable by everyone: every colour every page draws comes from seqcore.palette (colour-blind safe), and the
Streamlit theme's widget colour is not the default red that reads as 'negative'."""

from __future__ import annotations

import json
import re
import tomllib

import plotly.colors

from seqcore import palette
from tests.app.appdata import ROOT

HEX = re.compile(r"#[0-9a-fA-F]{6}")
NAMED = {v.lower() for k, v in vars(palette).items() if k.isupper() and isinstance(v, str) and HEX.fullmatch(v)}
BACKGROUNDS = {
    c.lower() for c in (*palette.CLASS_BACKGROUNDS.values(), palette.WRONG_BACKGROUND, palette.PADDING, palette.MATCH_BACKGROUND)
}


def scale(named: str) -> list[str]:
    """A named Plotly scale as the colours Plotly writes into a figure."""
    return [c for _, c in plotly.colors.get_colorscale(named)]


CLASS_HEX = {c.lower() for c in palette.CLASS_COLORS.values()}
SCALES = [[c.lower() for _, c in s] for s in (palette.DIVERGING, palette.HIGHLIGHT_SCALE, palette.PADDING_SCALE)] + [
    [c.lower() for c in scale(palette.SEQUENTIAL)],
    [c.lower() for c in scale(palette.COUNTS)],
]


def colours(node, path=()) -> tuple[set[str], list[list[str]]]:
    """The line, marker and shape colours of a figure's data and layout, and its colour scales."""
    flat, scales = set(), []
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "template":
                continue  # Plotly's theme: not drawn as data
            if key == "colorscale" and isinstance(value, list):
                scales.append([str(c).lower() for _, c in value])
            elif key in ("color", "fillcolor") and isinstance(value, (str, list)):
                flat |= {str(c).lower() for c in (value if isinstance(value, list) else [value]) if HEX.fullmatch(str(c))}
            else:
                f, s = colours(value, (*path, key))
                flat |= f
                scales += s
    elif isinstance(node, list):
        for value in node:
            f, s = colours(value, path)
            flat |= f
            scales += s
    return flat, scales


def test_every_colour_on_every_page_comes_from_the_palette(app):
    at = app()
    seen: set[str] = set()
    visits = [
        (None, "1_trajectory"),
        (None, "2_aspects"),
        ("tiny-aspect-lstm", "3_gates"),
        ("tiny-sentiment-gru", "4_evaluation"),
        (None, "6_inside"),
        ("tiny-tagging-gru", "7_tagging"),
        ("tiny-sentiment-lstm", "8_gradients"),
        (None, "9_pitfalls"),
        ("tiny-aspect-lstm", "10_search"),
    ]
    for model, page in visits:
        if model:
            at.selectbox(key="model_key").set_value(f"shipped:{model}").run()
        at.switch_page(f"app_pages/{page}.py").run()
        if page == "1_trajectory":  # word saliency and before/after drawn too
            at.button(key="traj_edit_suggest").click().run()
            at.toggle(key="traj_saliency").set_value(True).run()
        if page == "10_search":  # a low threshold: a pattern, and matches highlighted
            at.slider(key="search_threshold").set_value(0.0).run()
        if page == "7_tagging":
            at.text_input(key="tag_sentence").set_value("The soup was great .").run()
            at.text_input(key="tag_gold").set_value("DET NOUN AUX NOUN PUNCT").run()  # one wrong: the wrong colour drawn
        assert not at.exception, [e.value for e in at.exception]
        for chart in at.get("plotly_chart"):
            spec = json.loads(chart.proto.spec)
            for trace in spec.get("data", []):  # no trace may fall back on the theme's colourway (Streamlit's has red)
                own, own_scales = colours(trace)
                if trace.get("coloraxis"):  # a shared colour bar: the trace's scale is the layout's colour axis
                    own_scales += colours(spec["layout"][trace["coloraxis"]])[1]
                assert own or own_scales, f"{page}: a {trace.get('type')} trace {trace.get('name')!r} has no colour of its own"
            for trace in spec.get("data", []):  # a class colour means the class: the trace names one
                own, own_scales = colours(trace)
                said = json.dumps([trace.get("name"), trace.get("hovertemplate"), trace.get("y"), trace.get("x")])
                for label, colour in palette.CLASS_COLORS.items():
                    if colour.lower() in own:
                        assert label in said, f"{page}: {trace.get('name')!r} is drawn in the {label} colour but is not {label}"
                for s in own_scales:
                    assert not set(s) & CLASS_HEX, f"{page}: a colour scale with a class colour in it: {s}"
            flat, scales = colours({"data": spec.get("data"), "layout": spec.get("layout")})
            assert flat <= NAMED, f"{page}: colours outside seqcore.palette: {sorted(flat - NAMED)}"
            for s in scales:
                assert s in SCALES, f"{page}: a colour scale outside seqcore.palette: {s}"
            seen |= flat
        for block in at.markdown:
            found = {c.lower() for c in re.findall(r"background:\s*(#[0-9a-fA-F]{6})", str(block.value))}
            assert found <= BACKGROUNDS, f"{page}: highlight colours outside seqcore.palette: {found - BACKGROUNDS}"
    assert {palette.WRONG.lower(), palette.CORRECT.lower()} <= seen  # the tag chart marked right and wrong
    assert {palette.CLASS_COLORS["negative"].lower(), palette.CLASS_COLORS["positive"].lower()} <= seen


def test_the_widget_colour_is_the_palettes_and_no_class_colour():
    theme = tomllib.loads((ROOT / ".streamlit" / "config.toml").read_text())["theme"]
    accent = theme["primaryColor"]
    assert accent == palette.UI_ACCENT, "set .streamlit/config.toml's primaryColor from seqcore.palette.UI_ACCENT"
    for name, colour in {**palette.CLASS_COLORS, "wrong": palette.WRONG, "Streamlit's red": "#FF4B4B"}.items():
        assert palette.worst_difference(accent, colour) > 9, f"the widget colour is too close to {name} for some viewers"
    assert contrast(accent, "#FFFFFF") >= 4.5  # white text on chips and primary buttons stays legible (WCAG AA)


def contrast(a: str, b: str) -> float:
    def luminance(c: str) -> float:
        r, g, b = (palette._to_linear(x) for x in palette.hex_to_rgb(c))
        return 0.2126 * r + 0.7152 * g + 0.0722 * b

    hi, lo = sorted((luminance(a), luminance(b)), reverse=True)
    return (hi + 0.05) / (lo + 0.05)


def test_class_names_name_every_class_line(app):
    """Colour is never the only cue: each trajectory line names its class in the legend and the hover."""
    at = app()
    at.switch_page("app_pages/1_trajectory.py").run()
    spec = json.loads(at.get("plotly_chart")[0].proto.spec)
    for trace in spec["data"]:
        label = re.search(r"P\((\w+)\)", trace["name"]).group(1)
        assert label in trace["hovertemplate"]
        assert trace["line"]["color"].lower() == palette.class_color(label).lower()
