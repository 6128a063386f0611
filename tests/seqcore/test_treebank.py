"""seqcore.treebank reads SST trees exactly: spans, labels, escapes, views, phrases, and PROVENANCE.md's counts."""

from __future__ import annotations

from pathlib import Path

import pytest

from seqcore.readers import DataFormatError, Problem, sniff_kind
from seqcore.tasks import check_data_file, load_examples, sst_examples
from seqcore.treebank import (
    BINARY_LABELS,
    FINE_LABELS,
    Node,
    TreeSyntaxError,
    iter_trees,
    parse_tree,
    phrases,
    prefixes,
    read_trees,
    roots,
    tree_counts,
    view_label,
)

ROOT = Path(__file__).resolve().parents[2]
SST = ROOT / "data" / "sst"
LINE = "(1 (2 (2 The) (2 food)) (1 (2 was) (1 (1 (2 not) (3 good)) (2 -LRB-sic-RRB-))))"


def test_every_node_is_a_span_of_tokens_with_its_label():
    tree = parse_tree(LINE, "t:1", 1)
    assert tree.tokens == ("The", "food", "was", "not", "good", "(sic)")
    # Pre-order: the root first, then each node before its children.
    assert tree.root == Node(0, 6, 1)
    assert tree.nodes[1] == Node(0, 2, 2)
    assert [tree.phrase(n) for n in tree.nodes if n.label == 1] == [
        ("The", "food", "was", "not", "good", "(sic)"),
        ("was", "not", "good", "(sic)"),
        ("not", "good", "(sic)"),
        ("not", "good"),
    ]
    assert tree.phrase(Node(4, 5, 3)) == ("good",) and Node(4, 5, 3) in tree.nodes
    assert len(tree.nodes) == 2 * len(tree.tokens) - 1  # a binary tree: n leaves, n - 1 inner nodes


def test_ptb_escapes_become_what_they_stand_for():
    tree = parse_tree("(2 (2 -LRB-) (2 (2 ``) (2 (2 writer\\/director) (2 (2 '') (2 -RRB-)))))")
    assert tree.tokens == ("(", '"', "writer/director", '"', ")")
    assert tree.text == '( " writer/director " )'
    # A leaf may hold a no-break space: one token, not two.
    assert parse_tree("(2 (2 8\u00a01\\/2) (2 Women))").tokens == ("8\u00a01/2", "Women")


@pytest.mark.parametrize(
    "line, why",
    [
        ("(2 (2 a) (2 b)", "left open"),
        ("(2 (2 a) (2 b)))", "no open node"),
        ("(5 (2 a) (2 b))", "label must be 0-4"),
        ("(2 (2 a b))", "more than one word"),
        ("(2 (2 a) (2 b)) (2 c)", "after the end"),
        ("(2 )", "empty node"),
        ("just words", "outside any node"),
        ("(2 a (2 b))", "both a word and a node"),
    ],
)
def test_a_malformed_line_says_what_and_where(line, why):
    with pytest.raises(TreeSyntaxError, match=why):
        parse_tree(line)


def test_bad_lines_are_reported_with_file_line_and_id_and_the_rest_is_kept():
    data = f"{LINE}\n(2 (2 a) (2 b)\n\n{LINE}\n".encode()
    items = list(iter_trees(data, name="mine.txt"))
    assert [type(i).__name__ for i in items] == ["Tree", "Problem", "Tree"]
    problem = items[1]
    assert isinstance(problem, Problem) and problem.line == 2 and problem.sentence_id == "mine.txt:2"
    assert "left open" in problem.message and problem.source == "mine.txt"
    trees, problems = read_trees(data, name="mine.txt")
    assert [t.id for t in trees] == ["mine.txt:1", "mine.txt:4"] and len(problems) == 1


def test_a_file_with_no_tree_or_not_utf8_is_refused_with_the_reason():
    with pytest.raises(DataFormatError, match="no line is a labelled tree"):
        read_trees(b"hello\nworld\n", name="words.txt")
    with pytest.raises(DataFormatError, match="line 2: not UTF-8"):
        read_trees(LINE.encode() + b"\n(2 (2 caf\xe9))\n", name="latin.txt")


def test_the_binary_view_drops_neutral_and_the_fine_view_keeps_five_classes():
    assert [view_label(k, "binary") for k in range(5)] == ["negative", "negative", None, "positive", "positive"]
    assert [view_label(k, "fine") for k in range(5)] == list(FINE_LABELS)
    assert BINARY_LABELS == ("negative", "positive")
    with pytest.raises(ValueError, match="unknown SST view"):
        view_label(0, "ternary")
    tree = parse_tree(LINE)
    assert [lab for _, lab in roots([tree], "binary")] == ["negative"]
    assert roots([parse_tree("(2 (2 a) (2 b))")], "binary") == []
    assert [lab for _, lab in roots([parse_tree("(2 (2 a) (2 b))")], "fine")] == ["neutral"]


def test_phrases_are_distinct_lowercased_with_the_majority_label():
    trees = [parse_tree("(3 (3 (3 Good) (2 film)) (2 .))"), parse_tree("(1 (1 (3 good) (2 grief)) (2 .))")]
    found = dict(phrases(trees, "binary", distinct=True))
    assert found[("Good",)] == "positive"  # once, first casing kept
    assert ("good",) not in found and ("Good", "film") in found
    assert len(phrases(trees, "binary", distinct=False)) == 6  # every non-neutral node, repeats kept
    vote = [parse_tree("(1 (1 dull))"), parse_tree("(3 (3 Dull))"), parse_tree("(3 (3 DULL))")]
    assert phrases(vote, "binary") == [(("dull",), "positive")]  # 2 of 3 occurrences say positive
    # Prefixes: the labelled nodes that start the sentence, as a left-to-right reader has read them.
    assert [toks for toks, _ in prefixes([parse_tree(LINE)])] == [("The", "food", "was", "not", "good", "(sic)")]


