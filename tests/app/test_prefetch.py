"""The first page's element code is fetched at the start of every run (ui.prefetch), by a hidden element."""

from __future__ import annotations

import json
import re

from ui.prefetch import CHUNKS, SCRIPT_ID, chunk_files, prefetch_html


def test_this_streamlit_holds_every_chunk_the_first_page_uses():
    """If a Streamlit upgrade renames a chunk, the prefetch would silently skip it: this fails instead."""
    files = chunk_files()
    assert [f.split(".")[0] for f in files] == list(CHUNKS)
    assert all(re.fullmatch(r"[A-Za-z]+\.[\w-]+\.js", f) for f in files)


def test_the_script_imports_exactly_those_files_and_hides_its_element():
    html = prefetch_html(("PlotlyChart.abc.js", "Metric.x-y.js"))
    imported = json.loads(re.search(r"Promise\.allSettled\((\[.*?\])", html).group(1))
    assert imported == ["PlotlyChart.abc.js", "Metric.x-y.js"]
    style = re.search(r"<style>(.*)</style>", html).group(1)
    assert f":has(#{SCRIPT_ID})" in style and "display: none" in style
    assert f"<script id='{SCRIPT_ID}'>" in html


def _prefetch_elements(at) -> list:
    return [e for e in at.sidebar.get("html") if SCRIPT_ID in e.proto.body]


def test_every_run_draws_it_in_the_sidebar_and_it_can_be_turned_off(app, monkeypatch):
    at = app()
    assert not at.exception
    [element] = _prefetch_elements(at)
    assert element.proto.unsafe_allow_javascript
    assert at.multiselect(key="traj_models").value  # the first page itself is drawn as before
    monkeypatch.setenv("SEQCORE_PREFETCH", "0")
    at.run()
    assert not at.exception and _prefetch_elements(at) == []
