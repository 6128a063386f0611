"""The lesson in front of a class (issue 21): docs/teaching.md's links, and presenter mode on a 1280x720 projector.

- Every link of the lesson plan (parsed from docs/teaching.md, so the test follows the plan when its sentences or
  models change) opens in a fresh browser with no dialog, warning, error or exception box. A link naming a model
  that is not in models/ fails the test (the lesson's models ship with the project).
- Every page in presenter mode at 1280x720: a screenshot of each (presenter/N_page.png under screenshots/, or
  $SEQCORE_SCREENSHOTS_DIR: `python bench/screenshots.py` copies them to docs/screenshots/), and in every Plotly
  chart no two `text` boxes overlap, no text lies outside its chart, no chart text is under 18 px, and no text
  of the page is cut off with an ellipsis.
- The server's output during a training run and a memory-experiment run holds no warning (no "missing
  ScriptRunContext", no "No runtime found", no traceback).
"""

from __future__ import annotations

import re
import time
from pathlib import Path
from urllib.parse import parse_qs, quote_plus, urlparse

import pytest

from tests.app.appdata import ROOT
from tests.app.test_browser import ARGS, CHROMIUM, SALIENCY, SHOTS, App, serve
from ui.config import TRAIN_PRESETS

pytestmark = pytest.mark.browser

TEACHING = ROOT / "docs" / "teaching.md"
SHIPPED = {p.parent.name for p in (ROOT / "models").glob("*/card.json")}
PROJECTOR = {"width": 1280, "height": 720}
MIN_FONT_PX = 18
# Every page in presenter mode, with a shipped model of its task (a missing one: the page's default model).
PRESENTER_PAGES = [
    ("1_trajectory", "trajectory", "sst-lstm"),
    ("2_aspects", "aspects", "aspect-restaurants-lstm"),
    ("3_gates", "gates", "sentiment-lstm"),
    ("4_evaluation", "evaluation", "sentiment-lstm"),
    ("5_train", "train", None),
    ("6_inside", "inside", "sentiment-lstm"),
    ("7_tagging", "tagging", "pos-ewt-lstm"),
    ("8_gradients", "gradients", "sentiment-rnn"),
    ("9_pitfalls", "pitfalls", "sentiment-gru"),
    ("10_search", "search", "sentiment-lstm"),
    ("11_cell_lab", "cell-lab", None),
    ("12_projector", "projector", "sentiment-gru"),
]
# A long sentence (47 tokens, long words among them), on the pages that draw a chart per word without a click.
LONG_SENTENCE = (
    "This movie was not nearly as bad as the critics said, but the second half drags on far too long and the ending is "
    "a confusing mess that nobody will remember a week later even though the actors try their very best with "
    "extraordinarily incomprehensible dialogue"
)
LONG_VIEWS = [("gates", "sst-lstm"), ("gradients", "sentiment-rnn"), ("tagging", "pos-ewt-lstm")]
# Boxes that say something went wrong (Streamlit's alerts other than info and success, exceptions, dialogs).
TROUBLE = (
    '[role="dialog"], [data-testid="stException"], [data-testid="stAlertContentWarning"], [data-testid="stAlertContentError"]'
)
# What our own threads and processes must never print into the server's terminal.
NOISE = re.compile(r"ScriptRunContext|No runtime found|Traceback|Warning|WARNING|Error", re.I)

# Overlap and clipping of a chart's text, measured where the browser drew it (Plotly draws SVG `text`).
CHART_TEXT = """() => [...document.querySelectorAll('[data-testid="stMain"] .js-plotly-plot')]
  .filter(gd => gd.offsetParent !== null).map(gd => {
  const box = gd.getBoundingClientRect();
  const texts = [...gd.querySelectorAll('svg text')].filter(t => {
    const s = getComputedStyle(t), r = t.getBoundingClientRect();
    return t.textContent.trim() && r.width > 0 && r.height > 0 && s.display !== 'none' && s.visibility !== 'hidden'
      && s.opacity !== '0' && !t.closest('.hoverlayer, .modebar, .legendtoggle');
  }).map(t => { const r = t.getBoundingClientRect();
    return {text: t.textContent, x0: r.left, y0: r.top, x1: r.right, y1: r.bottom,
            px: parseFloat(getComputedStyle(t).fontSize)}; });
  return {box: {x0: box.left, y0: box.top, x1: box.right, y1: box.bottom}, texts};
})"""
# Text cut off with an ellipsis by CSS (a metric's caption, a selectbox's value, a tab's title).
ELLIPSIS = """() => [...document.querySelectorAll('[data-testid="stMain"] *, [data-testid="stSidebar"] *')].filter(e => {
  const s = getComputedStyle(e);
  return s.textOverflow === 'ellipsis' && e.scrollWidth > e.clientWidth + 1 && e.offsetParent !== null
    && e.textContent.trim();
}).map(e => e.textContent.trim().slice(0, 80))"""


