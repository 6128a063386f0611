"""AppTest: hidden-state search (its own page) and clicking a confusion cell (Evaluation).

The page's matches are checked against seqcore.search run here on the same corpus; hostile text in an
uploaded corpus is shown escaped; a corpus's states are computed once per model and corpus.
"""

from __future__ import annotations

import re

import pytest

import seqcore.search
import ui
from seqcore.search import THRESHOLD, corpus_states, find_pattern, search, text_states
from seqcore.tasks import card_test_examples, card_test_files, corpus_examples, parsed_corpus_examples, read_task_file
from tests.app.appdata import CONLLU, DEMO_2014
from tests.app.explainkit import (
    MODELS,
    SHIPPED,
    clean,
    figure,
    goto,
    has_figure,
    predictor,
    selection,
    start,
    table,
    texts,
    use_model,
    widget,
)

DEMO = ui.config.DEMO_DIR


def span_of(at) -> tuple[int, int]:
    low, high = widget(at, "select_slider", "search_span_").value
    return low, high + 1


def shown(at) -> list[tuple]:
    rows = table(at, "matched words", "score", "units matched")
    return [(r["id"], r["start"], r["end"], round(float(r["score"]), 4)) for _, r in rows.iterrows()]


def expected(pred, text, span, examples, threshold=THRESHOLD, top=ui.config.SEARCH_TOP, **where) -> list[tuple]:
    """The search run here, on the same corpus, with seqcore alone."""
    pattern = find_pattern(text_states(pred, text), span, threshold, **where)
    corpus = corpus_states(pred.model, pred.encoder, examples)
    return [(m.id, m.start, m.end, round(m.score, 4)) for m in search(corpus, pattern, top)]


def matches_html(at) -> str:
    return "\n".join(m.value for m in at.markdown if m.value.startswith("<ol"))


def corpus_of(name: str, kind: str, demo: str | None = None) -> list:
    pred = predictor(MODELS / name)
    if kind == "demo":
        assert demo is not None
        return parsed_corpus_examples(read_task_file(pred.task, (DEMO / demo).read_bytes(), demo))
    if pred.task == "aspect":
        found = card_test_files(pred.card)
        assert found is not None
        return corpus_examples("aspect", found.files)[0]
    return card_test_examples(pred.card)


LAYER_SENTENCE = "The food was not bad at all, but the service was painfully slow."


@pytest.mark.skipif(not SHIPPED, reason="no shipped model in models/")
def test_search_on_every_shipped_model(monkeypatch):
    """Each shipped model searches a corpus: its own test set (one model per task) or a demo file."""
    monkeypatch.delenv("SEQCORE_MODELS_DIR", raising=False)
    monkeypatch.delenv("SEQCORE_DATA", raising=False)
    on_test_set = {"sentiment-lstm", "aspect-restaurants-lstm", "pos-ewt-lstm"}
    for name in SHIPPED:
        kind = "test" if name in on_test_set else "demo"
        at = start(timeout=240)
        at.session_state["search_source"] = kind  # before the picker first draws: no test set is read for nothing
        use_model(at, name)
        goto(at, "10_search")
        clean(at)
        if name == "aspect-restaurants-lstm":  # a sentence whose first span has units on in layer 1 backward (below)
            at.text_input(key="search_sentence").set_value(LAYER_SENTENCE).run()
        threshold = THRESHOLD
        if name == "sentiment-lstm":  # no unit of it is on over all of "not good" at 0.3 (the page says so); four are at 0.2
            assert "No unit is on" in texts(at.info)
            threshold = 0.2
            at.slider(key="search_threshold").set_value(threshold).run()
            clean(at)
        text, span = at.text_input(key="search_sentence").value, span_of(at)
        demo = at.selectbox(key="search_demo").value if kind == "demo" else None
        corpus = corpus_of(name, kind, demo)
        assert [m.value for m in at.metric if m.label == "Sentences searched"] == [f"{len(corpus):,}"]
        found = shown(at)
        assert found and found == expected(predictor(MODELS / name), text, span, corpus, threshold), name
        assert matches_html(at).count("<mark") == len(found)
        assert has_figure(at, "search_pattern_chart")
        if name == "aspect-restaurants-lstm":  # one layer and direction of a 2-layer bidirectional model
            at.selectbox(key="search_layer").set_value(1).run()
            at.selectbox(key="search_direction").set_value("backward").run()
            clean(at)
            units = table(at, "layer", "direction", "unit", "weight")
            assert set(units["layer"]) == {1} and set(units["direction"]) == {"backward"}
            assert shown(at) == expected(predictor(MODELS / name), text, span, corpus, layer=1, direction="backward")
            at.selectbox(key="search_layer").set_value("every").run()
            at.selectbox(key="search_direction").set_value("both").run()


