"""How long the Train page's presets take: python bench/bench_train_presets.py [--repeats 2]

Trains each preset of `ui.config.TRAIN_PRESETS` the way the Train page does (its default form, `ui.jobs.train_form_defaults`,
with the preset on top) on the page's default data (a fixed-seed subset of the task's corpus in data/, 2,000 rt-polarity
sentences for sentiment), in this process on one torch thread (the page's child runs on one), and prints the wall
clock of `seqcore.pipeline.fit` per preset (the median over --repeats). On a machine shared with other work the
numbers grow: say so beside them.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--repeats", type=int, default=1, help="runs per preset (the median is printed)")
    ap.add_argument("--task", default="sentiment", help="the task whose default data and form are timed")
    ap.add_argument("--presets", nargs="+", default=None, help="presets to time (default: every one)")
    args = ap.parse_args()

    import torch

    from seqcore import corpora
    from seqcore.pipeline import FitSpec, fit
    from seqcore.tasks import load_examples, subsample
    from seqcore.training import TrainConfig
    from ui.config import CORPUS_SUBSET, SUBSET_SEED, TRAIN_PRESETS
    from ui.jobs import train_form_defaults

    torch.set_num_threads(1)
    corpus = next(c for c in corpora.corpora_for_task(args.task) if c.available("train"))
    examples, _ = load_examples(corpus.task, corpus.files("train", str(corpora.data_dir())))
    examples = subsample(examples, CORPUS_SUBSET[args.task], SUBSET_SEED)
    for name in args.presets or list(TRAIN_PRESETS):
        form = {**train_form_defaults(args.task), **TRAIN_PRESETS[name]}
        spec = FitSpec(task=args.task, **{k: v for k, v in form.items() if k in FitSpec.__dataclass_fields__ and k != "task"})
        cfg = TrainConfig(**{k: v for k, v in form.items() if k in TrainConfig.__dataclass_fields__})
        times = []
        for _ in range(args.repeats):
            start = time.perf_counter()
            result = fit(spec, cfg, examples)
            times.append(time.perf_counter() - start)
        epochs = result.result.epochs_run if hasattr(result.result, "epochs_run") else "?"
        print(
            f"{name}: {statistics.median(times):.1f} s (median of {len(times)}; {corpus.name}, {len(examples)} sentences, "
            f"{form['cell']} emb {form['embedding_dim']} hidden {form['hidden_size']}, {form['epochs']} epochs at most, ran {epochs})"
        )


if __name__ == "__main__":
    main()
