"""Words a student knows: one plain sentence for every technical term the app shows, in one place.

The pages put a term's sentence in a help tooltip where it first appears (`tip`), the sidebar's glossary lists
them all on every page (`show_glossary`), and docs/glossary.md is written from the same data
(`python tools/glossary.py`; tests/app/test_glossary.py fails when the two differ).
"""

from __future__ import annotations

from dataclasses import dataclass

import streamlit as st

APP = "http://127.0.0.1:8501"
PAGE_TITLES = {
    "trajectory": "Sentiment trajectory",
    "aspects": "Aspects",
    "gates": "Gates",
    "evaluation": "Evaluation",
    "train": "Train",
    "inside": "Inside the cell",
    "tagging": "Tagging",
    "gradients": "Gradients through time",
    "pitfalls": "Pitfalls",
    "search": "Hidden-state search",
}


@dataclass(frozen=True)
class Term:
    """A term, its one-sentence meaning, and the page (URL path) where it matters most."""

    term: str
    meaning: str
    page: str


TERMS = [
    Term(
        "RNN, GRU, LSTM",
        "Three kinds of recurrent cell: the plain RNN rewrites its memory at every word, the GRU and LSTM have gates that decide what to keep.",
        "trajectory",
    ),
    Term(
        "P(class)",
        "The model's probability for a class (negative, positive, ...), between 0 and 1; the classes' probabilities add up to 1.",
        "trajectory",
    ),
    Term(
        "logit",
        "The score the model gives a class before the scores are turned into probabilities: a higher logit means a higher probability.",
        "gates",
    ),
    Term(
        "hidden unit",
        "One number of the model's memory (its hidden state); a model with 128 hidden units carries 128 numbers from word to word.",
        "gates",
    ),
    Term(
        "hidden state",
        "The list of numbers (one per hidden unit) the model carries from one word to the next: its memory of the sentence so far.",
        "inside",
    ),
    Term(
        "cell state",
        "The LSTM's second memory (c), changed only by adding and forgetting, which lets information travel far along the sentence.",
        "gates",
    ),
    Term(
        "gate",
        "A set of numbers between 0 and 1 that the cell multiplies its memory or its input by: 0 blocks, 1 lets everything through.",
        "gates",
    ),
    Term(
        "saturated",
        "A gate value stuck near 0 or 1 (or a tanh value near -1 or +1), where a small change of its input changes nothing.",
        "gates",
    ),
    Term(
        "layer",
        "One recurrent cell reading the whole sentence; a model with two layers feeds the first layer's states to the second.",
        "gates",
    ),
    Term(
        "direction",
        "Forward reads the sentence from the first word to the last; backward reads it from the last word to the first.",
        "gates",
    ),
    Term(
        "layer-direction",
        "One layer read in one direction (layer 0 forward, layer 0 backward, ...): each has its own hidden states.",
        "search",
    ),
    Term("bidirectional", "A model that reads the sentence both forward and backward and joins the two readings.", "train"),
    Term(
        "gradient",
        "How much the loss would change if one number inside the model changed a little: training moves the weights against it.",
        "gradients",
    ),
    Term(
        "gradient x activation",
        "A unit's value times the gradient of the logit with respect to it: roughly how much that unit pushed the logit up or down.",
        "gates",
    ),
    Term(
        "integrated gradients",
        "A way to share out a logit among the words: how much the logit moves as each word fades in from nothing to itself.",
        "trajectory",
    ),
    Term(
        "completeness",
        "The check that the words' integrated gradients add up to the logit minus the logit of an empty sentence.",
        "trajectory",
    ),
    Term(
        "Jacobian",
        "The table of how much every number of one step's memory changes when every number of the step before changes: the factor the gradient is multiplied by at each step back.",
        "gradients",
    ),
    Term(
        "vanishing gradient",
        "A gradient that shrinks at every step back through the sentence until early words barely teach the model anything.",
        "gradients",
    ),
    Term("orders of magnitude", "Factors of ten: a fall of 3 orders of magnitude is a fall to a thousandth.", "gradients"),
    Term(
        "untrained twin",
        "The same model with fresh random weights (same sizes, no training), to show what training changed.",
        "gradients",
    ),
    Term("loss", "How wrong the model is on an example: small when it gives the right answer a high probability.", "train"),
    Term(
        "nats",
        "The unit of the loss (natural logarithm): a loss of 0.69 nats is a 50% guess between two classes, 0 is a sure right answer.",
        "evaluation",
    ),
    Term("accuracy", "The share of answers that are right.", "evaluation"),
    Term(
        "macro-F1",
        "The F1 score (a balance of precision and recall) of every class, averaged so that a rare class counts as much as a common one.",
        "evaluation",
    ),
    Term(
        "precision and recall",
        "Precision: of the items the model called this class, the share that are; recall: of the items that are this class, the share it found.",
        "evaluation",
    ),
    Term(
        "confusion matrix",
        "A grid that counts, for every true class (row), how often the model answered each class (column).",
        "evaluation",
    ),
    Term("chance", "What guessing scores: 50% for two equally common classes.", "gradients"),
    Term(
        "majority class",
        "What always answering the most common class scores: a model must beat it to have learnt anything.",
        "pitfalls",
    ),
    Term("test set", "Sentences kept aside and scored once, after training, to measure the model honestly.", "evaluation"),
    Term("dev split", "Sentences held out of training to pick the best epoch, so the test set is never used to choose.", "train"),
    Term("epoch", "One pass of training over every training sentence.", "train"),
    Term("learning rate", "How big a step training takes against the gradient after each batch.", "train"),
    Term("batch", "A few sentences processed together in one step; shorter ones are padded to the longest.", "pitfalls"),
    Term("patience", "How many epochs without a better dev score training waits before it stops on its own.", "train"),
    Term(
        "dropout", "Switching off a random share of units while training, so the model cannot lean on any one of them.", "train"
    ),
    Term("embedding", "The list of numbers that stands for a word when it enters the model.", "inside"),
    Term(
        "padding", "Filler positions added after a short sentence so every sentence of a batch has the same length.", "pitfalls"
    ),
    Term(
        "the Theano bug",
        "A mistake from a course's old Theano code: reading a padded batch at the wrong step, so the model answers from padding or from the first word only.",
        "pitfalls",
    ),
    Term("masked", "Padding left out of the loss and the accuracy, so only real words count.", "pitfalls"),
    Term(
        "many-to-one, many-to-many",
        "Many-to-one: one answer per sentence (sentiment); many-to-many: one answer per word (tagging).",
        "pitfalls",
    ),
    Term(
        "tensor shape",
        "The sizes of an array of numbers, such as [1, 12, 256]: 1 sentence, 12 words, 256 numbers per word.",
        "inside",
    ),
    Term(
        "UPOS tags",
        "The universal part-of-speech labels: NOUN, VERB, ADJ, ADV, PROPN (a name), SCONJ (a word like 'because' or 'if'), DET, PUNCT and others.",
        "tagging",
    ),
    Term("aspect term", "The words a review's opinion is about, such as 'the soup' in 'the soup was cold'.", "aspects"),
    Term("polarity", "Whether an opinion is negative, positive or neutral.", "aspects"),
    Term(
        "SemEval",
        "A shared research task whose review files (restaurants, laptops) mark aspect terms and their polarity.",
        "aspects",
    ),
    Term(
        "CoNLL-U",
        "A text file format with one word per line and its part-of-speech tag, used by Universal Dependencies treebanks.",
        "tagging",
    ),
    Term(
        "hidden-state search",
        "Finding where else in a corpus the same hidden units switch on as over the words you selected.",
        "search",
    ),
    Term("threshold", "The value above which a hidden unit counts as on (search) or a gate as saturated (gates).", "search"),
    Term("tolerance (1e-5)", "How far two computations may differ and still count as equal: 1e-5 is 0.00001.", "gates"),
    Term(
        "SEQCORE_DEVICE",
        "A setting of the computer running the app (an environment variable) that chooses where models run: cpu or a GPU.",
        "trajectory",
    ),
]
BY_TERM = {t.term: t for t in TERMS}


