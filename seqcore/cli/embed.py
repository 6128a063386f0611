"""`skipgram` (word vectors from the project's own text) and `neighbors` (nearest words by cosine)."""

from __future__ import annotations

import argparse
import json
import sys

from seqcore.cli.common import CliError, check_top
from seqcore.embeddings import SkipGramConfig
from seqcore.models import defaults

SG = defaults(SkipGramConfig)


def add_parsers(sub) -> None:
    p = sub.add_parser("skipgram", help="learn word vectors from text with skip-gram and negative sampling")
    p.add_argument(
        "--data",
        nargs="+",
        metavar="PATH",
        help="files any reader reads (polarity lines, CSV, TSV, JSONL, SemEval XML, ABSA text, CoNLL-U, word/tag lines, "
        "SST trees: their sentences, labels ignored); "
        "default: the train files of every corpus in data/ (never a test file)",
    )
    p.add_argument(
        "--exclude",
        nargs="+",
        default=[],
        metavar="CORPUS",
        help="without --data: leave these corpora out (e.g. rt-polarity for vectors used in rt-polarity's 10 folds)",
    )
    p.add_argument(
        "--exclude-task",
        nargs="+",
        default=[],
        metavar="TASK",
        help="without --data: leave out every corpus of these tasks (sentiment: rt-polarity, SST and any other)",
    )
    p.add_argument("--out", required=True, metavar="DIR", help="folder to write vectors.safetensors, vocab.json, card.json")
    p.add_argument("--dim", type=int, default=SG["dim"], help="vector size")
    p.add_argument("--window", type=int, default=SG["window"], help="context words each side (at most)")
    p.add_argument("--negatives", type=int, default=SG["negatives"], help="noise words per (word, context) pair")
    p.add_argument("--epochs", type=int, default=SG["epochs"], help="passes over the text")
    p.add_argument("--min-count", type=int, default=SG["min_count"], help="words seen fewer times get no vector")
    p.add_argument("--max-vocab", type=int, default=SG["max_vocab"], help="keep at most this many words (most frequent)")
    p.add_argument("--subsample", type=float, default=SG["subsample"], help="subsampling threshold t (0: keep every word)")
    p.add_argument("--lr", type=float, default=SG["lr"], help="SparseAdam learning rate, decayed linearly")
    p.add_argument("--seed", type=int, default=SG["seed"], help="random seed (same seed, same vectors on CPU)")
    p.add_argument("--quiet", action="store_true", help="print only the summary")

    n = sub.add_parser("neighbors", help="the nearest words to a word by cosine, in a model's embedding or in vectors")
    n.add_argument("source", metavar="MODEL_OR_VECTORS", help="a checkpoint folder or a `skipgram --out` folder")
    n.add_argument("word", help="the word to look up (case is folded as the vocabulary folds it)")
    n.add_argument("--top", type=int, default=10, help="how many neighbours")
    n.add_argument("--json", action="store_true", help='print {"word": ..., "neighbors": [{"word": ..., "cosine": ...}]}')


def cmd_skipgram(args: argparse.Namespace) -> int:
    from seqcore.embeddings import SkipGramProgress, build_vectors

    if args.data and (args.exclude or args.exclude_task):
        raise CliError("--exclude and --exclude-task choose among data/'s corpora: drop them when you give --data")
    try:
        cfg = SkipGramConfig(
            dim=args.dim,
            window=args.window,
            negatives=args.negatives,
            epochs=args.epochs,
            min_count=args.min_count,
            max_vocab=args.max_vocab,
            subsample=args.subsample,
            lr=args.lr,
            seed=args.seed,
        )
    except ValueError as e:
        raise CliError(str(e)) from e

    def report(p: SkipGramProgress) -> None:
        if not args.quiet:
            print(
                f"epoch {p.epoch}/{p.epochs}  step {p.step:5d}/{p.steps}  loss {p.loss:.4f}  {p.elapsed:6.1f}s",
                file=sys.stderr,
                flush=True,
            )

    vectors = build_vectors(args.data, cfg, args.exclude, args.exclude_task, report)
    vectors.save(args.out)
    c = vectors.card
    print(
        f"saved {args.out}: {c['vocab_size']:,} words x {cfg.dim} from {c['tokens']:,} tokens of {c['sentences']:,} sentences "
        f"in {len(c['files'])} file(s) ({c['test_sentences_removed']} test sentences left out), {c['seconds']}s"
    )
    return 0


def cmd_neighbors(args: argparse.Namespace) -> int:
    from seqcore.vectors import VectorsError, load_any_vectors

    k = check_top(args.top)
    vectors = load_any_vectors(args.source)
    try:
        found = vectors.nearest(args.word, k)
    except VectorsError as e:
        raise CliError(str(e)) from e
    if args.json:
        print(json.dumps({"word": args.word, "neighbors": [{"word": w, "cosine": round(c, 6)} for w, c in found]}))
    else:
        for w, c in found:
            print(f"{c:7.4f}  {w}")
    return 0


COMMANDS = {"skipgram": cmd_skipgram, "neighbors": cmd_neighbors}
