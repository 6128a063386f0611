"""One interaction in a real browser, timed until the page is idle, whatever the page draws.

The per-page benchmark used to wait for a typed sentence's unique word to appear on the page. Views that draw
the sentence without its words as text (Aspects, Pitfalls, a 300-token Hidden-state search labelling 1 word in 5)
never showed it, and a control's change (a slider, a select box) has no word at all. So an interaction is timed
by Streamlit's own signals instead:

1. the server's `script_finished` message for the run the interaction started, read from the page's websocket
   (`Runs`: every ForwardMsg the page receives is parsed with Streamlit's protobuf classes);
2. the frontend back at rest: the app's run state `notRunning` (the `data-test-script-state` attribute Streamlit
   keeps on its root for its own end-to-end tests), no "Running" status, no stale element;
3. two animation frames, so what the browser had to lay out and paint for the run is on the screen.

`CONTROLS` are the controls timed on the pages that read no typed sentence (and Aspects' sentence picker).
"""

from __future__ import annotations

import asyncio
import itertools
import time
from collections.abc import Awaitable, Callable

from streamlit.proto.ForwardMsg_pb2 import ForwardMsg

IDLE = (
    "() => { const app = document.querySelector('[data-testid=\"stApp\"]');"
    " return !!app && app.dataset.testScriptState === 'notRunning'"
    " && !document.querySelector('[data-testid=\"stStatusWidget\"]') && !document.querySelector('[data-stale=\"true\"]'); }"
)
FRAMES = "() => new Promise((done) => requestAnimationFrame(() => requestAnimationFrame(() => done(true))))"
WORDS = itertools.cycle(["good", "bad", "food", "movie", "service", "slow", "great", "boring"])

# (URL path, nav title, kind, control label, model named in the link or None): one control per page that reads no
# typed sentence, and Aspects' sentence picker. Kinds: "select" (the next option), "radio" (the next option),
# "slider" (one step right), "word" (a word typed and Enter).
CONTROLS = [
    ("aspects", "Aspects", "select", "Sentence", "aspect-restaurants-lstm"),
    ("evaluation", "Evaluation", "select", "Confusion cell (gold -> predicted)", "sentiment-lstm"),
    ("train", "Train", "radio", "Task", None),
    ("cell-lab", "Cell lab", "slider", "Seeds per variant", None),
    ("projector", "Embedding projector", "word", "Find a word (highlighted, with its nearest neighbours)", None),
]


class Runs:
    """Counts the script runs (whole or a fragment's) the server has finished for one page, from its websocket."""

    def __init__(self, page) -> None:
        self.finished = 0
        self.finished_at = 0.0  # time.perf_counter() when the last run's end arrived
        self.run_s = 0.0  # the last timed interaction: seconds until its run's end arrived (the rest is the browser's)
        page.on("websocket", lambda ws: ws.on("framereceived", self._frame))

    def _frame(self, payload: bytes | str) -> None:
        if isinstance(payload, (bytes, bytearray)):
            msg = ForwardMsg()
            msg.ParseFromString(payload)
            if msg.WhichOneof("type") == "script_finished":
                self.finished += 1
                self.finished_at = time.perf_counter()

    async def timed(self, page, action: Callable[[], Awaitable[object]], timeout: float = 60) -> float:
        """Seconds from `action` starting to the run it caused finished and the page idle and drawn."""
        before = self.finished
        start = time.perf_counter()
        await action()
        deadline = start + timeout
        while self.finished <= before:
            if time.perf_counter() > deadline:
                raise TimeoutError(f"no run finished within {timeout:.0f} s")
            await asyncio.sleep(0.005)
        self.run_s = self.finished_at - start
        await page.wait_for_function(IDLE, timeout=timeout * 1000, polling=20)
        await page.evaluate(FRAMES)
        return time.perf_counter() - start


async def idle(page, timeout: float = 300) -> None:
    """Until the page is at rest (no run, nothing stale) and drawn."""
    await page.wait_for_function(IDLE, timeout=timeout * 1000, polling=50)
    await page.evaluate(FRAMES)


def control_prepare(page, kind: str, label: str) -> Callable[[], Awaitable[object]] | None:
    """What to do, untimed, before each `control_action`: for a word box, type the next word (not yet applied)."""
    if kind != "word":
        return None
    box = page.get_by_test_id("stMain").get_by_role("textbox", name=label).first

    async def fill() -> None:
        await box.fill(next(WORDS))

    return fill


def control_action(page, kind: str, label: str) -> Callable[[], Awaitable[object]]:
    """The action that changes the control labelled `label` once (see `CONTROLS` for the kinds)."""
    main = page.get_by_test_id("stMain")
    if kind == "select":
        box = main.get_by_role("combobox", name=label).first

        async def select() -> None:  # open the list from the keyboard, then click an option other than the chosen one
            await box.focus()
            await box.press("ArrowDown")
            options = page.get_by_role("listbox").first.get_by_role("option")
            await options.first.wait_for()
            chosen = await options.evaluate_all("(els) => els.findIndex((e) => e.getAttribute('aria-selected') === 'true')")
            await options.nth(1 if chosen == 0 else 0).click()

        return select
    if kind == "radio":
        group = main.get_by_role("radiogroup", name=label).first

        async def radio() -> None:
            options = group.locator("label")
            count = await options.count()
            checked = await group.get_by_role("radio").evaluate_all("(els) => els.findIndex((e) => e.checked)")
            await options.nth((checked + 1) % count).click()

        return radio
    if kind == "slider":
        thumb = main.get_by_role("slider", name=label).first
        keys = itertools.cycle(["ArrowRight", "ArrowLeft"])  # one step right, then back: never stuck at an end

        async def slider() -> None:
            await thumb.focus()
            await thumb.press(next(keys))

        return slider
    if kind == "word":
        box = main.get_by_role("textbox", name=label).first

        async def word() -> None:  # the word typed outside the timer (`control_prepare`), applied by Enter
            await box.press("Enter")

        return word
    raise ValueError(f"unknown control kind {kind!r}")
