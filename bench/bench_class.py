"""A class of N students on one server, without browsers: how long does each interaction take?

Starts `streamlit run app.py` on a free loopback port (or uses the server or load balancer at `--url`)
and lets `--students` simulated students work for `--minutes`. Each student is one websocket session
speaking Streamlit's own protocol (bench/stclient.py: BackMsg reruns carrying every widget's value,
ForwardMsg deltas back, the browser's message cache kept), so the server does exactly the work a
browser tab would make it do; nothing is drawn.

A student arrives at a random moment within the first think time, opens the app (the Sentiment
trajectory page) and follows the lesson's pages in order (trajectory, aspects, gates, inside the cell,
tagging, gradients through time, pitfalls, evaluation, hidden-state search; now and then a page out of
order). On each page it types new sentences (6-40 tokens, each with a word of its own, so no cache
answers) and changes the page's controls (layer, direction, thresholds, units, classes, ...: `CONTROLS`;
widget ids come from the deltas), and now and then picks another model in the sidebar. Between two
interactions it thinks for `--think` seconds on average (uniform between half and one and a half times
that; seeded: `--seed`). A few students (`--leavers`, a share of the class, at least one) close their
connection in the middle of a run, as a closed tab does, and come back a think time later as a new
session. Nobody trains: the Train page's runs are capped per server (SEQCORE_MAX_TRAINING, docs/deploy.md).

Before the clock starts, one session visits every page once with every shipped model, untimed (the
models load into the server's caches: a cold start is not an interaction).

An interaction is timed from the rerun request sent to the `script_finished` message received: the
server's answer, all its messages included, without the browser's drawing. It fails (an error) if the
page shows an exception or an error box, if no answer comes within `--timeout` seconds, or if the
connection breaks; the server's log is searched for tracebacks afterwards. Reported: interactions,
errors, median / p95 / max seconds, per kind (open, switch, type, control), and the load average.
Issue 17's goal with 30 students on the 2-core machine: median <= 0.5 s, p95 <= 1.5 s, 0 errors and
no traceback. The students run in this process, on the same machine as the server: their own CPU
(decoding every message) counts against the server's.

`--bytes` instead measures, in one session, the websocket messages and bytes of one rerun per page
(the heaviest shipped model each page offers, as in bench/app_latency.py): a page switch, a typed
40-token sentence and a change of each of the page's main controls (`BYTES_CONTROLS`).

    python bench/bench_class.py --students 30 --minutes 3 [--json]
    python bench/bench_class.py --sweep 10 30 60 100 --minutes 2
    python bench/bench_class.py --bytes [--json]
    python bench/bench_class.py --replicas 2 --students 30 --minutes 2      (nginx in front: docs/deploy.md)
    python bench/bench_class.py --url http://127.0.0.1:8080 --log replica1.log --log replica2.log ...
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import math
import os
import random
import statistics
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "bench"))

from balancer import STICKY_COOKIE, replicas  # noqa: E402
from bench_sessions import server  # noqa: E402
from stclient import Rerun, Session, Widget  # noqa: E402

GOAL = {"median_s": 0.5, "p95_s": 1.5, "errors": 0}
# the lesson, in order: URL path -> (the page's sentence box key or None, its controls a student changes)
LESSON: dict[str, tuple[str | None, tuple[str, ...]]] = {
    "": ("traj_sentence", ("traj_example", "traj_models", "traj_classes", "traj_focus_class", "traj_saliency")),
    "aspects": ("asp_own", ("asp_sentence", "asp_file_focus_aspect", "asp_own_focus_aspect", "asp_file_saliency")),
    "gates": (
        "gates_sentence",
        ("gates_layer", "gates_direction", "gates_threshold", "gates_unit", "gates_units_top", "gates_focus_class"),
    ),
    "inside": ("inside_sentence", ("inside_word", "inside_layer", "inside_direction", "inside_units")),
    "tagging": ("tag_sentence", ("tag_focus_token", "tag_focus_class", "tag_saliency")),
    "gradients": ("grad_sentence", ("grad_layer", "grad_direction", "grad_readout", "grad_twin", "grad_models")),
    "pitfalls": ("pit_sentence", ()),
    "evaluation": (None, ("eval_cell",)),
    "search": ("search_sentence", ("search_threshold", "search_layer", "search_direction", "search_top", "search_span")),
}
# the model each page is measured with in --bytes (the heaviest it offers: bench/bench_pages.py)
BYTES_MODEL = {
    "": "sentiment-lstm",
    "aspects": "aspect-restaurants-lstm",
    "gates": "aspect-restaurants-lstm",
    "inside": "aspect-restaurants-lstm",
    "tagging": "pos-ewt-lstm",
    "gradients": "sentiment-lstm",
    "pitfalls": "sentiment-lstm",
    "evaluation": "pos-ewt-lstm",
    "search": "sentiment-lstm",
}
# the controls whose reruns --bytes measures, per page (one change each)
BYTES_CONTROLS = {
    "": ("traj_classes",),
    "aspects": ("asp_sentence",),
    "gates": ("gates_threshold", "gates_unit", "gates_layer"),
    "inside": ("inside_word",),
    "tagging": ("tag_focus_token",),
    "gradients": ("grad_direction", "grad_readout"),
    "evaluation": ("eval_cell",),
    "search": ("search_threshold",),
}
WORDS = (
    "the food was not bad at all but service painfully slow and waiter rude lovely staff cold soup great "
    "film plot thin acting wonderful dull tired mess gorgeous moving funny story i expected a masterpiece "
    "never again really quite simply forgettable , ."
).split()
P_SWITCH, P_TYPE, P_MODEL = 0.25, 0.45, 0.04  # per interaction: next page, a typed sentence, another model


def sentence(rng: random.Random, word: str, tokens: int | None = None) -> str:
    """A sentence of `tokens` tokens (6-40 at random) with `word` in it, so no cache can answer it."""
    n = tokens or rng.randint(6, 40)
    rest = [rng.choice(WORDS) for _ in range(n - 2)]
    return " ".join(["The", word, *rest])


def change(session: Session, w: Widget, rng: random.Random) -> bool:
    """Give a widget another value, as a student would with the mouse; False if it has nothing else to offer."""
    el, now = w.element, session.value(w)
    if w.kind in ("selectbox", "radio") or (w.kind == "slider" and w.options and len(el.default) == 1):
        others = [o for o in w.options if o != now and o not in (now or [])]
        if not others:
            return False
        session.set_option(w, rng.choice(others))
    elif w.kind == "slider" and w.options:  # a range select_slider: a short span
        i = rng.randrange(len(w.options) - 1)
        j = min(len(w.options) - 1, i + rng.randint(1, 4))
        session.states[w.id].ClearField("string_array_value")
        session.states[w.id].string_array_value.data.extend([w.options[i], w.options[j]])
    elif w.kind == "slider":
        steps = max(1, round((el.max - el.min) / el.step))
        session.set_number(w, round(el.min + el.step * rng.randint(0, steps), 6))
    elif w.kind == "checkbox":
        session.set_bool(w, not now)
    elif w.kind == "multiselect":
        cap = el.max_selections or len(el.options)
        picked = rng.sample(list(el.options), rng.randint(1, max(1, min(cap, 3, len(el.options)))))
        session.states[w.id].ClearField("string_array_value")
        session.states[w.id].string_array_value.data.extend(picked)
    elif w.kind == "number_input":
        low = max(el.min if el.has_min else 1, 1)
        high = min(el.max if el.has_max else 3 * el.default, max(3 * el.default, low + 1))
        session.set_number(w, float(rng.randint(int(low), int(high))))
    else:
        return False
    return True


def follow_terms(session: Session, text: str) -> None:
    """With an aspect model, the Inside page's term box keeps its term when the sentence changes: a student
    types a term of the new sentence too (its second word, the one of its own)."""
    terms = find(session, "inside_terms")
    if terms is not None:
        session.set_text(terms, text.split()[1])


def find(session: Session, key: str) -> Widget | None:
    """The widget whose key is `key` or starts with `key_` (keys with a model's or sentence's hash appended)."""
    for w in session.widgets.values():
        if w.key == key or (w.key or "").startswith(key + "_"):
            return w
    return None


@dataclass
class Record:
    times: list[tuple[float, str, str]] = field(default_factory=list)  # (seconds, kind, page)
    errors: list[str] = field(default_factory=list)
    left: int = 0
    slowest: list[tuple[float, str]] = field(default_factory=list)
    bytes: int = 0
    messages: int = 0

    def add(self, r: Rerun, kind: str, page: str, who: int) -> None:
        self.times.append((r.seconds, kind, page))
        self.slowest = sorted([*self.slowest, (round(r.seconds, 2), f"{kind} on /{page}")], reverse=True)[:8]
        self.bytes += r.bytes
        self.messages += r.messages
        for problem in r.exceptions + r.errors:
            self.errors.append(f"student {who}, {kind} on /{page}: {problem}")


async def timed(record: Record, who: int, kind: str, page: str, run, timeout: float):
    """Await one interaction; a timeout or a broken connection is an error."""
    try:
        r = await asyncio.wait_for(run, timeout)
    except TimeoutError:
        record.errors.append(f"student {who}, {kind} on /{page}: no answer within {timeout:g} s")
        return None
    except Exception as e:  # noqa: BLE001 - a broken connection is what this benchmark counts
        record.errors.append(f"student {who}, {kind} on /{page}: {type(e).__name__}: {e}")
        return None
    record.add(r[1] if isinstance(r, tuple) else r, kind, page, who)  # Session.open answers (session, first run)
    return r


async def student(who: int, url: str, until: float, args, models: list[str], leaves_at: float | None, record: Record) -> None:
    rng = random.Random(args.seed * 1000 + who)
    pages = list(LESSON)
    words = iter(f"s{who}w{k}" for k in range(10**9))

    async def think() -> None:
        await asyncio.sleep(rng.uniform(0.5 * args.think, 1.5 * args.think))

    await asyncio.sleep(rng.uniform(0, args.think))  # students arrive at random moments
    while time.perf_counter() < until:
        cookie = f"{STICKY_COOKIE}=student-{who}"  # a browser keeps its balancer cookie: the same replica again
        opened = await timed(record, who, "open", "", Session.open(url, "", args.timeout, cookie), args.timeout)
        if opened is None:
            await think()
            continue
        session = opened[0]
        page, step = "", 0
        try:
            while time.perf_counter() < until:
                await think()
                if time.perf_counter() >= until:
                    break
                if leaves_at is not None and time.perf_counter() >= leaves_at:
                    leaves_at = None
                    record.left += 1
                    await session.send_and_leave()  # the tab closes while its run is going on
                    await think()
                    break  # ... and comes back as a new session
                r = rng.random()
                key, controls = LESSON[page]
                if r < P_SWITCH:
                    step += 1
                    page = pages[step % len(pages)] if rng.random() > 0.15 else rng.choice(pages)
                    await timed(record, who, "switch", page, session.switch(page, args.timeout), args.timeout)
                    continue
                if r < P_SWITCH + P_TYPE and key and (box := find(session, key)):
                    text = sentence(rng, next(words))
                    session.set_text(box, text)
                    follow_terms(session, text)
                    await timed(record, who, "type", page, session.rerun(box, args.timeout), args.timeout)
                    continue
                names = ["model_key"] if rng.random() < P_MODEL / (1 - P_SWITCH - P_TYPE) else rng.sample(controls, len(controls))
                for name in names:
                    w = find(session, name)
                    if w is not None and change(session, w, rng):
                        await timed(record, who, f"control {name}", page, session.rerun(w, args.timeout), args.timeout)
                        break
        finally:
            await session.close()


async def warm(url: str, timeout: float) -> list[str]:
    """Visit every page of the lesson once with every shipped model (untimed); return the models' option labels."""
    session, _ = await Session.open(url, "", timeout)
    models = list(session.find(key="model_key").options)
    for model in models:
        session.set_option(session.find(key="model_key"), model)
        await session.rerun(timeout=timeout)
    for page in LESSON:
        await session.switch(page, timeout)
    await session.close()
    return models


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[max(0, math.ceil(q * len(ordered)) - 1)]


