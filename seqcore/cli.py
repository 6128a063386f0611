"""`python -m seqcore`: train, evaluate, predict, trace and check data files from the shell."""

from __future__ import annotations

import argparse
import gc
import json
import statistics
import sys
from collections.abc import Sequence
from typing import TextIO

from seqcore.cells import CELLS
from seqcore.checkpoints import CheckpointError, load_checkpoint, save_checkpoint
from seqcore.corpora import check_protocol, data_ref, protocol_of
from seqcore.device import device_for, full_float32
from seqcore.models import POOLINGS, ModelConfig, defaults
from seqcore.pipeline import FitSpec
from seqcore.readers import DataFormatError, describe_file
from seqcore.taskspecs import TASK_SPECS, TASKS
from seqcore.training import NonFiniteLossError, Progress, TrainConfig
from seqcore.treebank import FINE_LABELS, SST_TRAIN_ON, VIEWS

# Every default of `train` is the dataclass field's own: written once, in ModelConfig, FitSpec and TrainConfig.
MODEL, FIT, TRAIN = defaults(ModelConfig), defaults(FitSpec), defaults(TrainConfig)


class CliError(Exception):
    """A user error to print as one line, with exit code 2."""


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
        help="training files: rt-polarity .pos and .neg, SemEval XML, or CoNLL-U",
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
    p.add_argument("--freeze-embeddings", action="store_true", help="with --init-embeddings: keep the word vectors fixed")
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
    p.add_argument("--epochs", type=int, default=TRAIN["epochs"], help="maximum epochs")
    p.add_argument("--batch-size", type=int, default=TRAIN["batch_size"], help="sentences per batch")
    p.add_argument("--lr", type=float, default=TRAIN["lr"], help="Adam learning rate")
    p.add_argument("--weight-decay", type=float, default=TRAIN["weight_decay"], help="Adam weight decay")
    p.add_argument("--clip", type=float, default=TRAIN["clip"], help="max global gradient norm")
    p.add_argument("--patience", type=int, default=TRAIN["patience"], help="epochs without a better dev score before stopping")
    p.add_argument(
        "--metric", default=TRAIN["metric"], choices=["accuracy", "macro_f1"], help="dev metric that selects the checkpoint"
    )
    p.add_argument("--seed", type=int, default=TRAIN["seed"], help="random seed (same seed, same weights on CPU)")
    p.add_argument("--device", default=TRAIN["device"], help="auto (CUDA, else MPS, else CPU), cpu, cuda or mps")
    p.add_argument("--quiet", action="store_true", help="print only the final summary")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m seqcore", description="Train and look inside GRU, LSTM and RNN models on real text."
    )
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    add_train_flags(sub.add_parser("train", help="train a model and save a checkpoint folder"))
    p = sub.add_parser("evaluate", help="score a checkpoint on labeled data")
    p.add_argument("model", metavar="DIR", help="checkpoint folder")
    p.add_argument("--data", nargs="+", required=True, metavar="PATH", help="labeled files of the model's task")
    p.add_argument("--json", action="store_true", help="print the metrics as JSON")
    p = sub.add_parser("predict", help="predict one sentence")
    p.add_argument("model", metavar="DIR", help="checkpoint folder")
    p.add_argument("text", help="the sentence")
    p.add_argument(
        "--aspect", action="append", default=[], metavar="TERM", help="aspect models: a term in the sentence (repeat for several)"
    )
    p = sub.add_parser("trace", help="print every gate of one layer for one sentence")
    p.add_argument("model", metavar="DIR", help="checkpoint folder")
    p.add_argument("text", help="the sentence")
    p.add_argument("--layer", type=int, default=0, help="layer to show (0-based)")
    p.add_argument("--direction", default="forward", choices=["forward", "backward"], help="direction to show")
    p.add_argument("--units", type=int, default=4, help="how many hidden units to print")
    p = sub.add_parser(
        "gradflow",
        help="how much of the prediction's loss reaches each word: the norm of dL/dh_t of the first layer",
        description=(
            "Print, for each token, the norm of d(loss)/d(h_t) of the first recurrent layer's hidden state, "
            "where loss = -log p(predicted class) (or --target). The derivative is the total one: through the "
            "layers above and through every later step. For a bidirectional model the norm is that of the "
            "concatenated state of the first layer [forward; backward], sqrt(|g_fwd|^2 + |g_bwd|^2); the table "
            "also shows each direction and the input gradient d(loss)/d(x_t)."
        ),
    )
    p.add_argument("model", metavar="DIR", help="checkpoint folder")
    p.add_argument("text", help="the sentence")
    p.add_argument("--json", action="store_true", help='print {"tokens", "grad_norms", ...} as JSON (grad_norms: one per token)')
    p.add_argument("--target", metavar="CLASS", help="differentiate -log p(CLASS) instead of the predicted class")
    p.add_argument("--aspect", metavar="TERM", help="aspect models: the aspect term whose prediction is differentiated")
    p.add_argument(
        "--token",
        type=int,
        metavar="N",
        help="tagging models: the token (0-based) whose tag is differentiated (default: the last)",
    )
    p.add_argument(
        "--readout",
        choices=["last", "mean", "max"],
        help="sentiment models: read the sentence as if pooled this way (last: the loss enters only at the end of each direction)",
    )
    p = sub.add_parser(
        "stats",
        help="count sentences, targets and problems in data files",
        description="Count what data files hold. Exit code: 0 when every file read cleanly, 1 when parts of a file "
        "were skipped or repaired (listed), 2 when a file was refused (missing, a folder, binary, not XML...).",
    )
    p.add_argument(
        "files",
        nargs="+",
        metavar="FILE",
        help="SemEval XML, CoNLL-U (.conllu or .conllu.gz), labeled TSV or polarity text files",
    )
    add_why_commands(sub)
    return parser


