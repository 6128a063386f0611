"""Where a typed sentence's time goes: the browser's CPU, the server's CPU, and the wall time, per interaction.

Starts `streamlit run app.py` of this checkout (and, with `--against PATH`, of another checkout too: main, say)
and one Chromium per server (Debian's /usr/bin/chromium through Playwright, each its own processes). On one page
(`--page`, a URL path of bench_sessions.EVERY_PAGE, opened with the heaviest shipped model it offers) it types
`--repeats` new sentences of `--tokens` tokens into each, the servers taking turns (A B, B A, ...), so both
see the same load. Each interaction is timed from Enter until the sentence is on the page and the run is over
(as `bench_sessions.py --per-page`), and beside it the CPU seconds the browser's processes and the server's
process used meanwhile (from /proc): wall time moves with the machine's load, CPU seconds much less. The first
sentence of each warms the page's caches and is not counted. Prints each interaction and the medians.

    python bench/bench_split.py --page gates [--tokens 40] [--repeats 4] [--against /path/to/main/checkout]
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "bench"))

import bench_sessions  # noqa: E402
from bench_sessions import ARGS, CHROMIUM, EVERY_PAGE, SHOWS, counter, server, settle  # noqa: E402

TICK = os.sysconf("SC_CLK_TCK")
WORDS = "the food was not bad at all , but the service was painfully slow .".split()


def chromium_pids() -> set[int]:
    """Every running Chromium process (the browser, its renderers, its GPU and utility processes)."""
    found = set()
    for p in Path("/proc").iterdir():
        if p.name.isdigit():
            with contextlib.suppress(OSError, IndexError):
                if "chromium" in (p / "cmdline").read_bytes().split(b"\0")[0].decode(errors="replace"):
                    found.add(int(p.name))
    return found


def cpu_seconds(pids: set[int] | list[int]) -> float:
    """User + system CPU seconds used so far by these processes (those that ended count no more)."""
    total = 0
    for pid in pids:
        with contextlib.suppress(OSError):
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
            total += int(fields[11]) + int(fields[12])
    return total / TICK


async def measure(roots: dict[str, Path], path: str, tokens: int, repeats: int) -> dict[str, list[tuple[float, float, float]]]:
    from playwright.async_api import async_playwright

    _, title, label, model = next(p for p in EVERY_PAGE if p[0] == path)
    results: dict[str, list[tuple[float, float, float]]] = {name: [] for name in roots}
    with contextlib.ExitStack() as stack:
        servers = {}
        for name, root in roots.items():
            bench_sessions.ROOT = root  # server() starts `streamlit run app.py` in this folder
            servers[name] = stack.enter_context(server())
        bench_sessions.ROOT = ROOT
        async with async_playwright() as pw:
            pages, browsers = {}, {}
            for name, (url, _) in servers.items():
                before = chromium_pids()
                browser = await pw.chromium.launch(executable_path=CHROMIUM, headless=True, args=ARGS)
                page = await (await browser.new_context(viewport={"width": 1400, "height": 1000})).new_page()
                page.set_default_timeout(300_000)
                await page.goto(f"{url}/{path}?model={model}", wait_until="domcontentloaded")
                await page.locator("h1", has_text=title).wait_for()
                await asyncio.sleep(1.0)
                await settle(page, 300)
                pages[name], browsers[name] = page, chromium_pids() - before
            order = list(roots)
            for k in range(repeats + 1):
                for name in order if k % 2 else order[::-1]:
                    page, pid = pages[name], servers[name][1].pid
                    word = f"w{next(counter)}"
                    rest = (WORDS * (tokens // len(WORDS) + 1))[: tokens - 2]
                    box = page.get_by_role("textbox", name=label).first
                    await box.fill(" ".join(["The", word, *rest]))
                    await asyncio.sleep(0.3)
                    b0, s0 = cpu_seconds(browsers[name]), cpu_seconds([pid])
                    start = time.perf_counter()
                    await box.press("Enter")
                    await page.wait_for_function(SHOWS, arg=word, timeout=120_000, polling=50)
                    await settle(page, 120)
                    wall = time.perf_counter() - start
                    await asyncio.sleep(0.3)  # the last frames' compositing
                    used = (wall, cpu_seconds(browsers[name]) - b0, cpu_seconds([pid]) - s0)
                    if k:
                        results[name].append(used)
                    print(
                        f"  {name:<8} wall {used[0]:5.2f} s  browser CPU {used[1]:5.2f} s  server CPU {used[2]:5.2f} s"
                        f"  load {os.getloadavg()[0]:.2f}{'' if k else '  (warm-up, not counted)'}",
                        flush=True,
                    )
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--page", default="gates", help="URL path of the page ('' is the Sentiment trajectory page)")
    parser.add_argument("--tokens", type=int, default=40, help="tokens per typed sentence")
    parser.add_argument("--repeats", type=int, default=4, help="timed sentences per server (after one untimed)")
    parser.add_argument("--against", type=Path, help="another checkout of this project to compare with (run in turns)")
    args = parser.parse_args()
    if args.page not in [p[0] for p in EVERY_PAGE]:
        raise SystemExit(f"--page must be one of {[p[0] for p in EVERY_PAGE]}")
    roots = {"this": ROOT} | ({"against": args.against.resolve()} if args.against else {})
    print(f"load average before: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    results = asyncio.run(measure(roots, args.page, args.tokens, args.repeats))
    for name, rows in results.items():
        wall, browser, srv = zip(*rows, strict=True)
        print(
            f"{name} ({roots[name]}): wall median {statistics.median(wall):.2f} s (max {max(wall):.2f}); "
            f"browser CPU median {statistics.median(browser):.2f} s; server CPU median {statistics.median(srv):.2f} s"
        )
    print(f"{args.tokens} tokens on /{args.page}; load average after: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")


if __name__ == "__main__":
    main()
