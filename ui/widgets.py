"""What every page draws the same way: the sidebar, the sentence box, tables with their CSV download,
charts with a sentence under them, problem lists, highlighted text and tag tables.

Every chart has axis titles with units, hover values and a caption; every table has a CSV download.
Colours come from `seqcore.palette` (colour-blind safe: never red against green).
"""

from __future__ import annotations

import sys
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import pandas as pd
import streamlit as st

from seqcore import palette
from ui import state
from ui.config import DEFAULT_SENTENCE, TRAIN_PAGE
from ui.downloads import download
from ui.figures import lighten
from ui.glossary import tip
from ui.links import presenter_switch, presenting
from ui.models import card_line, session_models, shipped_models
from ui.sources import Picked
from ui.text import html_text, plain

if TYPE_CHECKING:
    import plotly.graph_objects as go

    from seqcore.readers import ReviewFile, Sentence
    from seqcore.taskspecs import TaskSpec

CLASS_BACKGROUNDS = palette.CLASS_BACKGROUNDS  # a class's highlight behind black text
WRONG_BACKGROUND = palette.WRONG_BACKGROUND  # a wrong row of a table
UNKNOWN_BACKGROUND = palette.PADDING  # a label without a colour of its own


def sidebar() -> None:
    """Draw the sidebar every page shares: the model in use and its one-line card (from the models' JSON only)."""
    shipped, broken = shipped_models()
    models = shipped + session_models()
    with st.sidebar:
        st.markdown("### Model in use")
        if not models:
            st.info("No model yet: `models/` is empty and none was trained in this session.")
            st.page_link(TRAIN_PAGE, label="Train one on the Train page", icon="🏋️")
        else:
            by_key = {m.key: m for m in models}
            if state.model_key() not in by_key:
                state.set_model_key(models[0].key)
            st.selectbox(
                "Model in use",
                list(by_key),
                key=state.MODEL_KEY,
                format_func=lambda k: by_key[k].short_label,  # the caption below names it in full
                help="Every model shipped in models/, plus those trained in this browser session.",
            )
            key = state.model_key()
            if key is not None:
                st.caption(f"**{plain(by_key[key].label)}**: {plain(card_line(by_key[key]))}")
        for message in broken:
            st.error(f"A model folder could not be read: {plain(message)}")
        presenter_switch()
        st.caption("Nothing leaves this machine: the app reads local files only.")


@st.cache_resource(show_spinner=False)
def _devices() -> str:
    from seqcore.device import describe_devices  # torch: after the page, which has loaded it already

    return describe_devices()


def _imported(name: str) -> bool:
    """Whether a module is imported and done: not absent, nor still running its import in another thread (Python
    marks a module's spec `_initializing` until its import is over; it is what "partially initialized" errors read)."""
    module = sys.modules.get(name)
    return module is not None and not getattr(getattr(module, "__spec__", None), "_initializing", False)


def sidebar_device() -> None:
    """Say in the sidebar where the work runs (drawn after the page, so the first render waits for no torch import).

    Nothing is said while no model has been loaded (torch not imported): no device is in use yet. Nor while torch is
    still being imported by another thread (the server's warm-up, `ui.warmup`): this run would wait for the import.
    """
    if not _imported("torch"):
        return
    with st.sidebar:
        st.caption(
            f"Device: {plain(_devices())}.",
            help="One sentence (traces, trajectories, saliency) runs where it is fastest, the CPU; training and whole "
            "files (scores, corpus states) use the GPU when there is one (CUDA, else MPS).\n\n" + tip("SEQCORE_DEVICE"),
        )


def sentence_input(key: str, label: str = "Sentence", help: str | None = None) -> str:
    """A text box that starts from the sentence last used on any page, and becomes it when edited.

    Returns the text cut to the token cap of interactive work (`capped`), so no page reads more.
    """
    if not state.has_widget(key):
        state.set_widget(key, state.current_sentence(DEFAULT_SENTENCE))
    text = st.text_input(label, key=key, help=help)  # markup: checked at the call sites (tests/app/test_markup.py)
    state.set_current_sentence(text)
    return capped(text)


