"""`stats`: what data files hold, and what was skipped or refused."""

from __future__ import annotations

import argparse
import sys

from seqcore.cli.common import PROGRESS, file_error
from seqcore.readers import DataFormatError, describe_file


def add_parsers(sub) -> None:
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


COMMANDS = {"stats": cmd_stats}