def tracebacks(logs: list[Path]) -> list[str]:
    """Each traceback in the servers' logs, as its last line (the exception)."""
    found = []
    for log in logs:
        lines = log.read_text(errors="replace").splitlines()
        for i, line in enumerate(lines):
            if line.startswith("Traceback (most recent call last)"):
                tail = next((x for x in lines[i + 1 :] if x and not x.startswith((" ", "\t", "Traceback"))), "?")
                found.append(f"{log.name}: {tail[:200]}")
    return found


def load() -> list[float]:
    return [round(x, 2) for x in os.getloadavg()]


async def run_class(url: str, n: int, args, warm_urls: list[str] | None = None) -> dict:
    """The class against `url`; each server in `warm_urls` (default: `url`) is warmed first, untimed."""
    for server_url in warm_urls or [url]:
        models = await warm(server_url, args.timeout)
    record = Record()
    load_before = load()
    start = time.perf_counter()
    until = start + 60 * args.minutes
    rng = random.Random(args.seed)
    leavers = set(rng.sample(range(n), max(1, round(args.leavers * n)))) if args.leavers > 0 else set()
    await asyncio.gather(
        *(
            student(
                i, url, until, args, models, start + rng.uniform(0.2, 0.8) * 60 * args.minutes if i in leavers else None, record
            )
            for i in range(n)
        )
    )
    seconds = [t for t, _, _ in record.times]
    out: dict = {
        "students": n,
        "minutes": args.minutes,
        "interactions": len(seconds),
        "errors": len(record.errors),
        "median_s": round(statistics.median(seconds), 3) if seconds else None,
        "p95_s": round(percentile(seconds, 0.95), 3) if seconds else None,
        "max_s": round(max(seconds), 3) if seconds else None,
        "left_mid_run": record.left,
        "kinds": {},
        "kB_per_interaction": round(record.bytes / 1000 / max(1, len(seconds)), 1),
        "messages_per_interaction": round(record.messages / max(1, len(seconds)), 1),
        "load_before": load_before,
        "load_after": load(),
        "cpus": os.cpu_count(),
        "error_samples": record.errors[:10],
        "slowest": record.slowest,
    }
    for kind in ("open", "switch", "type", "control"):
        got = [t for t, k, _ in record.times if k.split()[0] == kind]
        if got:
            out["kinds"][kind] = {
                "n": len(got),
                "median_s": round(statistics.median(got), 3),
                "p95_s": round(percentile(got, 0.95), 3),
                "max_s": round(max(got), 3),
            }
    return out


