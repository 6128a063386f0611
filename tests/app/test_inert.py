"""Markup is inert: uploads and typed text carrying Markdown images and links, HTML and scripts are shown as text.

Every element that Streamlit renders as Markdown (markdown, captions, messages, headers, metric labels and
values) must hold no bare link or image (`[..](..)` with unescaped brackets) and no HTML tag that could
fetch or run anything; the hostile text itself is there, escaped (`ui.plain`, or `ui.html_text` in HTML).
Tables show plain text, so they hold the raw strings.
"""

from __future__ import annotations

import re

from streamlit.testing.v1 import AppTest

from tests.app.appdata import (
    HOSTILE_CONLLU,
    HOSTILE_NAME,
    HOSTILE_TSV,
    IMG,
    LINK,
    SCRIPT,
    TAG,
    hostile_semeval,
)
from tests.app.test_pages import goto, texts
from ui.text import html_text, plain

MARKDOWN_KINDS = ("markdown", "caption", "success", "error", "warning", "info", "title", "header", "subheader")
BARE_LINK = re.compile(r"(?<!\\)\[[^\]]*(?<!\\)\]\(")  # [text](url) or ![alt](url) with live brackets
BARE_HTML = re.compile(r"(?<!\\)<\s*/?\s*(img|script|a|iframe|svg|object|embed|link|style|b)\b", re.I)
SENTENCE = f"The {IMG} soup {TAG} was {LINK} cold {SCRIPT} ."


def markdown_values(at: AppTest) -> list[str]:
    values = [str(e.value) for kind in MARKDOWN_KINDS for e in getattr(at, kind)]
    return values + [str(m.label) for m in at.metric] + [str(m.value) for m in at.metric]


def assert_inert(at: AppTest) -> None:
    assert not at.exception, [e.value for e in at.exception]
    for value in markdown_values(at):
        assert not BARE_LINK.search(value), f"a live Markdown link or image: {value!r}"
        assert not BARE_HTML.search(value), f"live HTML: {value!r}"


def test_a_hostile_review_file_on_the_aspects_page_is_text(app):
    at = app()
    goto(at, "2_aspects")
    at.radio(key="asp_how").set_value("Upload a file").run()
    at.file_uploader(key="asp_upload").set_value((HOSTILE_NAME, hostile_semeval(), "text/xml")).run()
    assert_inert(at)
    assert f"1 problem(s) in {plain(HOSTILE_NAME)}" in texts(at.warning)  # the file name, escaped
    problems = at.dataframe[0].value
    assert IMG + TAG in problems["sentence id"].iloc[0] and SCRIPT in problems["problem"].iloc[0]  # a table: raw text
    assert html_text(IMG) in texts(at.markdown)  # the sentence, its aspect term highlighted, in escaped HTML
    assert f"category {plain(f'{LINK}#{IMG}')}" in texts(at.caption)  # the NULL target's category
    assert ("duplicates merged", "1") in [(m.label, m.value) for m in at.metric]
    assert "1 duplicate annotations of a span" in texts(at.caption)
    assert plain(IMG + TAG) in texts(at.caption) or any(IMG in str(o) for o in at.selectbox(key="asp_sentence").options)
    at.text_input(key="asp_own").set_value(SENTENCE).run()  # your own sentence: terms in a table and a chart
    assert_inert(at)


def test_hostile_uploads_on_the_evaluation_train_and_tagging_pages_are_text(app):
    at = app()
    at.selectbox(key="model_key").set_value("shipped:tiny-aspect-lstm").run()
    goto(at, "4_evaluation")
    at.radio(key="eval_source").set_value("upload").run()
    at.file_uploader(key="eval_upload").set_value((HOSTILE_NAME, hostile_semeval(), "text/xml")).run()
    assert_inert(at)
    assert f"On {plain(HOSTILE_NAME)}" in texts(at.subheader)
    # CSV/TSV fields: a sentiment model on a labeled file whose texts and labels carry markup.
    at.selectbox(key="model_key").set_value("shipped:tiny-sentiment-gru").run()
    goto(at, "4_evaluation")
    at.radio(key="eval_source").set_value("upload").run()
    at.file_uploader(key="eval_upload").set_value((HOSTILE_NAME.replace(".xml", ".tsv"), HOSTILE_TSV, "text/plain")).run()
    assert_inert(at)
    assert "problem(s) in" in texts(at.warning)
    with_rows = [d.value for d in at.dataframe if "text" in d.value.columns]
    assert with_rows and any(IMG in t for d in with_rows for t in d["text"])
    # Train: the same files as training data.
    goto(at, "5_train")
    at.radio(key="train_task").set_value("aspect").run()
    at.radio(key="train_source_aspect").set_value("upload").run()
    at.file_uploader(key="train_upload_aspect").set_value((HOSTILE_NAME, hostile_semeval(), "text/xml")).run()
    assert_inert(at)
    assert "1 duplicate annotations of a span" in texts(at.caption)
    # Tagging: a CoNLL-U upload with hostile ids, words and tags, and a typed sentence.
    goto(at, "7_tagging")
    at.text_input(key="tag_sentence").set_value(SENTENCE).run()
    assert_inert(at)
    words = next(c.value for c in at.caption if c.value.startswith("Words: "))
    assert "soup" in words and "\\<" in words and "\\[" in words  # spaCy's tokens, each escaped
    at.radio(key="tag_how").set_value("Upload a CoNLL-U file").run()
    at.file_uploader(key="tag_upload").set_value((HOSTILE_NAME.replace(".xml", ".conllu"), HOSTILE_CONLLU, "text/plain")).run()
    assert_inert(at)


def test_typed_markup_on_every_sentence_page_is_text(app):
    at = app()
    for page, key in (("1_trajectory", "traj_sentence"), ("3_gates", "gates_sentence"), ("6_inside", "inside_sentence")):
        goto(at, page)
        at.text_input(key=key).set_value(SENTENCE).run()
        assert_inert(at)
    assert "Step at word" in texts(at.markdown)
