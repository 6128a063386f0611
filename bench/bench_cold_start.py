"""The first page, from a cold server: `streamlit run app.py` -> the first page usable in a real browser.

"Usable" is all three: the sidebar drawn (its model picker), the page's script finished (no "Running"
status widget, nothing stale) and the page's chart drawn (a Plotly SVG in the main area). Beside it, a
one-line Streamlit app started and opened the same way ("ready" drawn in the sidebar and its run over),
and the app with each of its cold-start measures turned off in turn: the server-start warm-up
(SEQCORE_WARM_UP=0), the warm-up's short switch interval (SEQCORE_SWITCH_INTERVAL=0.005, Python's own), and
the cache folder (SEQCORE_CACHE_DIR=off: nothing remembered from an earlier start, as on the very first start
after installing: spaCy tokenizes the first page's sentences and the models compute its trajectories, with torch).
The untimed first start before the runs fills the cache (the first page's tokens and its remembered answers).
All are interleaved `--repeats` times in one run, so they see the same machine. Issue 16's goal: the app
within 2.5 s of the one-line app.

Then where the time goes: from the browser runs, when the websocket opened, when the browser asked for
Plotly's chunk, and when the sidebar, the chart and the end of the run arrived after `streamlit run`; and in a
fresh Python process, the steps the first page takes, one after the other (imports, the tokenizer, the three
models, the first trajectories, the figure).

    python bench/bench_cold_start.py [--repeats 5] [--against /path/to/another/checkout]

`--against` adds another checkout of this project (the commit before a change, say), cold-started in the same
turns, so the change is measured against the same machine.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "bench"))

import bench_sessions  # noqa: E402
from bench_sessions import ARGS, CHROMIUM, SETTLED, server  # noqa: E402

GOAL_S = 2.5
ONE_LINE_APP = 'import streamlit as st; st.sidebar.write("ready")\n'
SIDEBAR = '[data-testid="stSidebar"] [data-testid="stSelectbox"]'
CHART = '[data-testid="stMain"] .js-plotly-plot .main-svg'

# The first page's work in a fresh process, step by step (what `ui` and the trajectory page call).
PHASES = r"""
import time, sys
t0 = time.perf_counter(); marks = []
def mark(what):
    global t0
    t = time.perf_counter(); marks.append((what, t - t0)); t0 = t