def lesson_links() -> list[str]:
    """The lesson plan's links (path and query), in order, as docs/teaching.md writes them."""
    return re.findall(r"\]\(http://127\.0\.0\.1:8501(/[^)\s]*)\)", TEACHING.read_text(encoding="utf-8"))


def link_model(link: str) -> str | None:
    return parse_qs(urlparse(link).query).get("model", [None])[0]


def chart_problems(found: dict, slack: float = 1.0) -> list[str]:
    """Pairs of text boxes of one chart that overlap, texts outside the chart, and fonts under MIN_FONT_PX."""
    box, texts, out = found["box"], found["texts"], []
    for t in texts:
        if (
            t["x0"] < box["x0"] - slack
            or t["y0"] < box["y0"] - slack
            or t["x1"] > box["x1"] + slack
            or t["y1"] > box["y1"] + slack
        ):
            out.append(f"clipped: {t['text']!r}")
        if t["px"] < MIN_FONT_PX - 0.01:
            out.append(f"{t['px']:g} px: {t['text']!r}")
    for i, a in enumerate(texts):
        for b in texts[i + 1 :]:
            w = min(a["x1"], b["x1"]) - max(a["x0"], b["x0"])
            h = min(a["y1"], b["y1"]) - max(a["y0"], b["y0"])
            if w > slack and h > slack:
                out.append(f"overlap: {a['text']!r} and {b['text']!r}")
    return out


def test_chart_problems_finds_overlap_clipping_and_small_text():
    """The check itself: it must be able to fail."""
    box = {"x0": 0, "y0": 0, "x1": 100, "y1": 100}
    ok = {"text": "a", "x0": 10, "y0": 10, "x1": 30, "y1": 30, "px": 18}
    assert chart_problems({"box": box, "texts": [ok, {**ok, "text": "b", "x0": 40, "x1": 60}]}) == []
    problems = chart_problems(
        {
            "box": box,
            "texts": [ok, {**ok, "text": "b", "x0": 20}, {**ok, "text": "c", "x0": 90, "x1": 120, "y0": 50, "y1": 60, "px": 12}],
        }
    )
    assert problems == ["clipped: 'c'", "12 px: 'c'", "overlap: 'a' and 'b'"]
    assert lesson_links(), "docs/teaching.md has no link to http://127.0.0.1:8501"


def wait_drawn(app: App, page) -> None:
    app.idle(timeout=180)
    page.locator("h1").first.wait_for(timeout=120_000)
    app.idle(timeout=180)
    time.sleep(1.0)  # charts settle at their final size


def trouble(page) -> list[str]:
    boxes = page.locator(TROUBLE)
    found = [boxes.nth(i).inner_text()[:200] for i in range(boxes.count())]
    text = page.locator('[data-testid="stMain"]').inner_text()
    if "could not be followed" in text:
        found.append("a link setting was refused: " + text[text.index("could not be followed") :][:200])
    return found


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    folder = tmp_path_factory.mktemp("lesson")
    with serve(folder) as (url, _):
        yield url, folder / "streamlit.log"


def test_every_lesson_link_opens_clean(server, capsys):
    from playwright.sync_api import sync_playwright

    url, _ = server
    links = ["/", "/trajectory", *lesson_links()]
    runnable = [link for link in links if link_model(link) in (None, *SHIPPED)]
    skipped = [link for link in links if link not in runnable]
    assert not skipped, f"lesson links name models that are not in models/: {skipped}"  # the lesson's models ship
    problems = {}
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=ARGS)
        try:
            for link in runnable:
                context = browser.new_context(viewport=PROJECTOR)
                page = context.new_page()
                page.set_default_timeout(120_000)
                page.goto(url + link, wait_until="domcontentloaded")
                wait_drawn(App(page, SHOTS), page)
                found = trouble(page)
                if "present=1" in link and not page.get_by_text("Presenter mode").count():
                    found.append("no presenter switch")
                if link_model(link) and link_model(link) not in page.url:
                    found.append(f"the page did not keep model={link_model(link)}")
                if found:
                    problems[link] = found
                context.close()
        finally:
            browser.close()
    assert not problems, problems
    with capsys.disabled():
        print(f"\nlesson links opened clean: {len(runnable)}; skipped (model not in models/): {skipped or 'none'}")


