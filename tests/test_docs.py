"""The README stays short and true: two commands first, the same test command as CI, links that resolve."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
README = ROOT / "README.md"
LINK = re.compile(r"\]\(([^)#\s]+)(?:#[^)]*)?\)")


def readme_commands() -> list[str]:
    block = README.read_text(encoding="utf-8").split("```bash\n", 1)[1].split("```", 1)[0]
    return [line.split("  #", 1)[0].strip() for line in block.splitlines() if line.strip()]


def test_the_readme_starts_with_the_two_commands_and_stays_short():
    text = README.read_text(encoding="utf-8")
    assert len(text.splitlines()) <= 250
    assert text.index("```bash") < text.index("\n## ")  # before any section
    app, tests = readme_commands()
    assert app == "pip install -r requirements.lock && streamlit run app.py"
    assert tests == "pip install -r requirements-dev.lock && python -m pytest"


def test_ci_runs_exactly_the_readmes_test_command():
    ci = [line.strip() for line in (ROOT / ".ci" / "run").read_text().splitlines()]
    assert ci[-1] == readme_commands()[1]


def test_every_relative_link_of_the_readme_and_docs_resolves():
    pages = [README, *sorted((ROOT / "docs").glob("*.md"))]
    broken = [
        f"{page.relative_to(ROOT)}: {target}"
        for page in pages
        for target in LINK.findall(page.read_text(encoding="utf-8"))
        if not target.startswith(("http://", "https://", "mailto:")) and not (page.parent / target).exists()
    ]
    assert broken == []


def test_the_readme_links_every_docs_page():
    linked = set(LINK.findall(README.read_text(encoding="utf-8")))
    missing = [p.name for p in sorted((ROOT / "docs").glob("*.md")) if f"docs/{p.name}" not in linked]
    assert missing == []