import streamlit; mark("import streamlit")
import ui; mark("import ui (the sidebar's modules)")
from seqcore.remembered import recall; from ui.warmup import first_page_models
kept = [recall(f, ui.DEFAULT_SENTENCE) for f in first_page_models()]
mark(f"recall the first view ({sum(k is not None for k in kept)} of {len(kept)} remembered; no torch)")
import torch; mark("import torch")
torch.set_num_threads(1)
from seqcore import tokens; tokens.tokenize("warm"); mark("import spaCy + spacy.blank('en')")
from seqcore.inference import Predictor; mark("import seqcore.inference")
entries = {m.key: m for m in ui.models_of_task("sentiment")}
models = [Predictor.load(entries[k].path) for k in ui.comparison_default(list(entries.values()))]
mark(f"load {len(models)} sentiment models")
runs = [p.trajectory(ui.DEFAULT_SENTENCE) for p in models]; mark("their trajectories of the default sentence")
from seqcore import plots
import plotly.io
fig = plots.trajectory_figure(runs[0].tokens, {str(i): (r.labels, r.probs) for i, r in enumerate(runs)})
plotly.io.to_json(fig)
mark("the figure, built and serialised")
print("\n".join(f"{w}\t{s:.3f}" for w, s in marks))
"""


WEBSOCKET = "websocket open"
PLOTLY_ASKED = "Plotly's chunk asked for"
# (label, environment): the app as shipped, then with one measure off
VARIANTS = [
    ("seqcore app", {}),
    ("without the warm-up", {"SEQCORE_WARM_UP": "0"}),
    ("at Python's 5 ms switch", {"SEQCORE_SWITCH_INTERVAL": "0.005"}),
    ("nothing remembered", {"SEQCORE_CACHE_DIR": "off"}),  # a first start after installing: no token cache, no answers
]


async def cold_start(browser, script: Path, ready: list[str]) -> dict[str, float]:
    """Seconds from `streamlit run script` to each selector of `ready` drawn, and to the run being over (also
    when the websocket opened and when the browser asked for Plotly's chunk)."""
    start = time.perf_counter()
    seen: dict[str, float] = {}

    def mark(what: str) -> None:
        seen.setdefault(what, time.perf_counter() - start)

    with server(script, poll=0.02) as (url, _):
        seen["server answers"] = time.perf_counter() - start
        context = await browser.new_context(viewport={"width": 1400, "height": 1000})
        page = await context.new_page()
        page.on("websocket", lambda _ws: mark(WEBSOCKET))
        page.on("request", lambda r: mark(PLOTLY_ASKED) if "/static/js/PlotlyChart." in r.url else None)
        await page.goto(url, wait_until="commit")
        for selector in ready:
            await page.locator(selector).first.wait_for(timeout=120_000)
            seen[selector] = time.perf_counter() - start
        await page.wait_for_function(SETTLED, timeout=120_000, polling=20)
        seen["usable"] = time.perf_counter() - start
        await context.close()
    return seen


async def app_start(browser, env: dict[str, str], root: Path = ROOT) -> dict[str, float]:
    """A cold start of `root`'s app.py (this checkout's by default) with `env` added to the server's environment."""
    saved = {k: os.environ.get(k) for k in env}
    os.environ.update(env)
    bench_sessions.ROOT = root  # server() starts `streamlit run` in this folder
    try:
        return await cold_start(browser, root / "app.py", [SIDEBAR, CHART])
    finally:
        bench_sessions.ROOT = ROOT
        for k, v in saved.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v


async def measure(repeats: int, against: Path | None = None) -> tuple[list[dict], dict[str, list[dict]]]:
    from playwright.async_api import async_playwright

    one_line: list[dict] = []
    apps: dict[str, list[dict]] = {label: [] for label, _ in VARIANTS}
    if against is not None:
        apps[f"against {against.name}"] = []
    ready = ['[data-testid="stSidebar"] :text("ready")']
    with tempfile.TemporaryDirectory() as tmp:
        one = Path(tmp) / "one_line.py"
        one.write_text(ONE_LINE_APP)
        async with async_playwright() as pw:
            browser = await pw.chromium.launch(executable_path=CHROMIUM, headless=True, args=ARGS)
            await cold_start(browser, one, ready)  # untimed: disk caches warm
            await app_start(browser, {})
            if against is not None:
                await app_start(browser, {}, against)  # untimed too: its caches filled
            for _ in range(repeats):
                one_line.append(await cold_start(browser, one, ready))
                for label, env in VARIANTS:
                    apps[label].append(await app_start(browser, env))
                if against is not None:
                    apps[f"against {against.name}"].append(await app_start(browser, {}, against))
            await browser.close()
    return one_line, apps


def spread(values: list[float]) -> str:
    return f"min {min(values):5.2f}  median {statistics.median(values):5.2f}  max {max(values):5.2f} s"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=5, help="cold starts of each app, interleaved (default 5)")
    parser.add_argument("--against", type=Path, help="another checkout of this project, cold-started in the same turns")
    args = parser.parse_args()
    print(f"load average before: {os.getloadavg()[0]:.2f}", flush=True)
    one_line, apps = asyncio.run(measure(args.repeats, args.against.resolve() if args.against else None))
    one = [r["usable"] for r in one_line]
    ours = [r["usable"] for r in apps[VARIANTS[0][0]]]
    print(f"\n`streamlit run` -> first page usable, {args.repeats} cold starts each, interleaved")
    print(f"  one-line Streamlit app   {spread(one)}")
    for label, runs in apps.items():
        print(f"  {label:24s} {spread([r['usable'] for r in runs])}")
    gap = statistics.median(ours) - statistics.median(one)
    verdict = "met" if gap <= GOAL_S else "MISSED"
    print(f"  gap (medians)            {gap:+5.2f} s   goal <= +{GOAL_S} s: {verdict}")
    print("\nwhen each part arrived after `streamlit run` (median; the seqcore app, and without the warm-up):")
    for key, what in (
        ("server answers", "server answers /_stcore/health"),
        (WEBSOCKET, "websocket open"),
        (PLOTLY_ASKED, "Plotly's chunk asked for"),
        (SIDEBAR, "sidebar drawn"),
        (CHART, "chart drawn"),
        ("usable", "run over: usable"),
    ):
        cells = [f"{statistics.median(r[key] for r in apps[label]):5.2f} s" for label in (VARIANTS[0][0], VARIANTS[1][0])]
        print(f"  {what:34s} {'   '.join(cells)}")
    env = {**os.environ, "PYTHONPATH": str(ROOT), "SEQCORE_TORCH_THREADS": "1"}
    out = subprocess.run([sys.executable, "-c", PHASES], cwd=ROOT, env=env, capture_output=True, text=True, check=True)
    print("\nthe first page's work in a fresh process, step by step:")
    for line in out.stdout.strip().splitlines():
        what, seconds = line.split("\t")
        print(f"  {what:44s} {float(seconds):5.2f} s")
    print(f"\nload average after: {os.getloadavg()[0]:.2f}")


if __name__ == "__main__":
    main()
