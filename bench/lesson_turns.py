"""Measure the lesson's turns: each model's P(positive) just before each turning word (not, never, far from, but, ...)
and at the end of the clause it opens, on every lesson sentence (ui.config.TRAJECTORY_EXAMPLES).

python bench/lesson_turns.py                       # the SST models, as a Markdown table for docs/teaching.md
python bench/lesson_turns.py --models models/sentiment-lstm models/sst-lstm

The table in docs/teaching.md ("The turn, measured") is this script's output; tests/test_lesson_turns.py recomputes
it from the shipped models and checks every number.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

SST_MODELS = ("sst-lstm", "sst-gru", "sst-rnn")


def lesson_sentences() -> list[str]:
    """The trajectory page's example sentences, the lesson's first sentence first (ui.config)."""
    from ui.config import TRAJECTORY_EXAMPLES

    return list(TRAJECTORY_EXAMPLES)


def measure(model_dirs: list[Path], sentences: list[str]) -> list[dict]:
    """One row per sentence, model and turning word: the clause it opens, P(positive) before it and after the clause, final answer."""
    from seqcore.inference import Predictor, turns

    rows = []
    for d in model_dirs:
        predictor = Predictor.load(d, "cpu")
        for text in sentences:
            run = predictor.trajectory(text)
            label, _ = run.final()
            final = float(run.probs[-1, run.labels.index("positive")])
            for turn in turns(run):
                rows.append({"sentence": text, "model": d.name, **turn, "final": final, "answer": label})
    return rows


def fmt(p: float | None) -> str:
    return "(start)" if p is None else f"{p:.2f}"


def markdown(rows: list[dict]) -> str:
    """The rows as docs/teaching.md's table: sentence, turning clause, then before → after per model."""
    models = list(dict.fromkeys(r["model"] for r in rows))
    head = "| sentence | turn | " + " | ".join(f"{m}: before → after" for m in models) + " |"
    lines = [head, "|---|---|" + "---|" * len(models)]
    keyed: dict[tuple, dict[str, dict]] = {}
    for r in rows:
        keyed.setdefault((r["sentence"], r["position"], r["clause"]), {})[r["model"]] = r
    for (sentence, _, clause), by_model in keyed.items():
        cells = [f"{fmt(by_model[m]['before'])} → {fmt(by_model[m]['after'])}" if m in by_model else "" for m in models]
        lines.append(f"| {sentence} | *{clause}* | " + " | ".join(cells) + " |")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--models", nargs="*", metavar="DIR", help="model folders (default: models/sst-lstm, sst-gru, sst-rnn)")
    args = parser.parse_args(argv)
    dirs = [Path(m) for m in args.models] if args.models else [ROOT / "models" / m for m in SST_MODELS]
    print(markdown(measure(dirs, lesson_sentences())))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
