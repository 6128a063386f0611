"""How fast the app answers: first render, each page's rerun for a 40-token sentence, and server memory.

1. First render: from `streamlit run` to the sidebar drawn in a browser (Debian's /usr/bin/chromium
   through Playwright), beside a one-line Streamlit app started and opened the same way, the two
   interleaved `--repeats` times in this run (medians printed). Issue 11's goal: within 1.5 s of the
   one-line app.
2. Rerun server time per page: Streamlit's AppTest runs the app in a fresh process; on each page
   that reads a sentence (with the heaviest shipped model it offers: `bench_pages.PAGES`) a
   40-token sentence is typed `--repeats` times, one word changed each time so no cache answers;
   the whole script run is timed (sidebar, page, URL). Evaluation and Train, which read no
   sentence, are timed on a plain rerun. Goal: <= 300 ms on every page.
3. Server memory: in that same process, every page is then visited with every shipped model in
   use (all of them loaded); the process's resident and peak memory are printed. Goal: <= 1 GB.

Torch runs on one thread, as in the app (SEQCORE_TORCH_THREADS). The machine's load average is
printed (on a shared machine, time moves with it).

    python bench/app_latency.py [--repeats 5] [--tokens 40] [--skip-render]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import re
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "bench"))

from bench_pages import PAGES  # noqa: E402
from bench_sessions import ARGS, CHROMIUM, server  # noqa: E402

RERUN_GOAL_MS = 300
RENDER_GOAL_S = 1.5
MEMORY_GOAL_MB = 1024
WORDS = "the food was not bad at all , but the service was painfully slow and the waiter was rude .".split()
ONE_LINE_APP = 'import streamlit as st; st.sidebar.write("ready")\n'


def sentence(tokens: int, word: str) -> str:
    """A sentence of `tokens` tokens whose second word is `word` (so every rerun reads new text)."""
    rest = (WORDS * (tokens // len(WORDS) + 1))[: tokens - 2]
    return " ".join(["The", word, *rest])


# ----------------------------------------------------------------------------- 1. first render


async def time_render(browser, script: Path, ready: str) -> float:
    """Seconds from `streamlit run script` to `ready` (a CSS selector) drawn in a new browser page."""
    start = time.perf_counter()
    with server(script, poll=0.02) as (url, _):
        context = await browser.new_context(viewport={"width": 1400, "height": 1000})
        page = await context.new_page()
        await page.goto(url, wait_until="commit")
        await page.locator(ready).first.wait_for(timeout=120_000)
        took = time.perf_counter() - start
        await context.close()
    return took


async def first_render(repeats: int) -> dict[str, list[float]]:
    from playwright.async_api import async_playwright

    times: dict[str, list[float]] = {"one-line app": [], "seqcore app": []}
    with tempfile.TemporaryDirectory() as tmp:
        one = Path(tmp) / "one_line.py"
        one.write_text(ONE_LINE_APP)
        async with async_playwright() as pw:
            browser = await pw.chromium.launch(executable_path=CHROMIUM, headless=True, args=ARGS)
            await time_render(browser, one, '[data-testid="stSidebar"] :text("ready")')  # untimed: disk caches warm
            for _ in range(repeats):
                times["one-line app"].append(await time_render(browser, one, '[data-testid="stSidebar"] :text("ready")'))
                times["seqcore app"].append(
                    await time_render(browser, ROOT / "app.py", '[data-testid="stSidebar"] [data-testid="stSelectbox"]')
                )
            await browser.close()
    return times


# ----------------------------------------------------------------------------- 2 + 3. reruns and memory


def status_mb(field: str) -> float:
    return int(re.search(rf"{field}:\s+(\d+) kB", Path("/proc/self/status").read_text()).group(1)) / 1024


def reruns_and_memory(tokens: int, repeats: int) -> dict:
    """In this process: each page's rerun times (ms), then every page with every shipped model; memory (MB)."""
    from streamlit.testing.v1 import AppTest

    at = AppTest.from_file(str(ROOT / "app_script.py"), default_timeout=600)
    at.run()
    rows = []
    for name, (path, key, model) in PAGES.items():
        if model:
            at.selectbox(key="model_key").set_value(model).run()
        at.switch_page(path).run()
        if key:
            at.text_input(key=key).set_value(sentence(tokens, "warm")).run()  # models and page caches loaded
        times = []
        for k in range(repeats):
            start = time.perf_counter()
            if key:
                at.text_input(key=key).set_value(sentence(tokens, f"w{k}")).run()
            else:
                at.run()
            times.append((time.perf_counter() - start) * 1000)
        problems = [str(e.value)[:200] for e in at.exception]
        rows.append({"page": name, "model": model or "-", "typed": bool(key), "ms": times, "problems": problems})
    models = [o for o in at.selectbox(key="model_key").options]
    for model in models:
        at.selectbox(key="model_key").set_value(model).run()
        for path, _, _ in PAGES.values():
            at.switch_page(path).run()
    return {"rows": rows, "models": len(models), "rss_mb": status_mb("VmRSS"), "peak_mb": status_mb("VmHWM")}