def test_examples_resplit_leaves_as_the_app_tokenizes_text():
    tree = parse_tree("(3 (3 (3 well-made) (2 fun)) (2 .))", "t:1")
    (ex,) = sst_examples([tree], "binary", "roots")
    assert ex.tokens == ["well", "-", "made", "fun", "."] and ex.label == "positive" and ex.id == "t:1"
    phrase_examples = sst_examples([tree], "fine", "all-phrases")
    assert {(" ".join(e.tokens), e.label) for e in phrase_examples} >= {("well - made", "positive"), ("fun", "neutral")}
    with pytest.raises(ValueError, match="train_on"):
        sst_examples([tree], "binary", "leaves")


def test_tree_files_sniff_as_sst_and_a_sentiment_model_reads_them(tmp_path):
    path = tmp_path / "dev.txt"
    path.write_text(f"{LINE}\n{LINE.replace('(1 (2 (2 The', '(4 (2 (2 The', 1)}\n", encoding="utf-8")
    assert sniff_kind(path) == "sst_trees"
    check_data_file("sentiment", path)
    with pytest.raises(DataFormatError, match="Stanford Sentiment Treebank"):
        check_data_file("tagging", path)
    examples, problems = load_examples("sentiment", [path])
    assert [e.label for e in examples] == ["negative", "positive"] and problems == []
    fine, _ = load_examples("sentiment", [path], sst_view="fine")
    assert [e.label for e in fine] == ["negative", "very positive"]
    # The same sentence twice: its phrases are kept once each (the root's tie goes to the first occurrence).
    phrase_labels = [e.label for e in load_examples("sentiment", [path], sst_view="fine", sst_train_on="phrases")[0]]
    assert len(phrase_labels) == 11 and set(phrase_labels) == {"negative", "neutral", "positive"}


@pytest.mark.corpus
def test_the_corpus_counts_are_exactly_provenances():
    """PROVENANCE.md: 8,544 / 1,101 / 2,210 sentences; 6,920 / 872 / 1,821 binary; 318,582 train nodes; 77,195 phrases."""
    want = {
        "train": {"sentences": 8544, "root_labels": [1092, 2218, 1624, 2322, 1288], "binary": 6920, "nodes": 318582},
        "dev": {"sentences": 1101, "root_labels": [139, 289, 229, 279, 165], "binary": 872, "nodes": 41447},
        "test": {"sentences": 2210, "root_labels": [279, 633, 389, 510, 399], "binary": 1821, "nodes": 82600},
    }
    for split, counts in want.items():
        trees, problems = read_trees(SST / f"{split}.txt")
        assert problems == [], split
        assert tree_counts(trees) == counts, split
        assert len(roots(trees, "binary")) == counts["binary"]
        assert len(roots(trees, "fine")) == counts["sentences"]
        if split == "train":
            distinct = phrases(trees, "binary")
            assert len(distinct) == 77195
            assert len(phrases(trees, "binary", distinct=False)) == 98794  # every non-neutral node
            from seqcore.treebank import negation_phrases, polar_predicates

            assert len(polar_predicates(trees)) == 456 and len(negation_phrases(trees)) == 3631  # docs/data-and-tasks.md
            assert sum(lab == "positive" for _, lab in distinct) in range(42407, 42410)  # a tied or split vote moves 2
            assert sum("(" in t for t in trees for t in t.tokens) == 356  # every -LRB- converted
            assert not any(t.startswith("-") and t.endswith("B-") for tree in trees for t in tree.tokens)


def test_the_corpus_is_registered_with_its_files():
    from seqcore.corpora import corpus

    sst = corpus("sst")
    assert sst.task == "sentiment" and sst.refs("test") == ["data/sst/test.txt"]
    assert sst.available("train", ROOT / "data") and sst.available("test", ROOT / "data")


def test_negation_phrases_flip_polar_predicates_and_never_override_sst():
    from seqcore.treebank import negation_phrases, polar_predicates

    trees = [
        parse_tree("(1 (2 (2 It) (2 (2 is) (0 dull))) (2 .))"),
        parse_tree("(3 (2 (2 So) (3 funny)) (2 .))"),
        parse_tree("(1 (2 (2 It) (2 (2 is) (1 (2 not) (3 funny)))) (2 .))"),
        parse_tree("(2 (2 (2 is) (2 film)) (2 (2 very) (1 slowly)))"),  # neutral and -ly words are not predicates
    ]
    assert polar_predicates(trees) == {"dull": "negative", "funny": "positive"}
    found = dict(negation_phrases(trees))
    assert found[("not", "dull")] == "positive" and found[("far", "from", "dull")] == "positive"
    assert found[("is", "n't", "funny")] == "negative" and found[("never", "funny")] == "negative"
    assert ("not", "funny") not in found  # SST labels it: its own label stands (phrases keeps it)
    assert ("not", "slowly") not in found
    examples = sst_examples(trees, "binary", "phrases", negations=True)
    assert {" ".join(e.tokens): e.label for e in examples}["not dull at all"] == "positive"
    assert len(sst_examples(trees, "binary", "roots", negations=True)) == 3  # sentences only: nothing added
