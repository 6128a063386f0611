"""A part of a page that reruns alone (`ui.part`, st.fragment) shows what a whole rerun shows.

AppTest always runs the whole script, so this test talks to a real `streamlit run app.py` the way a browser
does (bench/stclient.py: Streamlit's websocket protocol): it changes a control inside a part, which reruns
that part alone, then asks for a whole rerun with the same widget values, and compares every element the
part drew, byte for byte (numbers, captions, charts, tables), and the link written to the URL.
"""

from __future__ import annotations

import asyncio
import random
import sys

from tests.app.appdata import ROOT

sys.path.insert(0, str(ROOT / "bench"))

from bench_class import change, find  # noqa: E402
from bench_sessions import server  # noqa: E402
from stclient import Rerun, Session  # noqa: E402

FRAGMENT_RUN = "FINISHED_FRAGMENT_RUN_SUCCESSFULLY"


def drawn(run: Rerun) -> dict[tuple[int, ...], bytes]:
    """Each element the run drew, by place; a download's file id is new on every run (the CSV is made on click)."""
    out = {}
    for path, el in run.elements:
        if el.HasField("download_button"):
            el.download_button.ClearField("deferred_file_id")
        out[path] = el.SerializeToString(deterministic=True)
    return out


async def alone_then_whole(session: Session, key: str, seed: int) -> tuple[Rerun, Rerun, str, str]:
    """Change `key` (its part reruns alone), then rerun the whole page; the part must have drawn something new."""
    before = drawn(await session.rerun())
    widget = find(session, key)
    assert widget is not None, f"no widget {key} on the page"
    assert widget.fragment_id, f"{key} is not drawn inside a part of its page"
    assert change(session, widget, random.Random(seed))
    alone = await session.rerun(widget)
    assert any(before.get(p) != el for p, el in drawn(alone).items()), f"changing {key} changed nothing"
    query_alone = session.query
    whole = await session.rerun()
    return alone, whole, query_alone, session.query


async def check_parts(url: str) -> None:
    session, _ = await Session.open(url, "")
    model = session.find(key="model_key")
    session.set_option(model, next(o for o in model.options if o.startswith("aspect-restaura") and o.endswith("lstm")))
    await session.rerun()
    await session.switch("gates")
    for key, seed in (("gates_unit", 1), ("gates_threshold", 2), ("gates_compare", 3), ("gates_threshold", 4)):
        alone, whole, query_alone, query_whole = await alone_then_whole(session, key, seed)
        assert alone.status == FRAGMENT_RUN and whole.status == "FINISHED_SUCCESSFULLY"
        assert not alone.exceptions and not alone.errors and not whole.exceptions and not whole.errors
        part, page = drawn(alone), drawn(whole)
        assert part and set(part) < set(page), "a part's own rerun draws a subset of the page"
        assert {p: part[p] for p in part} == {p: page[p] for p in part}, f"{key}: the part shows what the whole page shows"
        charts = [el.plotly_chart.id for _, el in alone.elements if el.WhichOneof("type") == "plotly_chart"]
        assert charts and not any("gates_heat" in c for c in charts), "the heatmaps above are not sent again"
        assert query_alone == query_whole, "the URL follows a part's own rerun"
    assert "unit=" in session.query and "threshold=" in session.query

    await session.switch("")  # the saliency toggle (ui.show_saliency) is a part of the trajectory page
    alone, whole, _, _ = await alone_then_whole(session, "traj_saliency", 5)
    assert alone.status == FRAGMENT_RUN and not alone.exceptions and not alone.errors
    part, page = drawn(alone), drawn(whole)
    assert {p: part[p] for p in part} == {p: page[p] for p in part}
    assert not any(el.plotly_chart.id.endswith("traj_chart") for _, el in alone.elements if el.HasField("plotly_chart"))
    await session.close()


def test_a_part_rerun_alone_shows_what_a_whole_rerun_shows():
    with server() as (url, _):
        asyncio.run(check_parts(url))
