"""Time hidden-state search and word saliency on the shipped models; print medians.

Search: each model's own test data from the data folder (data/, or $SEQCORE_DATA), cut to --sentences sentences (aspect models: every sentence of
the SemEval test XML, aspects or not). The states are computed once (timed --repeats times), then
each search (several spans and thresholds) is timed. Saliency: integrated gradients on a 40-token
sentence (the steps doubled until complete within 1%), and the unit ranking of the same sentence.

    python bench/bench_explain.py [--sentences 700] [--repeats 3] [--threads N]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

import torch

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from seqcore.attribution import rank_units, saliency  # noqa: E402
from seqcore.corpora import resolve_data_ref  # noqa: E402
from seqcore.inference import Predictor  # noqa: E402
from seqcore.search import corpus_states, find_pattern, search, text_states  # noqa: E402
from seqcore.tasks import card_test_examples, corpus_examples  # noqa: E402

LONG = (
    "We came here on a rainy Tuesday night after a very long day at work , and although the wine list was short "
    "and the waiter seemed rushed , the risotto was creamy and the warm bread was free ."
)
QUERY = "The food was not good at all , but the service was quick ."
SPANS = [(3, 5), (3, 7), (9, 12)]
THRESHOLDS = [0.1, 0.3, 0.5]


def timed(repeats: int, fn, *args, **kwargs) -> tuple[float, object]:
    """Return the median wall time of fn(*args, **kwargs) over `repeats` calls, and its last result."""
    times, out = [], None
    for _ in range(repeats):
        t = time.perf_counter()
        out = fn(*args, **kwargs)
        times.append(time.perf_counter() - t)
    return statistics.median(times), out


def corpus_for(pred: Predictor, n: int) -> list:
    if pred.task == "aspect":
        refs = pred.card["data"]["test"]
        examples, _ = corpus_examples("aspect", [resolve_data_ref(r) for r in refs])
    else:
        examples = card_test_examples(pred.card)
    return examples[:n]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sentences", type=int, default=700, help="corpus size for the search (sentences)")
    ap.add_argument("--repeats", type=int, default=3, help="timed repeats of each measurement (median printed)")
    ap.add_argument("--threads", type=int, default=0, help="torch threads (0: torch's default)")
    args = ap.parse_args()
    if args.threads:
        torch.set_num_threads(args.threads)
    names = sorted(p.parent.name for p in (ROOT / "models").glob("*/card.json"))
    print(f"torch {torch.__version__}, {torch.get_num_threads()} threads, device cpu")
    print(
        f"{'model':25s} {'sentences':>9} {'tokens':>7} {'states s':>8} {'MB':>5} {'search ms':>9} {'units':>5}   "
        f"{'IG 40 tok s':>11} {'steps':>5} {'error %':>7} {'units s':>7}"
    )
    import captum.attr  # noqa: F401  (imported once here, so its import time is not in the first model's saliency)

    for name in names:
        pred = Predictor.load(ROOT / "models" / name, device="cpu")
        examples = corpus_for(pred, args.sentences)
        t_states, corpus = timed(args.repeats, corpus_states, pred.model, pred.encoder, examples)
        query = text_states(pred, QUERY)
        search_times, sizes = [], []
        for span in SPANS:
            for th in THRESHOLDS:
                pattern = find_pattern(query, span, th)
                t, _ = timed(max(5, args.repeats), search, corpus, pattern, top=10)
                search_times.append(t)
                sizes.append(len(pattern))
        focus = {"aspect": {"aspect": "wine list"}, "tagging": {"token": 21}}.get(pred.task, {})
        t_sal, sal = timed(args.repeats, saliency, pred, LONG, **focus)
        t_units, _ = timed(args.repeats, rank_units, pred, LONG, **focus)
        print(
            f"{name:25s} {len(corpus):9d} {corpus.states.shape[0]:7d} {t_states:8.2f} {corpus.nbytes / 1e6:5.1f} "
            f"{1000 * statistics.median(search_times):9.1f} {statistics.median(sizes):5.0f}   "
            f"{t_sal:11.2f} {sal.steps:5d} {100 * sal.completeness_error:7.3f} {t_units:7.2f}"
        )


if __name__ == "__main__":
    main()
