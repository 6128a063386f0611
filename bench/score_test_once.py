"""Score a chosen model's test set once and ship it: python bench/score_test_once.py runs/sst/lstm-last models/sst-lstm

The SST models were trained with `--dev data/sst/dev.txt` and no `--test` while configurations were compared on
dev; the chosen one is scored here, once, on data/sst/test.txt (SST-2 sentences), exactly as `train --test` would
have scored it at the end of its run (same examples, same `seqcore.pipeline` code). The card gains test_metrics,
test_majority_baseline, data.test and sizes.test, and says so in `test_scored`.
"""

from __future__ import annotations

import argparse
import shutil
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))


def main(argv: list[str] | None = None) -> int:
    from seqcore.checkpoints import load_checkpoint, save_checkpoint
    from seqcore.corpora import check_protocol, data_ref, protocol_of
    from seqcore.metrics import majority_baseline
    from seqcore.pipeline import item_gold
    from seqcore.scoring import evaluate
    from seqcore.tasks import load_examples

    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("model", help="the chosen checkpoint folder (trained with --dev, no --test)")
    parser.add_argument("out", help="where to ship it (replaced)")
    parser.add_argument("--test", nargs="+", default=[str(ROOT / "data" / "sst" / "test.txt")], help="test files")
    args = parser.parse_args(argv)
    ckpt = load_checkpoint(args.model, "cpu")
    card = dict(ckpt.card)
    if card.get("test_metrics"):
        raise SystemExit(f"{args.model} was already scored on test: it is not scored twice")
    check_protocol(card, args.test)
    view = (card["data"].get("sst") or {}).get("view", "binary")
    examples, _ = load_examples("sentiment", args.test, sst_view=view)
    metrics, _ = evaluate(ckpt.model, examples, ckpt.encoder)
    card["test_metrics"] = metrics.to_dict()
    card["test_majority_baseline"] = majority_baseline(item_gold(examples, ckpt.encoder))
    card["data"] = {**card["data"], "test": [data_ref(p) for p in args.test]}
    card["sizes"] = {**card["sizes"], "test": len(examples)}
    card["protocol"] = protocol_of(card)  # cards written before the field existed name it from their data
    card["test_scored"] = "once, after the configuration was chosen on dev (bench/score_test_once.py)"
    out = Path(args.out)
    if out.exists():
        shutil.rmtree(out)
    save_checkpoint(out, ckpt.model, ckpt.encoder, card)
    print(f"{out}: test accuracy {metrics.accuracy:.4f} on {metrics.n} sentences (dev {card['dev_metrics']['accuracy']:.4f})")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
