"""Five browser sessions at once, one of them training: how long does each interaction take?

Starts `streamlit run app.py` on a free loopback port (the shipped models, the corpora in data/), opens
Debian's /usr/bin/chromium through Playwright with five browser contexts (five sessions), and for
`--seconds` lets four of them work while the fifth sits on the Train page: with `--train` it trains
the page's default model (a GRU on 2,000 rt-polarity sentences) for as long as the run lasts, without
it it only watches. Each working session cycles through the Sentiment trajectory, Gates, Tagging and
Inside-the-cell pages; on each it types a new sentence and presses Enter, and between two interactions
it reads for `--think` seconds on average (uniform between half and one and a half times that; each
session starts after a random wait of up to `--think` seconds, as people arrive at random moments; the
default, 3 s, gives about the rate of the measurement in issue 12: 110 interactions in 100 s). With
`--think 0` the sessions hammer the server back to back, and the latency measures the 2 cores'
throughput shared by the server and the four browsers drawing, not one interaction. Timed interactions:

    type     Enter pressed -> the sentence's unique word is on the page and the rerun is over
             (no "Running" status, no stale element left)
    switch   page link clicked -> the new page's title is up and its run is over

An Enter after which the word has not appeared within 8 s counts as missed (no rerun started, or a
rerun that never finished); it is typed again. Before the clock starts, one session visits every page
once (the models load into the server's cache: a cold start is not an interaction). Prints median, p90
and max per kind and overall, the five slowest interactions, the number of missed Enters, and the load
average before and after (the machine may be shared).

`--largest` instead times, in one session, each typed page on the largest sentence it accepts
(SEQCORE_MAX_TOKENS tokens), in the browser (drawing included), with the server's peak memory.

    python bench/bench_sessions.py [--train] [--seconds 100] [--sessions 5] [--think 3]
    python bench/bench_sessions.py --largest
    python bench/bench_sessions.py --per-page [--tokens 40] [--repeats 3]

`--per-page` times, in one session, each page that reads a sentence (opened by a link naming the heaviest
shipped model it offers) on `--repeats` new sentences of `--tokens` tokens, in the browser (drawing
included), on Gates its two sliders, and on every other page one control (bench/interactions.py: until the
server's end of the run, the frontend at rest and two frames drawn); `--tokens 300` is the long-input table.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import itertools
import os
import random
import re
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CHROMIUM = "/usr/bin/chromium"
ARGS = ["--no-sandbox", "--disable-background-networking", "--disable-component-update", "--disable-gpu", "--no-first-run"]
SETTLED = "() => !document.querySelector('[data-testid=\"stStatusWidget\"]') && !document.querySelector('[data-stale=\"true\"]')"
SHOWS = "(word) => document.querySelector('[data-testid=\"stMain\"]').textContent.includes(word)"
# (nav title, text box label): the pages that read a typed sentence
PAGES = [
    ("Sentiment trajectory", "Sentence (type your own and press Enter)"),
    ("Gates", "Sentence (press Enter to apply)"),
    ("Tagging", "Sentence (press Enter to apply)"),
    ("Inside the cell", "Sentence (press Enter to apply)"),
]
MISSED_AFTER = 8.0
EXTRA: list[str] = []
counter = itertools.count(1000)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextlib.contextmanager
def server(
    script: str | Path = "app.py", poll: float = 0.5, log: Path | None = None, port: int | None = None, env: dict | None = None
):
    """`streamlit run script` on a free loopback port (or `port`), once its health check answers (polled every
    `poll` s); yields (url, process). Its output goes to `log` if given (kept), else to a temporary file; `env`
    adds variables to its environment."""
    port = port or free_port()
    env = {k: v for k, v in os.environ.items() if k not in ("SEQCORE_MODELS_DIR", "SEQCORE_DATA")} | (env or {})
    with open(log, "w+b") if log else tempfile.TemporaryFile() as out:
        proc = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "streamlit",
                "run",
                str(script),
                "--server.port",
                str(port),
                "--server.headless",
                "true",
                *EXTRA,
            ],
            cwd=ROOT,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
        url = f"http://127.0.0.1:{port}"
        try:
            deadline = time.time() + 120
            while True:
                with contextlib.suppress(OSError):
                    with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as r:
                        if r.status == 200:
                            break
                if proc.poll() is not None or time.time() > deadline:
                    out.seek(0)
                    raise SystemExit(f"streamlit did not start:\n{out.read().decode()[-3000:]}")
                time.sleep(poll)
            yield url, proc
        finally:
            proc.terminate()
            try:
                proc.wait(15)
            except subprocess.TimeoutExpired:
                proc.kill()


async def settle(page, timeout: float = 120) -> None:
    await page.wait_for_function(SETTLED, timeout=timeout * 1000, polling=50)


async def open_session(browser, url: str):
    context = await browser.new_context(viewport={"width": 1400, "height": 1000})
    page = await context.new_page()
    page.set_default_timeout(120_000)
    await page.goto(url, wait_until="domcontentloaded")
    await page.locator("h1", has_text="Sentiment trajectory").wait_for()
    await asyncio.sleep(1.0)
    await settle(page)
    return page


async def switch(page, title: str) -> float:
    start = time.perf_counter()
    await page.locator('[data-testid="stSidebarNav"] a', has_text=title).click()
    await page.locator("h1", has_text=title).wait_for()
    await settle(page)
    return time.perf_counter() - start


async def type_sentence(page, label: str, missed: list) -> float | None:
    """Type a sentence with a unique word and press Enter; the time until it is drawn, None if it never was."""
    word = f"w{next(counter)}"
    box = page.get_by_role("textbox", name=label)
    for _ in range(3):
        await box.fill(f"The {word} soup was cold but the staff were lovely .")
        start = time.perf_counter()
        await box.press("Enter")
        try:
            await page.wait_for_function(SHOWS, arg=word, timeout=MISSED_AFTER * 1000, polling=50)
            await settle(page)
            return time.perf_counter() - start
        except Exception:  # noqa: BLE001 - a missed Enter is counted, then typed again
            missed.append(word)
    return None


async def start_training(page) -> None:
    await switch(page, "Train")
    for label in ("Epochs (at most)", "Patience (epochs without a better dev score)"):
        await page.get_by_label(label).fill("1000")
        await page.get_by_label(label).press("Enter")
        await asyncio.sleep(0.5)
        await settle(page)
    await page.get_by_role("button", name="Start training").click()
    await page.get_by_test_id("stMainBlockContainer").get_by_role("button", name="Stop").wait_for()


async def worker(page, offset: int, until: float, seconds: float, times: dict, missed: list, think: float) -> None:
    rng = random.Random(offset)

    async def read() -> None:
        await asyncio.sleep(rng.uniform(0.5 * think, 1.5 * think))

    began = until - seconds
    await asyncio.sleep(rng.uniform(0, think))  # sessions arrive at random moments, not all in the same instant
    for k in itertools.count(offset):
        if time.perf_counter() > until:
            return
        title, label = PAGES[k % len(PAGES)]
        at = time.perf_counter() - began
        took = await switch(page, title)
        times["switch"].append(took)
        times["slowest"].append((took, f"switch to {title} at {at:.0f} s"))
        await read()
        at = time.perf_counter() - began
        took = await type_sentence(page, label, missed)
        if took is not None:
            times["type"].append(took)
            times["slowest"].append((took, f"type on {title} at {at:.0f} s"))
        await read()


def summary(name: str, values: list[float]) -> str:
    if not values:
        return f"{name:<8} no interactions"
    values = sorted(values)
    p90 = values[min(len(values) - 1, int(0.9 * len(values)))]
    return f"{name:<8} n={len(values):4d}  median {statistics.median(values):6.2f} s  p90 {p90:6.2f} s  max {values[-1]:6.2f} s"


async def sessions(url: str, n: int, seconds: float, train: bool, think: float) -> None:
    from playwright.async_api import async_playwright

    async with async_playwright() as pw:
        browser = await pw.chromium.launch(executable_path=CHROMIUM, headless=True, args=ARGS)
        pages = [await open_session(browser, url) for _ in range(n)]
        trainer, workers = pages[0], pages[1:]
        for title, label in PAGES:  # warm: every page's models loaded once, untimed
            await switch(trainer, title)
            await type_sentence(trainer, label, [])
        if train:
            await start_training(trainer)
        else:
            await switch(trainer, "Train")
        times: dict[str, list] = {"type": [], "switch": [], "slowest": []}
        missed: list[str] = []
        load_before = os.getloadavg()
        until = time.perf_counter() + seconds
        await asyncio.gather(*(worker(p, i, until, seconds, times, missed, think) for i, p in enumerate(workers)))
        training = await trainer.locator('[data-testid="stMain"]').inner_text()
        await browser.close()
    state = re.search(r"epoch \d+ of at most \d+[^\n]*", training)
    print(
        f"{n} sessions for {seconds:.0f} s, {'one of them training' if train else 'none training'}, "
        f"{think:g} s between interactions on average; {os.cpu_count()} CPUs"
    )
    if train:
        print(f"training run at the end: {state.group(0) if state else 'not running (finished or failed?)'}")
    print(f"load average before: {' '.join(f'{x:.2f}' for x in load_before)}")
    print(summary("type", times["type"]))
    print(summary("switch", times["switch"]))
    print(summary("all", times["type"] + times["switch"]))
    print("slowest: " + "; ".join(f"{t:.2f} s {what}" for t, what in sorted(times["slowest"], reverse=True)[:5]))
    enters = len(times["type"]) + len(missed)
    print(f"Enter presses: {enters}, {len(missed)} with no finished rerun within {MISSED_AFTER:.0f} s")
    print(f"load average after: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")


def _status_kb(pid: int, field: str) -> int:
    return int(re.search(rf"{field}:\s+(\d+) kB", Path(f"/proc/{pid}/status").read_text()).group(1))


async def largest(url: str, pid: int) -> None:
    """One session: each typed page on a sentence of SEQCORE_MAX_TOKENS tokens, timed in the browser."""
    from playwright.async_api import async_playwright

    sys.path.insert(0, str(ROOT))
    from seqcore.inference import max_tokens

    cap = max_tokens()
    words = "the food was not bad at all , but the service was painfully slow .".split()
    async with async_playwright() as pw:
        browser = await pw.chromium.launch(executable_path=CHROMIUM, headless=True, args=ARGS)
        page = await open_session(browser, url)
        print(f"load average before: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
        print(f"{'page':<22} {'seconds':>8} {'server RSS MB':>14} {'server peak MB':>15}")
        for title, label in PAGES:
            await switch(page, title)
            word = f"w{next(counter)}"
            rest = (words * (cap // len(words) + 1))[: cap - 2]
            text = " ".join(["The", word, *rest])
            box = page.get_by_role("textbox", name=label)
            await box.fill(text)
            Path(f"/proc/{pid}/clear_refs").write_text("5")
            start = time.perf_counter()
            await box.press("Enter")
            await page.wait_for_function(SHOWS, arg=word, timeout=300_000, polling=50)
            await settle(page, timeout=300)
            took = time.perf_counter() - start
            rss, peak = _status_kb(pid, "VmRSS") / 1024, _status_kb(pid, "VmHWM") / 1024
            print(f"{title:<22} {took:8.2f} {rss:14.0f} {peak:15.0f}")
        await browser.close()
    print(f"{cap} tokens per sentence; load average after: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")


# (URL path, nav title, text box label, model named in the link): every page that reads a typed sentence, with
# the heaviest shipped model it offers (bench/bench_pages.py); a link's `model=` puts it in use
EVERY_PAGE = [
    ("", "Sentiment trajectory", "Sentence (type your own and press Enter)", "sentiment-lstm"),
    ("aspects", "Aspects", "Sentence (press Enter to apply)", "aspect-restaurants-lstm"),
    ("gates", "Gates", "Sentence (press Enter to apply)", "aspect-restaurants-lstm"),
    ("inside", "Inside the cell", "Sentence (press Enter to apply)", "aspect-restaurants-lstm"),
    ("tagging", "Tagging", "Sentence (press Enter to apply)", "pos-ewt-lstm"),
    ("gradients", "Gradients through time", "Sentence (type your own and press Enter", "sentiment-lstm"),
    ("pitfalls", "Pitfalls", "Sentence (press Enter to apply)", "sentiment-lstm"),
    ("search", "Hidden-state search", "Sentence (press Enter to apply)", "sentiment-lstm"),
]
# Gates' sliders: a key press on the slider (the parts of the page they drive rerun alone)
GATES_SLIDERS = ["Hidden unit (in ranking order", "Saturation threshold"]


async def per_page(url: str, pid: int, tokens: int, repeats: int, only: list[str] | None = None) -> None:
    """One session: on each typed page, `repeats` sentences of `tokens` tokens; on Gates its two sliders; on every
    other page one control (`interactions.CONTROLS`). Each timed in the browser until the page is idle and drawn
    (`interactions.Runs`: the server's end of the run, then the frontend at rest); median and max, and the
    server's resident memory after each page."""
    from interactions import CONTROLS, Runs, control_action, control_prepare, idle
    from playwright.async_api import async_playwright

    words = "the food was not bad at all , but the service was painfully slow .".split()
    async with async_playwright() as pw:
        browser = await pw.chromium.launch(executable_path=CHROMIUM, headless=True, args=ARGS)
        context = await browser.new_context(viewport={"width": 1400, "height": 1000})
        page = await context.new_page()
        page.set_default_timeout(60_000)
        runs = Runs(page)
        print(f"load average before: {' '.join(f'{x:.2f}' for x in os.getloadavg())}", flush=True)
        print(f"{'page: interaction':<44} {'median s':>8} {'max s':>7} {'run over s':>10} {'server RSS MB':>14}  model")

        async def open_page(path: str, title: str, model: str | None) -> None:
            await page.goto(f"{url}/{path}" + (f"?model={model}" if model else ""), wait_until="domcontentloaded")
            await page.locator("h1", has_text=title).wait_for()
            await asyncio.sleep(1.0)
            await idle(page)

        async def report(name: str, action, model: str | None, prepare=None) -> None:
            times, server = [], []
            for k in range(repeats + 1):  # the first one warms the page's caches: untimed
                if prepare is not None:
                    await prepare()
                took = await runs.timed(page, action)
                if k:
                    times.append(took)
                    server.append(runs.run_s)
            rss = _status_kb(pid, "VmRSS") / 1024
            print(
                f"{name:<44} {statistics.median(times):8.2f} {max(times):7.2f} {statistics.median(server):10.2f} {rss:14.0f}  {model or ''}",
                flush=True,
            )

        for path, title, label, model in [p for p in EVERY_PAGE if not only or p[0] in only]:
            try:
                await open_page(path, title, model)
                box = page.get_by_role("textbox", name=label).first
                rest = (words * (tokens // len(words) + 1))[: tokens - 2]

                async def fill(box=box, rest=rest) -> None:  # a new sentence in the box, not yet applied (untimed)
                    await box.fill(" ".join(["The", f"w{next(counter)}", *rest]), timeout=30_000)

                async def enter(box=box) -> None:
                    await box.press("Enter")

                await report(f"{title}: a typed sentence", enter, model, prepare=fill)
                if path == "gates":
                    for slider in GATES_SLIDERS:
                        await report(f"  {slider[:30]} slider", control_action(page, "slider", slider), None)
            except Exception as e:  # noqa: BLE001 - one page that never settles is reported, the others still run
                print(f"{title:<44} failed: {type(e).__name__}: {str(e).splitlines()[0][:120]}", flush=True)
        for path, title, kind, label, model in [c for c in CONTROLS if not only or c[0] in only]:
            try:
                await open_page(path, title, model)
                action, prepare = control_action(page, kind, label), control_prepare(page, kind, label)
                await report(f"{title}: {label[:24]} ({kind})", action, model, prepare=prepare)
            except Exception as e:  # noqa: BLE001
                print(f"{title:<44} failed: {type(e).__name__}: {str(e).splitlines()[0][:120]}", flush=True)
        await browser.close()
    print(
        f"{tokens} tokens per sentence, {repeats} timed per interaction; load average after: {' '.join(f'{x:.2f}' for x in os.getloadavg())}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--train", action="store_true", help="the fifth session trains a model the whole time")
    parser.add_argument("--seconds", type=float, default=100, help="how long the sessions work")
    parser.add_argument("--sessions", type=int, default=5, help="browser sessions, the first one on the Train page")
    parser.add_argument("--think", type=float, default=3.0, help="mean seconds a session reads between interactions")
    parser.add_argument("--largest", action="store_true", help="time each typed page on the longest sentence allowed")
    parser.add_argument("--per-page", action="store_true", help="time typed sentences on every page (and Gates' sliders)")
    parser.add_argument("--tokens", type=int, default=40, help="with --per-page: tokens per typed sentence")
    parser.add_argument("--repeats", type=int, default=3, help="with --per-page: timed sentences per page")
    parser.add_argument("--pages", nargs="+", help="with --per-page: only these URL paths ('' is the trajectory page)")
    args = parser.parse_args()
    if not Path(CHROMIUM).exists():
        raise SystemExit(f"{CHROMIUM} is missing (apt-get install chromium)")
    with server() as (url, proc):
        if args.largest:
            asyncio.run(largest(url, proc.pid))
        elif args.per_page:
            asyncio.run(per_page(url, proc.pid, args.tokens, args.repeats, args.pages))
        else:
            asyncio.run(sessions(url, args.sessions, args.seconds, args.train, args.think))


if __name__ == "__main__":
    main()
