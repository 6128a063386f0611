"""Every row of issue 11's speed table, measured now, beside its goal, on this machine's devices.

    python bench/run_all.py [--quick]

Rows (each comes from the benchmark named; run that one alone for the details):

    trace / fused forward         bench_traces.py: a 40-token sentence, 1 thread, CPU time, every cell uni and bi,
                                  and every shipped model through Predictor.trace
    trace on the GPU vs its CPU   Predictor.trace of sentiment-lstm on CUDA and on the CPU (only where CUDA is)
    app first render              app_latency.py: `streamlit run` -> sidebar drawn, beside a one-line app
    page rerun (40 tokens)        app_latency.py: the server's script run per page (AppTest)
    training step (CPU)           bench_rnn_paths.py: the path `rnn_impl="auto"` takes beside the usual packed
                                  model, per cell and direction, on bucketed and unbucketed batches
    training step on the GPU      the same, padded vs packed on CUDA (only where CUDA is)
    sentiment training epoch      bench_training.py: the shipped architecture on rt-polarity, batch 256 and 32,
                                  on the batch device; start-up outside training, token cache off and warm
    server memory                 app_latency.py: every page visited with every shipped model in use

It prints which device each row ran on; rows that need a GPU say "not measured" where there is none.
No test asserts a time: this prints numbers. `--quick` uses fewer repeats (a rough look, about 3 minutes).
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import sys
import tempfile
from argparse import Namespace
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

import app_latency  # noqa: E402
import bench_rnn_paths  # noqa: E402
import bench_traces  # noqa: E402
import bench_training  # noqa: E402
import torch  # noqa: E402

from seqcore.device import describe_devices, device_for  # noqa: E402
from seqcore.inference import Predictor  # noqa: E402

MODELS = ROOT / "models"
# Start-up outside training before issue 11 (bench_training.py at the commit before it, this machine, 1 thread).
STARTUP_BEFORE_S = 4.85
ROWS: list[tuple[str, str, str, str]] = []  # (what, measured, goal, device)


def row(what: str, measured: str, goal: str, device: str) -> None:
    ROWS.append((what, measured, goal, device))
    print(f"  . {what}: {measured}", flush=True)


def cpu_name() -> str:
    return f"cpu ({os.cpu_count()} cores, 1 torch thread)"


def traces(repeats: int) -> None:
    ratios = {}
    for cell in ("rnn", "gru", "lstm"):
        for bi in (False, True):
            r = bench_traces.synthetic_row(cell, bi, 40, repeats, "cpu")
            ratios[r["what"]] = r["trace"] / r["fused"]
    shipped = {}
    for folder in sorted(p.parent for p in MODELS.glob("*/card.json")):
        r = bench_traces.shipped_row(folder, max(20, repeats // 3), "cpu")
        shipped[folder.name] = r["trace"] / r["fused"]
    worst = max(ratios, key=ratios.get)
    worst_shipped = max(shipped, key=shipped.get)
    text = ", ".join(f"{k} {v:.2f}x" for k, v in ratios.items())
    row(
        "exact trace / fused forward, 40 tokens",
        f"{text}; worst {worst} {ratios[worst]:.2f}x; shipped models up to {shipped[worst_shipped]:.2f}x ({worst_shipped})",
        "<= 2.5x for every cell, uni and bi",
        cpu_name(),
    )


def trace_devices(repeats: int) -> None:
    interactive = device_for("interactive")
    if not torch.cuda.is_available():
        row(
            "trace on the GPU vs on the CPU",
            f"not measured: no GPU here; one sentence runs on {interactive} (device_for('interactive'))",
            "interactive work never slower because a GPU is present",
            "-",
        )
        return
    sentence = bench_traces.SENTENCE
    cpu, gpu = Predictor.load(MODELS / "sentiment-lstm", "cpu"), Predictor.load(MODELS / "sentiment-lstm", "cuda")

    def on_gpu() -> None:
        gpu.trace(sentence)
        torch.cuda.synchronize()

    ms = bench_traces.median_ms({"cpu": lambda: cpu.trace(sentence), "cuda": on_gpu}, repeats, bench_traces.CLOCKS["wall"])
    row(
        "trace on the GPU vs on the CPU (sentiment-lstm)",
        f"CUDA {ms['cuda']:.1f} ms, CPU {ms['cpu']:.1f} ms; interactive work runs on {interactive}",
        "interactive work never slower because a GPU is present",
        torch.cuda.get_device_name(0),
    )


def app(repeats: int) -> None:
    times = asyncio.run(app_latency.first_render(repeats))
    one, full = statistics.median(times["one-line app"]), statistics.median(times["seqcore app"])
    row(
        "app first render (`streamlit run` -> sidebar drawn)",
        f"{full:.2f} s; a one-line app {one:.2f} s: +{full - one:.2f} s",
        f"within {app_latency.RENDER_GOAL_S} s of a one-line app",
        "cpu (browser on the same machine)",
    )
    m = app_latency.measure_reruns(40, repeats)
    medians = {r["page"]: statistics.median(r["ms"]) for r in m["rows"]}
    worst = max(medians, key=medians.get)
    peak = max(max(r["ms"]) for r in m["rows"])
    row(
        "page rerun after typing a 40-token sentence (server time)",
        f"median per page {min(medians.values()):.0f}-{medians[worst]:.0f} ms (slowest: {worst}); slowest single run {peak:.0f} ms",
        f"<= {app_latency.RERUN_GOAL_MS} ms on every page",
        cpu_name(),
    )
    row(
        f"server memory, every page with each of the {m['models']} shipped models",
        f"{m['rss_mb']:.0f} MB resident, {m['peak_mb']:.0f} MB peak",
        f"<= {app_latency.MEMORY_GOAL_MB} MB",
        cpu_name(),
    )


def steps(device: torch.device, repeats: int) -> dict[str, float]:
    """{case: usual packed time / the auto path's time} (above 1: auto is faster) for every cell, direction and batch."""
    args = Namespace(emb=100, hidden=128, repeats=repeats, clock="cpu" if device.type == "cpu" else "wall")
    torch.manual_seed(0)
    cases = {
        "bucketed 30..34": torch.randint(30, 35, (64,)),  # seqcore's batches come from length buckets
        "unbucketed 5..40": torch.randint(5, 41, (64,)),
    }
    speedups = {}
    for name, lengths in cases.items():
        for r in bench_rnn_paths.measure_case(lengths, args, device, ["lstm", "gru", "rnn"]):
            speedups[f"{r['cell']} {'bi' if r['bi'] else 'uni'} {name}"] = r["usual"] / r[r["auto"]]
    return speedups


def training_steps(repeats: int) -> None:
    s = steps(torch.device("cpu"), repeats)
    parts = []
    for case in ("bucketed", "unbucketed"):
        some = {k: v for k, v in s.items() if f" {case} " in k}
        worst = min(some, key=some.get)
        parts.append(f"{case} batches {min(some.values()):.2f}x-{max(some.values()):.2f}x (slowest: {worst} {some[worst]:.2f}x)")
    row(
        "training step, the auto path vs the usual packed model (pooling last, batch 64)",
        "; ".join(parts),
        "the faster exact path per cell and device, never slower than packed (>= 1.00x)",
        cpu_name(),
    )
    if torch.cuda.is_available():
        g = steps(torch.device("cuda"), repeats)
        row(
            "training step on the GPU, auto vs usual packed",
            f"{min(g.values()):.2f}x-{max(g.values()):.2f}x",
            "keep 1.4-2.8x",
            torch.cuda.get_device_name(0),
        )
    else:
        row("training step on the GPU, padded vs packed", "not measured: no GPU here", "keep 1.4-2.8x", "-")


def training(epochs: int, repeats: int) -> None:
    device = str(device_for("batch"))
    per = {}
    for bs in (256, 32):
        times, _, used = bench_training.epoch_times(bs, epochs, None)
        per[bs] = (statistics.median(times), used)
    row(
        "sentiment training epoch (shipped BiLSTM, rt-polarity)",
        f"batch 256: {per[256][0]:.2f} s, batch 32: {per[32][0]:.2f} s",
        "<= 0.5 s per epoch at batch 256 on the H200 (a GPU goal); report batch 32",
        per[256][1] if per[256][1] != "cpu" else f"{device} ({torch.get_num_threads()} torch threads)",
    )
    outside = {}
    with tempfile.TemporaryDirectory() as cache:
        for name, where in (("token cache off", "off"), ("token cache warm", cache)):
            _, walls, trained = bench_training.startup(repeats, where, 1)
            outside[name] = statistics.median(walls) - statistics.median(trained)
    row(
        "start-up outside training (`python -m seqcore train ... --epochs 1`)",
        ", ".join(f"{k} {v:.2f} s ({v / STARTUP_BEFORE_S:.2f}x of {STARTUP_BEFORE_S} s before)" for k, v in outside.items()),
        "halved",
        cpu_name(),
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="fewer repeats: a rough look in a few minutes")
    args = parser.parse_args()
    torch.set_num_threads(1)  # the app's setting, and robust on a shared machine
    n = 3 if args.quick else 5
    load = " ".join(f"{x:.2f}" for x in os.getloadavg())
    print(f"devices: {describe_devices()}; torch {torch.__version__}; load average {load}")
    traces(60 if args.quick else 200)
    trace_devices(60 if args.quick else 200)
    app(n)
    training_steps(8 if args.quick else 20)
    training(2, 1 if args.quick else 3)
    load = " ".join(f"{x:.2f}" for x in os.getloadavg())
    print(f"\nload average after: {load}\n")
    print("| what | measured now | goal | device |")
    print("|---|---|---|---|")
    for what, measured, goal, device in ROWS:
        print(f"| {what} | {measured} | {goal} | {device} |")


if __name__ == "__main__":
    main()
