"""Defaults that fit the data: a model of a file's domain (restaurants, laptops), a user's choice kept; the SST trio for trajectories.

The domain of a model comes from its card's training files (`seqcore.corpora.card_domain`); the domain of a
file from its name, else from the words its sentences use (`seqcore.corpora.domain_of_texts`). The restaurant
demo file scored by the laptops model is 32.0% right, by a restaurants model 84.0%: the default matters.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import streamlit as st

from seqcore import corpora
from ui import state
from ui.config import COMPARED_MODELS
from ui.models import ModelEntry, comparison_default, current_model, model_for_task, models_of_task
from ui.sources import Picked, file_examples
from ui.text import plain

if TYPE_CHECKING:  # annotations only: importing ui must not load torch
    from seqcore.inference import Predictor

AUTO_SUFFIX = "__domain_default"  # state key beside a model list: the model this module put there, not the user


def file_domain(picked: Picked) -> str | None:
    """The domain of the chosen file(s): what their names say, else what their sentences talk about; None if unclear."""
    named = corpora.domain_of_name(picked.title) if picked.title else None
    if named is not None:
        return named
    review = picked.parsed.review if picked.parsed is not None else None
    texts = [s.text for s in review.sentences] if review is not None else [ex.text for ex in picked.examples or []]
    return corpora.domain_of_texts(texts) if texts else None


def domain_models(models: list[ModelEntry], domain: str | None) -> list[ModelEntry]:
    """The models trained on data of `domain`, in the list's order."""
    return [m for m in models if domain is not None and corpora.card_domain(m.card) == domain]


def default_choice(domain_keys: list[str], value: str | None, auto: str | None) -> str | None:
    """The model list's value to set before it is drawn: the domain's first model, unless the user chose one.

    `value` is the list's value now (None before it is drawn), `auto` the value this module set last; a value
    that differs from it was the user's choice, and is kept. Returns None when nothing is to be set.
    """
    if not domain_keys or (value is not None and value != auto):
        return None
    return domain_keys[0] if value != domain_keys[0] else None


def model_for_file(task: str, key: str, domain: str | None) -> tuple[ModelEntry, Predictor] | None:
    """The model a page scores a file with, starting on a model of the file's domain, and say why.

    The sidebar's model, when it does `task`, is the user's choice and is kept (with a pointer to a model of
    the file's domain when it is of another). Otherwise the page's own list starts on the first model of the
    file's domain; once the user picks another, that pick is kept, whatever file comes next.
    """
    fitting = models_of_task(task)
    matching = domain_models(fitting, domain)
    current = current_model()
    by_sidebar = current is not None and current.task == task
    auto_key = key + AUTO_SUFFIX
    if not by_sidebar:
        chosen = default_choice([m.key for m in matching], state.widget_value(key), state.widget_value(auto_key))
        if chosen is not None:
            state.set_widget(key, chosen)
            state.set_widget(auto_key, chosen)
    result = model_for_task(task, key)
    if result is None or domain is None or not matching:
        return result
    entry = result[0]
    if entry in matching:
        how = "the sidebar's model" if by_sidebar else "picked for this file"
        st.caption(
            f"{plain(entry.name)} ({plain(how)}) was trained on {plain(domain)} reviews, this file's domain (from the model cards' data)."
        )
    else:
        where = "the sidebar" if by_sidebar else "the list above"
        st.info(
            f"This file reads as {plain(domain)} reviews, and {plain(entry.name)} was trained on other data: "
            f"{plain(matching[0].name)} is a model of this file's domain (choose it in {plain(where)})."
        )
    return result


def for_labels(picked: Picked, labels: list[str] | None, task: str = "aspect") -> Picked:
    """The chosen file's examples for a model of `labels`: the same Picked when it was read for those classes.

    A page may read its file before it knows the model (to pick a model of the file's domain); the file was read
    with the task's default classes, so a model of other classes re-reads it (cached) here.
    """
    from dataclasses import replace

    from seqcore.taskspecs import ASPECT_LABELS

    if task != "aspect" or labels is None or set(labels) == set(ASPECT_LABELS) or picked.data is None or picked.parsed is None:
        return picked
    examples, problems, skipped = file_examples(task, picked.data, picked.parsed.name, tuple(labels))
    return replace(picked, examples=examples, problems=problems, skipped=skipped)


def trajectory_default(models: list[ModelEntry], most: int = COMPARED_MODELS) -> list[str]:
    """The trajectory's models at first: the SST models, one per cell, when there are any; else any one per cell.

    SST models learned from labelled phrases what *not* and *but* do (`seqcore.treebank`); rt-polarity's models
    saw one label per sentence and read "not bad at all" as negative, so the lesson starts on the SST ones.
    The sidebar's model comes first when it is one of them (`comparison_default`).
    """
    sst = [m for m in models if corpora.protocol_of(m.card) == "sst"]
    return comparison_default(sst or models, most)
