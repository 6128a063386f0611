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
    # Diverging ends lean to the class sides: blue for negative values, orange-brown for positive.
    assert 180 < hue(palette.DIVERGING[0][1]) < 250 and 15 < hue(palette.DIVERGING[-1][1]) < 45


def test_lean_colour_runs_from_grey_to_the_class_colour():
    assert palette.lean_color(None, 5.0) == palette.lean_color("positive", 0.0) == palette.LEAN_NONE
    assert palette.lean_color("positive", palette.LEAN_FULL * 2) == palette.class_color("positive").lower()
    half = palette.lean_color("negative", palette.LEAN_FULL / 2)
    full = palette.class_color("negative")
    assert 0 < palette.color_difference(half, full) < palette.color_difference(palette.LEAN_NONE, full)
