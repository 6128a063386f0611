"""Score every shipped sentiment model on the negation-and-contrast suite (bench/data/negation_contrast.tsv).

python bench/negation_suite.py                  # one row per model: accuracy overall and per category
python bench/negation_suite.py --errors         # also list each model's wrong answers
python bench/negation_suite.py --csv out.csv    # every sentence x model: gold, predicted, P(positive)

The suite is an evaluation set, written by hand for the phenomenon (a negated positive or negative
word, "hardly", "never", "far from"; a contrast with but / though / although / despite / yet /
however in both orders), each sentence labelled as a reader would label it. No model was
selected or tuned on it: SST models are selected on SST dev, rt-polarity models on their folds' dev.
"""

from __future__ import annotations

import argparse
import csv
import json
import sys
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SUITE = ROOT / "bench" / "data" / "negation_contrast.tsv"
MODELS = ROOT / "models"
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))


@dataclass(frozen=True)
class Case:
    """One sentence of the suite: its reader's label and what it tests."""

    label: str
    category: str
    text: str


def read_suite(path: str | Path = SUITE) -> list[Case]:
    """Read the suite: a TSV with a header `label<TAB>category<TAB>text`; a bad row raises ValueError naming its line."""
    cases = []
    with open(path, encoding="utf-8", newline="") as f:
        rows = csv.reader(f, delimiter="\t")
        header = next(rows)
        if header != ["label", "category", "text"]:
            raise ValueError(f"{path}: the header must be label, category, text; got {header}")
        for n, row in enumerate(rows, start=2):
            if len(row) != 3 or row[0] not in ("positive", "negative") or not row[2].strip():
                raise ValueError(f"{path}, line {n}: want positive|negative<TAB>category<TAB>text, got {row}")
            cases.append(Case(*row))
    return cases


def sentiment_models(root: str | Path = MODELS) -> list[Path]:
    """Every shipped model folder whose card says task sentiment with the classes negative and positive."""
    out = []
    for card in sorted(Path(root).glob("*/card.json")):
        meta = json.loads(card.read_text(encoding="utf-8"))
        vocab = json.loads((card.parent / "vocab.json").read_text(encoding="utf-8"))
        labels = vocab.get("labels", {}).get("itos", [])
        if meta.get("task") == "sentiment" and sorted(labels) == ["negative", "positive"]:
            out.append(card.parent)
    return out


def score(model_dir: str | Path, cases: list[Case]) -> list[dict]:
    """Predict every case with one model: rows of text, category, gold, predicted and P(positive)."""
    from seqcore.inference import Predictor
    from seqcore.scoring import predict

    predictor = Predictor.load(model_dir, "cpu")
    examples = [predictor.example(c.text)[0] for c in cases]
    p = predict(predictor.model, examples, predictor.encoder)
    pos = predictor.labels.index("positive")
    rows = []
    for c, probs in zip(cases, p.probs):
        p_pos = float(probs[pos])
        rows.append(
            {
                "text": c.text,
                "category": c.category,
                "gold": c.label,
                "predicted": "positive" if p_pos >= 0.5 else "negative",
                "p_positive": p_pos,
            }
        )
    return rows


def accuracy(rows: list[dict]) -> float:
    """The share of rows whose prediction is the gold label."""
    return sum(r["gold"] == r["predicted"] for r in rows) / len(rows)


def by_category(rows: list[dict]) -> dict[str, float]:
    """Accuracy per category, in the suite's order."""
    groups: dict[str, list[dict]] = defaultdict(list)
    for r in rows:
        groups[r["category"]].append(r)
    return {k: accuracy(v) for k, v in groups.items()}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--suite", default=str(SUITE), help="the suite's TSV (label, category, text)")
    parser.add_argument("--models", nargs="*", metavar="DIR", help="model folders (default: every sentiment model in models/)")
    parser.add_argument("--errors", action="store_true", help="list each model's wrong answers")
    parser.add_argument("--csv", metavar="PATH", help="write every sentence x model row to this CSV")
    parser.add_argument("--json", action="store_true", help="print {model: {accuracy, categories}} as JSON")
    args = parser.parse_args(argv)
    cases = read_suite(args.suite)
    models = [Path(m) for m in args.models] if args.models else sentiment_models()
    results, all_rows = {}, []
    for m in models:
        rows = score(m, cases)
        results[m.name] = {"accuracy": accuracy(rows), "categories": by_category(rows)}
        all_rows += [{"model": m.name, **r} for r in rows]
        if args.errors and not args.json:
            print(f"{m.name}: wrong on")
            for r in rows:
                if r["gold"] != r["predicted"]:
                    print(f"  [{r['gold']}, P(pos) {r['p_positive']:.2f}] {r['text']}")
    if args.csv:
        with open(args.csv, "w", encoding="utf-8", newline="") as f:
            writer = csv.DictWriter(f, fieldnames=list(all_rows[0]))
            writer.writeheader()
            writer.writerows(all_rows)
    if args.json:
        json.dump({"sentences": len(cases), "models": results}, sys.stdout, indent=1)
        print()
        return 0
    categories = list(dict.fromkeys(c.category for c in cases))
    print(f"negation-and-contrast suite: {len(cases)} sentences, accuracy (%)")
    print(f"{'model':<24}{'all':>7}  " + "  ".join(f"{c[:14]:>14}" for c in categories))
    for name, res in results.items():
        cells = "  ".join(f"{100 * res['categories'][c]:>14.1f}" for c in categories)
        print(f"{name:<24}{100 * res['accuracy']:>7.1f}  {cells}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
