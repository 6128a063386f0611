"""SemEval XML, sentence polarity, labeled TSV and CoNLL-U readers, on hand-made and real files."""

from __future__ import annotations

import gzip
import tracemalloc
from collections import Counter
from pathlib import Path

import pytest

from seqcore.readers import (
    CHUNK_BYTES,
    MAX_IN_MEMORY_BYTES,
    DataFormatError,
    Problem,
    ReviewFile,
    Sentence,
    TaggedSentence,
    Target,
    describe_file,
    read_conllu,
    read_labeled_tsv,
    read_polarity,
    read_polarity_lines,
    read_semeval,
    review_counts,
    sniff_kind,
)
from seqcore.tokens import tokenize

REPO = Path(__file__).resolve().parents[2]
DEMO = REPO / "demo"
FIXTURES = REPO / "tests" / "fixtures"


def xml2014(*sentences: str) -> bytes:
    """Wrap <sentence> elements in a SemEval-2014 file, one element per line."""
    body = "\n".join(sentences)
    return f'<?xml version="1.0" encoding="UTF-8"?>\n<sentences>\n{body}\n</sentences>\n'.encode()


def sentence2014(sid: str, text: str, *terms: tuple[str, str, object, object]) -> str:
    rows = "".join(f'<aspectTerm term="{term}" polarity="{pol}" from="{a}" to="{b}"/>' for term, pol, a, b in terms)
    aspects = f"<aspectTerms>{rows}</aspectTerms>" if terms else ""
    return f'<sentence id="{sid}"><text>{text}</text>{aspects}</sentence>'


def xml2016(*sentences: str) -> bytes:
    body = "\n".join(sentences)
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n<Reviews>\n<Review rid="r1">\n<sentences>\n'
        f"{body}\n</sentences>\n</Review>\n</Reviews>\n"
    ).encode()


def line_of(path: Path, needle: str) -> int:
    """Return the 1-based line of the first line containing needle."""
    for lineno, line in enumerate(path.read_text(encoding="utf-8").split("\n"), start=1):
        if needle in line:
            return lineno
    raise AssertionError(f"{needle!r} not in {path}")


# --------------------------------------------------------------------------- whole-file failures

BILLION_LAUGHS = b"""<?xml version="1.0"?>
<!DOCTYPE lolz [
 <!ENTITY lol "lol">
 <!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
 <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
 <!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
]>
<sentences><sentence id="1"><text>&lol4;</text></sentence></sentences>
"""
EXTERNAL_ENTITY = (
    b'<?xml version="1.0"?>\n<!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]>\n'
    b'<sentences><sentence id="1"><text>&e;</text></sentence></sentences>\n'
)
EXTERNAL_DTD = b'<?xml version="1.0"?>\n<!DOCTYPE sentences SYSTEM "http://example.com/absa.dtd">\n<sentences/>\n'


@pytest.mark.parametrize(
    "data", [BILLION_LAUGHS, EXTERNAL_ENTITY, EXTERNAL_DTD], ids=["billion-laughs", "external-entity", "dtd"]
)
def test_hostile_xml_is_refused(data):
    with pytest.raises(DataFormatError, match=r"^evil\.xml was refused at line 2: it contains a DTD"):
        read_semeval(data, name="evil.xml")


def test_not_xml():
    with pytest.raises(DataFormatError, match=r"^<upload> is not well-formed XML \(syntax error at line 1"):
        read_semeval(b"label\ttext\npositive\tnice\n")


