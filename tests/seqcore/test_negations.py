"""Negation in context (seqcore.negations) and the SST negation options: what is added, flipped, held out, weighted."""

from __future__ import annotations

import pytest

from seqcore.negations import NEGATORS, NegationOptions, children, framed, negated_in_context, split_heldout
from seqcore.tasks import sst_examples
from seqcore.treebank import negation_phrases, parse_tree

# "The plot is dull ." : the sentence's label comes from "is dull" (its siblings are neutral).
DULL = "(1 (2 (2 The) (2 plot)) (1 (1 (2 is) (0 dull)) (2 .)))"
# "is dull , but funny" : a polar sibling ("but funny") stops the climb at "is dull".
MIXED = "(3 (1 (2 is) (0 dull)) (3 (2 ,) (3 (2 but) (3 funny))))"


def _negator_inside(tokens: tuple[str, ...], before: str) -> str:
    text = " ".join(tokens)
    found = [n for n in NEGATORS if f"is {n} {before}" in text]
    assert len(found) == 1, text
    return found[0]


def test_children_follow_the_pre_order_spans():
    tree = parse_tree(DULL)
    kids = children(tree)
    assert kids[0] == [1, 4]  # root: "The plot" and "is dull ."
    assert kids[1] == [2, 3] and kids[4] == [5, 8] and kids[5] == [6, 7]
    assert all(kids[i] == [] for i in (2, 3, 6, 7, 8))


def test_a_negated_predicate_flips_and_climbs_through_neutral_siblings():
    made = negated_in_context([parse_tree(DULL)])
    texts = [(" ".join(t), lab) for t, lab, _ in made]
    assert [lab for _, lab in texts] == ["positive"] * 3  # "is X dull", "is X dull .", "The plot is X dull ."
    assert texts[0][0].startswith("is ") and texts[-1][0].startswith("The plot is ")
    assert _negator_inside(made[0][0], "dull") == _negator_inside(made[-1][0], "dull")  # one negator per rewrite
    assert {key for _, _, key in made} == {"dull"}


def test_a_polar_sibling_stops_the_climb_and_negated_predicates_are_left_alone():
    made = negated_in_context([parse_tree(MIXED)])
    assert len(made) == 1 and made[0][1] == "positive" and made[0][0][-1] == "dull"
    already = parse_tree("(1 (2 It) (1 (2 is) (1 (2 not) (3 funny))))")
    assert negated_in_context([already]) == []  # "is not funny": negating again is not a flip
    contrast = parse_tree("(1 (2 is) (1 (2 slow) (2 (2 but) (3 fun))))")
    assert negated_in_context([contrast]) == []  # two opinions in one predicate


def test_split_heldout_keeps_a_predicate_on_one_side():
    items = [(("not", w), "positive", w) for w in ("dull", "bad", "boring", "slow", "flat", "tired")] * 2
    train, held = split_heldout(items, 0.5)
    assert len(train) + len(held) == len(items)
    assert not {t[1] for t, _ in train} & {t[1] for t, _ in held}
    assert split_heldout(items, 0.0) == ([(t, lab) for t, lab, _ in items], [])
    with pytest.raises(ValueError, match="held-out share"):
        split_heldout(items, 1.0)


def test_framed_is_negation_phrases_with_keys():
    trees = [parse_tree("(1 (2 (2 It) (2 (2 is) (0 dull))) (2 .))"), parse_tree("(3 (2 (2 So) (3 funny)) (2 .))")]
    assert [(t, lab) for t, lab, _ in framed(trees)] == negation_phrases(trees)


def test_negation_options_weight_dedupe_and_sst_labels_first():
    trees = [
        parse_tree(DULL),
        parse_tree("(3 (2 (2 So) (3 funny)) (2 .))"),
        parse_tree("(3 (2 It) (3 (2 is) (3 (2 never) (1 dull))))"),
    ]
    opts = NegationOptions(frames=True, context=True, weight=3)
    added, held = opts.added(trees)
    assert held == []
    low = [tuple(w.lower() for w in t) for t, _ in added]
    assert len(low) == len(set(low))  # each phrase once before weighting
    assert ("is", "never", "dull") not in low  # SST labels it (3): its own label stands
    plain = sst_examples(trees, "binary", "phrases")
    weighted = sst_examples(trees, "binary", "phrases", opts)
    assert len(weighted) == len(plain) + 3 * len(added)
    assert len(sst_examples(trees, "binary", "phrases", True)) == len(plain) + len(negation_phrases(trees))
    with pytest.raises(ValueError, match="weight"):
        NegationOptions(frames=True, weight=0)


def test_the_counts_docs_give_for_sst_train():
    from pathlib import Path

    from seqcore.treebank import read_trees

    trees, _ = read_trees(Path(__file__).resolve().parents[2] / "data" / "sst" / "train.txt")
    train, held = NegationOptions(frames=True, context=True, holdout=0.1).added(trees)
    assert (len(train), len(held)) == (5420, 696)  # docs/data-and-tasks.md
    assert sum(label == "positive" for _, label in held) == 310
    train, held = NegationOptions(frames=True, context=True, contrast=True, holdout=0.1).added(trees)
    assert (len(train), len(held)) == (8096, 1053)  # 357 held-out contrasts (bench/negation_heldout.py)


def test_contrasts_join_a_negated_phrase_to_an_opposite_phrase_and_take_the_label_after_but():
    from seqcore.negations import contrast_clauses, contrasted

    trees = [
        parse_tree(DULL),
        parse_tree("(4 (4 (3 a) (4 (4 wonderful) (2 cast))) (2 .))"),
        parse_tree("(0 (0 (2 a) (0 (0 dreadful) (2 script))) (2 .))"),
        parse_tree("(3 (2 It) (3 (2 is) (3 (2 not) (1 dull))))"),  # a negator inside: never a contrast side
    ]
    pools = contrast_clauses(trees)
    assert ("a", "wonderful", "cast") in pools["positive"] and ("a", "dreadful", "script") in pools["negative"]
    assert not any("not" in toks for pool in pools.values() for toks in pool)
    negated = [((w, "dull", "thing", str(i)), "positive", f"k{i}") for i, w in enumerate(["not", "never"] * 20)]
    made = contrasted(negated, trees)
    assert 0 < len(made) < len(negated)  # every other phrase, by a stable hash
    for toks, label, key in made:
        text = " ".join(toks)
        assert ", but " in text and key.startswith("k")
        first, second = text.split(" , but ")
        negated_second = second.endswith(key[1:])  # the negated phrase ends with its number
        assert label == ("positive" if negated_second else "negative")  # the part after "but" decides
        other = tuple((first if negated_second else second).split())
        assert other in pools["negative"]  # the other side has the opposite polarity
    assert {" ".join(t).endswith(k[1:]) for t, _, k in made} == {True, False}  # both orders
