"""`train`: its flags (every default is a dataclass field's own) and the single run or K folds."""

from __future__ import annotations

import argparse
import statistics
import sys
from dataclasses import asdict

from seqcore.cells import CELLS
from seqcore.checkpoints import save_checkpoint
from seqcore.cli.common import PROGRESS, CliError, add_read_flags, print_notes, read_options
from seqcore.corpora import check_protocol, data_ref, protocol_of
from seqcore.models import POOLINGS, ModelConfig, defaults
from seqcore.pipeline import FitSpec
from seqcore.taskspecs import TASK_SPECS, TASKS
from seqcore.training import Progress, TrainConfig
from seqcore.treebank import SST_TRAIN_ON, VIEWS

# Every default of `train` is the dataclass field's own: written once, in ModelConfig, FitSpec and TrainConfig.
MODEL, FIT, TRAIN = defaults(ModelConfig), defaults(FitSpec), defaults(TrainConfig)


def add_parsers(sub) -> None:
    add_train_flags(sub.add_parser("train", help="train a model and save a checkpoint folder"))


def add_train_flags(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "--task",
        required=True,
        choices=TASKS,
        help="what to predict: a label per sentence, per aspect term, or per token",
    )
    p.add_argument(
        "--data",
        nargs="+",
        required=True,
        metavar="PATH",
        help="training files. sentiment: CSV, TSV or JSONL with a text and a label, or rt-polarity .pos and .neg; "
        "aspect: SemEval XML, aspect JSONL or ABSA-PyTorch text; tagging: CoNLL-U or word/tag lines",
    )
    p.add_argument(
        "--dev", nargs="+", metavar="PATH", help="dev files (default: carve --dev-fraction of --data, grouped by sentence)"
    )
    p.add_argument("--test", nargs="+", metavar="PATH", help="test files, scored once after training (never used to select)")
    p.add_argument(
        "--folds", type=int, default=0, help="sentiment: K-fold cross-validation over --data; the test set is each fold in turn"
    )
    p.add_argument("--ship-fold", type=int, default=0, help="with --folds: which fold's model is saved to --out")
    p.add_argument("--out", required=True, metavar="DIR", help="checkpoint folder to write (replaced atomically)")
    p.add_argument("--cell", default=FIT["cell"], choices=CELLS, help="recurrent cell")
    p.add_argument("--embedding-dim", type=int, default=FIT["embedding_dim"], help="word embedding size")
    p.add_argument("--hidden-size", type=int, default=FIT["hidden_size"], help="hidden units per direction")
    p.add_argument("--layers", type=int, default=FIT["num_layers"], help="stacked recurrent layers")
    p.add_argument(
        "--bidirectional",
        action=argparse.BooleanOptionalAction,
        default=None,
        help=f"read both directions (default: on for {' and '.join(t for t in TASKS if TASK_SPECS[t].bidirectional)})",
    )
    p.add_argument(
        "--chars",
        action=argparse.BooleanOptionalAction,
        default=None,
        help=f"add a character CNN to each word (default: on for {' and '.join(t for t in TASKS if TASK_SPECS[t].use_chars)})",
    )
    p.add_argument(
        "--pooling",
        default=FIT["pooling"],
        choices=POOLINGS,
        help="sentiment: last relevant output, or mean/max over real tokens",
    )
    p.add_argument(
        "--dropout", type=float, default=FIT["dropout"], help="dropout on embeddings, between layers and before the head"
    )
    p.add_argument("--min-freq", type=int, default=FIT["min_freq"], help="words seen fewer times become <unk>")
    p.add_argument("--max-vocab", type=int, default=FIT["max_vocab"], help="keep at most this many words")
    p.add_argument(
        "--init-embeddings",
        metavar="DIR",
        help="start word vectors from this checkpoint's (its vocabulary is added to this model's)",
    )
    p.add_argument(
        "--embeddings",
        metavar="DIR",
        help="start word vectors from skip-gram vectors (`skipgram --out DIR`); their words join the vocabulary, words they lack start random",
    )
    p.add_argument(
        "--embeddings-max-words",
        type=int,
        default=FIT["embeddings_max_words"],
        help="with --embeddings: add at most this many of the vectors' words to the vocabulary, most frequent first (default: all)",
    )
    p.add_argument(
        "--freeze-embeddings", action="store_true", help="with --init-embeddings or --embeddings: keep the word vectors fixed"
    )
    p.add_argument(
        "--dev-fraction", type=float, default=FIT["dev_fraction"], help="share of training sentences carved off as dev"
    )
    p.add_argument(
        "--sst-view",
        default="binary",
        choices=VIEWS,
        help="Stanford Sentiment Treebank files: binary (SST-2: 0-1 negative, 3-4 positive, 2 dropped) or fine (SST-5, five classes)",
    )
    p.add_argument(
        "--sst-train-on",
        default="phrases",
        choices=SST_TRAIN_ON,
        help="SST training files: every distinct labelled phrase (phrases), every labelled node (all-phrases) "
        "or the sentences alone (roots); dev and test are always sentences",
    )
    p.add_argument(
        "--sst-negations",
        action="store_true",
        help="SST binary training: add each polar word SST uses as a predicate under not / never / hardly / far from, "
        "with the opposite label (SST rates 'not bad' and 'never boring' neutral, so its binary view never shows them)",
    )
    p.add_argument(
        "--sst-negations-context",
        action="store_true",
        help="SST binary training: also negate SST's own copula + polar predicate nodes in place ('the plot is dull' -> "
        "'the plot is never dull', positive) and the ancestors that take their label from them (seqcore.negations)",
    )
    p.add_argument(
        "--sst-negations-contrast",
        action="store_true",
        help="with the negations: also join every other negated phrase by ', but' to an SST phrase of the opposite "
        "polarity, labelled by the part after 'but' ('is never dull , but a little too smug': negative)",
    )
    p.add_argument(
        "--sst-negation-weight",
        type=int,
        default=1,
        help="repeat each added negated phrase this many times (they are a few %% of SST's 77k phrases)",
    )
    p.add_argument(
        "--sst-negation-holdout",
        type=float,
        default=0.0,
        help="keep this share of the negated predicates out of training, as a held-out negation check "
        "(bench/negation_heldout.py scores it)",
    )
    p.add_argument(
        "--init-from",
        metavar="DIR",
        help="fine-tune this checkpoint: its architecture, vocabulary and every weight start the model "
        "(architecture flags are ignored; new words read as <unk>)",
    )
    p.add_argument("--epochs", type=int, default=TRAIN["epochs"], help="maximum epochs")
    p.add_argument("--batch-size", type=int, default=TRAIN["batch_size"], help="sentences per batch")
    p.add_argument("--lr", type=float, default=TRAIN["lr"], help="Adam learning rate")
    p.add_argument("--weight-decay", type=float, default=TRAIN["weight_decay"], help="Adam weight decay")
    p.add_argument("--clip", type=float, default=TRAIN["clip"], help="max global gradient norm")
    p.add_argument(
        "--word-dropout", type=float, default=TRAIN["word_dropout"], help="share of training words replaced by <unk> each step"
    )
    p.add_argument("--patience", type=int, default=TRAIN["patience"], help="epochs without a better dev score before stopping")
    p.add_argument(
        "--metric", default=TRAIN["metric"], choices=["accuracy", "macro_f1"], help="dev metric that selects the checkpoint"
    )
    p.add_argument("--seed", type=int, default=TRAIN["seed"], help="random seed (same seed, same weights on CPU)")
    p.add_argument("--device", default=TRAIN["device"], help="auto (CUDA, else MPS, else CPU), cpu, cuda or mps")
    p.add_argument("--quiet", action="store_true", help="print only the final summary")
    add_read_flags(p)