def test_truncated_file_names_the_file_and_line():
    data = (DEMO / "restaurants_2014_demo.xml").read_bytes()
    cut = data[: len(data) // 2]
    last_line = cut.count(b"\n") + 1
    with pytest.raises(DataFormatError, match=rf"^half\.xml is not well-formed XML \(.* at line {last_line},"):
        read_semeval(cut, name="half.xml")


def test_wrong_root():
    expected = r"^page\.html has root element <html> at line 1; expected <sentences>"
    with pytest.raises(DataFormatError, match=expected):
        read_semeval(b"<html><body><p>hi</p></body></html>", name="page.html")


@pytest.mark.parametrize("data", [b"", b"  \n\t "])
def test_empty_upload(data):
    with pytest.raises(DataFormatError, match=r"^<upload> is empty"):
        read_semeval(data)


def test_too_large(tmp_path):
    data = (DEMO / "restaurants_2014_demo.xml").read_bytes()
    with pytest.raises(
        DataFormatError, match=r"^big\.xml is [\d,]+ bytes, over the limit of 100 bytes for a file held whole in memory"
    ):
        read_semeval(data, name="big.xml", max_bytes=100)
    path = tmp_path / "big.xml"
    path.write_bytes(data)
    with pytest.raises(DataFormatError, match=r"^big\.xml is .* over the limit of 100 bytes; leave max_bytes unset"):
        read_semeval(path, max_bytes=100)
    assert len(read_semeval(path).sentences) == 16  # a file on disk has no limit unless one is asked for


def test_bytes_in_memory_over_the_upload_limit_are_refused_saying_the_limit():
    data = b" " * (MAX_IN_MEMORY_BYTES + 1)
    with pytest.raises(
        DataFormatError,
        match=rf"^up\.xml is {MAX_IN_MEMORY_BYTES + 1:,} bytes, over the limit of {MAX_IN_MEMORY_BYTES:,} bytes for a file held whole in memory, as an upload is",
    ):
        read_semeval(data, name="up.xml")


def test_latin1_bytes_are_not_utf8():
    data = '<sentences>\n<sentence id="1"><text>Café au lait</text></sentence></sentences>'.encode("latin-1")
    with pytest.raises(DataFormatError, match=r"^cafe\.xml is not UTF-8 text \(byte 0xe9 at line 2"):
        read_semeval(data, name="cafe.xml")


def test_declared_non_utf8_encoding_is_refused():
    data = b'<?xml version="1.0" encoding="ISO-8859-1"?>\n<sentences/>'
    with pytest.raises(DataFormatError, match="declares encoding 'ISO-8859-1'; save it as UTF-8"):
        read_semeval(data)


def test_missing_file_raises_file_not_found(tmp_path):
    with pytest.raises(FileNotFoundError):
        read_semeval(tmp_path / "nope.xml")


# --------------------------------------------------------------------------- demo files


def test_demo_2014_reads_cleanly():
    review = read_semeval(DEMO / "restaurants_2014_demo.xml")
    assert review.format == "semeval2014" and review.source == "restaurants_2014_demo.xml"
    assert review.problems == []
    assert len(review.sentences) == 16
    polarities = Counter(t.polarity for s in review.sentences for t in s.targets)
    assert polarities["conflict"] == 1
    assert sum(not s.targets for s in review.sentences) == 3
    assert sum(len(s.targets) > 1 for s in review.sentences) >= 8
    for sentence in review.sentences:
        for target in sentence.targets:
            assert sentence.text[target.start : target.end] == target.term
            assert target.category is None  # 2014 aspectCategories are not targets
            first, end = target.token_span
            assert "".join(sentence.tokens[first:end]) == target.term.replace(" ", "")


def test_demo_2014_keeps_leading_spaces():
    review = read_semeval(DEMO / "restaurants_2014_demo.xml")
    sentence = next(s for s in review.sentences if s.id == "d14-5")
    assert sentence.text.startswith("  Parking")
    (target,) = sentence.targets
    assert (target.start, target.end) == (2, 9)
    assert sentence.tokens[target.token_span[0]] == "Parking"


def test_demo_2016_reads_cleanly():
    review = read_semeval(DEMO / "restaurants_2016_demo.xml")
    assert review.format == "semeval2016" and review.problems == []
    assert len(review.sentences) == 15
    targets = [t for s in review.sentences for t in s.targets]
    assert len(targets) == 21
    nulls = [t for t in targets if t.is_null]
    assert len(nulls) == 6
    assert all(t.start is None and t.end is None and t.token_span is None for t in nulls)
    fries = next(s for s in review.sentences if s.id == "demo-b:1")
    assert [(t.term, t.category) for t in fries.targets] == [("fries", "FOOD#QUALITY"), ("fries", "FOOD#PRICES")]
    # The out-of-scope sentence is kept.
    assert any(s.id == "demo-b:3" for s in review.sentences)


def test_sentence_lines_are_recorded():
    path = DEMO / "restaurants_2016_demo.xml"
    review = read_semeval(path)
    for sentence in review.sentences:
        assert sentence.line == line_of(path, f'<sentence id="{sentence.id}"')


def test_broken_demo_keeps_good_sentences_and_reports_each_bad_thing():
    path = DEMO / "broken_demo.xml"
    review = read_semeval(path)
    ids = [s.id for s in review.sentences]
    assert "b-empty" not in ids
    assert len(ids) == 14
    by_id = {s.id: s for s in review.sentences}
    assert [t.term for t in by_id["b-twice"].targets] == ["bowl"]
    assert [t.term for t in by_id["b-mixed"].targets] == ["coffee"]
    assert by_id["b-twopol"].targets == []
    assert [(t.term, t.start, t.end) for t in by_id["b-repair"].targets] == [
        ("bartender", 9, 18),
        ("cocktails", 27, 36),
    ]

    problems = {p.sentence_id: p for p in review.problems}
    assert len(review.problems) == 5 and set(problems) == {"b-twice", "b-mixed", "b-empty", "b-twopol", "b-repair"}
    assert all(p.source == "broken_demo.xml" for p in review.problems)
    assert "occurs 2 times" in problems["b-twice"].message and "skipped" in problems["b-twice"].message
    assert problems["b-twice"].line == line_of(path, 'term="soup"')
    assert "'mixed'" in problems["b-mixed"].message
    assert problems["b-mixed"].line == line_of(path, 'polarity="mixed"')
    assert "empty" in problems["b-empty"].message
    assert problems["b-empty"].line == line_of(path, 'id="b-empty"')
    assert "different polarities (negative, positive)" in problems["b-twopol"].message
    assert problems["b-twopol"].line == line_of(path, 'term="burrito"')
    assert "repaired to 9-18" in problems["b-repair"].message
    bartender_line = line_of(path, 'term="bartender"')
    assert str(problems["b-repair"]).startswith(f"broken_demo.xml, line {bartender_line}, sentence b-repair: target 'bartender'")
    # Every good sentence of the clean demo file survives unchanged.
    clean = {s.id: s for s in read_semeval(DEMO / "restaurants_2014_demo.xml").sentences}
    for sid, sentence in by_id.items():
        if sid.startswith("d14-"):
            assert sentence.targets == clean[sid].targets


@pytest.mark.parametrize("fname", ["restaurants_2014_demo.xml", "restaurants_2016_demo.xml", "broken_demo.xml"])
def test_upload_bytes_match_path(fname):
    path = DEMO / fname
    assert read_semeval(path.read_bytes(), name=fname) == read_semeval(path)
    assert read_semeval(path.read_bytes()).source == "<upload>"


# --------------------------------------------------------------------------- target rules


def only_sentence(review: ReviewFile):
    (sentence,) = review.sentences
    return sentence


def test_leading_spaces_offsets_point_at_term():
    review = read_semeval(xml2014(sentence2014("1", "  the pizza was great", ("pizza", "positive", 6, 11))))
    sentence = only_sentence(review)
    assert review.problems == []
    assert sentence.text == "  the pizza was great"
    (target,) = sentence.targets
    assert (target.start, target.end, target.token_span) == (6, 11, (1, 2))
    assert sentence.tokens[1] == "pizza"


def test_wrong_offsets_with_term_once_are_repaired():
    review = read_semeval(xml2014(sentence2014("7", "Great pizza here", ("pizza", "positive", 0, 5))))
    (target,) = only_sentence(review).targets
    assert (target.start, target.end, target.token_span) == (6, 11, (1, 2))
    (problem,) = review.problems
    assert problem.sentence_id == "7" and problem.line == 3
    assert problem.message == (
        "target 'pizza' has offsets 0-5, which cover 'Great'; repaired to 6-11, where the term occurs once."
    )


def test_wrong_offsets_with_term_twice_are_skipped():
    text = "pizza, more pizza"
    review = read_semeval(xml2014(sentence2014("8", text, ("pizza", "positive", 1, 6))))
    assert only_sentence(review).targets == []
    (problem,) = review.problems
    assert "occurs 2 times in the text; it was skipped" in problem.message


@pytest.mark.parametrize(
    ("start", "end", "reason"),
    [("x", "5", "are not integers"), ("40", "45", "outside the text of 16 characters"), ("5", "2", "outside")],
)
def test_bad_offsets_follow_the_repair_rule(start, end, reason):
    review = read_semeval(xml2014(sentence2014("9", "Great pizza here", ("pizza", "neutral", start, end))))
    (target,) = only_sentence(review).targets
    assert (target.start, target.end) == (6, 11)
    (problem,) = review.problems
    assert reason in problem.message and "repaired to 6-11" in problem.message


def test_term_absent_from_text_is_skipped():
    review = read_semeval(xml2014(sentence2014("9", "Great pizza here", ("pasta", "neutral", 6, 11))))
    assert only_sentence(review).targets == []
    assert "does not occur in the text" in review.problems[0].message


def test_conflict_is_kept_and_same_span_same_polarity_is_kept():
    review = read_semeval(
        xml2014(
            sentence2014("1", "Tasty but pricey pasta", ("pasta", "conflict", 17, 22)),
            sentence2014("2", "Tasty pasta", ("pasta", "positive", 6, 11), ("pasta", "positive", 6, 11)),
        )
    )
    assert review.problems == []
    assert [t.polarity for t in review.sentences[0].targets] == ["conflict"]
    assert len(review.sentences[1].targets) == 2


def test_sentence_without_aspects_is_kept():
    review = read_semeval(xml2014(sentence2014("1", "We went on a Tuesday.")))
    assert review.problems == [] and only_sentence(review).targets == []


def test_missing_text_duplicate_and_missing_ids():
    review = read_semeval(
        xml2014(
            '<sentence id="1"><aspectTerms/></sentence>',
            sentence2014("2", "Fine food"),
            sentence2014("2", "Other food"),
            "<sentence><text>No id here</text></sentence>",
        )
    )
    assert [(s.id, s.text) for s in review.sentences] == [("2", "Fine food"), ("#4", "No id here")]
    messages = [(p.sentence_id, p.line, p.message) for p in review.problems]
    assert messages == [
        ("1", 3, "sentence has no <text>; it was skipped."),
        ("2", 5, "sentence id repeats an earlier sentence; this one was skipped."),
    ]
    # A missing id is normal in such files and changes no data: one note, not a problem row.
    assert review.notes == ["1 sentence has no id; numbered #N by position in the file."]


def test_null_target_with_odd_offsets_is_a_sentence_level_opinion():
    review = read_semeval(
        xml2016(
            '<sentence id="r1:0"><text>Nice spot.</text><Opinions>'
            '<Opinion target="NULL" category="RESTAURANT#GENERAL" polarity="positive" from="5" to="9"/>'
            '<Opinion target="NULL" category="AMBIENCE#GENERAL" polarity="positive" from="21" to="31"/>'
            '<Opinion category="FOOD#QUALITY" polarity="neutral"/>'
            "</Opinions></sentence>"
        )
    )
    assert review.problems == []
    targets = only_sentence(review).targets
    assert [(t.term, t.start, t.end, t.token_span, t.category) for t in targets] == [
        (None, None, None, None, "RESTAURANT#GENERAL"),
        (None, None, None, None, "AMBIENCE#GENERAL"),
        (None, None, None, None, "FOOD#QUALITY"),
    ]
    assert all(t.is_null for t in targets)


def test_2016_opposite_polarities_on_one_target_are_kept():
    # 2016 has no "conflict" label: mixed sentiment is written as two opinions.
    review = read_semeval(
        xml2016(
            '<sentence id="r1:0"><text>Service was prompt but rushed.</text><Opinions>'
            '<Opinion target="Service" category="SERVICE#GENERAL" polarity="positive" from="0" to="7"/>'
            '<Opinion target="Service" category="SERVICE#GENERAL" polarity="negative" from="0" to="7"/>'
            "</Opinions></sentence>"
        )
    )
    assert review.problems == []
    assert [t.polarity for t in only_sentence(review).targets] == ["positive", "negative"]


def test_2016_unknown_polarity_and_empty_target_are_skipped():
    review = read_semeval(
        xml2016(
            '<sentence id="r1:0"><text>Good soup.</text><Opinions>'
            '<Opinion target="soup" category="FOOD#QUALITY" polarity="great" from="5" to="9"/>'
            '<Opinion target="" category="FOOD#QUALITY" polarity="positive" from="0" to="0"/>'
            '<Opinion target="soup" category="FOOD#QUALITY" polarity="positive" from="5" to="9"/>'
            "</Opinions></sentence>"
        )
    )
    assert [(t.term, t.polarity) for t in only_sentence(review).targets] == [("soup", "positive")]
    assert ["polarity 'great'" in p.message for p in review.problems] == [True, False]
    assert "empty target" in review.problems[1].message


# --------------------------------------------------------------------------- polarity and TSV


def test_polarity_lines_split_on_newline_only():
    data = "a gem \x85 truly\nfine \x97 just fine\n".encode("latin-1")
    records = read_polarity_lines(data, "positive", encoding="latin-1")
    assert [r.text for r in records] == ["a gem \x85 truly", "fine \x97 just fine"]
    assert {r.label for r in records} == {"positive"}


def test_polarity_lines_guess_utf8_then_latin1_and_skip_blank_lines():
    utf8 = "crème brûlée\r\n\n  \nok\n".encode()
    assert [r.text for r in read_polarity_lines(utf8, "negative")] == ["crème brûlée", "ok"]
    latin = "crème".encode("latin-1")
    assert [r.text for r in read_polarity_lines(latin, "negative")] == ["crème"]


def test_labeled_tsv_reports_malformed_lines():
    records, problems = read_labeled_tsv(FIXTURES / "labeled.tsv")
    assert [(r.label, r.text) for r in records] == [
        ("positive", "The curry was wonderful."),
        ("negative", "Cold fries again."),
        ("positive", "Lovely staff and a cosy room."),
    ]
    assert [(p.line, p.message) for p in problems] == [
        (4, "line has no tab between the label and the text; it was skipped."),
        (5, "line has an empty label; it was skipped."),
        (7, "line has an empty text; it was skipped."),
    ]
    assert all(p.source == "labeled.tsv" for p in problems)


# --------------------------------------------------------------------------- CoNLL-U


def test_conllu_skips_multiword_tokens_and_empty_nodes():
    sentences, _ = read_conllu(FIXTURES / "mini.conllu")
    by_id = {s.id: s for s in sentences}
    assert by_id["mwt-1"].words == ["I", "wo", "n't", "go", "."]
    assert by_id["mwt-1"].tags == ["PRON", "AUX", "PART", "VERB", "PUNCT"]
    assert by_id["empty-1"].words == ["Sue", "likes", "tea", "and", "Bill", "coffee", "."]
    assert len(by_id["empty-1"].tags) == 7


def test_conllu_reports_malformed_sentences_and_keeps_the_rest():
    sentences, problems = read_conllu(FIXTURES / "mini.conllu")
    # The fifth sentence has no sent_id; the last has no blank line after it.
    assert [s.id for s in sentences] == ["mwt-1", "empty-1", "mini.conllu:5", "last"]
    assert [(p.sentence_id, p.line, p.message) for p in problems] == [
        ("short-columns", 23, "line has 9 tab-separated columns instead of 10; the sentence was skipped."),
        ("no-upos", 27, "word 'bread' has no UPOS tag; the sentence was skipped."),
        ("bad-id", 35, "line has word id 'one', which is not an integer, a range or a decimal; the sentence was skipped."),
    ]


def test_conllu_duplicate_sent_id_keeps_the_first():
    data = "# sent_id = a\n1\tHi\thi\tINTJ\t_\t_\t0\troot\t_\t_\n\n# sent_id = a\n1\tYo\tyo\tINTJ\t_\t_\t0\troot\t_\t_\n"
    sentences, problems = read_conllu(data.encode())
    assert [s.words for s in sentences] == [["Hi"]]
    assert [(p.sentence_id, p.line, p.message) for p in problems] == [
        ("a", 4, "sentence id repeats an earlier sentence; this one was skipped.")
    ]


def test_conllu_upload_matches_path_and_rejects_non_utf8():
    path = FIXTURES / "mini.conllu"
    assert read_conllu(path.read_bytes(), name="mini.conllu") == read_conllu(path)
    with pytest.raises(DataFormatError, match=r"^x\.conllu is not UTF-8 text \(byte 0xe9 at line 1"):
        read_conllu("1\tcaf\xe9\t_\tNOUN\t_\t_\t0\troot\t_\t_\n".encode("latin-1"), name="x.conllu")


# --------------------------------------------------------------------------- describe_file


def test_describe_semeval_files():
    stats = describe_file(DEMO / "broken_demo.xml")
    assert stats["kind"] == "semeval2014" and stats["source"] == "broken_demo.xml"
    assert stats["sentences"] == 14 and stats["targets"] == 20 and stats["null_targets"] == 0
    assert sum(stats["labels"].values()) == 20
    assert len(stats["problems"]) == 5 and stats["problems"][0].startswith("broken_demo.xml, line ")
    stats = describe_file((DEMO / "restaurants_2016_demo.xml").read_bytes(), name="up.xml")
    assert (stats["kind"], stats["source"], stats["null_targets"]) == ("semeval2016", "up.xml", 6)


def test_describe_other_kinds():
    stats = describe_file(FIXTURES / "mini.conllu")
    assert (stats["kind"], stats["sentences"], stats["words"]) == ("conllu", 4, 17)
    assert stats["labels"]["PUNCT"] == 4 and len(stats["problems"]) == 3
    stats = describe_file(FIXTURES / "labeled.tsv")
    assert (stats["kind"], stats["sentences"]) == ("labeled_tsv", 3)
    assert stats["labels"] == {"positive": 2, "negative": 1} and len(stats["problems"]) == 3
    stats = describe_file(b"\xef\xbb\xbf  one review\nanother one\n")
    assert (stats["kind"], stats["sentences"]) == ("text_lines", 2)
    with pytest.raises(DataFormatError, match="root element <html>"):
        describe_file(b"\n  <html></html>")


# --------------------------------------------------------------------------- gzip, folders, binary files, sniffing


def test_gzip_files_and_uploads_read_like_the_plain_file(tmp_path):
    for source in (FIXTURES / "mini.conllu", DEMO / "broken_demo.xml"):
        packed = tmp_path / (source.name + ".gz")
        packed.write_bytes(gzip.compress(source.read_bytes()))
        if source.suffix == ".xml":
            plain, got = read_semeval(source), read_semeval(packed, name=source.name)
            assert got == plain and len(got.problems) == 5
            assert read_semeval(packed.read_bytes(), name=source.name) == plain
        else:
            plain, got = read_conllu(source), read_conllu(packed, name=source.name)
            assert got == plain and len(got[0]) == 4
            assert read_conllu(packed.read_bytes(), name=source.name) == plain
        assert describe_file(packed)["problems"] != []


def test_a_damaged_gzip_file_is_refused(tmp_path):
    data = gzip.compress((FIXTURES / "mini.conllu").read_bytes() * 50)
    cut = tmp_path / "cut.conllu.gz"
    cut.write_bytes(data[: len(data) // 2])
    with pytest.raises(
        DataFormatError, match=r"^cut\.conllu\.gz is a damaged gzip file \(.*\); compress or download it again\.$"
    ):
        read_conllu(cut)
    bad = tmp_path / "bad.conllu.gz"
    bad.write_bytes(data[:10] + b"\xff" * 40 + data[50:])
    with pytest.raises(DataFormatError, match=r"^bad\.conllu\.gz is a damaged gzip file"):
        read_conllu(bad)


def test_a_folder_and_a_binary_file_are_refused_by_every_reader(tmp_path):
    exe = tmp_path / "ls"
    exe.write_bytes(b"\x7fELF\x02\x01\x01\x00" + b"text\n" * 100)
    for read in (read_semeval, read_conllu, read_labeled_tsv, describe_file, sniff_kind):
        with pytest.raises(DataFormatError, match=rf"^{tmp_path} is a folder, not a file"):
            read(tmp_path)
        with pytest.raises(DataFormatError, match=r"^ls is a binary file, not text \(NUL byte at offset 7\)"):
            read(exe)
    with pytest.raises(DataFormatError, match="binary file"):
        read_polarity_lines(exe, "positive")
    with pytest.raises(DataFormatError, match="binary file"):
        describe_file(gzip.compress(exe.read_bytes()), name="ls.gz")


@pytest.mark.parametrize(
    "name,data,kind",
    [
        ("x.xml", b"", "xml"),
        ("x.xml", b"one line of text\n", "xml"),
        ("x.XML.gz", gzip.compress(b"plain"), "xml"),
        ("x.txt", b"\xef\xbb\xbf  <sentences/>", "xml"),
        ("x.txt", b" \n\t\n", "empty"),
        ("x.txt", b"a sentence\nanother one\n", "text_lines"),
        ("x.tsv", b"positive\tnice\nnegative\tbad\n", "labeled_tsv"),
        ("x.conllu.gz", gzip.compress((FIXTURES / "mini.conllu").read_bytes()), "conllu"),
    ],
)
def test_sniff_kind_by_name_and_first_bytes(name, data, kind):
    assert sniff_kind(data, name=name) == kind


@pytest.mark.parametrize(
    "data,message",
    [
        (b"", r"^x\.xml is empty; expected a SemEval XML file\.$"),
        (b"hello\n", r"^x\.xml is not well-formed XML \(syntax error at line 1"),
    ],
)
def test_describe_reads_a_file_named_xml_as_xml_or_refuses_it(tmp_path, data, message):
    path = tmp_path / "x.xml"
    path.write_bytes(data)
    with pytest.raises(DataFormatError, match=message):
        describe_file(path)


# --------------------------------------------------------------------------- big files: streamed, bounded memory

TEXTS = ["The pasta was great but the waiter was rude .", "Cheap wine , lovely terrace and slow service ."]
TERMS = [["pasta", "waiter"], ["wine", "terrace", "service"]]


def big_semeval(path: Path, n: int, pad: int = 0, broken_at: int | None = None) -> Path:
    """Write a SemEval-2014 file of n sentences (2 or 3 aspect terms each), an XML comment of `pad` bytes after each."""
    with open(path, "w", encoding="utf-8") as f:
        f.write('<?xml version="1.0" encoding="UTF-8"?>\n<sentences>\n')
        for i in range(n):
            text, terms = TEXTS[i % 2], TERMS[i % 2]
            shift = 1 if i == broken_at else 0  # wrong offsets, repaired: a problem with a line number
            rows = "".join(
                f'<aspectTerm term="{t}" polarity="positive" from="{text.find(t) + shift}" to="{text.find(t) + len(t) + shift}"/>'
                for t in terms
            )
            f.write(f'<sentence id="s{i}">\n<text>{text}</text>\n<aspectTerms>{rows}</aspectTerms>\n</sentence>\n')
            if pad:
                f.write(f"<!-- {'x' * pad} -->\n")
        f.write("</sentences>\n")
    return path


def peak_bytes(fn, *args) -> tuple[object, int]:
    """Run fn and return its result and the peak of Python memory allocated while it ran."""
    tokenize("warm up the tokenizer first")
    tracemalloc.start()
    try:
        result = fn(*args)
        return result, tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def test_a_big_semeval_file_streams_with_line_numbers_across_chunks(tmp_path):
    path = big_semeval(tmp_path / "big.xml", 3000, broken_at=2500)
    assert path.stat().st_size > 10 * CHUNK_BYTES
    review = read_semeval(path)
    assert len(review.sentences) == 3000 and sum(len(s.targets) for s in review.sentences) == 7500
    assert review.sentences[2999].line == line_of(path, '<sentence id="s2999"')
    expected_line = line_of(path, '<sentence id="s2500"') + 2  # the <aspectTerm>s are two lines below
    assert [(p.sentence_id, p.line) for p in review.problems] == [("s2500", expected_line)] * 2
    assert all("repaired" in p.message for p in review.problems)
    assert read_semeval(path.read_bytes(), name="big.xml") == review


def test_a_truncated_big_file_and_a_bad_byte_deep_inside_name_their_line(tmp_path):
    path = big_semeval(tmp_path / "big.xml", 2000)
    data = path.read_bytes()
    cut = tmp_path / "cut.xml"
    cut.write_bytes(data[: len(data) * 2 // 3])
    last_line = cut.read_bytes().count(b"\n") + 1
    with pytest.raises(DataFormatError, match=rf"^cut\.xml is not well-formed XML \(.* at line {last_line},"):
        read_semeval(cut)
    at = data.index(b"s1500") + 10
    bad = tmp_path / "bad.xml"
    bad.write_bytes(data[:at] + b"\xe9" + data[at:])
    line = data[:at].count(b"\n") + 1
    with pytest.raises(DataFormatError, match=rf"^bad\.xml is not UTF-8 text \(byte 0xe9 at line {line}, offset {at}\)"):
        read_semeval(bad)


def test_a_character_split_across_two_chunks_is_not_an_error(tmp_path):
    head = '<?xml version="1.0" encoding="UTF-8"?>\n<sentences>\n<!-- '
    filler = "x" * (CHUNK_BYTES - len(head) - 1)  # "é" (2 bytes) straddles the first chunk's end
    text = head + filler + ' -->\n<sentence id="1"><text>Crème brûlée</text></sentence>\n</sentences>\n'
    path = tmp_path / "split.xml"
    path.write_text(text.replace("x -->", "é -->"), encoding="utf-8")
    assert [s.text for s in read_semeval(path).sentences] == ["Crème brûlée"]


def test_describing_a_big_semeval_file_keeps_memory_bounded(tmp_path):
    """Sentences are dropped once read: 10x more sentences or a file 50x larger barely move the peak."""
    small = big_semeval(tmp_path / "small.xml", 400)
    many = big_semeval(tmp_path / "many.xml", 4000)
    padded = big_semeval(tmp_path / "padded.xml", 400, pad=20_000)  # 8 MB of comments between sentences
    assert padded.stat().st_size > 8_000_000
    info, small_peak = peak_bytes(describe_file, small)
    assert info["sentences"] == 400 and info["targets"] == 1000
    info, many_peak = peak_bytes(describe_file, many)
    assert info["sentences"] == 4000 and info["targets"] == 10_000 and info["problems"] == []
    info, padded_peak = peak_bytes(describe_file, padded)
    assert info["sentences"] == 400
    # Only the set of sentence ids (for duplicate detection) grows with the number of sentences.
    assert many_peak < small_peak + 1_000_000 and many_peak < 3_000_000
    assert padded_peak < small_peak + 500_000
    # The measure can fail: keeping every parsed sentence (read_semeval) costs far more.
    review, kept_peak = peak_bytes(read_semeval, many)
    assert len(review.sentences) == 4000 and kept_peak > 3 * many_peak


def test_describing_a_big_gzip_conllu_file_keeps_memory_bounded(tmp_path):
    words = "".join(f"{i}\tword{i}\tword\tNOUN\t_\t_\t0\tdep\t_\t_\n" for i in range(1, 121))
    body = "".join(f"# sent_id = d{n}\n{words}\n" for n in range(1000))
    path = tmp_path / "big.conllu.gz"
    path.write_bytes(gzip.compress(body.encode()))
    info, peak = peak_bytes(describe_file, path)
    assert info["sentences"] == 1000 and info["words"] == 120_000 and info["problems"] == []
    # Reading it whole would hold 4 MB of bytes and as much text; the stream holds a chunk and one sentence.
    assert len(body) > 4_000_000 and peak < 2_000_000


# --------------------------------------------------------------------------- the corpora in data/
# Each big file is parsed once per module; corpora_dir (tests/conftest.py) fails if the folder is missing.

SEMEVAL_2014 = {
    "Restaurants_Train_v2.xml": (3041, 3693, {"positive": 2164, "negative": 805, "neutral": 633, "conflict": 91}),
    "Restaurants_Test_Gold.xml": (800, 1134, {"positive": 728, "negative": 196, "neutral": 196, "conflict": 14}),
    "Laptop_Train_v2.xml": (3045, 2358, {"positive": 987, "negative": 866, "neutral": 460, "conflict": 45}),
    "Laptops_Test_Gold.xml": (800, 654, {"positive": 341, "negative": 128, "neutral": 169, "conflict": 16}),
}


@pytest.fixture(scope="module")
def semeval2014(corpora_dir: Path) -> dict[str, ReviewFile]:
    return {name: read_semeval(corpora_dir / "semeval2014" / name) for name in SEMEVAL_2014}


@pytest.fixture(scope="module")
def semeval2016(corpora_dir: Path) -> ReviewFile:
    return read_semeval(corpora_dir / "semeval2016" / "ABSA16_Restaurants_Train_SB1_v2.xml")


@pytest.fixture(scope="module")
def ewt(corpora_dir: Path) -> dict[str, tuple[list[TaggedSentence], list[Problem]]]:
    folder = corpora_dir / "ud-english-ewt"
    return {split: read_conllu(folder / f"en_ewt-ud-{split}.conllu.gz") for split in ("train", "dev", "test")}


@pytest.mark.corpus
@pytest.mark.parametrize("name", list(SEMEVAL_2014))
def test_corpus_semeval2014_counts(semeval2014, name):
    review = semeval2014[name]
    n_sentences, n_terms, polarities = SEMEVAL_2014[name]
    targets = [t for s in review.sentences for t in s.targets]
    assert review.format == "semeval2014"
    assert review.problems == []  # PROVENANCE: offsets match for 100% of terms, no duplicate ids
    assert len(review.sentences) == n_sentences
    assert len(targets) == n_terms
    assert dict(Counter(t.polarity for t in targets)) == polarities
    for sentence in review.sentences:
        for target in sentence.targets:
            assert sentence.text[target.start : target.end] == target.term
            # The tokens cover the term's visible characters (one laptop term ends in a no-break space).
            first, end = target.token_span
            visible_start = target.start + len(target.term) - len(target.term.lstrip())
            visible_end = target.end - len(target.term) + len(target.term.rstrip())
            assert sentence.token_offsets[first][0] <= visible_start
            assert visible_end <= sentence.token_offsets[end - 1][1]


@pytest.mark.corpus
def test_corpus_semeval2014_texts_are_not_stripped(semeval2014):
    padded = [s for s in semeval2014["Laptop_Train_v2.xml"].sentences if s.text != s.text.strip()]
    assert len(padded) == 136
    assert sum(s.text != s.text.strip() for s in semeval2014["Restaurants_Test_Gold.xml"].sentences) == 5
    first = semeval2014["Restaurants_Train_v2.xml"].sentences[0]
    assert (first.id, first.line) == ("3121", 3)


@pytest.mark.corpus
def test_corpus_laptop_term_with_trailing_no_break_space(semeval2014):
    sentence = next(s for s in semeval2014["Laptop_Train_v2.xml"].sentences if s.id == "1436")
    (target,) = [t for t in sentence.targets if t.term == "uninstall\xa0"]
    first, end = target.token_span
    assert sentence.tokens[first:end] == ["uninstall"]


@pytest.mark.corpus
def test_corpus_semeval2016_counts(semeval2016):
    review = semeval2016
    targets = [t for s in review.sentences for t in s.targets]
    assert review.format == "semeval2016" and review.problems == []
    assert len(review.sentences) == 2000  # the 63 OutOfScope sentences are kept
    assert len(targets) == 2507
    assert sum(t.is_null for t in targets) == 627
    assert dict(Counter(t.polarity for t in targets)) == {"positive": 1657, "negative": 749, "neutral": 101}
    assert sum(bool(s.targets) for s in review.sentences) == 1708
    assert len({t.category for t in targets}) == 12
    by_id = {s.id: s for s in review.sentences}
    # PROVENANCE: NULL targets with non-zero offsets, one past the end of the text.
    for sid in ("1490757:0", "TR#1:0", "TFS#5:26", "DBG#2:15"):
        assert any(t.is_null for t in by_id[sid].targets)
    assert len(by_id["DBG#2:15"].text) < 31


@pytest.mark.corpus
def test_corpus_ewt_counts(ewt):
    expected = {"train": (12544, 204577), "dev": (2001, 25147), "test": (2077, 25094)}
    for split, (n_sentences, n_words) in expected.items():
        sentences, problems = ewt[split]
        assert problems == []
        assert len(sentences) == n_sentences
        assert sum(len(s.words) for s in sentences) == n_words
        assert len({tag for s in sentences for tag in s.tags}) == 17
    train_tags = Counter(tag for s in ewt["train"][0] for tag in s.tags)
    assert train_tags["NOUN"] == 34751 and train_tags["X"] == 400


@pytest.mark.corpus
def test_corpus_polarity_counts(corpora_dir):
    folder = corpora_dir / "rt-polarity"
    records = read_polarity(folder / "rt-polarity.pos", folder / "rt-polarity.neg")
    assert Counter(r.label for r in records) == {"positive": 5331, "negative": 5331}
    assert records[0].label == "positive" and records[-1].label == "negative"
    # 0x85 decodes to U+0085 and stays inside its sentence.
    assert any("\x85" in r.text for r in records)
    assert all(r.text and "\n" not in r.text for r in records)


def test_review_counts_of_a_parsed_file():
    s1 = Sentence(
        "1",
        "great food",
        ["great", "food"],
        [(0, 5), (6, 10)],
        [Target("food", "positive", 6, 10, (1, 2)), Target(None, "negative")],
    )
    s2 = Sentence("2", "bad wine", ["bad", "wine"], [(0, 3), (4, 8)], [Target("wine", "conflict", 4, 8, (1, 2))])
    s3 = Sentence("3", "awful", ["awful"], [(0, 5)], [Target("x", "negative", 0, 5, (0, 1))])
    review = ReviewFile("f.xml", "semeval2016", [s1, s2, s3], [Problem("f.xml", "bad", "9", 4)])
    summary = review_counts(review)
    assert summary["targets"] == 4 and summary["null_targets"] == 1 and summary["labels"]["conflict"] == 1
    assert len(summary["problems"]) == 1 and summary["kind"] == "semeval2016" and summary["sentences"] == 3


def test_review_counts_equal_describe_file_on_a_real_file():
    path = Path(__file__).resolve().parents[2] / "demo" / "broken_demo.xml"
    assert review_counts(read_semeval(path)) == describe_file(path)
