"""Helpers shared by the app tests of issue 9 (ranked units, search, saliency, before/after, confusion clicks)."""

from __future__ import annotations

import json
from pathlib import Path

from streamlit.testing.v1 import AppTest

from seqcore.inference import Predictor
from tests.app.appdata import APP, ROOT

MODELS = ROOT / "models"
SHIPPED = sorted(p.parent.name for p in MODELS.glob("*/card.json"))
_PREDICTORS: dict[Path, Predictor] = {}


def predictor(folder: Path) -> Predictor:
    """The test's own copy of a model (not the app's cached one), loaded once."""
    if folder not in _PREDICTORS:
        _PREDICTORS[folder] = Predictor.load(folder, device="cpu")
    return _PREDICTORS[folder]


def start(timeout: float = 120) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=timeout)
    at.run()
    return at


def goto(at: AppTest, page: str) -> AppTest:
    return at.switch_page(f"app_pages/{page}.py").run()


def use_model(at: AppTest, name: str) -> AppTest:
    return at.selectbox(key="model_key").set_value(f"shipped:{name}").run()


def clean(at: AppTest) -> None:
    """No traceback, and no red message."""
    assert not at.exception, [e.value for e in at.exception]
    assert not at.error, [e.value for e in at.error]


def texts(elements) -> str:
    return "\n".join(str(e.value) for e in elements)


def figure(at: AppTest, key: str) -> dict:
    """The figure (Plotly JSON) of the chart drawn with `key`."""
    found = [c for c in at.get("plotly_chart") if c.proto.id.endswith(f"-{key}")]
    assert found, f"no chart with key {key}"
    return json.loads(found[0].proto.spec)


def has_figure(at: AppTest, key: str) -> bool:
    return any(c.proto.id.endswith(f"-{key}") for c in at.get("plotly_chart"))


def widget(at: AppTest, kind: str, prefix: str):
    """The widget of type `kind` whose key starts with `prefix` (keys that follow a sentence end with its hash)."""
    found = [w for w in at.get(kind) if (w.key or "").startswith(prefix)]
    assert len(found) == 1, f"{len(found)} {kind} widgets with a key starting {prefix!r}"
    return found[0]


def table(at: AppTest, column: str, *more: str, which: int = -1):
    """The last (or `which`) table with all these columns."""
    found = [d.value for d in at.dataframe if {column, *more} <= set(d.value.columns)]
    assert found, f"no table with columns {[column, *more]}"
    return found[which]


def selection(x: str, y: str) -> dict:
    """A Plotly chart selection of one point, as the browser sends it for a click."""
    point = {"curve_number": 1, "point_number": 0, "point_index": 0, "x": x, "y": y}
    return {"selection": {"points": [point], "point_indices": [0], "box": [], "lasso": []}}
