"""Time and peak memory of every page on its largest allowed input, through Streamlit's AppTest.

Each page runs in a process of its own (so peak memory is its own), on the shipped models in models/
and the corpora in data/. A typed-sentence page first runs on a short sentence (models loaded, caches
warm), then on the largest sentence it accepts: SEQCORE_MAX_TOKENS tokens (300 by default). One rerun
is timed (wall clock, the whole script run as AppTest drives it) and its peak memory is read from Linux
(/proc/self/clear_refs resets the high-water mark, VmHWM is the peak resident size since):

    page          model(s)                                        input
    trajectory    the three sentiment models, overlaid            300 tokens
    aspects       aspect-restaurants-lstm, own sentence           300 tokens
    gates         aspect-restaurants-lstm (2 layers, both         300 tokens (a window of 60 words x
                  directions), and the LSTM/GRU side by side       128 units drawn per heatmap)
    inside        aspect-restaurants-lstm                         300 tokens
    tagging       pos-ewt-lstm                                    300 tokens
    gradients     the three sentiment models and their twins      300 tokens
    pitfalls      sentiment-lstm (its shapes section)             300 tokens (readouts: its test set, first run)
    evaluation    pos-ewt-lstm on its test set (UD EWT test)      the largest shipped test set, first run
    train         the page with its default data, first run       (training itself runs in a child process)

Prints one row per page: seconds for the rerun, peak RSS above the warm process and the process's
peak RSS. The machine's load average is printed too (on a shared machine, time moves with it).

    python bench/bench_pages.py [--pages trajectory gates ...] [--tokens 300]
"""

from __future__ import annotations

import argparse
import ctypes
import json
import os
import re
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
APP = str(ROOT / "app_script.py")  # the script every session runs (app.py is the server: st.App)
SENTENCE = "The food was not bad at all , but the service was painfully slow and the waiter was rude .".split()
PAGES = {
    "trajectory": ("app_pages/1_trajectory.py", "traj_sentence", "shipped:sentiment-lstm"),
    "aspects": ("app_pages/2_aspects.py", "asp_own", "shipped:aspect-restaurants-lstm"),
    "gates": ("app_pages/3_gates.py", "gates_sentence", "shipped:aspect-restaurants-lstm"),
    "inside": ("app_pages/6_inside.py", "inside_sentence", "shipped:aspect-restaurants-lstm"),
    "tagging": ("app_pages/7_tagging.py", "tag_sentence", "shipped:pos-ewt-lstm"),
    "gradients": ("app_pages/8_gradients.py", "grad_sentence", "shipped:sentiment-lstm"),
    "pitfalls": ("app_pages/9_pitfalls.py", "pit_sentence", "shipped:sentiment-lstm"),
    "evaluation": ("app_pages/4_evaluation.py", None, "shipped:pos-ewt-lstm"),
    "train": ("app_pages/5_train.py", None, None),
}


def status_kb(field: str) -> int:
    return int(re.search(rf"{field}:\s+(\d+) kB", Path("/proc/self/status").read_text()).group(1))


def reset_peak() -> int:
    """Give freed heap back, reset the peak-RSS mark, and return the RSS now (kB)."""
    try:
        ctypes.CDLL("libc.so.6").malloc_trim(0)
    except (OSError, AttributeError):
        pass
    Path("/proc/self/clear_refs").write_text("5")
    return status_kb("VmRSS")


def sentence(tokens: int) -> str:
    return " ".join((SENTENCE * (tokens // len(SENTENCE) + 1))[:tokens])


def one_page(name: str, tokens: int) -> dict:
    """Run one page in this process: warm on a short sentence, then time the largest input."""
    from streamlit.testing.v1 import AppTest

    path, key, model = PAGES[name]
    at = AppTest.from_file(APP, default_timeout=600)
    at.run()
    if model:
        at.selectbox(key="model_key").set_value(model).run()
    if key:  # warm on a short sentence, then time the longest
        at.switch_page(path).run()
        at.text_input(key=key).set_value(sentence(12)).run()
        base = reset_peak()
        start = time.perf_counter()
        at.text_input(key=key).set_value(sentence(tokens)).run()
    else:  # time the page's first run on its default data (nothing cached yet)
        base = reset_peak()
        start = time.perf_counter()
        at.switch_page(path).run()
    seconds = time.perf_counter() - start
    peak = status_kb("VmHWM")
    problems = [str(e.value) for e in at.exception] + [str(e.value) for e in at.error]
    warnings = [str(w.value) for w in at.warning if "at most" in str(w.value)]
    items = [f"{m.value} {m.label.lower()}" for m in at.metric if m.label in ("Words", "Sentences", "Aspect terms")]
    return {
        "items": items,
        "page": name,
        "seconds": seconds,
        "peak_above_mb": (peak - base) / 1024,
        "peak_mb": peak / 1024,
        "problems": problems,
        "capped": bool(warnings),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pages", nargs="+", choices=list(PAGES), default=list(PAGES), help="pages to measure")
    parser.add_argument("--tokens", type=int, default=None, help="sentence length (default: the cap, SEQCORE_MAX_TOKENS)")
    parser.add_argument("--one", help=argparse.SUPPRESS)  # internal: measure this page in this process
    args = parser.parse_args()
    sys.path.insert(0, str(ROOT))
    from seqcore.inference import max_tokens

    tokens = args.tokens or max_tokens()
    if args.one:
        print(json.dumps(one_page(args.one, tokens)))
        return
    print(f"load average before: {' '.join(f'{x:.2f}' for x in os.getloadavg())}; torch threads: 1 (the app's)")
    print(f"{'page':<12} {'rerun s':>8} {'peak above warm MB':>19} {'process peak MB':>16}  input")
    for name in args.pages:
        done = subprocess.run(
            [sys.executable, __file__, "--one", name, "--tokens", str(tokens)],
            capture_output=True,
            text=True,
            cwd=ROOT,
            env={**os.environ, "PYTHONWARNINGS": "ignore"},
        )
        try:
            row = json.loads(done.stdout.strip().splitlines()[-1])
        except (IndexError, json.JSONDecodeError):
            print(f"{name:<12} failed:\n{done.stderr[-2000:]}")
            continue
        what = f"{tokens} tokens" if PAGES[name][1] else "first run, its default data " + " ".join(row["items"])
        note = f"  PROBLEMS: {row['problems']}" if row["problems"] else ""
        print(f"{name:<12} {row['seconds']:8.2f} {row['peak_above_mb']:19.1f} {row['peak_mb']:16.0f}  {what}{note}")
    print(f"load average after: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")


if __name__ == "__main__":
    main()