def measure_reruns(tokens: int, repeats: int) -> dict:
    """Run `reruns_and_memory` in a fresh process (its memory is the app's alone) and return its numbers."""
    env = {**os.environ, "PYTHONWARNINGS": "ignore", "SEQCORE_TORCH_THREADS": os.environ.get("SEQCORE_TORCH_THREADS", "1")}
    done = subprocess.run(
        [sys.executable, __file__, "--one", "--tokens", str(tokens), "--repeats", str(repeats)],
        capture_output=True,
        text=True,
        cwd=ROOT,
        env=env,
    )
    try:
        return json.loads(done.stdout.strip().splitlines()[-1])
    except (IndexError, json.JSONDecodeError):
        raise SystemExit(f"the rerun measurement failed:\n{done.stderr[-3000:]}") from None


def load() -> str:
    return " ".join(f"{x:.2f}" for x in os.getloadavg())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=5, help="timed runs per page and per start-up (medians printed)")
    parser.add_argument("--tokens", type=int, default=40, help="tokens in the typed sentence")
    parser.add_argument("--skip-render", action="store_true", help="skip the first-render measurement (a browser)")
    parser.add_argument("--one", action="store_true", help=argparse.SUPPRESS)  # internal: measure in this process
    args = parser.parse_args()
    sys.path.insert(0, str(ROOT))
    if args.one:
        print(json.dumps(reruns_and_memory(args.tokens, args.repeats)))
        return
    print(f"load average before: {load()}; torch threads: 1 (the app's)")
    if not args.skip_render:
        times = asyncio.run(first_render(args.repeats))
        one, app = statistics.median(times["one-line app"]), statistics.median(times["seqcore app"])
        print(f"\nfirst render, `streamlit run` -> sidebar drawn (median of {args.repeats}, interleaved)")
        print(f"  one-line Streamlit app  {one:6.2f} s")
        print(f"  seqcore app             {app:6.2f} s   (+{app - one:.2f} s; goal: within {RENDER_GOAL_S} s)")
    m = measure_reruns(args.tokens, args.repeats)
    print(
        f"\nrerun server time, {args.tokens}-token sentence typed (AppTest, median and max of {args.repeats}; goal <= {RERUN_GOAL_MS} ms)"
    )
    print(f"  {'page':<12} {'median ms':>10} {'max ms':>8}  model")
    for r in m["rows"]:
        what = r["model"] + ("" if r["typed"] else " (a plain rerun: the page reads no sentence)")
        note = f"  PROBLEMS: {r['problems']}" if r["problems"] else ""
        print(f"  {r['page']:<12} {statistics.median(r['ms']):10.0f} {max(r['ms']):8.0f}  {what}{note}")
    print(f"\nserver memory, every page visited with each of the {m['models']} shipped models in use (all loaded)")
    print(f"  resident {m['rss_mb']:.0f} MB, peak {m['peak_mb']:.0f} MB (goal <= {MEMORY_GOAL_MB} MB)")
    print(f"\nload average after: {load()}")


if __name__ == "__main__":
    main()
