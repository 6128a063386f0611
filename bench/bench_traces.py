"""Time an exact gate trace of one sentence against the fused forward pass it explains.

For each cell (rnn, gru, lstm) and direction (uni, bi) a random model with the shipped
sentiment sizes (E = 100, H = 128, one layer) reads a 40-token sentence. Three timings:

    fused   model.encode: the embedding and the fused torch.nn modules (what prediction runs)
    trace   seqcore.traces.trace_ids: every gate of every step, exact, all steps at once
    steps   the same trace one token at a time (the reference loop the tests compare against)

Then the shipped models in models/, the same three beside `Predictor.trace` (which
tokenizes the raw text too). Before timing, each trace is checked against the fused output.
Prints median milliseconds of many interleaved repeats (CPU time of this process by default,
so other processes on a shared machine do not count; `--clock wall` for elapsed time) and the
ratios to the fused forward. The goal of issue 11: trace/fused <= 2.5x for every cell, uni and bi.

    python bench/bench_traces.py [--tokens 40] [--repeats 300] [--threads 1] [--clock cpu|wall]
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

import torch

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from seqcore.cells import FUSED_CELLS  # noqa: E402
from seqcore.inference import Predictor  # noqa: E402
from seqcore.models import ModelConfig, SequenceModel  # noqa: E402
from seqcore.tokens import tokenize  # noqa: E402
from seqcore.traces import trace_ids  # noqa: E402

CLOCKS = {"cpu": time.process_time, "wall": time.perf_counter}
SENTENCE = (
    "The pasta was great but the service was painfully slow , the waiter forgot our drinks twice "
    "and the dessert came cold and late ; still , the wine list was long and the view made up for it ."
)


def median_ms(
    fns: dict[str, Callable[[], object]], repeats: int, clock: Callable[[], float] = time.process_time, warmup: int = 20
) -> dict[str, float]:
    """Return the median time of each fn() in milliseconds on `clock`, the calls interleaved.

    Interleaving (a, b, c, a, b, c, ...) exposes every candidate to the same machine load. The
    default clock is this process's CPU time: on a shared machine a wall-clock call that outlasts
    the scheduler's slice also counts the other processes' turns.
    """
    for _ in range(warmup):
        for fn in fns.values():
            fn()
    times: dict[str, list[float]] = {name: [] for name in fns}
    for _ in range(repeats):
        for name, fn in fns.items():
            start = clock()
            fn()
            times[name].append(clock() - start)
    return {name: statistics.median(t) * 1e3 for name, t in times.items()}


def measure(
    what: str,
    model: SequenceModel,
    ids: torch.Tensor,
    chars: torch.Tensor | None,
    tokens: list[str],
    repeats: int,
    clock: str,
    predictor: Predictor | None = None,
) -> dict:
    """Check the trace of one sentence, ids (1, T) and chars (1, T, L), against the fused forward, then time
    the fused forward, the trace, the step loop and (given a predictor) `Predictor.trace` of SENTENCE."""
    lengths = torch.tensor([ids.shape[1]])
    ids1, chars1 = ids[0], None if chars is None else chars[0]  # (T,), (T, L)
    with torch.inference_mode():  # the fastest way to run the fused forward: the strictest baseline
        fused = model.encode(ids, lengths, chars)[0]  # (T, D)
    gap = float((torch.from_numpy(trace_ids(model, ids1, tokens, chars1).outputs) - fused).abs().max())
    if gap > 1e-5:
        raise SystemExit(f"{what}: the trace differs from the fused module by {gap:.2e}: fix the trace before timing it")

    def forward() -> None:
        with torch.inference_mode():
            model.encode(ids, lengths, chars)

    fns = {
        "fused": forward,
        "trace": lambda: trace_ids(model, ids1, tokens, chars1),
        "steps": lambda: trace_ids(model, ids1, tokens, chars1, method="steps"),
    }
    if predictor is not None:
        fns["predictor"] = lambda: predictor.trace(SENTENCE)
    return {"what": what, **median_ms(fns, repeats, CLOCKS[clock]), "gap": gap}


def synthetic_row(cell: str, bi: bool, T: int, repeats: int, clock: str) -> dict:
    """Time one cell and direction on a random model with the shipped sentiment sizes."""
    torch.manual_seed(0)
    cfg = ModelConfig(
        task="sentiment", vocab_size=1000, num_classes=2, cell=cell, embedding_dim=100, hidden_size=128, bidirectional=bi
    )
    model = SequenceModel(cfg).eval()
    ids = torch.randint(2, 1000, (1, T))  # (1, T)
    tokens = [str(i) for i in range(T)]
    return measure(f"{cell} {'bi' if bi else 'uni'}", model, ids, None, tokens, repeats, clock)


def shipped_row(folder: Path, repeats: int, clock: str) -> dict:
    """Time Predictor.trace (tokenizing included) on one shipped model beside its fused forward."""
    pred = Predictor.load(folder, device="cpu")
    ex, _ = pred.example(SENTENCE)
    cfg = pred.model.cfg
    what = f"{folder.name} ({cfg.num_layers}x{cfg.hidden_size}{' bi' if cfg.bidirectional else ''})"
    batch = pred.encoder.batch([ex])
    return measure(what, pred.model, batch.ids, batch.chars, ex.tokens, repeats, clock, pred)


def print_table(title: str, rows: list[dict]) -> None:
    """Print one table: median ms, the ratios to the fused forward, and the trace's largest gap to it."""
    cols = [("fused ms", "fused"), ("trace ms", "trace"), ("steps ms", "steps")]
    if "predictor" in rows[0]:
        cols.append(("Predictor.trace ms", "predictor"))
    print(f"\n{title}")
    head = f"{'':36}" + "".join(f"{c:>{max(10, len(c) + 2)}}" for c, _ in cols)
    head += f"{'trace/fused':>13}{'steps/fused':>13}{'max gap':>10}"
    print(head)
    print("-" * len(head))
    for r in rows:
        line = f"{r['what']:36}" + "".join(f"{r[k]:>{max(10, len(c) + 2)}.3f}" for c, k in cols)
        print(line + f"{r['trace'] / r['fused']:>12.2f}x{r['steps'] / r['fused']:>12.2f}x{r['gap']:>10.1e}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--tokens", type=int, default=40, help="length of the random sentence (tokens)")
    parser.add_argument("--repeats", type=int, default=300, help="timed calls per measurement (the median is printed)")
    parser.add_argument("--threads", type=int, default=1, help="torch intra-op threads")
    parser.add_argument(
        "--clock", choices=sorted(CLOCKS), default="cpu", help="cpu: this process's CPU time (default); wall: elapsed time"
    )
    parser.add_argument("--no-shipped", action="store_true", help="skip the shipped models in models/")
    args = parser.parse_args()
    if args.tokens < 1 or args.repeats < 1 or args.threads < 1:
        parser.error("--tokens, --repeats and --threads must be >= 1")
    torch.set_num_threads(args.threads)
    load = ", ".join(f"{v:.1f}" for v in os.getloadavg())
    print(f"torch {torch.__version__}, CPU ({os.cpu_count()} cores, load average {load}), {torch.get_num_threads()} thread(s)")
    print(f"median {args.clock} time of {args.repeats} interleaved calls each (shipped models: {max(20, args.repeats // 3)})")
    rows = [synthetic_row(cell, bi, args.tokens, args.repeats, args.clock) for cell in FUSED_CELLS for bi in (False, True)]
    print_table(f"random models, E=100 H=128, one layer, {args.tokens} tokens", rows)
    if not args.no_shipped:
        n = len(tokenize(SENTENCE)[0])
        print_table(
            f"shipped models, one {n}-token sentence (Predictor.trace includes tokenizing)",
            [
                shipped_row(card.parent, max(20, args.repeats // 3), args.clock)
                for card in sorted((ROOT / "models").glob("*/card.json"))
            ],
        )


if __name__ == "__main__":
    main()
