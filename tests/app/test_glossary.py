"""Words a student knows (issue 21): docs/glossary.md and the app's tooltips come from one place, ui/glossary.py;
every page links the glossary (the sidebar's) and puts each term's sentence in a tooltip on the term's page."""

from __future__ import annotations

import re

import pytest
from streamlit.testing.v1 import AppTest

from tests.app.appdata import APP, ROOT
from ui import glossary

PAGE_FILES = {url: path for path, _, _, url in __import__("app_script").PAGES}


def helps(at: AppTest) -> list[str]:
    """Every help tooltip the run drew (titles, headers, captions, metrics, widgets), main area and sidebar."""
    found: list[str] = []

    def walk(node) -> None:
        text = getattr(getattr(node, "proto", None), "help", "")
        if text:
            found.append(str(text))
        for child in getattr(node, "children", {}).values():
            walk(child)

    walk(at._tree)
    return found


def test_the_docs_glossary_is_written_from_the_apps():
    assert (ROOT / "docs" / "glossary.md").read_text(encoding="utf-8") == glossary.markdown(), (
        "docs/glossary.md differs from ui/glossary.py: run python tools/glossary.py"
    )


def test_each_term_is_one_plain_sentence_with_a_page():
    assert len({t.term for t in glossary.TERMS}) == len(glossary.TERMS)
    for t in glossary.TERMS:
        assert t.meaning.endswith(".") and not re.search(r"[.!?] [A-Z]", t.meaning), f"{t.term}: one sentence"
        assert len(t.meaning) < 200, f"{t.term}: a plain sentence is short"
        assert t.page in PAGE_FILES and t.page in glossary.PAGE_TITLES
    for term in ("logit", "gradient x activation", "Jacobian", "nats", "macro-F1", "UPOS tags", "the Theano bug"):
        assert term in glossary.BY_TERM  # the words issue 21 found unexplained
    assert {"tolerance (1e-5)", "layer-direction", "SEQCORE_DEVICE"} <= set(glossary.BY_TERM)
    with pytest.raises(KeyError, match="not in the glossary"):
        glossary.tip("flux capacitor")


@pytest.mark.parametrize("page", list(PAGE_FILES))
def test_every_page_links_the_glossary_and_explains_its_terms_where_they_appear(page):
    """On the shipped models and data/: the sidebar's glossary on every page, and each of the page's terms in a tooltip
    with the glossary's very sentence."""
    at = AppTest.from_file(APP, default_timeout=180)
    at.run()
    at.switch_page(PAGE_FILES[page]).run()
    assert not at.exception, [e.value for e in at.exception]
    expanders = [e for e in at.sidebar.expander if "Glossary" in e.label]
    assert len(expanders) == 1, "the sidebar's glossary is on every page"
    listed = "\n".join(str(m.value) for m in expanders[0].markdown)
    assert all(f"**{t.term}**: {t.meaning}" in listed for t in glossary.TERMS)
    tips = "\n".join(helps(at))
    missing = [t.term for t in glossary.TERMS if t.page == page and f"**{t.term}**: {t.meaning}" not in tips]
    assert not missing, f"{page}: no tooltip explains {missing}"