def capped(text: str) -> str:
    """Cut text to the token cap of interactive work (SEQCORE_MAX_TOKENS), saying the cap and how much was cut."""
    from seqcore.readouts import cap_text, max_tokens  # no torch: the first page is drawn before it is imported

    if len(text) <= max_tokens():  # every token holds at least one character: nothing to cut
        return text
    short, note = cap_text(text)
    if note:
        st.warning(plain(note))
    return short


def example_sentences(key: str, sentence_key: str, examples: Sequence[str]) -> None:
    """A list of example sentences; choosing one puts it in the sentence box `sentence_key` (and on every page)."""

    def use() -> None:
        chosen = state.widget_value(key)
        if chosen is not None:
            state.set_widget(sentence_key, chosen)
            state.set_current_sentence(chosen)

    st.selectbox(
        "Pick an example sentence",
        list(examples),
        key=key,
        on_change=use,
        index=None,
        placeholder="Choose one, or type your own below",
    )


def table(
    df: pd.DataFrame | Sequence[dict],
    name: str,
    key: str,
    caption: str | None = None,
    display: Any = None,
    summary: str | None = None,
    **kwargs: Any,
) -> None:
    """Show a table (or its styled `display`), a sentence saying what it holds, and its CSV download. Presenter mode
    shows a readable summary instead (`ui.presenter.table_for_room`; `summary`: Markdown escaped by the caller)."""
    df = df if isinstance(df, pd.DataFrame) else pd.DataFrame(list(df))
    if presenting():
        from ui.presenter import table_for_room

        return table_for_room(df, caption, summary)
    st.dataframe(df if display is None else display, hide_index=True, **kwargs)
    if caption:
        st.caption(caption)  # markup: checked at the call sites (tests/app/test_markup.py)
    download(df, name, key=f"dl_{key}")


def chart(fig: go.Figure, caption: str, key: str | None = None) -> None:
    """Show a figure with a sentence under it saying what it shows (larger text in presenter mode)."""
    if presenting():  # every text size set explicitly (Streamlit's chart theme overrides the base font); the title above
        from ui.presenter import for_room

        for_room(fig)
    st.plotly_chart(lighten(fig), key=key, config={"displaylogo": False})  # the digits the hover shows (ui.figures)
    st.caption(caption)  # markup: checked at the call sites (tests/app/test_markup.py)


def show_problems(picked: Picked, key: str, what: str = "the data", skipped: bool = True) -> None:
    """List the problems the reader found (sentence id, line, what was wrong) and say what was left out.

    `what` (often a file name) is shown as plain text; the problems go to a table, which shows plain text.
    """
    if picked.problems:
        st.warning(
            f"{len(picked.problems):,} problem(s) in {plain(what)}: those parts were skipped or repaired, the rest was kept."
        )
        table(picked.problems, "problems", key=key, caption="What the reader found wrong, with sentence id and line.")
    if skipped and picked.skipped:
        st.caption("Left out: " + skipped_text(picked.skipped) + ".")


def skipped_text(skipped: dict[str, int]) -> str:
    """What was left out, by reason ("3 NULL target ...; 2 ..."; "none"), escaped for Markdown."""
    return "; ".join(f"{v:,} {plain(k)}" for k, v in skipped.items()) or "none"


def review_summary(review: ReviewFile) -> dict[str, str | int]:
    """What a review file holds, as metric label -> value (`seqcore.readers.review_counts`)."""
    from seqcore.readers import review_counts

    counts = review_counts(review)
    return {
        "SemEval format": str(counts["kind"]).removeprefix("semeval"),
        "sentences": counts["sentences"],
        "aspect targets": counts["targets"],
        "NULL targets": counts["null_targets"],
        "duplicates merged": counts["duplicate_targets"],
        "conflict": counts["labels"].get("conflict", 0),
        "problems": len(counts["problems"]),
    }