def settings_from_args(args: argparse.Namespace) -> tuple[FitSpec, TrainConfig]:
    """Return the (FitSpec, TrainConfig) that `train`'s flags describe; bad values raise CliError."""
    try:
        spec = FitSpec(
            task=args.task,
            cell=args.cell,
            embedding_dim=args.embedding_dim,
            hidden_size=args.hidden_size,
            num_layers=args.layers,
            bidirectional=args.bidirectional,
            dropout=args.dropout,
            pooling=args.pooling,
            use_chars=args.chars,
            min_freq=args.min_freq,
            max_vocab=args.max_vocab,
            dev_fraction=args.dev_fraction,
            init_embeddings=args.init_embeddings,
            embeddings=args.embeddings,
            embeddings_max_words=args.embeddings_max_words,
            freeze_embeddings=args.freeze_embeddings,
            init_from=args.init_from,
        )
        cfg = TrainConfig(
            epochs=args.epochs,
            batch_size=args.batch_size,
            lr=args.lr,
            weight_decay=args.weight_decay,
            clip=args.clip,
            word_dropout=args.word_dropout,
            patience=args.patience,
            metric=args.metric,
            seed=args.seed,
            device=args.device,
        )
    except ValueError as e:
        raise CliError(str(e)) from e
    return spec, cfg


