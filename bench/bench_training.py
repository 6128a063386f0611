"""Time training of the shipped sentiment architecture, and the start-up around it.

1. Epoch time of the shipped sentiment architecture (models/sentiment-lstm: BiLSTM, hidden 128,
   embedding 100, max pooling, dropout 0.5) on rt-polarity (10,662 sentences: 90% train, 10% dev,
   as `seqcore train` carves them), at each --batch-size, on the batch device
   (`seqcore.device.device_for("batch")`, or --device). An epoch is every training step plus the
   dev scoring that ends it; the median over --epochs epochs is printed.
2. Start-up: what a fresh `python -m seqcore train --task sentiment ... --epochs 1` spends outside
   training, phase by phase, measured in a fresh process (imports, reading + tokenizing,
   vocabulary + model build, device start), beside the wall clock of the real command.

GPU rows are printed when CUDA is present; otherwise the script says "no GPU here".

Start-up is measured twice: with the token cache off (SEQCORE_CACHE_DIR=off: every run tokenizes
with spaCy) and with it warm (a second run on the same corpus).

    python bench/bench_training.py [--epochs 3] [--batch-size 32 256] [--device cpu] [--repeats 3]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

DATA = [str(ROOT / "data/rt-polarity/rt-polarity.pos"), str(ROOT / "data/rt-polarity/rt-polarity.neg")]
SHIPPED = ["--cell", "lstm", "--bidirectional", "--hidden-size", "128", "--embedding-dim", "100", "--pooling", "max"]
SHIPPED += ["--dropout", "0.5"]

# Run in a fresh interpreter: each phase of a training command's start-up, timed in order.
PHASES = r"""
import json, sys, time
t, c = [time.perf_counter()], [time.process_time()]
def mark():
    t.append(time.perf_counter())
    c.append(time.process_time())
import torch
mark()
import seqcore.cli  # what `python -m seqcore` imports before it parses the command line
mark()
from seqcore.pipeline import FitSpec, build_model
from seqcore.tasks import build_encoder, load_examples
try:
    from seqcore.splits import split_dev
except ImportError:  # an older seqcore
    from seqcore.training import split_dev
mark()
examples, _ = load_examples("sentiment", sys.argv[1:3])
mark()
train, dev = split_dev(examples, 0.1, 13)
spec = FitSpec(task="sentiment", cell="lstm", bidirectional=True, hidden_size=128, embedding_dim=100, pooling="max", dropout=0.5)
model = build_model(spec, build_encoder("sentiment", train, lowercase=True, label_examples=dev))
mark()
try:
    from seqcore.device import device_for
    device = device_for("batch")
except ImportError:  # an older seqcore
    from seqcore.device import pick_device
    device = pick_device()
if device.type == "cuda":
    torch.empty(1, device=device)
    torch.cuda.synchronize()
model.to(device)
mark()
torch.optim.Adam(model.parameters())
mark()
names = ["import torch", "import seqcore.cli (rest)", "import pipeline, tasks, splits", "read + tokenize",
         "split + vocabulary + model", f"device start ({device})", "optimizer (torch imports torch._dynamo)"]
print(json.dumps({n: [t[i + 1] - t[i], c[i + 1] - c[i]] for i, n in enumerate(names)}))
"""


def epoch_times(batch_size: int, epochs: int, device: str | None) -> tuple[list[float], list[float], str]:
    """Train the shipped architecture for `epochs` epochs; return each epoch's wall seconds, CPU seconds (from epoch 2), device."""
    import torch

    from seqcore.pipeline import FitSpec, fit
    from seqcore.tasks import load_examples
    from seqcore.training import TrainConfig

    examples, _ = load_examples("sentiment", DATA)
    spec = FitSpec(
        task="sentiment", cell="lstm", bidirectional=True, hidden_size=128, embedding_dim=100, pooling="max", dropout=0.5
    )
    cfg = TrainConfig(epochs=epochs, batch_size=batch_size, patience=epochs + 1, device=device or "auto")
    marks: list[float] = []
    cpu = [time.process_time()]
    fitted = fit(
        spec,
        cfg,
        examples,
        on_progress=lambda p: p.kind == "epoch" and (marks.append(p.elapsed), cpu.append(time.process_time())),
    )
    if torch.cuda.is_available():
        torch.cuda.synchronize()
    cpu_epochs = [b - a for a, b in zip(cpu[1:], cpu[2:])]  # from the second epoch: the first includes setup
    return [b - a for a, b in zip([0.0] + marks, marks)], cpu_epochs, fitted.card["device"]


