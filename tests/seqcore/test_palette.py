"""The palette: class colours stay apart for colour-blind viewers, and never pair red with green."""

from __future__ import annotations

import colorsys
import itertools

import pytest

from seqcore import palette

OLD_RED_GREEN = ("#d62728", "#2ca02c")  # the class colours this palette replaced


def hue(color: str) -> float:
    return 360 * colorsys.rgb_to_hls(*palette.hex_to_rgb(color))[0]


def is_red(color: str) -> bool:
    return hue(color) < 20 or hue(color) > 340


def is_green(color: str) -> bool:
    return 75 <= hue(color) <= 165


def test_negative_and_positive_are_not_a_red_green_pair():
    neg, pos = palette.CLASS_COLORS["negative"], palette.CLASS_COLORS["positive"]
    assert not any(is_red(c) or is_green(c) for c in (neg, pos))
    for a, b in [(neg, pos), (palette.CLASS_BACKGROUNDS["negative"], palette.CLASS_BACKGROUNDS["positive"])]:
        assert not (is_red(a) and is_green(b)) and not (is_green(a) and is_red(b))
    assert is_red(OLD_RED_GREEN[0]) and is_green(OLD_RED_GREEN[1])  # the hue test recognises the old pair


def test_class_colours_stay_apart_for_every_viewer():
    neg, pos = palette.CLASS_COLORS["negative"], palette.CLASS_COLORS["positive"]
    assert palette.worst_difference(neg, pos) > 40
    # The old pair is nearly one colour for a deuteranope: the check can fail.
    assert palette.color_difference(*OLD_RED_GREEN) > 100
    assert palette.color_difference(*OLD_RED_GREEN, kind="deuteranopia") < 10
    for a, b in itertools.combinations(palette.CLASS_COLORS.values(), 2):
        assert palette.worst_difference(a, b) > 20, (a, b)
    for a, b in itertools.combinations(palette.CLASS_BACKGROUNDS.values(), 2):
        assert palette.worst_difference(a, b) > 5, (a, b)
    assert palette.worst_difference(palette.CORRECT, palette.WRONG) > 40
    for a, b in itertools.combinations(palette.CELL_COLORS.values(), 2):
        for kind in ("protanopia", "deuteranopia"):  # the common deficiencies (about 8% of men)
            assert palette.color_difference(a, b, kind) > 30, (a, b, kind)


def test_simulation_keeps_greys_and_checks_input():
    for kind in palette.CVD_KINDS:
        assert palette.simulate_cvd("#ffffff", kind) == "#ffffff"
        assert palette.simulate_cvd("#000000", kind) == "#000000"
    assert palette.color_difference("#123456", "#123456") == 0
    with pytest.raises(ValueError, match="kind must be one of"):
        palette.simulate_cvd("#ffffff", "monochromacy")
    with pytest.raises(ValueError, match="#rrggbb"):
        palette.hex_to_rgb("red")
    with pytest.raises(ValueError, match="#rrggbb"):
        palette.hex_to_rgb("#gggggg")


def test_class_and_line_colours():
    assert palette.class_color("negative") == palette.BLUE and palette.class_color("positive") == palette.ORANGE
    assert palette.class_color("NOUN", 2) == palette.LINES[2] and palette.line_color(len(palette.LINES)) == palette.LINES[0]
    assert palette.DIVERGING[0][0] == 0.0 and palette.DIVERGING[-1][0] == 1.0
    # Diverging ends are the signs' pair, purple below zero and green above, not the class colours (issue 21).
    assert palette.DIVERGING[0][1] == palette.DOWN and palette.DIVERGING[-1][1] == palette.UP
    assert 260 < hue(palette.DOWN) < 310 and 100 < hue(palette.UP) < 160


# Every meaning that is not a class, and its colour(s): none may look like a class colour to any viewer.
OTHER_MEANINGS = {
    "up / towards / above zero / near the top": palette.UP,
    "down / against / below zero / near the bottom": palette.DOWN,
    "right": palette.CORRECT,
    "wrong": palette.WRONG,
    "no gold tag": palette.UNKNOWN,
    "a reference line": palette.REFERENCE,
    "a marked cell": palette.HIGHLIGHT,
    **{f"line {k}": c for k, c in enumerate(palette.LINES)},
    **{f"the {cell} cell": c for cell, c in palette.CELL_COLORS.items()},
    **{f"diverging stop {v}": c for v, c in palette.DIVERGING if v != 0.5},
}


@pytest.mark.parametrize("meaning", list(OTHER_MEANINGS))
def test_class_colours_mean_the_class_and_nothing_else(meaning):
    """Issue 21: blue meant negative on one chart and "went up" on the next. A colour that means something other than
    a class stays apart from every class colour for every viewer (CIE76 Delta E >= 10 under each deficiency)."""
    colour = OTHER_MEANINGS[meaning]
    for label, class_colour in palette.CLASS_COLORS.items():
        assert palette.worst_difference(colour, class_colour) >= 10, f"{meaning} ({colour}) looks like the {label} colour"


def test_signs_carry_a_second_cue_and_words():
    """Up/down and towards/against: the signs' pair, the down side hatched too, and legends that say it in words."""
    from seqcore import plots

    assert palette.worst_difference(palette.UP, palette.DOWN) > 40 and palette.DOWN_PATTERN
    rows = [
        {"layer": 0, "direction": "forward", "unit": 1, "score": 0.5, "contribution": 0.5, "difference": 0.5},
        {"layer": 0, "direction": "forward", "unit": 2, "score": 0.4, "contribution": -0.4, "difference": -0.4},
    ]
    for by, words in (("final", ("went up", "went down")), ("relevance", ("pushes towards", "pushes against"))):
        fig = plots.units_figure(rows, by=by, target="positive")
        bars = fig.data[0]
        assert bars.marker.color == (palette.UP, palette.DOWN)
        assert tuple(bars.marker.pattern.shape) == ("", palette.DOWN_PATTERN)  # the second cue: a hatch on "down"
        legend = {t.name: t for t in fig.data[1:]}
        up, down = (next(n for n in legend if n.startswith(w)) for w in words)
        assert legend[up].marker.color == palette.UP and legend[down].marker.color == palette.DOWN
        assert legend[down].marker.pattern.shape == palette.DOWN_PATTERN and "hatched" in down
    sat = plots.saturation_figure(
        [{"gate": "f", "name": "forget gate", "share_high": 0.2, "share_low": 0.1, "high_rule": "> 0.9", "low_rule": "< 0.1"}]
    )
    top, bottom = sat.data
    assert top.name == "near the top" and top.marker.color == palette.UP and not top.marker.pattern.shape
    assert bottom.name.startswith("near the bottom") and bottom.marker.color == palette.DOWN
    assert bottom.marker.pattern.shape == palette.DOWN_PATTERN


def test_lean_colour_runs_from_grey_to_the_class_colour():
    assert palette.lean_color(None, 5.0) == palette.lean_color("positive", 0.0) == palette.LEAN_NONE
    assert palette.lean_color("positive", palette.LEAN_FULL * 2) == palette.class_color("positive").lower()
    half = palette.lean_color("negative", palette.LEAN_FULL / 2)
    full = palette.class_color("negative")
    assert 0 < palette.color_difference(half, full) < palette.color_difference(palette.LEAN_NONE, full)
