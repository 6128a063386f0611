"""docs/teaching.md's "The turn, measured" is what the shipped SST models answer: every number recomputed here."""

from __future__ import annotations

import re
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "bench"))

import lesson_turns  # noqa: E402

DOC = ROOT / "docs" / "teaching.md"
PAIR = re.compile(r"^(\(start\)|[01]\.\d\d) → ([01]\.\d\d)$")
SHIPPED = all((ROOT / "models" / m / "card.json").is_file() for m in lesson_turns.SST_MODELS)


def documented() -> dict[tuple[str, str, str], tuple[float | None, float]]:
    """(sentence, clause, model) -> (before, after), read from the section's table."""
    text = DOC.read_text(encoding="utf-8")
    section = text[text.index("## The turn, measured") :]
    lines = [line for line in section.splitlines() if line.startswith("| ")]
    header = [c.strip() for c in lines[0].strip("|").split("|")]
    models = [h.split(":")[0] for h in header[2:]]
    out = {}
    for line in lines[1:]:
        cells = [c.strip() for c in line.strip("|").split("|")]
        sentence, clause = cells[0], cells[1].strip("*")
        for model, cell in zip(models, cells[2:]):
            m = PAIR.match(cell)
            assert m, f"not a measured pair: {cell!r}"
            before = None if m.group(1) == "(start)" else float(m.group(1))
            out[(sentence, clause, model)] = (before, float(m.group(2)))
    return out


@pytest.mark.skipif(not SHIPPED, reason="the SST models are not shipped")
def test_every_lesson_sentence_is_measured_and_every_number_holds():
    rows = lesson_turns.measure([ROOT / "models" / m for m in lesson_turns.SST_MODELS], lesson_turns.lesson_sentences())
    docs = documented()
    measured = {(r["sentence"], r["clause"], r["model"]): (r["before"], r["after"]) for r in rows}
    assert set(measured) == set(docs)
    assert {s for s, _, _ in docs} == set(lesson_turns.lesson_sentences())  # each lesson sentence has a turn
    for key, (before, after) in measured.items():
        doc_before, doc_after = docs[key]
        assert (before is None) == (doc_before is None), key
        assert before is None or abs(before - doc_before) <= 0.011, key
        assert abs(after - doc_after) <= 0.011, key