def startup(repeats: int, cache: str, threads: int | None) -> tuple[dict[str, list[float]], list[float], list[float]]:
    """Return each start-up phase's median [wall, CPU] seconds, and the wall and in-training seconds of the real command.

    `cache` is the SEQCORE_CACHE_DIR the processes get: "off", or a folder (warmed by one untimed run first).
    """
    env = {**os.environ, "PYTHONPATH": str(ROOT), "SEQCORE_CACHE_DIR": cache}
    if threads:
        env["OMP_NUM_THREADS"] = str(threads)
    if cache != "off":
        subprocess.run([sys.executable, "-c", PHASES, *DATA], capture_output=True, env=env, check=True)
    runs = []
    for _ in range(repeats):
        out = subprocess.run([sys.executable, "-c", PHASES, *DATA], capture_output=True, text=True, env=env, check=True)
        runs.append(json.loads(out.stdout))
    phases = {k: [statistics.median(r[k][i] for r in runs) for i in (0, 1)] for k in runs[0]}
    t = time.perf_counter()
    subprocess.run([sys.executable, "-c", "pass"], check=True)
    phases = {"start python": [time.perf_counter() - t] * 2, **phases}
    walls, trained = [], []
    for _ in range(repeats):
        with tempfile.TemporaryDirectory() as tmp:
            cmd = [sys.executable, "-m", "seqcore", "train", "--task", "sentiment", "--data", *DATA, "--epochs", "1"]
            cmd += [*SHIPPED, "--quiet", "--out", f"{tmp}/m"]
            t = time.perf_counter()
            subprocess.run(cmd, capture_output=True, text=True, env=env, check=True, cwd=tmp)
            walls.append(time.perf_counter() - t)
            trained.append(json.loads(Path(f"{tmp}/m/card.json").read_text())["train_seconds"])
    return phases, walls, trained


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--epochs", type=int, default=3, help="epochs per batch size (the median epoch is printed)")
    ap.add_argument("--batch-size", type=int, nargs="+", default=[32, 256], help="batch sizes to time")
    ap.add_argument("--device", default=None, help="cpu, cuda or mps (default: the batch device)")
    ap.add_argument("--repeats", type=int, default=3, help="fresh processes per start-up measurement (median)")
    ap.add_argument("--skip-startup", action="store_true", help="time epochs only")
    ap.add_argument("--threads", type=int, default=None, help="torch threads, here and in the timed commands (default: torch's)")
    args = ap.parse_args()

    import torch

    if args.threads:
        torch.set_num_threads(args.threads)

    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    print(f"torch {torch.__version__}, {torch.get_num_threads()} CPU threads, {os.cpu_count()} cores, load average {load:.1f}")
    gpu = torch.cuda.get_device_name(0) if torch.cuda.is_available() else None
    print(f"GPU: {gpu}" if gpu else "GPU: no GPU here (the GPU rows are to be measured on a machine with one)")
    print(
        "\nshipped sentiment architecture (BiLSTM 128, embedding 100, max pooling, dropout 0.5) on rt-polarity, 9,596 train sentences"
    )
    print(f"{'batch':>6}  {'device':<8}  {'median epoch s':>14}  {'CPU s (epochs 2+)':>18}  {'each epoch s':<30}")
    for bs in args.batch_size:
        times, cpu, device = epoch_times(bs, args.epochs, args.device)
        each = " ".join(f"{x:.2f}" for x in times)
        cpu_s = f"{statistics.median(cpu):.2f}" if cpu else "-"
        print(f"{bs:>6}  {device:<8}  {statistics.median(times):>14.2f}  {cpu_s:>18}  {each:<30}", flush=True)
    if args.skip_startup:
        return
    with tempfile.TemporaryDirectory() as cache:
        runs = {
            "token cache off": startup(args.repeats, "off", args.threads),
            "token cache warm": startup(args.repeats, cache, args.threads),
        }
    print(f"\nstart-up of `python -m seqcore train --task sentiment ... --epochs 1`, fresh processes, medians of {args.repeats}")
    print(f"  {'seconds (wall / CPU)':<40} " + "  ".join(f"{k:>16}" for k in runs))
    rows: dict[str, list[str]] = {}
    for phases, walls, trained in runs.values():
        for name, (wall, cpu) in phases.items():
            rows.setdefault(name, []).append(f"{wall:6.2f} / {cpu:5.2f}")
        outside = statistics.median(walls) - statistics.median(trained)
        rows.setdefault("sum of the phases", []).append(f"{sum(w for w, _ in phases.values()):6.2f}        ")
        rows.setdefault("whole command, wall clock", []).append(f"{statistics.median(walls):6.2f}        ")
        rows.setdefault("of which training (card)", []).append(f"{statistics.median(trained):6.2f}        ")
        rows.setdefault("outside training", []).append(f"{outside:6.2f}        ")
        rest = outside - sum(w for w, _ in phases.values())
        rows.setdefault("the rest (argv, dev re-score, save, exit)", []).append(f"{rest:6.2f}        ")
    for name, values in rows.items():
        print(f"  {name:<40} " + "  ".join(f"{v:>16}" for v in values))
    print("  (the token cache is a no-op in a seqcore without one: both columns then measure the same thing)")


if __name__ == "__main__":
    main()
