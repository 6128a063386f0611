"""Entry point of `python -m seqcore`."""

import sys

from seqcore.cli import main

sys.exit(main())