@pytest.mark.skipif("sentiment-lstm" not in SHIPPED, reason="sentiment-lstm is not shipped")
def test_search_an_upload_shows_hostile_text_as_text(monkeypatch, empty_dir):
    monkeypatch.delenv("SEQCORE_MODELS_DIR", raising=False)
    monkeypatch.setenv("SEQCORE_DATA", str(empty_dir / "absent"))
    lines = [
        "positive\tThe soup was not bad <img src=x onerror=alert(1)> at all",
        "negative\t![pic](http://example.com/a.png) it was not bad, just **dull**",
        "positive\tThe staff were not rude <script>alert(2)</script>",
        "positive\tnothing to see here",
    ]
    data = "\n".join(lines).encode()
    at = start()
    use_model(at, "sentiment-lstm")
    at.session_state["search_source"] = "upload"
    goto(at, "10_search")
    at.file_uploader(key="search_upload").set_value(("evil.tsv", data, "text/tab-separated-values")).run()
    at.slider(key="search_threshold").set_value(0.2).run()  # sentiment-lstm's "not good" units are on above 0.2, not 0.3
    clean(at)
    text, span = at.text_input(key="search_sentence").value, span_of(at)
    assert span == (3, 5)  # "not good": the first negation and the word after it
    corpus = parsed_corpus_examples(read_task_file("sentiment", data, "evil.tsv"))
    assert shown(at) == expected(predictor(MODELS / "sentiment-lstm"), text, span, corpus, 0.2)
    at.number_input(key="search_top").set_value(ui.config.SEARCH_TOP_RANGE.high).run()  # every window: every line shown
    assert {r for r, *_ in shown(at)} == {"evil.tsv#1", "evil.tsv#2", "evil.tsv#3", "evil.tsv#4"}
    html = matches_html(at)
    assert "&lt;img" in html and "&lt;script" in html and "&#33;&#91;pic&#93;" in html
    assert not re.search(r"<(img|script)|!\[|\*\*dull", html)


def test_search_states_once_threshold_and_no_pattern(app, monkeypatch):
    calls = []
    real = seqcore.search.corpus_states

    def counted(model, encoder, examples, *args, **kwargs):
        if len(examples) > 1:  # a corpus, not the query sentence (`text_states` is a corpus of one)
            calls.append(len(examples))
        return real(model, encoder, examples, *args, **kwargs)

    monkeypatch.setattr(seqcore.search, "corpus_states", counted)
    upload = ("mine.xml", DEMO_2014.read_bytes() + b"\n<!-- this test's own corpus -->\n", "text/xml")

    def session():
        at = app()
        use_model(at, "tiny-aspect-lstm")
        at.session_state["search_source"] = "upload"
        goto(at, "10_search")
        at.file_uploader(key="search_upload").set_value(upload).run()
        clean(at)
        return at

    at = session()
    assert len(calls) == 1
    at.slider(key="search_threshold").set_value(0.1).run()
    at.selectbox(key="search_layer").set_value(1).run()
    at.text_input(key="search_sentence").set_value("The wine list was long but the waiter was rude").run()
    clean(at)
    session()  # another browser session searching the same file with the same model
    assert len(calls) == 1, "a corpus's states are computed once per model and corpus"
    # A threshold no unit passes: said so, and the units nearest to a pattern are drawn; nothing is listed.
    at.slider(key="search_threshold").set_value(ui.config.SEARCH_THRESHOLD.high).run()
    clean(at)
    assert "No unit is on" in texts(at.info)
    assert figure(at, "search_pattern_chart")["layout"]["title"]["text"].startswith("No pattern")
    assert not matches_html(at)


def test_search_corpus_over_the_memory_budget_is_cut_and_says_so(app, monkeypatch, tiny_models):
    units = ui.units_of(predictor(tiny_models / "tiny-tagging-gru"))
    first_two = (5 + 3) * units * 4  # bytes of float32 states of the file's first two sentences (5 and 3 words)
    monkeypatch.setattr(ui.config, "SEARCH_STATES_MB", (first_two + 1) / 1e6)
    at = app()
    use_model(at, "tiny-tagging-gru")
    goto(at, "10_search")
    at.file_uploader(key="search_upload").set_value(("t.conllu", CONLLU.encode(), "text/plain")).run()
    clean(at)
    assert "the first 2 are searched" in texts(at.warning)
    assert [m.value for m in at.metric if m.label == "Sentences searched"] == ["2"]