def cmd_train(args: argparse.Namespace) -> int:
    from seqcore import distributed
    from seqcore.device import resolve_device, warm_up

    spec, cfg = settings_from_args(args)
    device = resolve_device(cfg.device)  # a device this machine lacks is a one-line error
    ctx = distributed.start(device)  # under torchrun: join the other ranks (gloo on CPU, NCCL on GPUs)
    warm_up(device)  # the CUDA context starts while the data is read
    try:
        return train_command(args, spec, cfg, ctx is None or ctx.is_main)
    finally:
        distributed.barrier()  # the other ranks wait here while rank 0 writes the checkpoint
        distributed.stop()


def train_command(args: argparse.Namespace, spec, cfg, main: bool) -> int:
    """Read the data, train (on every rank under torchrun), and on the main rank print and save."""
    from seqcore.negations import NegationOptions
    from seqcore.pipeline import fit, save_fit
    from seqcore.tasks import load_examples

    options, notes = read_options(args), list[str]()
    try:
        negations = NegationOptions(
            args.sst_negations,
            args.sst_negations_context,
            args.sst_negation_weight,
            args.sst_negation_holdout,
            args.sst_negations_contrast,
        )
    except ValueError as e:
        raise CliError(str(e)) from e
    sst = {"sst_view": args.sst_view}  # SST files only: dev and test are sentences (roots), train what --sst-train-on says
    examples, problems = load_examples(
        args.task, args.data, PROGRESS, options, notes, sst_train_on=args.sst_train_on, sst_negations=negations, **sst
    )
    for p in problems[:20] if main else []:
        print(f"warning: {p}", file=sys.stderr)
    dev = load_examples(args.task, args.dev, PROGRESS, options, notes, **sst)[0] if args.dev else None
    test = load_examples(args.task, args.test, PROGRESS, options, notes, **sst)[0] if args.test else None
    if main:
        print_notes(notes)
    data = {
        "train": [data_ref(p) for p in args.data],
        "dev": [data_ref(p) for p in args.dev or []],
        "test": [data_ref(p) for p in args.test or []],
        "problems_skipped": len(problems),
    }
    check_protocol({"data": data}, [*(args.dev or []), *(args.test or [])])  # SST and rt-polarity hold the same sentences
    if protocol_of({"data": data}) == "sst":
        sst_card: dict = {"view": args.sst_view, "train_on": args.sst_train_on, "negations": args.sst_negations}
        if negations.context or negations.contrast or negations.weight != 1 or negations.holdout:
            sst_card["negation_options"] = asdict(negations)
        data["sst"] = sst_card

    def report(p: Progress) -> None:
        if not args.quiet and p.kind == "epoch":
            print(
                f"epoch {p.epoch:2d}  train loss {p.train_loss:.4f}  dev loss {p.dev_loss:.4f}  dev acc {p.dev_accuracy:.4f}  "
                f"dev macro-F1 {p.dev_macro_f1:.4f}  {p.elapsed:6.1f}s{'  *' if p.is_best else ''}",
                flush=True,
            )

    if args.folds:
        return train_folds(args, spec, cfg, examples, data, report, main)
    fitted = fit(spec, cfg, examples, dev, test, data, report)
    if main:
        save_fit(args.out, fitted)
        summarize(fitted.card, args.out)
    return 0


