"""`stats`: what data files hold, and what was skipped or refused."""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any

from seqcore.cli.common import PROGRESS, add_read_flags, file_error, read_options
from seqcore.readers import DataFormatError, describe_file

MAX_SHOWN = 20  # distinct labels printed per file; the rest are counted ("... and N more")


def add_parsers(sub) -> None:
    p = sub.add_parser(
        "stats",
        help="count sentences, labels and problems in data files",
        description="Count what data files hold. Exit code: 0 when every file read cleanly, 1 when parts of a file "
        "were skipped or repaired (listed), 2 when a file was refused (missing, a folder, binary, not XML...). "
        "Notes (columns chosen, sentences numbered) are said once and are not problems.",
    )
    p.add_argument(
        "files",
        nargs="+",
        metavar="FILE",
        help="SemEval XML, CSV, TSV, JSONL, ABSA text, CoNLL-U (.conllu or .conllu.gz), word/tag or polarity text files",
    )
    p.add_argument(
        "--json",
        action="store_true",
        help="print one JSON object per file, one per line: source, kind, sentences, labels with counts, problems, notes; "
        'a refused file is {"source", "error"}',
    )
    add_read_flags(p)


def shown(counts: dict[str, Any], limit: int = MAX_SHOWN) -> str:
    """Counts as "a: 3, b: 2", at most `limit` of them, then "... and N more"."""
    items = list(counts.items())
    text = ", ".join(f"{k}: {v:,}" if isinstance(v, int) else f"{k} -> {v}" for k, v in items[:limit])
    return text + (f", … and {len(items) - limit:,} more" if len(items) > limit else "")


def print_human(f: str, info: dict[str, Any]) -> None:
    problems, notes = info.pop("problems", []), info.pop("notes", [])
    info.pop("source", None)
    label_map = {repr(w): repr(r) for w, r in info.pop("label_map", {}).items() if w != r}  # repr: spaces show
    print(f"{f}:")
    for k, v in info.items():
        if isinstance(v, dict):
            print(f"  {k} ({len(v):,} distinct): {shown(v) or 'none'}")
        elif v is not None:
            print(f"  {k}: {v}")
    if label_map:
        print(f"  labels read otherwise than written: {shown(label_map)}")
    for note in notes:
        print(f"  note: {note}")
    print(f"  problems: {len(problems)}")
    for p in problems:
        print(f"    {p}")


def cmd_stats(args: argparse.Namespace) -> int:
    """Describe every file; a refused file is reported and the next one read. Return the worst status."""
    worst = 0
    options = read_options(args)
    for f in args.files:
        try:
            info = describe_file(f, name=f, progress=PROGRESS, options=options)
        except (DataFormatError, OSError) as e:
            PROGRESS.end()
            print(f"error: {file_error(e, f)}", file=sys.stderr)
            if args.json:
                print(json.dumps({"source": f, "error": file_error(e, f)}, ensure_ascii=False))
            worst = 2
            continue
        worst = max(worst, 1 if info.get("problems") else 0)
        if args.json:
            print(json.dumps(info, ensure_ascii=False))
        else:
            print_human(f, info)
    return worst


COMMANDS = {"stats": cmd_stats}
