"""Tokenization offsets, character-span to token-span mapping, and Vocab."""

from __future__ import annotations

import json
import os

import pytest

from seqcore.tokens import UnknownLabelError, Vocab, offsets_to_token_span, tokenize, tokenizer


def test_tokenizer_is_built_once():
    assert tokenizer() is tokenizer()


def test_tokenize_drops_whitespace_tokens_and_keeps_original_offsets():
    text = "  the  pizza was great\n "
    tokens, offsets = tokenize(text)
    assert tokens == ["the", "pizza", "was", "great"]
    assert offsets == [(2, 5), (7, 12), (13, 16), (17, 22)]
    assert [text[a:b] for a, b in offsets] == tokens


def test_tokenize_splits_punctuation_and_contractions():
    text = "Service wasn't great, sadly."
    tokens, offsets = tokenize(text)
    assert tokens == ["Service", "was", "n't", "great", ",", "sadly", "."]
    assert [text[a:b] for a, b in offsets] == tokens


def test_tokenize_empty_and_blank_text():
    assert tokenize("") == ([], [])
    assert tokenize("   \n\t") == ([], [])


def test_leading_spaces_span_points_at_the_term():
    text = "  the pizza was great"
    tokens, offsets = tokenize(text)
    assert text[6:11] == "pizza"
    span = offsets_to_token_span(offsets, 6, 11)
    assert span == (1, 2)
    assert tokens[span[0] : span[1]] == ["pizza"]


def test_span_cutting_a_token_includes_that_token():
    text = "the pizza was great"
    tokens, offsets = tokenize(text)
    start = text.index("izz")
    assert offsets_to_token_span(offsets, start, start + 3) == (1, 2)
    # From the middle of "pizza" to the middle of "great" touches three tokens.
    assert offsets_to_token_span(offsets, start, text.index("eat")) == (1, 4)


def test_multiword_span():
    text = "I loved the mint sauce here."
    tokens, offsets = tokenize(text)
    start = text.index("mint sauce")
    first, end = offsets_to_token_span(offsets, start, start + len("mint sauce"))
    assert tokens[first:end] == ["mint", "sauce"]


def test_span_touching_no_token_is_none():
    text = "good  food"
    _, offsets = tokenize(text)
    assert offsets_to_token_span(offsets, 3, 3) is None  # empty span
    assert offsets_to_token_span(offsets, 4, 6) is None  # only the double space
    assert offsets_to_token_span(offsets, 10, 12) is None  # past the end
    assert offsets_to_token_span([], 0, 4) is None


def test_span_boundaries_are_end_exclusive():
    _, offsets = tokenize("ab cd")
    assert offsets_to_token_span(offsets, 2, 3) is None  # only the space
    assert offsets_to_token_span(offsets, 2, 4) == (1, 2)  # space then "c": only "cd"
    assert offsets_to_token_span(offsets, 0, 2) == (0, 1)


def test_bad_spans_raise():
    _, offsets = tokenize("good food")
    with pytest.raises(ValueError, match="after its end"):
        offsets_to_token_span(offsets, 5, 2)
    with pytest.raises(ValueError, match="negative"):
        offsets_to_token_span(offsets, -1, 2)


SEQS = [["the", "food", "was", "good"], ["the", "service", "was", "bad"], ["The", "food", "!"]]


def test_build_orders_by_frequency_then_alphabetically():
    vocab = Vocab.build(SEQS)
    assert vocab.itos[:2] == ["<pad>", "<unk>"]
    assert vocab.PAD == 0 and vocab.UNK == 1
    # the:2, food:2, was:2 tie and sort alphabetically; then the count-1 tokens alphabetically.
    assert vocab.itos[2:] == ["food", "the", "was", "!", "The", "bad", "good", "service"]
    assert len(vocab) == 10


def test_build_min_freq_and_max_size():
    assert Vocab.build(SEQS, min_freq=2).itos == ["<pad>", "<unk>", "food", "the", "was"]
    assert Vocab.build(SEQS, max_size=2).itos == ["<pad>", "<unk>", "food", "the"]
    assert Vocab.build(SEQS, min_freq=5).itos == ["<pad>", "<unk>"]
    with pytest.raises(ValueError, match="min_freq"):
        Vocab.build(SEQS, min_freq=0)


def test_build_is_deterministic_whatever_the_input_order():
    assert Vocab.build(SEQS) == Vocab.build(list(reversed(SEQS)))


