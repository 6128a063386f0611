"""See why: `units` (which units matter), `search` (where they fire again), `saliency` (which words drove the answer)."""

from __future__ import annotations

import argparse
import json
import sys

from seqcore.cli.common import CliError, add_focus_flags, add_read_flags, check_top, parse_span, read_options

IG_MAX_STEPS = 6400  # = seqcore.attribution.MAX_STEPS (not imported here: it loads torch; a test keeps them equal)


def add_parsers(sub) -> None:
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
        help="corpus: SemEval XML, aspect JSONL or ABSA text (aspect); CoNLL-U or word/tag lines (tagging); "
        "CSV, TSV or JSONL (their text column) or one sentence per line (sentiment)",
    )
    add_read_flags(p)
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
        default=IG_MAX_STEPS,
        metavar="N",
        help="double the steps up to this many until the attributions sum to the logit change within 1%% (default %(default)s)",
    )
    p.add_argument(
        "--json", action="store_true", help="print {tokens, attributions, target, logit, baseline_logit, method, ...} as JSON"
    )


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
    examples, problems = corpus_examples(pred.task, args.data, read_options(args))
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


COMMANDS = {"units": cmd_units, "search": cmd_search, "saliency": cmd_saliency}
