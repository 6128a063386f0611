"""One colour palette for every figure and page, safe for colour-blind viewers.

Built on the Okabe-Ito palette (Okabe & Ito 2008, "Color Universal Design"), whose eight colours
stay distinct under the three common colour-vision deficiencies, plus Paul Tol's wine for a
fourth class. Class colours never pair red with green (about one man in twelve cannot tell them
apart):

    negative  blue    #0072B2        positive  orange  #E69F00
    neutral   grey    #999999        conflict  wine    #882255

Figures must still name each class in the legend and the hover, so colour is never the only cue.
`simulate_cvd` and `color_difference` let tests (and pages) check a pair of colours as a viewer
with protanopia, deuteranopia or tritanopia sees them (Machado, Oliveira & Fernandes 2009,
severity 1.0; difference as CIE76 Delta E in CIELAB). Pure Python: no plotting library needed.
"""

from __future__ import annotations

# Okabe-Ito, by name.
BLACK = "#000000"
ORANGE = "#E69F00"
SKY_BLUE = "#56B4E9"
BLUISH_GREEN = "#009E73"
YELLOW = "#F0E442"
BLUE = "#0072B2"
VERMILLION = "#D55E00"
REDDISH_PURPLE = "#CC79A7"
GREY = "#999999"
WINE = "#882255"  # Paul Tol's muted palette: apart from blue, orange and grey for every viewer

CLASS_COLORS = {"negative": BLUE, "positive": ORANGE, "neutral": GREY, "conflict": WINE}
# Light versions of the class colours, for highlighting text behind black letters.
CLASS_BACKGROUNDS = {"negative": "#cce3f0", "positive": "#f8e2b3", "neutral": "#e0e0e0", "conflict": "#e8c6d6"}

# One meaning per colour: the class colours (negative blue, positive orange, neutral grey) mean the class and
# nothing else. Every other meaning takes colours apart from them for every viewer (worst_difference >= 10,
# tests/seqcore/test_palette.py) and a second cue (a marker shape, a dash, a hatch) with a legend in words.

# Lines and bars that are not classes (models, metrics, readouts, losses), in order of use: the most distinct first.
LINES = [BLUISH_GREEN, VERMILLION, BLACK, SKY_BLUE, YELLOW]

# One colour per recurrent cell, the same in every figure that compares cells (figures add a marker shape too).
CELL_COLORS = {"rnn": VERMILLION, "gru": BLUISH_GREEN, "lstm": BLACK}

# Right / wrong / unknown (tag correctness and similar): black and vermillion, never green and red.
CORRECT = BLACK
WRONG = VERMILLION
UNKNOWN = "#d4d4d4"  # light grey: nothing to check against (the class grey, #999999, means neutral)
REFERENCE = BLACK  # a reference line (chance, the majority class, a threshold): dotted or dashed, named in the legend
WRONG_BACKGROUND = "#f4d6bf"  # WRONG at a quarter strength over white: a wrong table row behind black text
PADDING = "#d9d9d9"  # padded cells in a batch drawing
HIGHLIGHT = "#1f2937"  # a marked cell (aspect mask, a clicked confusion cell, a selected word range): near-black slate
MATCH_BACKGROUND = "#f9f4b3"  # YELLOW at 40% over white: the words a hidden-state search matched, behind black text
# The app's widget colour (Streamlit's primaryColor in .streamlit/config.toml: chips, sliders, primary buttons).
# Streamlit's default is red, which reads as "negative" or "wrong" beside the class colours; a dark slate
# carries no class meaning, stays apart from every class colour for every viewer, and holds white text (7.6:1).
UI_ACCENT = "#4B5563"

# Signs and directions (went up / went down, towards / away from a class, above / below zero, near the top / the
# bottom of a range): ColorBrewer's purple-green (PRGn), colour-blind safe, apart from every class colour. Bars that
# mean "down" are hatched too (DOWN_PATTERN), and legends say "went up", "towards", ... in words.
UP = "#1b7837"  # green: up, towards the explained class, above zero, near the top
DOWN = "#762a83"  # purple: down, away from it, below zero, near the bottom
DOWN_PATTERN = "/"
TOWARDS, AGAINST = UP, DOWN
# Plotly colour scales. Diverging (a state's value, a word's attribution): purple below zero, white at zero, green above.
DIVERGING = [[0.0, DOWN], [0.25, "#c2a5cf"], [0.5, "#f7f7f7"], [0.75, "#a6dba0"], [1.0, UP]]
SEQUENTIAL = "Viridis"  # perceptually uniform and colour-blind safe (gates 0..1)
COUNTS = "Greys"  # one hue, light to dark (confusion counts): no class colour
HIGHLIGHT_SCALE = [[0.0, "#f7f7f7"], [1.0, HIGHLIGHT]]  # binary masks: off / on
PADDING_SCALE = [[0.0, PADDING], [1.0, "#ffffff"]]  # a batch grid: padding grey, real tokens white


