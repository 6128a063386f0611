"""User strings shown as text: escape them before they reach anything that renders Markdown or HTML.

Streamlit renders GitHub-flavoured Markdown (plus math, colour directives and emoji codes) in
`st.markdown`, `st.caption`, `st.success`/`info`/`warning`/`error`, titles and headers, metric
labels and values, widget labels, radio options, progress texts and tooltips. A file name, a
sentence, a sentence id, an aspect term, a category, a class label or a model name that reaches
one of them unescaped is markup: `![x](http://host/x.png)` becomes an image the browser fetches.

- `plain(value)` is the text of any value, safe to put inside Markdown: every character that can
  start Markdown, HTML, math, a directive or an autolink is backslash-escaped (CommonMark renders an
  escaped ASCII punctuation character as itself), and line breaks become spaces. GitHub's bare-URL
  links (`http://...`, `www.`, `name@host`) are found in the text after escapes are resolved, so no
  escape stops them: a zero-width space (U+200B) goes after `://`, after `www` and after `@`. The text
  reads the same; a URL copied from the page carries that invisible character.
- `html_text(value)` is the same for text placed inside raw HTML (`unsafe_allow_html=True`): HTML
  escaping plus numeric entities for Markdown's characters, which render as themselves whether
  the surrounding block ends up parsed as HTML or as Markdown.

Plain-text components (`st.dataframe` cells, selectbox and multiselect options, `st.code`,
`st.text`, download file names) need neither.
"""

from __future__ import annotations

import html
import re

# Characters that open Markdown (emphasis, code, links, images, headings, quotes, tables), raw HTML and
# autolinks (<...>, emails), entities (&), math ($) and Streamlit's directives and emoji codes (:...:).
_MARKUP = re.compile(r"([\\`*_~\[\]<>#+!|$:&@{}])")
_LINE_START = re.compile(r"^(\s*)(\d{1,9})([.)])|^(\s*)([-=.])")  # an ordered or bulleted list, a rule
_BARE_LINK = re.compile(r"(?i)(https?\\?:|\bwww(?=\.)|\\?@)")  # GFM makes these links with no markup: break them
_BREAKS = re.compile(r"[\r\n\u2028\u2029]+")
ZWSP = "\u200b"


def break_bare_links(text: str) -> str:
    """Put a zero-width space where GitHub's Markdown would turn bare text into a link (after `://`, `www`, `@`)."""
    return _BARE_LINK.sub(lambda m: m[1] + ZWSP, text)


def plain(value: object) -> str:
    """Return `value` as text that Streamlit's Markdown shows literally: no link, image, HTML or formatting."""
    text = _BREAKS.sub(" ", str(value))
    text = break_bare_links(_MARKUP.sub(r"\\\1", text))
    return _LINE_START.sub(lambda m: f"{m[1]}{m[2]}\\{m[3]}" if m[2] else f"{m[4]}\\{m[5]}", text, count=1)


_EVERY_MARKUP = re.compile(r"([\\`*_~\[\]<>#+!|$:&@{}()=.-])")  # also what only matters at a line start


def md_plain(value: object) -> str:
    """Return `value` on one line with every character Markdown could read backslash-escaped, bare URLs broken.

    Stricter than `plain` (it escapes `( ) = . -` anywhere): for short strings (a class label, an aspect term,
    a value from a link) shown inside a sentence of a caption or a note.
    """
    return break_bare_links(_EVERY_MARKUP.sub(r"\\\1", re.sub(r"\s+", " ", str(value))))


# One character at a time: HTML's own five, then every character Markdown could read, as numeric entities.
_ENTITIES = {**{c: html.escape(c, quote=True) for c in "<>&\"'"}, **{c: f"&#{ord(c)};" for c in "\\`*_~[]#+!|$:@{}().-="}}


def html_text(value: object) -> str:
    """Return `value` as text for raw HTML: escaped for HTML, and no character left that Markdown reads."""
    text = break_bare_links(_BREAKS.sub(" ", str(value)))
    return "".join(_ENTITIES.get(c, c) for c in text)