def test_encode_decode_and_unknown_tokens():
    vocab = Vocab.build(SEQS)
    ids = vocab.encode(["the", "pizza", "was", "good"])
    assert ids == [vocab.index("the"), Vocab.UNK, vocab.index("was"), vocab.index("good")]
    assert vocab.decode(ids) == ["the", "<unk>", "was", "good"]
    assert "food" in vocab and "pizza" not in vocab
    with pytest.raises(IndexError, match="outside this vocabulary"):
        vocab.decode([len(vocab)])


def test_lowercase_applies_at_build_and_encode():
    vocab = Vocab.build(SEQS, lowercase=True)
    assert "The" not in vocab.itos
    assert vocab.itos[2] == "the"  # "the" x2 + "The" x1 -> 3, the most frequent
    assert vocab.encode(["THE", "Food"]) == [vocab.index("the"), vocab.index("food")]
    assert "FOOD" in vocab


def test_specials_are_not_counted_as_tokens():
    vocab = Vocab.build([["<pad>", "a", "<unk>"]])
    assert vocab.itos == ["<pad>", "<unk>", "a"]
    with pytest.raises(ValueError, match="must start with"):
        Vocab.build(SEQS, specials=["<unk>", "<pad>"])
    assert Vocab.build([["a"]], specials=["<pad>", "<unk>", "<bos>"]).itos == ["<pad>", "<unk>", "<bos>", "a"]


def test_save_load_round_trip(tmp_path):
    vocab = Vocab.build(SEQS + [["café", "naïve"]], lowercase=True)
    path = tmp_path / "vocab.json"
    vocab.save(path)
    data = json.loads(path.read_text(encoding="utf-8"))
    assert data["itos"] == vocab.itos and data["lowercase"] is True
    loaded = Vocab.load(path)
    assert loaded == vocab
    assert loaded.itos == vocab.itos and loaded.lowercase and loaded.has_specials
    assert Vocab.from_dict(vocab.to_dict()) == vocab


def test_load_rejects_non_vocab_files(tmp_path):
    path = tmp_path / "bad.json"
    path.write_text("{not json", encoding="utf-8")
    with pytest.raises(ValueError, match="not a vocabulary JSON file"):
        Vocab.load(path)
    with pytest.raises(ValueError, match="'itos' list"):
        Vocab.from_dict({"tokens": []})


def test_label_vocab_has_no_specials_and_rejects_unknown_labels(tmp_path):
    labels = Vocab.labels(["positive", "negative", "neutral"])
    assert labels.itos == ["positive", "negative", "neutral"]
    assert labels.encode(["neutral", "positive"]) == [2, 0]
    assert labels.decode([1]) == ["negative"]
    with pytest.raises(UnknownLabelError, match="Unknown label 'conflict'"):
        labels.encode(["positive", "conflict"])
    with pytest.raises(KeyError):
        labels.index("Positive")
    path = tmp_path / "labels.json"
    labels.save(path)
    assert Vocab.load(path) == labels and not Vocab.load(path).has_specials
    with pytest.raises(ValueError, match="unique"):
        Vocab.labels(["a", "b", "a"])


def corpus(n: int = 5000, salt: str = "") -> list[str]:
    """Enough text (>= CACHE_MIN_CHARS) for tokenize_many to cache, with odd spacing and punctuation."""
    words = ["the", "movie's", "  plot", "isn't", "great", "--", "really", "\u00a0ok", "e.g.", "(sort", "of)", "\tfine"]
    return [f"{salt}{i}: " + " ".join(words[(i + k) % len(words)] for k in range(i % 9 + 3)) + " ." for i in range(n)]


def test_tokenize_many_equals_tokenize_and_reads_the_cache_without_spacy(tmp_path, monkeypatch):
    import seqcore.tokens as tokens_mod

    monkeypatch.setenv("SEQCORE_CACHE_DIR", str(tmp_path))
    texts = corpus()
    assert sum(map(len, texts)) >= tokens_mod.CACHE_MIN_CHARS
    expected = [tokenize(t) for t in texts]
    assert tokens_mod.tokenize_many(texts) == expected
    assert len(list(tmp_path.glob("tokens-*.npz"))) == 1

    def no_spacy(text):
        raise AssertionError("tokenized again instead of reading the cache")

    monkeypatch.setattr(tokens_mod, "tokenize", no_spacy)
    assert tokens_mod.tokenize_many(texts) == expected
    # Other texts are another key: tokenized afresh.
    with pytest.raises(AssertionError, match="tokenized again"):
        tokens_mod.tokenize_many(texts[:-1] + [texts[-1] + " more"])