def train_folds(args, spec, cfg, examples, data, report, main: bool = True) -> int:
    """K-fold cross-validation: each fold is the test set once; dev is carved from the other folds."""
    from seqcore.pipeline import fit
    from seqcore.splits import kfold

    if args.test or args.dev:
        raise CliError("--folds makes its own test sets: drop --test and --dev")
    if protocol_of({"data": data}) == "sst":
        raise CliError("SST has its own dev and test files: drop --folds and pass --dev and --test (sst/dev.txt, sst/test.txt)")
    if not 0 <= args.ship_fold < args.folds:
        raise CliError(f"--ship-fold must be in [0, {args.folds - 1}]")
    folds = kfold(len(examples), args.folds, args.seed)
    scores, shipped = [], None
    for k, fold in enumerate(folds):
        held = set(fold)
        if main:
            print(f"fold {k + 1}/{args.folds}", flush=True)
        fitted = fit(
            spec,
            cfg,
            [e for i, e in enumerate(examples) if i not in held],
            None,
            [examples[i] for i in fold],
            {**data, "test": f"fold {k} of {args.folds} (seed {args.seed}) over the train files"},
            report,
        )
        m = fitted.test_metrics
        if not main:  # rank 0 alone scores test and saves
            continue
        assert m is not None  # fit scores the test examples it is given
        scores.append(
            {
                "fold": k,
                "accuracy": m.accuracy,
                "macro_f1": m.macro_f1,
                "best_epoch": fitted.result.best_epoch,
                "dev_accuracy": fitted.result.best_score,
            }
        )
        print(f"fold {k}: test accuracy {m.accuracy:.4f}  macro-F1 {m.macro_f1:.4f}", flush=True)
        if k == args.ship_fold:
            shipped = fitted
    if not main:
        return 0
    accs = [s["accuracy"] for s in scores]
    assert shipped is not None  # ship_fold was checked to be one of the folds
    shipped.card["cross_validation"] = {
        "folds": args.folds,
        "seed": args.seed,
        "shipped_fold": args.ship_fold,
        "per_fold": scores,
        "mean_accuracy": statistics.mean(accs),
        "std_accuracy": statistics.stdev(accs),
        "mean_macro_f1": statistics.mean(s["macro_f1"] for s in scores),
    }
    shipped.card["data"]["kfold"] = {"folds": args.folds, "fold": args.ship_fold, "seed": args.seed}
    save_checkpoint(args.out, shipped.model, shipped.encoder, shipped.card)
    summarize(shipped.card, args.out)
    print(f"{args.folds}-fold accuracy {statistics.mean(accs):.4f} +- {statistics.stdev(accs):.4f}")
    return 0


def summarize(card: dict, out: str) -> None:
    emb = card.get("embeddings")
    if isinstance(emb, dict):
        print(
            f"embeddings from {emb['from']}: {emb['train_words_covered']:,} of {emb['train_words']:,} training words "
            f"({emb['word_coverage']:.1%}; {emb['token_coverage']:.1%} of training tokens) start from the vectors, "
            f"the rest random; {emb['words_added_from_vectors']:,} words added from the vectors"
            + (", frozen" if emb["frozen"] else "")
        )
    dev = card.get("dev_metrics") or {}
    line = f"saved {out}: {card['parameters']:,} parameters, best epoch {card['best_epoch']}, dev accuracy {dev.get('accuracy', float('nan')):.4f}, dev macro-F1 {dev.get('macro_f1', float('nan')):.4f}"
    if card.get("test_metrics"):
        t = card["test_metrics"]
        line += f", test accuracy {t['accuracy']:.4f}, test macro-F1 {t['macro_f1']:.4f} (majority {card['test_majority_baseline']:.4f})"
    print(line + f", {card['train_seconds']}s")


COMMANDS = {"train": cmd_train}