def polarity_spans(sentence: Sentence) -> list[tuple[int, int, str, str]]:
    """The sentence's aspect terms as highlight spans: (start, end, the gold polarity's background, tooltip)."""
    return [
        (t.start, t.end, CLASS_BACKGROUNDS.get(t.polarity, UNKNOWN_BACKGROUND), f"{t.term}: {t.polarity}")
        for t in sentence.targets
        if t.token_span is not None and t.start is not None and t.end is not None
    ]


def mask_rows(names: Sequence[str], tokens: Sequence[str], masks: Any) -> pd.DataFrame:
    """Aspect masks (A, T) as a table: one row per aspect, one column per token."""
    df = pd.DataFrame(masks, columns=[f"{k}: {w}" for k, w in enumerate(tokens)])
    df.insert(0, "aspect", list(names))
    return df


def cell_table(rows: Sequence[dict], task: TaskSpec) -> pd.DataFrame:
    """Prediction rows of one confusion cell, with the item column named for the task (none for whole sentences)."""
    columns = (
        ["id", "text", "gold", "predicted", "confidence"]
        if task.name == "sentiment"
        else ["id", "item", "text", "gold", "predicted", "confidence"]
    )
    return pd.DataFrame(list(rows), columns=columns).rename(columns={"item": task.item})


def parameter_table(rows: Sequence[dict]) -> pd.DataFrame:
    """A parameter breakdown as a table; layer, direction and gate stay blank where they do not apply."""
    return pd.DataFrame(list(rows)).astype({"layer": "object", "direction": "object", "gate": "object"})


def rounded(rows: Sequence[dict], digits: int) -> pd.DataFrame:
    """Rows as a table with every number rounded to `digits` decimals."""
    return pd.DataFrame(list(rows)).round(digits)


def highlight_html(text: str, spans: Sequence[tuple[int, int, str, str]]) -> str:
    """HTML of `text` with character spans (start, end, colour, tooltip) marked; overlaps take the first span."""
    owner: list[int | None] = [None] * len(text)
    for k, (start, end, _, _) in enumerate(spans):
        for i in range(max(0, start), min(end, len(text))):
            if owner[i] is None:
                owner[i] = k
    out, i = [], 0
    while i < len(text):
        span = owner[i]
        j = i
        while j < len(text) and owner[j] == span:
            j += 1
        piece = html_text(text[i:j])
        if span is None:
            out.append(piece)
        else:
            _, _, colour, tip = spans[span]
            out.append(
                f'<mark style="background:{colour};padding:0 2px;border-radius:3px" title="{html_text(tip)}">{piece}</mark>'
            )
        i = j
    return "".join(out)


def highlighted(text: str, spans: Sequence[tuple[int, int, str, str]]) -> None:
    """Draw a sentence with its spans highlighted, in large type."""
    body = highlight_html(text, spans)  # every piece of text escaped by html_text
    st.markdown(f"<div style='font-size:1.2rem;line-height:2'>{body}</div>", unsafe_allow_html=True)  # markup: html_text


def tag_table(rows: Sequence[dict], name: str, key: str) -> pd.DataFrame:
    """Show per-word tag rows (`seqcore.scoring.tag_rows`), wrong tags marked ✗ on a tinted row; return the table."""
    df = pd.DataFrame(list(rows))
    df["mark"] = ["" if c is None else ("✓" if c else "✗ wrong") for c in df["correct"]]
    df = df[["position", "word", "predicted", "gold", "mark", "probability"]].round({"probability": 4})
    wrong = df["mark"] == "✗ wrong"
    styled = df.style.apply(lambda r: [f"background-color: {WRONG_BACKGROUND}" if wrong[r.name] else "" for _ in r], axis=1)
    table(
        df,
        name,
        key=key,
        display=styled,
        caption="One row per word: the predicted tag and its probability, the gold tag, and ✗ where they differ.",
    )
    return df
