"""Tune sentiment configs on the dev of fold 0 only (never its test fold): python bench/tune_sentiment_fold0.py CELL "FLAGS" ...

Each FLAGS string holds `python -m seqcore train` flags; the script fits on fold 0's training part
(dev carved from it exactly as `--folds 10 --ship-fold 0` does) and prints the best dev accuracy.
"""

import shlex
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from seqcore.cli import build_parser, settings_from_args  # noqa: E402
from seqcore.corpora import corpus  # noqa: E402
from seqcore.pipeline import fit  # noqa: E402
from seqcore.splits import kfold  # noqa: E402
from seqcore.tasks import load_examples  # noqa: E402


def main() -> None:
    cell = sys.argv[1]
    examples, _ = load_examples("sentiment", corpus("rt-polarity").files("train"))
    for flags in sys.argv[2:]:
        args = build_parser().parse_args(
            ["train", "--task", "sentiment", "--data", "x", "--out", "x", "--cell", cell, *shlex.split(flags)]
        )
        held = set(kfold(len(examples), 10, args.seed)[0])
        train = [e for i, e in enumerate(examples) if i not in held]
        spec, cfg = settings_from_args(args)
        f = fit(spec, cfg, train)
        devs = " ".join(f"{p['dev_accuracy']:.3f}" for p in f.card["history"])
        print(
            f"{cell} [{flags}] dev {f.result.best_score:.4f} epoch {f.result.best_epoch} ({devs}) {f.card['train_seconds']}s",
            flush=True,
        )


if __name__ == "__main__":
    main()
