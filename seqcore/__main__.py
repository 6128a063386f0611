"""Entry point of `python -m seqcore`."""

from seqcore.cli import run

run()
