"""`python -m seqcore`: train, evaluate, predict, trace and check data files from the shell.

One module per command group: `train`; `ask` (evaluate, predict, trace, gradflow); `data` (stats);
`why` (units, search, saliency); `variants` (the cell lab); `embed` (skipgram, neighbors); `common` holds what they share.
"""

from __future__ import annotations

import argparse
import gc
import sys
from collections.abc import Callable, Sequence

from seqcore.checkpoints import CheckpointError
from seqcore.cli import ask, data, embed, train, variants, why
from seqcore.cli.common import PROGRESS, CliError, ProgressLine, file_error
from seqcore.cli.train import settings_from_args
from seqcore.readers import DataFormatError
from seqcore.training import NonFiniteLossError

__all__ = ["CliError", "ProgressLine", "build_parser", "main", "run", "settings_from_args"]

GROUPS = (train, ask, data, why, variants, embed)
COMMANDS: dict[str, Callable[[argparse.Namespace], int]] = {name: cmd for group in GROUPS for name, cmd in group.COMMANDS.items()}


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m seqcore", description="Train and look inside GRU, LSTM and RNN models on real text."
    )
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for group in GROUPS:
        group.add_parsers(sub)
    return parser


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
