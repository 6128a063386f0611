"""Own data in a real browser: upload a CSV on the Train page, pick its two columns, train one epoch.

The CSV's header names no known column (notes, verdict, source) and two of its columns could be the
label, so the reader cannot guess: the column boxes start empty and the reader picks them. Uses the
server and the Chromium helpers of tests/app/test_browser.py; fails on any request that leaves the machine.
"""

from __future__ import annotations

from urllib.parse import urlparse

import pytest

from tests.app.test_browser import ARGS, CHROMIUM, LOOPBACK, SHOTS, App, serve

pytestmark = pytest.mark.browser

WORDS = ["food", "soup", "wine", "room", "staff", "bill", "bread", "view", "music", "coffee", "pasta", "service"]
ROWS = ["notes,verdict,source"] + [
    f'"The {w} was {"lovely, really lovely" if i % 2 == 0 else "awful, truly awful"} this time",'
    f"{'pos' if i % 2 == 0 else 'neg'},{('web', 'app')[(i // 2) % 2]}"
    for i, w in enumerate(WORDS * 3)
]
CSV = ("\r\n".join(ROWS) + "\r\n").encode("utf-8")


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    with serve(tmp_path_factory.mktemp("streamlit")) as (url, _):
        yield url


def test_upload_a_csv_pick_the_columns_and_train_one_epoch(server):
    from playwright.sync_api import sync_playwright

    SHOTS.mkdir(parents=True, exist_ok=True)
    requests: list[str] = []
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=ARGS)
        context = browser.new_context(viewport={"width": 1400, "height": 1000})
        context.on("request", lambda r: requests.append(r.url))
        page = context.new_page()
        page.on("websocket", lambda ws: requests.append(ws.url))
        page.set_default_timeout(60_000)
        app = App(page, SHOTS)
        try:
            page.goto(server, wait_until="domcontentloaded")
            page.locator("h1", has_text="Sentiment trajectory").wait_for(timeout=90_000)
            app.idle()
            app.nav("Train")
            page.get_by_text("A file you upload", exact=True).click()
            app.idle()
            page.locator('input[type="file"][accept*=".csv"]').set_input_files(
                {"name": "my_reviews.csv", "mimeType": "text/csv", "buffer": CSV}
            )
            app.wait_text("choose them above")
            assert "could not be read" in app.main_text()  # the reader's reason, in red, until the columns are chosen
            app.choose("Text column", "notes")
            app.choose("Label column", "verdict")
            app.wait_text("36 training sentences")
            text = app.main_text()
            assert "text from column 'notes', label from column 'verdict' (given)" in text
            assert "pos → pos (18)" in text and "neg → neg (18)" in text
            for label, value in (("Epochs (at most)", "1"), ("Hidden units", "8")):
                page.get_by_label(label).fill(value)
                page.get_by_label(label).press("Enter")
                app.idle()
            page.get_by_role("button", name="Start training").click()
            app.wait_text("ran every epoch", timeout=180)
            app.idle()
            page.locator('[data-testid="stSidebar"]').get_by_text("dev accuracy").first.wait_for(timeout=60_000)
            assert "Traceback" not in app.main_text()
            app.shot("5_train_own_csv")
        finally:
            browser.close()
    away = {u for u in requests if urlparse(u).scheme not in ("data", "blob", "about") and urlparse(u).hostname not in LOOPBACK}
    assert away == set(), f"requests left the machine: {sorted(away)[:5]}"