class ProgressLine:
    """Show how far the reading of a big file has gone, on stderr: in place on a terminal, every 25% in a log."""

    MIN_BYTES = 2_000_000  # smaller files are read in about a second: no line

    def __init__(self, out: TextIO | None = None) -> None:
        self.out = out
        self.shown: dict[str, int] = {}
        self.open = False  # a terminal line waits for its newline

    def __call__(self, name: str, done: int, total: int) -> None:
        if total < self.MIN_BYTES:
            return
        out = self.out or sys.stderr
        tty = out.isatty()
        percent = min(100, 100 * done // total)
        step = percent if tty else percent // 25 * 25
        if self.shown.get(name) == step:
            return
        self.shown[name] = step
        line = f"reading {name}: {step:3d}% of {total / 1e6:.1f} MB"
        if tty:
            out.write("\r" + line + ("\n" if percent == 100 else ""))
            self.open = percent < 100
        else:
            out.write(line + "\n")
        out.flush()

    def end(self) -> None:
        """End a terminal line left open by a file that stopped early (an error)."""
        if self.open:
            (self.out or sys.stderr).write("\n")
            self.open = False


PROGRESS = ProgressLine()


def add_focus_flags(p: argparse.ArgumentParser) -> None:
    """Flags that choose the logit to explain: the aspect or token the task needs, and the class."""
    p.add_argument("--aspect", metavar="TERM", help="aspect models: the aspect term to explain (must occur in the sentence)")
    p.add_argument("--token", type=int, metavar="I", help="tagging models: the index of the token whose tag to explain (0-based)")
    p.add_argument("--target", metavar="CLASS", help="the class whose logit to explain (default: the predicted class)")


def add_why_commands(sub) -> None:
    """units, search and saliency: which units matter, where they fire, which words drove the answer."""
    p = sub.add_parser("units", help="rank hidden units by relevance to the prediction (or by change over a word range)")
    p.add_argument("model", metavar="DIR", help="checkpoint folder")
    p.add_argument("text", help="the sentence")
    p.add_argument("--span", metavar="I:J", help="rank by change over tokens I..J-1 instead (0-based, end exclusive)")
    p.add_argument("--top", type=int, default=20, metavar="K", help="how many units to list (default 20)")
    add_focus_flags(p)
    p.add_argument("--json", action="store_true", help="print {units: [{layer, direction, unit, score}, ...]} as JSON")
    p = sub.add_parser("search", help="find places in a corpus where the units on over a word range fire again")
    p.add_argument("model", metavar="DIR", help="checkpoint folder")
    p.add_argument("text", help="the sentence to take the pattern from")
    p.add_argument("--span", required=True, metavar="I:J", help="the word range: tokens I..J-1 (0-based, end exclusive)")
    p.add_argument(
        "--data",
        nargs="+",
        required=True,
        metavar="FILE",
        help="corpus: SemEval XML (aspect), CoNLL-U (tagging), polarity .pos/.neg or label<TAB>text .tsv files (sentiment)",
    )
    p.add_argument("--top", type=int, default=10, metavar="K", help="how many matches to list (default 10)")
    p.add_argument(
        "--threshold",
        type=float,
        default=0.3,
        help="a unit is on when its state is above this (default 0.3; states lie in -1..1)",
    )
    p.add_argument("--layer", type=int, metavar="L", help="take the pattern from this layer only (default: every layer)")
    p.add_argument(
        "--direction", choices=["forward", "backward"], help="take the pattern from this direction only (default: both)"
    )
    p.add_argument(
        "--json", action="store_true", help="print {units: [...], matches: [{id, text, start, end, score}, ...]} as JSON"
    )
    p = sub.add_parser("saliency", help="integrated gradients: how much each word moved the logit of the answer")
    p.add_argument("model", metavar="DIR", help="checkpoint folder")
    p.add_argument("text", help="the sentence")
    add_focus_flags(p)
    p.add_argument("--steps", type=int, default=50, metavar="N", help="integration steps to start with (default 50)")
    p.add_argument(
        "--max-steps",
        type=int,
        default=3200,
        metavar="N",
        help="double the steps up to this many until the attributions sum to the logit change within 1%% (default 3200)",
    )
    p.add_argument(
        "--json", action="store_true", help="print {tokens, attributions, target, logit, baseline_logit, method, ...} as JSON"
    )


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
            freeze_embeddings=args.freeze_embeddings,
        )
        cfg = TrainConfig(
            epochs=args.epochs,
            batch_size=args.batch_size,
            lr=args.lr,
            weight_decay=args.weight_decay,
            clip=args.clip,
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
    from seqcore.pipeline import fit, save_fit
    from seqcore.tasks import load_examples

    sst = {"sst_view": args.sst_view}  # SST files only: dev and test are sentences (roots), train what --sst-train-on says
    examples, problems = load_examples(
        args.task, args.data, PROGRESS, sst_train_on=args.sst_train_on, sst_negations=args.sst_negations, **sst
    )
    for p in problems[:20] if main else []:
        print(f"warning: {p}", file=sys.stderr)
    dev = load_examples(args.task, args.dev, PROGRESS, **sst)[0] if args.dev else None
    test = load_examples(args.task, args.test, PROGRESS, **sst)[0] if args.test else None
    data = {
        "train": [data_ref(p) for p in args.data],
        "dev": [data_ref(p) for p in args.dev or []],
        "test": [data_ref(p) for p in args.test or []],
        "problems_skipped": len(problems),
    }
    check_protocol({"data": data}, [*(args.dev or []), *(args.test or [])])  # SST and rt-polarity hold the same sentences
    if protocol_of({"data": data}) == "sst":
        data["sst"] = {"view": args.sst_view, "train_on": args.sst_train_on, "negations": args.sst_negations}

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
    dev = card.get("dev_metrics") or {}
    line = f"saved {out}: {card['parameters']:,} parameters, best epoch {card['best_epoch']}, dev accuracy {dev.get('accuracy', float('nan')):.4f}, dev macro-F1 {dev.get('macro_f1', float('nan')):.4f}"
    if card.get("test_metrics"):
        t = card["test_metrics"]
        line += f", test accuracy {t['accuracy']:.4f}, test macro-F1 {t['macro_f1']:.4f} (majority {card['test_majority_baseline']:.4f})"
    print(line + f", {card['train_seconds']}s")


def cmd_evaluate(args: argparse.Namespace) -> int:
    from seqcore.scoring import evaluate
    from seqcore.tasks import load_examples

    ckpt = load_checkpoint(args.model, device_for("batch"))
    check_protocol(ckpt.card, args.data)  # an SST model is never scored on rt-polarity, nor the other way round
    view = "fine" if len(ckpt.encoder.labels) == len(FINE_LABELS) else "binary"  # SST files: the model's view
    examples, problems = load_examples(ckpt.config.task, args.data, PROGRESS, sst_view=view)
    for p in problems[:20]:
        print(f"warning: {p}", file=sys.stderr)
    if not examples:
        raise CliError(f"no labeled {ckpt.config.task} examples in {' '.join(args.data)}")
    with full_float32(device_for("batch")):
        metrics, loss = evaluate(ckpt.model, examples, ckpt.encoder)
    if args.json:
        print(json.dumps({**metrics.to_dict(), "loss": loss}, indent=1))
        return 0
    print(f"{metrics.n} items  accuracy {metrics.accuracy:.4f}  macro-F1 {metrics.macro_f1:.4f}  loss {loss:.4f}")
    width = max(len(lab) for lab in metrics.labels)
    print(f"{'gold / predicted':>{width + 8}}  " + "  ".join(f"{lab[:7]:>7}" for lab in metrics.labels) + "   class acc")
    for lab, row, acc in zip(metrics.labels, metrics.confusion, metrics.per_class_accuracy):
        print(f"{lab:>{width + 8}}  " + "  ".join(f"{v:7d}" for v in row) + f"   {acc:.4f}")
    return 0


def cmd_predict(args: argparse.Namespace) -> int:
    from seqcore.inference import Predictor

    pred = Predictor.load(args.model)
    if pred.task == "sentiment":
        probs = pred.predict_text(args.text)
        print(max(probs, key=lambda k: probs[k]) + "  " + "  ".join(f"P({k})={v:.3f}" for k, v in probs.items()))
    elif pred.task == "aspect":
        if not args.aspect:
            raise CliError("an aspect model needs at least one --aspect TERM that occurs in the sentence")
        for a in pred.predict_aspects(args.text, terms=args.aspect):
            print(f"{a.term}: {a.label}  " + "  ".join(f"P({k})={v:.3f}" for k, v in a.probs.items()))
    else:
        print(" ".join(f"{tok}/{tag}" for tok, tag, _ in pred.tag(args.text)))
    return 0


def cmd_trace(args: argparse.Namespace) -> int:
    from seqcore.inference import Predictor

    pred = Predictor.load(args.model)
    trace = pred.trace(args.text)
    try:
        lt = trace.get(args.layer, args.direction)
    except KeyError as e:
        raise CliError(str(e.args[0])) from e
    units = min(args.units, lt.gates["h"].shape[1])
    print(f"{trace.cell.upper()} layer {lt.layer} {lt.direction}, units 0..{units - 1} of {lt.gates['h'].shape[1]}")
    header = f"{'token':>14}  " + "  ".join(f"{g}[{u}]".rjust(7) for g in trace.gate_names for u in range(units))
    print(header)
    for t, tok in enumerate(trace.tokens):
        print(f"{tok[:14]:>14}  " + "  ".join(f"{lt.gates[g][t, u]:7.3f}" for g in trace.gate_names for u in range(units)))
    return 0


def cmd_gradflow(args: argparse.Namespace) -> int:
    from seqcore.gradflow import gradient_flow_text

    ckpt = load_checkpoint(args.model, device_for("interactive"))
    flow = gradient_flow_text(
        ckpt.model, ckpt.encoder, args.text, target=args.target, aspect=args.aspect, token=args.token, readout=args.readout
    )
    norms = flow.first_layer()
    if args.json:
        out = {
            "tokens": flow.tokens,
            "grad_norms": norms.tolist(),
            "grad_norms_of": "first layer hidden state"
            + (" [forward; backward] concatenated" if ckpt.config.bidirectional else ""),
            **{k: v for k, v in flow.to_dict().items() if k != "tokens"},
        }
        print(json.dumps(out, indent=1))
        return 0
    dirs = [d for (layer, d) in flow.hidden if layer == 0]
    what = {"sentiment": "the sentence", "aspect": f"aspect {args.aspect!r}", "tagging": f"token {flow.item}"}[flow.task]
    print(
        f"{flow.cell.upper()}: loss = -log P({flow.target_label}) = {flow.loss:.4f} for {what} "
        f"(predicted {flow.predicted_label}); norms of dL/dh_t, first layer"
    )
    print(f"{'token':>14}  {'|dL/dh_t|':>10}  " + "  ".join(f"{d:>10}" for d in dirs) + f"  {'|dL/dx_t|':>10}")
    for t, tok in enumerate(flow.tokens):
        per_dir = "  ".join(f"{flow.hidden[(0, d)][t]:10.3e}" for d in dirs)
        print(f"{tok[:14]:>14}  {norms[t]:10.3e}  {per_dir}  {flow.inputs[t]:10.3e}")
    return 0


def cmd_stats(args: argparse.Namespace) -> int:
    """Describe every file; a refused file is reported and the next one read. Return the worst status."""
    worst = 0
    for f in args.files:
        try:
            info = describe_file(f, name=f, progress=PROGRESS)
        except (DataFormatError, OSError) as e:
            PROGRESS.end()
            print(f"error: {file_error(e, f)}", file=sys.stderr)
            worst = 2
            continue
        problems = info.pop("problems", [])
        print(f"{f}:")
        for k, v in info.items():
            print(f"  {k}: {v}")
        print(f"  problems: {len(problems)}")
        for p in problems:
            print(f"    {p}")
        worst = max(worst, 1 if problems else 0)
    return worst


def file_error(e: Exception, path: str | None = None) -> str:
    """One line for an error about a file: the reader's sentence, or what the system said, with the path."""
    if isinstance(e, FileNotFoundError):
        return f"no such file: {e.filename}" if e.filename else (str(e.args[0]) if e.args else f"no such file: {path}")
    if isinstance(e, OSError):
        return f"cannot read {e.filename or path}: {e.strerror or e}"
    return str(e)


def parse_span(text: str) -> tuple[int, int]:
    """Parse "I:J" into two ints; the range is checked against the sentence later."""
    first, colon, last = text.partition(":")
    try:
        if not colon:
            raise ValueError
        return int(first), int(last)
    except ValueError as e:
        raise CliError(f"--span must be I:J, two token indices with the end exclusive (e.g. 2:4), got {text!r}") from e


def check_top(k: int) -> int:
    if k < 1:
        raise CliError(f"--top must be at least 1, got {k}")
    return k


def cmd_units(args: argparse.Namespace) -> int:
    from seqcore.attribution import rank_units
    from seqcore.inference import Predictor

    top = check_top(args.top)
    span = parse_span(args.span) if args.span else None
    pred = Predictor.load(args.model)
    ranking = rank_units(pred, args.text, aspect=args.aspect, token=args.token, target=args.target, span=span)
    rows = ranking.ranked(by="change" if span else "relevance", top=top)
    if args.json:
        print(json.dumps({"units": [r.to_dict() for r in rows]}, indent=1))
        return 0
    what = f"change over tokens {span[0]}:{span[1]}" if span else f"relevance to logit({ranking.target})"
    print(f"{ranking.item}: logit({ranking.target}) = {ranking.logit:.4f}; units ranked by {what}")
    print(f"{'rank':>4}  {'layer':>5}  {'direction':>9}  {'unit':>4}  {'score':>8}  {'contribution':>12}")
    for k, r in enumerate(rows, start=1):
        print(f"{k:4d}  {r.layer:5d}  {r.direction:>9}  {r.unit:4d}  {r.score:8.4f}  {r.contribution:+12.4f}")
    return 0


def cmd_search(args: argparse.Namespace) -> int:
    from seqcore.inference import Predictor
    from seqcore.search import corpus_states, find_pattern, search, text_states
    from seqcore.tasks import corpus_examples

    top = check_top(args.top)
    span = parse_span(args.span)
    pred = Predictor.load(args.model)  # one sentence on the interactive device; the corpus on pred.batch_model
    query = text_states(pred, args.text)
    pattern = find_pattern(query, span, args.threshold, layer=args.layer, direction=args.direction)
    examples, problems = corpus_examples(pred.task, args.data)
    for p in problems[:20]:
        print(f"warning: {p}", file=sys.stderr)
    matches = search(corpus_states(pred.batch_model, pred.encoder, examples), pattern, top) if len(pattern) else []
    if args.json:
        out = {"units": pattern.units, "matches": [m.to_dict() for m in matches], "threshold": pattern.threshold}
        print(json.dumps(out, indent=1, ensure_ascii=False))
        return 0
    words = " ".join(pattern.tokens)
    if not len(pattern):
        print(
            f"no unit is on over tokens {span[0]}:{span[1]} {words!r} and off just before at threshold {args.threshold}; try a lower --threshold"
        )
        return 0
    print(
        f"pattern: {len(pattern)} units on over tokens {span[0]}:{span[1]} {words!r} (threshold {args.threshold}); {len(examples)} sentences searched"
    )
    for m in matches:
        marked = m.tokens[: m.start] + ["[[" + " ".join(m.tokens[m.start : m.end]) + "]]"] + m.tokens[m.end :]
        print(f"{m.score:.3f}  {m.units_matched:3d}/{len(pattern)} units  {m.id}: {' '.join(marked)}")
    return 0


def cmd_saliency(args: argparse.Namespace) -> int:
    from seqcore.attribution import saliency
    from seqcore.inference import Predictor

    if args.steps < 1 or args.max_steps < args.steps:
        raise CliError(f"--steps must be at least 1 and at most --max-steps ({args.max_steps}), got {args.steps}")
    pred = Predictor.load(args.model)
    sal = saliency(
        pred, args.text, aspect=args.aspect, token=args.token, target=args.target, steps=args.steps, max_steps=args.max_steps
    )
    if args.json:
        print(json.dumps(sal.to_dict(), indent=1, ensure_ascii=False))
        return 0
    print(f"{sal.item}: logit({sal.target}) = {sal.logit:.4f}, at the padding baseline {sal.baseline_logit:.4f}")
    print(f"{'token':>16}  {'integrated gradients':>20}  {'gradient x input':>16}")
    for tok, a, g in zip(sal.tokens, sal.attributions, sal.grad_x_input):
        print(f"{tok[:16]:>16}  {a:+20.4f}  {g:+16.4f}")
    print(
        f"sum {sal.attributions.sum():+.4f} = logit - baseline {sal.logit - sal.baseline_logit:+.4f} "
        f"within {100 * sal.completeness_error:.3f}% after {sal.steps} steps"
        + ("" if sal.converged else f" (NOT within 1%: raise --max-steps above {args.max_steps})")
    )
    return 0


COMMANDS = {
    "train": cmd_train,
    "evaluate": cmd_evaluate,
    "predict": cmd_predict,
    "trace": cmd_trace,
    "stats": cmd_stats,
    "gradflow": cmd_gradflow,
    "units": cmd_units,
    "search": cmd_search,
    "saliency": cmd_saliency,
}


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; user errors print one line and return 2."""
    args = build_parser().parse_args(argv)
    try:
        return COMMANDS[args.command](args)
    except NonFiniteLossError as e:
        print(f"error: {e}", file=sys.stderr)
        return 2
    except (CliError, DataFormatError, CheckpointError, OSError, ValueError) as e:
        PROGRESS.end()
        print(f"error: {file_error(e)}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130


def run() -> None:
    """Console entry point (`seqcore ...`): the same as `python -m seqcore ...`."""
    code = main()
    gc.freeze()  # exit without the collector sweeping every object of torch and spaCy: about 1 s saved
    sys.exit(code)
