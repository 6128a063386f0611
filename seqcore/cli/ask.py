"""Ask a checkpoint: `evaluate` on labeled files, `predict` and `trace` one sentence, `gradflow` through time."""

from __future__ import annotations

import argparse
import json
import sys

from seqcore.checkpoints import load_checkpoint
from seqcore.cli.common import PROGRESS, CliError, add_read_flags, print_notes, read_options
from seqcore.corpora import check_protocol
from seqcore.device import device_for, full_float32
from seqcore.treebank import FINE_LABELS


def add_parsers(sub) -> None:
    p = sub.add_parser("evaluate", help="score a checkpoint on labeled data")
    p.add_argument("model", metavar="DIR", help="checkpoint folder")
    p.add_argument("--data", nargs="+", required=True, metavar="PATH", help="labeled files of the model's task")
    p.add_argument("--json", action="store_true", help="print the metrics as JSON")
    add_read_flags(p)
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


def cmd_evaluate(args: argparse.Namespace) -> int:
    from seqcore.scoring import evaluate
    from seqcore.tasks import load_examples

    ckpt = load_checkpoint(args.model, device_for("batch"))
    check_protocol(ckpt.card, args.data)  # an SST model is never scored on rt-polarity, nor the other way round
    view = "fine" if len(ckpt.encoder.labels) == len(FINE_LABELS) else "binary"  # SST files: the model's view
    notes: list[str] = []
    examples, problems = load_examples(ckpt.config.task, args.data, PROGRESS, read_options(args), notes, sst_view=view)
    for p in problems[:20]:
        print(f"warning: {p}", file=sys.stderr)
    print_notes(notes)
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


COMMANDS = {"evaluate": cmd_evaluate, "predict": cmd_predict, "trace": cmd_trace, "gradflow": cmd_gradflow}
