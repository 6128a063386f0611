"""Write docs/glossary.md from ui/glossary.py (the one place the glossary's sentences live): python tools/glossary.py

tests/app/test_glossary.py fails when docs/glossary.md differs from what this writes.
"""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def main() -> int:
    from ui.glossary import TERMS, markdown

    out = ROOT / "docs" / "glossary.md"
    out.write_text(markdown(), encoding="utf-8")
    print(f"{out.relative_to(ROOT)}: {len(TERMS)} terms")
    return 0


if __name__ == "__main__":
    sys.exit(main())