def test_the_presenter_check_covers_every_page():
    pages = __import__("app_script").PAGES
    checked = [name for name, *_ in PRESENTER_PAGES]
    assert sorted(Path(path).stem for path, *_ in pages) == sorted(checked)
    assert sorted(url for *_, url in pages) == sorted(path for _, path, _ in PRESENTER_PAGES)


def presenter_views() -> list[tuple[str, str]]:
    """(screenshot name, link) for every page in presenter mode on its default sentence, then every presenter link of
    the lesson plan (what a teacher projects, on the lesson's own sentences)."""
    views = []
    for name, path, model in PRESENTER_PAGES:
        views.append((name, f"/{path}?model={model}&present=1" if model in SHIPPED else f"/{path}?present=1"))
    lesson = [link for link in lesson_links() if "present=1" in link]
    views += [(f"lesson_{k + 1}_{urlparse(link).path.strip('/')}", link) for k, link in enumerate(lesson)]
    long = quote_plus(LONG_SENTENCE)  # a student's long sentence: its words thinned, never run together
    views += [(f"long_{path}", f"/{path}?model={model}&present=1&text={long}") for path, model in LONG_VIEWS]
    return views


def test_presenter_mode_on_a_projector(server, capsys):
    from playwright.sync_api import sync_playwright

    url, log = server
    shots = SHOTS / "presenter"
    shots.mkdir(parents=True, exist_ok=True)
    problems: dict[str, list[str]] = {}
    views = presenter_views()
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=ARGS)
        try:
            for name, link in views:
                context = browser.new_context(viewport=PROJECTOR)
                page = context.new_page()
                page.set_default_timeout(120_000)
                page.goto(url + link, wait_until="domcontentloaded")
                app = App(page, shots)
                wait_drawn(app, page)
                if link.startswith("/trajectory"):  # the charts behind a click too: before and after, and word saliency
                    page.get_by_role("button", name="Suggest an edit (flip the negation)").click()
                    app.idle(timeout=180)
                    app.toggle(SALIENCY, "Completeness", timeout=300)
                    time.sleep(1.0)
                found = trouble(page)
                for i, drawn in enumerate(page.evaluate(CHART_TEXT)):
                    found += [f"chart {i}: {p}" for p in chart_problems(drawn)]
                found += [f"cut off: {t!r}" for t in page.evaluate(ELLIPSIS)]
                if found:
                    problems[name] = found
                app.shot(f"{name}_presenter", tallest=9000)
                context.close()
        finally:
            browser.close()
    with capsys.disabled():
        print(
            f"\npresenter mode checked on {len(views)} views (every page, every lesson link, a long sentence); screenshots: {shots}"
        )
    assert not problems, "\n".join(f"{k}: {v}" for k, v in problems.items())


def test_training_and_the_experiment_leave_the_terminal_quiet(tmp_path):
    """One training run and one memory-experiment run, in their own server: its output holds no warning."""
    from playwright.sync_api import sync_playwright

    with serve(tmp_path) as (url, _), sync_playwright() as pw:
        log = tmp_path / "streamlit.log"
        browser = pw.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=ARGS)
        try:
            page = browser.new_context(viewport=PROJECTOR).new_page()
            page.set_default_timeout(120_000)
            app = App(page, tmp_path)
            page.goto(f"{url}/train", wait_until="domcontentloaded")
            wait_drawn(app, page)
            before = log.read_text()
            page.locator('[data-testid="stMain"]').get_by_text(re.compile(r"^quick: ")).click()  # the quick preset
            app.idle()
            assert page.get_by_label("Epochs (at most)").input_value() == str(TRAIN_PRESETS["quick"]["epochs"])
            page.get_by_role("button", name="Start training").click()
            app.wait_text("finished in", timeout=300)
            page.goto(f"{url}/gradients", wait_until="domcontentloaded")
            wait_drawn(app, page)
            page.get_by_role("button", name="Run the experiment").click()
            app.wait_text("Measured", timeout=600)
            app.idle()
            during = log.read_text()[len(before) :]
        finally:
            browser.close()
    noise = [line for line in during.splitlines() if NOISE.search(line)]
    assert not noise, "\n".join(noise[:20])
    assert Path(log).exists()