def meets(point: dict) -> bool:
    return (
        point["interactions"] > 0
        and point["errors"] == GOAL["errors"]
        and not point.get("tracebacks")
        and point["median_s"] <= GOAL["median_s"]
        and point["p95_s"] <= GOAL["p95_s"]
    )


def report(point: dict) -> None:
    ok = "meets" if meets(point) else "misses"
    print(
        f"{point['students']:4d} students, {point['minutes']:g} min: {point['interactions']} interactions, "
        f"{point['errors']} errors, median {point['median_s']} s, p95 {point['p95_s']} s, max {point['max_s']} s "
        f"({ok} the goal); load average {point['load_before']} -> {point['load_after']}"
    )
    for kind, k in point["kinds"].items():
        print(f"       {kind:<8} n={k['n']:5d}  median {k['median_s']:6.3f} s  p95 {k['p95_s']:6.3f} s  max {k['max_s']:6.3f} s")
    print(
        f"       {point['kB_per_interaction']} kB and {point['messages_per_interaction']} messages per interaction; "
        f"{point['left_mid_run']} left mid-run and came back"
    )
    print("       slowest: " + "; ".join(f"{t} s {what}" for t, what in point["slowest"]))
    if point.get("server_cpu_s"):
        where = f"{point['replicas']} replicas behind nginx" if point.get("replicas") else "the server"
        print(f"       CPU seconds used by {where} (warm-up included): {point['server_cpu_s']}")
    for e in point["error_samples"]:
        print(f"       error: {e}")
    for t in point.get("tracebacks", []):
        print(f"       traceback in the server log: {t}")