def test_fitting_sentences_and_escaping():
    from seqcore.batching import Example

    examples = [Example(id=str(k), tokens=["w"] * 10) for k in range(5)]
    assert ui.fitting_sentences(examples, units=25, megabytes=0.003) == 3  # 1,000 bytes of float32 per sentence
    assert ui.fitting_sentences(examples, units=25, megabytes=1) == 5
    assert ui.explain.md_plain("![x](http://h/x.png) **b**") == "\\!\\[x\\]\\(http\\:\u200b//h/x\\.png\\) \\*\\*b\\*\\*"
    assert ui.search.html_text("<b>&\"'\n\n*") == "&lt;b&gt;&amp;&quot;&#x27; &#42;"


# ----------------------------------------------------------------------------- a confusion cell, clicked


def cell_caption(at) -> str:
    return next(c.value for c in at.caption if "items with gold label" in c.value)


def test_clicking_a_confusion_cell_lists_its_examples(app):
    at = app()
    use_model(at, "tiny-aspect-lstm")
    goto(at, "4_evaluation")
    at.radio(key="eval_source").set_value("demo").run()
    clean(at)
    box = at.selectbox(key="eval_cell")
    cells = [re.match(r"gold (\S+) -> predicted (\S+) \((\d+)\)", o).groups() for o in box.options]
    k = len(cells) - 1
    gold, predicted, count = cells[k]
    at.session_state["eval_cm_False"] = selection(x=predicted, y=gold)  # what the browser sends for a click
    at.run()
    clean(at)
    assert at.selectbox(key="eval_cell").value == k
    assert cell_caption(at) == f"The {count} items with gold label {gold} that the model predicted as {predicted}."
    rows = table(at, "gold", "predicted", "aspect term")
    assert set(zip(rows["gold"], rows["predicted"])) == {(gold, predicted)} and len(rows) == int(count)
    # The list picker (the keyboard way in) keeps a later choice while the click's selection stays.
    at.selectbox(key="eval_cell").set_value(0).run()
    at.run()
    assert at.selectbox(key="eval_cell").value == 0
    # A click on the row-normalized matrix counts too; an empty cell says so and changes nothing.
    at.session_state["eval_cm_True"] = selection(x=predicted, y=gold)
    at.run()
    assert at.selectbox(key="eval_cell").value == k
    labels = sorted({c[0] for c in cells} | {c[1] for c in cells} | {"negative", "neutral", "positive"})
    empty = next((g, p) for g in labels for p in labels if (g, p) not in {(c[0], c[1]) for c in cells})
    at.session_state["eval_cm_False"] = selection(x=empty[1], y=empty[0])
    at.run()
    clean(at)
    assert "that cell is empty" in texts(at.info) and at.selectbox(key="eval_cell").value == k
    spec = figure(at, "eval_cm_False")
    assert [d["type"] for d in spec["data"]] == ["heatmap", "scatter"] and spec["layout"]["clickmode"] == "event+select"


def test_clicking_a_per_tag_confusion_cell(app):
    at = app()
    use_model(at, "tiny-tagging-gru")
    goto(at, "4_evaluation")
    at.radio(key="eval_source").set_value("upload").run()
    at.file_uploader(key="eval_upload").set_value(("t.conllu", CONLLU.encode(), "text/plain")).run()
    gold, predicted, count = re.match(
        r"gold (\S+) -> predicted (\S+) \((\d+)\)", at.selectbox(key="eval_cell").options[-1]
    ).groups()
    at.session_state["eval_cm_False"] = selection(x=predicted, y=gold)
    at.run()
    clean(at)
    assert cell_caption(at) == f"The {count} items with gold label {gold} that the model predicted as {predicted}."


def test_search_an_unlabeled_csv_upload_by_its_text_column(monkeypatch, empty_dir):
    """A search corpus needs no label: a CSV of ids and reviews is searched in its text column."""
    monkeypatch.delenv("SEQCORE_MODELS_DIR", raising=False)
    monkeypatch.setenv("SEQCORE_DATA", str(empty_dir / "absent"))
    reviews = ["The soup was not bad at all", "It was not good, just dull", "The staff were not rude", "Lovely view"] * 3
    data = ("id,review\n" + "".join(f'{i},"{r}"\n' for i, r in enumerate(reviews, start=100))).encode()
    at = start()
    use_model(at, "sentiment-lstm")
    at.session_state["search_source"] = "upload"
    goto(at, "10_search")
    at.file_uploader(key="search_upload").set_value(("mine.csv", data, "text/csv")).run()
    at.slider(key="search_threshold").set_value(0.2).run()  # sentiment-lstm's "not good" units are on above 0.2, not 0.3
    clean(at)
    corpus = parsed_corpus_examples(read_task_file("sentiment", data, "mine.csv", need_label=False))
    assert [ex.text for ex in corpus] == reviews  # the review column, not the ids, and no header
    text, span = at.text_input(key="search_sentence").value, span_of(at)
    assert shown(at) == expected(predictor(MODELS / "sentiment-lstm"), text, span, corpus, 0.2)