def class_color(label: str, k: int = 0) -> str:
    """Return a class's colour: fixed for the sentiment labels, else the k-th line colour."""
    return CLASS_COLORS.get(label, LINES[k % len(LINES)])


LEAN_FULL = 2.0  # log-odds at which a word's colour reaches its class colour (e^2: about 7 times the prior odds)
LEAN_NONE = "#d0d0d0"  # a word that leans to no class


def lean_color(label: str | None, log_odds: float, k: int = 0) -> str:
    """The colour of something that leans to a class (a word in the projector): the class colour, paler as it leans less.

    Kept apart from `class_color`, which means "this is the class": a lean is drawn from light grey
    (no lean) to the full class colour at LEAN_FULL log-odds.
    """
    if label is None or log_odds <= 0:
        return LEAN_NONE
    t = min(1.0, log_odds / LEAN_FULL)
    a, b = hex_to_rgb(LEAN_NONE), hex_to_rgb(class_color(label, k))
    return "#" + "".join(f"{round(255 * (x + (y - x) * t)):02x}" for x, y in zip(a, b))


def line_color(k: int) -> str:
    """Return the k-th line or bar colour, cycling."""
    return LINES[k % len(LINES)]


# ----------------------------------------------------------------------------- checking colours

# Machado et al. 2009, severity 1.0, applied to linear RGB.
_CVD = {
    "protanopia": ((0.152286, 1.052583, -0.204868), (0.114503, 0.786281, 0.099216), (-0.003882, -0.048116, 1.051998)),
    "deuteranopia": ((0.367322, 0.860646, -0.227968), (0.280085, 0.672501, 0.047413), (-0.011820, 0.042940, 0.968881)),
    "tritanopia": ((1.255528, -0.076749, -0.178779), (-0.078411, 0.930809, 0.147602), (0.004733, 0.691367, 0.303900)),
}
CVD_KINDS = tuple(_CVD)


def hex_to_rgb(color: str) -> tuple[float, float, float]:
    """Parse "#rrggbb" into sRGB components in [0, 1]."""
    h = color.strip().lstrip("#")
    if len(h) != 6:
        raise ValueError(f"expected a colour as #rrggbb, got {color!r}")
    try:
        return tuple(int(h[i : i + 2], 16) / 255 for i in (0, 2, 4))  # type: ignore[return-value]
    except ValueError as e:
        raise ValueError(f"expected a colour as #rrggbb, got {color!r}") from e


def _to_linear(c: float) -> float:
    return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4


def _to_srgb(c: float) -> float:
    c = min(1.0, max(0.0, c))
    return 12.92 * c if c <= 0.0031308 else 1.055 * c ** (1 / 2.4) - 0.055


def simulate_cvd(color: str, kind: str) -> str:
    """Return `color` as a viewer with protanopia, deuteranopia or tritanopia sees it (#rrggbb)."""
    if kind not in _CVD:
        raise ValueError(f"kind must be one of {CVD_KINDS}, got {kind!r}")
    lin = [_to_linear(c) for c in hex_to_rgb(color)]
    out = [sum(m * v for m, v in zip(row, lin)) for row in _CVD[kind]]
    return "#" + "".join(f"{round(_to_srgb(c) * 255):02x}" for c in out)


def _lab(color: str) -> tuple[float, float, float]:
    r, g, b = (_to_linear(c) for c in hex_to_rgb(color))
    x = (0.4124 * r + 0.3576 * g + 0.1805 * b) / 0.95047  # sRGB D65 -> XYZ, normalised by the white point
    y = 0.2126 * r + 0.7152 * g + 0.0722 * b
    z = (0.0193 * r + 0.1192 * g + 0.9505 * b) / 1.08883
    f = lambda t: t ** (1 / 3) if t > 0.008856 else 7.787 * t + 16 / 116  # noqa: E731
    return 116 * f(y) - 16, 500 * (f(x) - f(y)), 200 * (f(y) - f(z))


def color_difference(a: str, b: str, kind: str | None = None) -> float:
    """CIE76 Delta E between two colours (about 2.3 is just noticeable), as seen with `kind` of colour blindness or normal vision."""
    if kind is not None:
        a, b = simulate_cvd(a, kind), simulate_cvd(b, kind)
    return sum((p - q) ** 2 for p, q in zip(_lab(a), _lab(b))) ** 0.5


def worst_difference(a: str, b: str) -> float:
    """The smallest Delta E between two colours over normal vision and the three colour-vision deficiencies."""
    return min([color_difference(a, b)] + [color_difference(a, b, k) for k in CVD_KINDS])
