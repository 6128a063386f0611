"""Markup is inert: no user string reaches Streamlit's Markdown unescaped.

`test_no_unescaped_text_reaches_markdown` reads the app's source (app.py, ui/, app_pages/) and checks
every call that renders Markdown: what it is given must be a literal, a number formatted as one,
or text passed through `ui.plain`. Anything else (a variable, a name, an f-string around a value)
fails, unless the line says `# markup: <why it is trusted>`.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

from tests.app.appdata import ROOT
from ui.text import ZWSP, html_text, plain

SOURCES = [
    ROOT / "app.py",
    ROOT / "app_script.py",
    *sorted((ROOT / "ui").glob("*.py")),
    *sorted((ROOT / "app_pages").glob("*.py")),
]

# Calls whose first argument (or keyword) is rendered as Markdown by Streamlit.
MESSAGES = {"markdown", "write", "caption", "success", "info", "warning", "error", "toast", "title", "header", "subheader"}
WIDGETS = {
    "button",
    "download_button",
    "checkbox",
    "toggle",
    "radio",
    "selectbox",
    "multiselect",
    "text_input",
    "text_area",
    "number_input",
    "slider",
    "select_slider",
    "file_uploader",
    "expander",
    "popover",
    "form_submit_button",
}
# Which argument positions / keywords hold Markdown, per call name.
MARKDOWN_ARGS: dict[str, tuple[tuple[int, ...], tuple[str, ...]]] = {
    **{name: ((0,), ("body",)) for name in MESSAGES},
    **{name: ((0,), ("label",)) for name in WIDGETS},
    "metric": ((0, 1, 2), ("label", "value", "delta")),
    "progress": ((1,), ("text",)),
    "page_link": ((), ("label",)),
    "chart": ((1,), ("caption",)),  # ui.chart(fig, caption)
    "table": ((), ("caption",)),  # ui.table(..., caption=...)
    "point_to_train": ((0, 1), ("message", "link")),
    "sentence_input": ((1,), ("label",)),
    "download": ((3,), ("label",)),
    "pick_data": ((), ("upload_label", "radio_label")),
    "clickable_chart": ((1,), ("caption",)),
    "word_range": ((2,), ("label", "help")),
    "ranked_unit_slider": ((2,), ("label",)),
    "edited_copy_input": ((2,), ("label",)),
    "window": ((0,), ("label",)),
}
NUMERIC_SPEC = re.compile(r".*[,dfFeEgG%n]$")  # a format a string cannot take: the value is a number
SAFE_CALLS = {
    "plain",
    "md_plain",
    "inert",
    "skipped_text",
    "len",
    "int",
    "float",
    "round",
}  # the escaping helpers of ui, and numbers
MARKER = "# markup:"


def _name(func: ast.expr) -> str | None:
    if isinstance(func, ast.Attribute):
        return func.attr
    if isinstance(func, ast.Name):
        return func.id
    return None


def safe(node: ast.expr) -> bool:
    """Whether an expression can only produce literal text, numbers, or escaped text."""
    if isinstance(node, ast.Constant):
        return True
    if isinstance(node, ast.JoinedStr):
        return all(safe(v) for v in node.values)
    if isinstance(node, ast.FormattedValue):
        spec = node.format_spec
        if spec is not None and isinstance(spec, ast.JoinedStr):
            text = "".join(v.value for v in spec.values if isinstance(v, ast.Constant))
            if NUMERIC_SPEC.match(text) and node.conversion == -1:
                return True
        return node.conversion == -1 and safe(node.value)
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add):
        return safe(node.left) and safe(node.right)
    if isinstance(node, ast.IfExp):
        return safe(node.body) and safe(node.orelse)
    if isinstance(node, ast.BoolOp):
        return all(safe(v) for v in node.values)
    if isinstance(node, ast.Call):
        name = _name(node.func)
        if name in SAFE_CALLS:
            return True
        # "sep".join(<safe> for ...)
        if (
            name == "join"
            and isinstance(node.func, ast.Attribute)
            and isinstance(node.func.value, ast.Constant)
            and len(node.args) == 1
            and isinstance(node.args[0], (ast.GeneratorExp, ast.ListComp))
        ):
            return safe(node.args[0].elt)
    return False


def unescaped_calls(path: Path) -> list[str]:
    source = path.read_text(encoding="utf-8")
    lines = source.splitlines()
    found = []
    for node in ast.walk(ast.parse(source)):
        if not isinstance(node, ast.Call):
            continue
        name = _name(node.func)
        positions, keywords = MARKDOWN_ARGS.get(name or "", ((), ()))
        args = [node.args[i] for i in positions if i < len(node.args) and not isinstance(node.args[i], ast.Starred)]
        args += [k.value for k in node.keywords if k.arg in keywords or k.arg == "help"]
        if name in {"title", "header"} and not node.args and not node.keywords:
            continue  # str.title()
        for arg in args:
            span = lines[node.lineno - 1 : (node.end_lineno or node.lineno)]
            if not safe(arg) and not any(MARKER in line for line in span):
                found.append(f"{path.relative_to(ROOT)}:{arg.lineno}: {name}({ast.unparse(arg)[:90]})")
    return found


def test_the_checker_catches_what_it_should():
    def check(code: str) -> bool:
        call = ast.parse(code).body[0].value  # type: ignore[attr-defined]
        return all(safe(a) for a in call.args)

    assert check('st.caption("constant")') and check('st.caption(f"{n:,} rows, {p:.1%}")')
    assert check('st.error(f"{plain(name)} could not be read")') and check('st.info("a" + plain(x))')
    assert check('st.caption("; ".join(plain(k) for k in items))')
    assert not check('st.caption(f"{name} could not be read")')
    assert not check("st.caption(name)") and not check('st.caption(f"{plain(a)!r}")')
    assert not check('st.caption(f"{name:>10}")') and not check('st.caption("; ".join(items))')


@pytest.mark.parametrize("path", SOURCES, ids=lambda p: str(p.relative_to(ROOT)))
def test_no_unescaped_text_reaches_markdown(path):
    found = unescaped_calls(path)
    assert not found, "text reaches Markdown without ui.plain (or a '# markup: why' note):\n" + "\n".join(found)


@pytest.mark.parametrize(
    "hostile",
    [
        "![f](http://HOST/x.png).xml",
        "[click](javascript:alert(1))",
        "<img src=http://HOST/y.png>",
        "<script>alert(1)</script>",
        "**bold** _it_ ~~gone~~ `code`",
        "$x^2$ :red[red] :material/star: :smile:",
        "# heading",
        "1. first",
        "- item",
        "www.example.com and user@example.com and https://example.com",
        "a\\b &amp; | table |",
        "two\nlines",
    ],
)
def test_plain_and_html_text_leave_no_markup(hostile):
    escaped = plain(hostile)
    unescaped = re.sub(r"\\(.)", r"\1", escaped).replace(ZWSP, "")
    assert unescaped == hostile.replace("\n", " ")  # every character is still there, only escaped
    assert not re.search(r"(?<!\\)[\[\]<>`*_~$:&@!#|]", escaped)  # no markup character left bare
    assert not re.match(r"\s*(\d+[.)]|[-=+*>#])", escaped)
    assert "www." not in escaped.lower() and not re.search(r"https?\\?://|@\w", escaped, re.I)  # no bare link
    as_html = html_text(hostile)
    assert not re.search(r"[<>\[\]()`*_~$:@!#|\\\n]", re.sub(r"&#?\w+;", "", as_html))
    import html

    assert html.unescape(as_html).replace(ZWSP, "") == hostile.replace("\n", " ")