def test_a_corrupt_or_foreign_cache_file_is_recomputed_and_the_cache_can_be_turned_off(tmp_path, monkeypatch):
    import seqcore.tokens as tokens_mod

    monkeypatch.setenv("SEQCORE_CACHE_DIR", str(tmp_path))
    texts = corpus(salt="x")
    expected = [tokenize(t) for t in texts]
    path = tmp_path / f"tokens-{tokens_mod.texts_digest(texts)}.npz"
    for bad in (b"not a zip", b""):
        path.write_bytes(bad)
        assert tokens_mod.tokenize_many(texts) == expected
    # A well-formed file whose offsets do not fit these texts (another corpus's, say) is not trusted.
    other = corpus(salt="longer prefix ")
    tokens_mod.write_token_cache(path, [tokenize(t) for t in other])
    assert tokens_mod.read_token_cache(path, texts) is None
    assert tokens_mod.tokenize_many(texts) == expected
    monkeypatch.setenv("SEQCORE_CACHE_DIR", "off")
    assert tokens_mod.cache_dir() is None
    for p in tmp_path.glob("*.npz"):
        p.unlink()
    assert tokens_mod.tokenize_many(texts) == expected and not list(tmp_path.glob("*.npz"))


def test_an_unwritable_cache_folder_is_ignored(tmp_path, monkeypatch):
    import seqcore.tokens as tokens_mod

    blocker = tmp_path / "a-file"
    blocker.write_text("x")
    monkeypatch.setenv("SEQCORE_CACHE_DIR", str(blocker / "cache"))  # a folder inside a file cannot be made
    texts = corpus(salt="y")
    assert tokens_mod.tokenize_many(texts) == [tokenize(t) for t in texts]


def test_importing_tokens_does_not_import_spacy():
    import subprocess
    import sys

    code = "import sys, seqcore.tokens, seqcore.readers, seqcore.tasks; print('spacy' in sys.modules)"
    assert subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.strip() == "False"


def test_learned_texts_are_tokenized_from_the_cache_without_spacy(tmp_path, monkeypatch):
    """`learn`: the first time spaCy tokenizes and the cache keeps the tokens; a new process answers from the cache,
    spaCy not imported, the same tokens and offsets; any other text still goes to spaCy."""
    import subprocess
    import sys

    import seqcore.tokens as tokens_mod

    monkeypatch.setenv("SEQCORE_CACHE_DIR", str(tmp_path))
    texts = ["The food was not good, but the service was wonderful.", "  It's   not funny!  "]
    assert tokens_mod.learn(texts) is True  # no cache yet: spaCy
    assert len(list(tmp_path.glob("tokens-*.npz"))) == 1
    expected = [tokens_mod._spacy_tokenize(t) for t in texts]
    code = (
        "import json, sys; from seqcore import tokens; "
        f"needed = tokens.learn({texts!r}); got = [tokens.tokenize(t) for t in {texts!r}]; "
        "print(json.dumps([needed, 'spacy' in sys.modules, got])); "
        "tokens.tokenize('another sentence'); print('spacy' in sys.modules)"
    )
    env = {**os.environ, "SEQCORE_CACHE_DIR": str(tmp_path)}
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, env=env).stdout.splitlines()
    needed, imported, got = json.loads(out[0])
    assert (needed, imported) == (False, False)
    assert [(toks, [tuple(o) for o in offs]) for toks, offs in got] == expected
    assert out[1] == "True"  # a text not learned is spaCy's to tokenize


def test_a_learned_answer_is_a_copy_and_learning_works_with_the_cache_off(tmp_path, monkeypatch):
    import seqcore.tokens as tokens_mod

    monkeypatch.setenv("SEQCORE_CACHE_DIR", "off")
    text = "The plot is thin, but the acting is wonderful."
    assert tokens_mod.learn([text]) is True and not list(tmp_path.glob("*.npz"))
    toks, offsets = tokenize(text)
    toks.append("changed")
    offsets.clear()
    assert tokenize(text) == tokens_mod._spacy_tokenize(text)
