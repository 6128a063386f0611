"""Score models on the held-out negated phrases: a negation check built from SST train, never from the suite.

python bench/negation_heldout.py models/sst-lstm runs/sst2/ftA       # accuracy per flipped label
python bench/negation_heldout.py --holdout 0.1 --json runs/sst2/ftA

`--sst-negation-holdout S` keeps a share S of the polar predicates (by a stable hash of the predicate,
`seqcore.negations.split_heldout`) out of the added negated phrases; this script rebuilds exactly those
held-out phrases from data/sst/train.txt (frames and in-context negations, deduplicated, SST's own labels
first; and the contrasts made from them, `--sst-negations-contrast`) and scores each model on both sets. The phrases are SST's own words under not / never / hardly /
far from / n't, so this is the negation signal one may look at while choosing; the negation-and-contrast
suite (bench/negation_suite.py) stays an evaluation set.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))


def heldout(holdout: float, train: str | Path = ROOT / "data" / "sst" / "train.txt") -> dict[str, list[tuple[str, str]]]:
    """The held-out phrases as (text, label), the ones training left out with this share: negations and contrasts."""
    from seqcore.negations import NegationOptions
    from seqcore.treebank import read_trees

    trees, _ = read_trees(train)
    negated = NegationOptions(frames=True, context=True, holdout=holdout).added(trees)[1]
    both = NegationOptions(frames=True, context=True, contrast=True, holdout=holdout).added(trees)[1]
    plain = set(negated)
    return {
        "negation": [(" ".join(toks), label) for toks, label in negated],
        "contrast": [(" ".join(toks), label) for toks, label in both if (toks, label) not in plain],
    }


def score(model_dir: str | Path, items: list[tuple[str, str]]) -> dict:
    """Accuracy on the items, overall and per gold label (positive = negated negatives)."""
    from seqcore.inference import Predictor
    from seqcore.scoring import predict

    predictor = Predictor.load(model_dir, "cpu")
    examples = [predictor.example(text)[0] for text, _ in items]
    probs = predict(predictor.model, examples, predictor.encoder).probs
    pos = predictor.labels.index("positive")
    right = {"negative": [0, 0], "positive": [0, 0]}
    for (_, gold), p in zip(items, probs):
        guess = "positive" if float(p[pos]) >= 0.5 else "negative"
        right[gold][0] += guess == gold
        right[gold][1] += 1
    total = sum(r[0] for r in right.values()) / len(items)
    return {"n": len(items), "accuracy": total, **{f"{k}_accuracy": r[0] / max(1, r[1]) for k, r in right.items()}}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("models", nargs="+", metavar="DIR", help="model folders to score")
    parser.add_argument("--holdout", type=float, default=0.1, help="the --sst-negation-holdout share the runs used")
    parser.add_argument("--json", action="store_true", help="print {model: scores} as JSON")
    args = parser.parse_args(argv)
    sets = heldout(args.holdout)
    results = {Path(m).name: {k: score(m, items) for k, items in sets.items()} for m in args.models}
    if args.json:
        print(json.dumps({"phrases": {k: len(v) for k, v in sets.items()}, "models": results}, indent=1))
        return 0
    n_pos = sum(label == "positive" for _, label in sets["negation"])
    print(
        f"held-out phrases: {len(sets['negation'])} negated ({n_pos} negated negatives -> positive), "
        f"{len(sets['contrast'])} contrasts (negated phrase , but opposite phrase); accuracy (%)"
    )
    print(f"{'model':<24}{'negation':>9}{'neg->pos':>10}{'pos->neg':>10}{'contrast':>10}{'mean':>7}")
    for name, r in results.items():
        n, c = r["negation"], r["contrast"]
        print(
            f"{name:<24}{100 * n['accuracy']:>9.1f}{100 * n['positive_accuracy']:>10.1f}{100 * n['negative_accuracy']:>10.1f}"
            f"{100 * c['accuracy']:>10.1f}{50 * (n['accuracy'] + c['accuracy']):>7.1f}"
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