def cpu_seconds(pid: int) -> float:
    """User + system CPU seconds a process has used (Linux /proc)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def class_point(n: int, args) -> dict:
    """One class size on a fresh server (or `--replicas` behind nginx, or `--url`), with the logs searched for tracebacks."""
    if args.url:
        point = asyncio.run(run_class(args.url, n, args))
        point["tracebacks"] = tracebacks([Path(p) for p in args.log])
        return point
    with contextlib.ExitStack() as stack:
        if args.replicas:
            url, each, logs, pids = stack.enter_context(replicas(args.replicas, args.max_training))
        else:
            log = Path(stack.enter_context(tempfile.TemporaryDirectory())) / "server.log"
            url, proc = stack.enter_context(server(log=log))
            each, logs, pids = [url], [log], [proc.pid]
        before = [cpu_seconds(p) for p in pids]
        point = asyncio.run(run_class(url, n, args, warm_urls=each))
        point["server_cpu_s"] = [round(cpu_seconds(p) - b, 1) for p, b in zip(pids, before)]  # warm-up included
        point["replicas"] = len(pids) if args.replicas else 0
        point["tracebacks"] = tracebacks(logs)
    return point


# ----------------------------------------------------------------------------- bytes per rerun


def names_model(option: str, name: str) -> bool:
    """Whether a sidebar option names this model: in full, or with its middle cut ("aspect-rest…s-lstm")."""
    head, cut, tail = option.partition("…")
    return option == name or bool(cut) and name.startswith(head) and name.endswith(tail)


async def bytes_per_page(url: str, timeout: float, repeats: int) -> list[dict]:
    """Per page: the messages, bytes and server seconds of a switch to it, of a typed 40-token sentence
    (median of `repeats`) and of each control in `BYTES_CONTROLS` (one change each)."""
    rng = random.Random(0)
    session, _ = await Session.open(url, "", timeout)
    rows = []

    def row(page: str, what: str, runs: list[Rerun]) -> dict:
        return {
            "page": page or "trajectory",
            "model": BYTES_MODEL[page],
            "rerun": what,
            "messages": statistics.median(r.messages for r in runs),
            "kB": round(statistics.median(r.bytes for r in runs) / 1000, 1),
            "server_s": round(statistics.median(r.seconds for r in runs), 3),
            "problems": [p for r in runs for p in r.exceptions + r.errors],
        }

    for page, (key, _) in LESSON.items():
        model = session.find(key="model_key")
        session.set_option(model, next(o for o in model.options if names_model(o, BYTES_MODEL[page])))
        await session.rerun(timeout=timeout)
        await session.switch(page, timeout)  # warm: models and caches loaded
        rows.append(row(page, "switch to the page", [await session.switch(page, timeout)]))
        if key and (box := find(session, key)):
            typed = []
            for k in range(repeats):
                text = sentence(rng, f"b{k}w{rng.randrange(10**6)}", 40)
                session.set_text(box, text)
                follow_terms(session, text)
                typed.append(await session.rerun(box, timeout))
            rows.append(row(page, "type a 40-token sentence", typed))
        for name in BYTES_CONTROLS.get(page, ()):
            w = find(session, name)
            if w is not None and change(session, w, rng):
                rows.append(row(page, f"change {name}", [await session.rerun(w, timeout)]))
    await session.close()
    return rows


def print_bytes(rows: list[dict]) -> None:
    print(f"{'page':<12} {'rerun':<28} {'messages':>8} {'kB':>7} {'server s':>8}")
    for r in rows:
        print(f"{r['page']:<12} {r['rerun']:<28} {r['messages']:>8g} {r['kB']:7.1f} {r['server_s']:8.3f}")
        for p in r["problems"]:
            print(f"    problem: {p}")


# ----------------------------------------------------------------------------- main


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--students", type=int, default=30, help="simulated students, one websocket session each")
    parser.add_argument("--minutes", type=float, default=3.0, help="how long the class works (after an untimed warm-up)")
    parser.add_argument("--think", type=float, default=5.0, help="mean seconds a student thinks between two interactions")
    parser.add_argument("--leavers", type=float, default=0.1, help="share of students who close their tab mid-run (>= 1)")
    parser.add_argument("--seed", type=int, default=17, help="seed of the students' choices and think times")
    parser.add_argument("--timeout", type=float, default=60.0, help="seconds without an answer before an interaction fails")
    parser.add_argument(
        "--sweep", type=int, nargs="+", metavar="N", help="class sizes to run one after another (fresh server each)"
    )
    parser.add_argument("--bytes", action="store_true", help="messages and bytes of one rerun per page instead of a class")
    parser.add_argument("--repeats", type=int, default=3, help="typed sentences per page in --bytes (medians printed)")
    parser.add_argument("--replicas", type=int, default=0, help="start this many app servers behind nginx (bench/balancer.py)")
    parser.add_argument("--max-training", type=int, default=1, help="with --replicas: SEQCORE_MAX_TRAINING of each replica")
    parser.add_argument("--url", help="use this running server or load balancer instead of starting one")
    parser.add_argument("--log", action="append", default=[], help="with --url: a server log to search for tracebacks")
    parser.add_argument("--json", action="store_true", help="print the result as one JSON object on the last line")
    args = parser.parse_args()

    if args.bytes:
        print(f"load average before: {load()}")
        with contextlib.ExitStack() as stack:
            url = args.url or stack.enter_context(server())[0]
            rows = asyncio.run(bytes_per_page(url, args.timeout, args.repeats))
        print_bytes(rows)
        print(f"load average after: {load()}")
        if args.json:
            print(json.dumps({"bytes_per_rerun": rows, "load_after": load()}))
        return

    sizes = args.sweep or [args.students]
    points = []
    for n in sizes:
        point = class_point(n, args)
        point["meets_goal"] = meets(point)
        report(point)
        points.append(point)
    if args.sweep:
        good = [p["students"] for p in points if p["meets_goal"]]
        largest = max(good) if good else None
        print(f"largest class that meets the goal (median <= 0.5 s, p95 <= 1.5 s, 0 errors): {largest}")
        if args.json:
            print(json.dumps({"points": points, "largest_meeting_goal": largest}))
    elif args.json:
        print(json.dumps(points[0]))


if __name__ == "__main__":
    main()