def meaning(term: str) -> str:
    """The one sentence for `term` (KeyError names the glossary's terms when it is not one)."""
    if term not in BY_TERM:
        raise KeyError(f"{term!r} is not in the glossary (ui/glossary.py): add it there, and run python tools/glossary.py")
    return BY_TERM[term].meaning


def tip(*terms: str) -> str:
    """A help tooltip defining `terms`, one line each ("**term**: sentence")."""
    return "\n\n".join(f"**{term}**: {meaning(term)}" for term in terms)


def markdown() -> str:
    """docs/glossary.md: every term, its sentence, and a link to the app page where it matters most."""
    lines = [
        "# Glossary",
        "",
        "Every technical word the app shows, in one plain sentence (the app shows the same sentence as a tooltip where the",
        "word first appears on a page, and lists them all in the sidebar's **Glossary**). Written by `python tools/glossary.py`",
        "from `ui/glossary.py`; `tests/app/test_glossary.py` fails when this file and the app disagree.",
        "",
        "| term | meaning | page |",
        "|---|---|---|",
    ]
    for t in TERMS:
        lines.append(f"| {t.term} | {t.meaning} | [{PAGE_TITLES[t.page]}]({APP}/{t.page}) |")
    return "\n".join(lines) + "\n"


def show_glossary() -> None:
    """The sidebar's glossary (every page): each term, its sentence, and its page."""
    with st.sidebar.expander("📖 Glossary: the words on these pages"):
        # One element, not one per term: each element is a message to the browser and a component to mount, on
        # every page's every run (bench/bench_cold_start.py: the browser, not the server, sets the first page's time).
        st.markdown(  # markup: constants of this module
            "\n\n".join(f"**{t.term}**: {t.meaning} *({PAGE_TITLES[t.page]})*" for t in TERMS)
        )
