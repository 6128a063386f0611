"""`variants`: list the cell variants, or train each one N times on a task and compare (`seqcore.celllab`)."""

from __future__ import annotations

import argparse
import json
import sys

from seqcore.celllab import LAB_TASKS, LabProgress, LabSettings, run_lab
from seqcore.cells import CELL_SPECS
from seqcore.cli.common import CliError
from seqcore.models import defaults

LAB = defaults(LabSettings)  # every default is LabSettings' own


def add_parsers(sub) -> None:
    p = sub.add_parser(
        "variants",
        help="list the cell variants, or train each N times on a task and compare (Greff et al. 2017)",
        description="Train each variant --seeds times with the same settings and time budget, score each run once on "
        "test, and print mean, spread and Welch's t-test against the family's baseline (the vanilla LSTM with peepholes, "
        "the GRU). Progress goes to stderr.",
    )
    p.add_argument("--list", action="store_true", help="list every cell and variant with its description, and exit")
    p.add_argument(
        "--task",
        choices=LAB_TASKS,
        default=LAB["task"],
        help="memory: the first word of a noisy sequence; sentiment, aspect, tagging: a subset of the task's default corpus",
    )
    p.add_argument(
        "--variants",
        default=",".join(LAB["variants"]),
        metavar="A,B,...",
        help="comma-separated cells (default: Greff et al.'s vanilla LSTM and its eight variants)",
    )
    p.add_argument("--seeds", type=int, default=LAB["seeds"], help="runs per variant, seeds first-seed, first-seed + 1, ...")
    p.add_argument("--first-seed", type=int, default=LAB["first_seed"], help="the first seed")
    p.add_argument("--length", type=int, default=LAB["length"], help="memory: words per sequence")
    p.add_argument("--subset", type=int, default=LAB["subset"], help="corpus tasks: training sentences per run")
    p.add_argument("--test-size", type=int, default=LAB["test_size"], help="corpus tasks: sentences of the fixed test sample")
    p.add_argument("--hidden-size", type=int, default=LAB["hidden_size"], help="corpus tasks: hidden units")
    p.add_argument("--embedding-dim", type=int, default=LAB["embedding_dim"], help="corpus tasks: word embedding size")
    p.add_argument("--epochs", type=int, default=LAB["epochs"], help="corpus tasks: epochs per run")
    p.add_argument("--batch-size", type=int, default=LAB["batch_size"], help="corpus tasks: sentences per batch")
    p.add_argument("--lr", type=float, default=LAB["lr"], help="corpus tasks: Adam's learning rate")
    p.add_argument("--forget-bias", type=float, default=LAB["forget_bias"], help="corpus tasks: initial forget-gate bias")
    p.add_argument("--max-seconds", type=float, default=LAB["max_seconds"], help="each run's time budget in seconds")
    p.add_argument("--json", action="store_true", help="print JSON instead of a table")


def list_variants(as_json: bool) -> int:
    rows = [
        {"name": s.name, "description": s.description, "family": s.family, "gates": list(s.names)} for s in CELL_SPECS.values()
    ]
    if as_json:
        print(json.dumps({"variants": rows}, indent=1))
        return 0
    for r in rows:
        print(f"{r['name']:<15}{r['description']}")
    return 0


def cmd_variants(args: argparse.Namespace) -> int:
    if args.list:
        return list_variants(args.json)

    variants = tuple(v.strip() for v in args.variants.split(",") if v.strip())
    try:
        settings = LabSettings(
            task=args.task,
            variants=variants,
            seeds=args.seeds,
            first_seed=args.first_seed,
            length=args.length,
            subset=args.subset,
            test_size=args.test_size,
            hidden_size=args.hidden_size,
            embedding_dim=args.embedding_dim,
            epochs=args.epochs,
            batch_size=args.batch_size,
            lr=args.lr,
            forget_bias=args.forget_bias,
            max_seconds=args.max_seconds,
        )
    except ValueError as e:
        raise CliError(str(e)) from e

    def report(p: LabProgress) -> None:
        if p.done is not None:
            d = p.done
            note = " (time budget spent)" if d.timed_out else ""
            print(
                f"[{p.run + 1}/{p.runs}] {d.variant} seed {d.seed}: test accuracy {d.accuracy:.3f} in {d.seconds:.1f} s{note}",
                file=sys.stderr,
                flush=True,
            )

    result = run_lab(settings, report)
    rows = result.summary()
    if args.json:
        print(
            json.dumps(
                {
                    "task": settings.task,
                    "settings": vars(settings) | {"variants": list(variants)},
                    "results": rows,
                    "runs": result.rows(),
                    "seconds": result.seconds,
                },
                indent=1,
            )
        )
        return 0
    print(f"{'variant':<15}{'seeds':>6}{'mean':>8}{'std':>8}{'vs':>15}{'diff':>8}{'p':>8}{'seconds':>9}")
    for r in rows:
        diff = f"{r['difference']:+.3f}" if r["difference"] is not None else "-"
        p_value = f"{r['p_value']:.3f}" if r["p_value"] is not None else "-"
        print(
            f"{r['variant']:<15}{r['seeds']:>6}{r['accuracy_mean']:>8.3f}{r['accuracy_std']:>8.3f}{r['vs'] or '-':>15}"
            f"{diff:>8}{p_value:>8}{r['seconds']:>9.1f}"
        )
    return 0


COMMANDS = {"variants": cmd_variants}
