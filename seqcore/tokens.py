"""Tokenize text with character offsets, map character spans to tokens, and map tokens to ids.

Only spaCy's rule-based English tokenizer is used (``spacy.blank("en")``): no model is downloaded.
spaCy is imported on first use. `tokenize_many` keeps the token offsets of a whole corpus in a
small cache file (numpy, no pickle), keyed by the texts and spaCy's version, so reading the same
corpus again needs neither spaCy nor its tokenizer: 0.05 s instead of 1.3 s for rt-polarity.
``SEQCORE_CACHE_DIR`` names the folder (default ``$XDG_CACHE_HOME/seqcore`` or ``~/.cache/seqcore``);
``SEQCORE_CACHE_DIR=off`` turns the cache off. `learn` keeps a few short texts (an app's default sentences) the
same way, so that `tokenize` answers them without importing spaCy.
"""

from __future__ import annotations

import functools
import gc
import hashlib
import json
import os
import tempfile
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, BinaryIO

import numpy as np

if TYPE_CHECKING:
    from spacy.language import Language

PAD_TOKEN = "<pad>"
UNK_TOKEN = "<unk>"
SPECIALS = (PAD_TOKEN, UNK_TOKEN)


@functools.lru_cache(maxsize=1)
def tokenizer() -> Language:
    """Return the shared blank English spaCy pipeline (built once; spaCy is imported on first use, not with this module)."""
    import spacy  # about 0.5 s on top of torch: a command that reads no raw text never pays it

    return spacy.blank("en")


_learned: dict[str, tuple[list[str], list[tuple[int, int]]]] = {}  # text -> its tokens, from `learn`


def tokenize(text: str) -> tuple[list[str], list[tuple[int, int]]]:
    """Split text into tokens and their (start, end) character offsets into the unchanged text."""
    learned = _learned.get(text)
    if learned is not None:  # spaCy's own answer, kept by `learn` (copies: callers may change their lists)
        return list(learned[0]), list(learned[1])
    return _spacy_tokenize(text)


def learn(texts: Sequence[str]) -> bool:
    """Let `tokenize` answer these texts (an app's default sentences) without importing spaCy; True if spaCy was needed.

    Their tokens come from the token cache (below) when it holds them: a server's first page then draws before
    spaCy is imported (about 0.8 s on a 2-core machine). Otherwise spaCy tokenizes them once and the cache keeps
    them for the next start. With the cache off (SEQCORE_CACHE_DIR=off) they are tokenized by spaCy, as any text.
    """
    texts = list(dict.fromkeys(texts))
    found, needed = _through_cache(texts, cache_dir())
    _learned.update(zip(texts, found))
    return needed


def _spacy_tokenize(text: str) -> tuple[list[str], list[tuple[int, int]]]:
    tokens: list[str] = []
    offsets: list[tuple[int, int]] = []
    for tok in tokenizer().make_doc(text):
        # spaCy turns leading spaces and runs of extra spaces into tokens; they carry no meaning.
        if tok.is_space:
            continue
        tokens.append(tok.text)
        offsets.append((tok.idx, tok.idx + len(tok.text)))
    return tokens, offsets


CACHE_ENV = "SEQCORE_CACHE_DIR"
CACHE_MIN_CHARS = 200_000  # less text tokenizes in about 0.1 s: not worth a file
CACHE_KEEP = 32  # cache files kept; the least recently written go first
CACHE_FORMAT = b"seqcore-token-offsets-v1"


def cache_dir() -> Path | None:
    """Return the token cache folder, or None when SEQCORE_CACHE_DIR turns the cache off ("off", "0", "none" or empty)."""
    raw = os.environ.get(CACHE_ENV)
    if raw is None:
        return Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "seqcore"
    if raw.strip().lower() in ("", "off", "0", "none"):
        return None
    return Path(raw)


def tokenize_many(texts: Sequence[str]) -> list[tuple[list[str], list[tuple[int, int]]]]:
    """Return `tokenize(text)` for every text; a corpus (>= 200,000 characters) is cached on disk (see the module doc).

    The cache is a convenience: a missing, unreadable or corrupt file is recomputed, and a folder
    that cannot be written is left alone.
    """
    texts = list(texts)
    return _through_cache(texts, cache_dir() if sum(map(len, texts)) >= CACHE_MIN_CHARS else None)[0]


def _through_cache(texts: list[str], folder: Path | None) -> tuple[list[tuple[list[str], list[tuple[int, int]]]], bool]:
    """The texts' tokens from the cache file in `folder` when it holds them, else tokenized (and written there);
    and whether they had to be tokenized. No folder: tokenized, nothing written."""
    path = folder / f"tokens-{texts_digest(texts)}.npz" if folder is not None else None
    cached = read_token_cache(path, texts) if path is not None else None
    if cached is not None:
        return cached, False
    result = [tokenize(t) for t in texts]
    if path is not None:
        write_token_cache(path, result)
    return result, True


def texts_digest(texts: Sequence[str]) -> str:
    """Return a SHA-256 of the texts (each length-prefixed), the cache format and the installed spaCy version."""
    from importlib.metadata import version

    h = hashlib.sha256(CACHE_FORMAT + b"\0spacy " + version("spacy").encode() + b"\0")
    for t in texts:
        b = t.encode("utf-8", "surrogatepass")
        h.update(len(b).to_bytes(8, "little"))
        h.update(b)
    return h.hexdigest()


def read_token_cache(path: Path, texts: Sequence[str]) -> list[tuple[list[str], list[tuple[int, int]]]] | None:
    """Return the tokens of `texts` from a cache file, or None when it is missing or does not fit the texts."""
    try:
        with np.load(path, allow_pickle=False) as f:
            counts, offsets = f["counts"], f["offsets"]  # (N,), (M, 2)
    except Exception:  # noqa: BLE001 - any unreadable cache file (truncated, not a zip, other arrays) is recomputed
        return None
    if counts.shape != (len(texts),) or offsets.ndim != 2 or offsets.shape[1] != 2 or int(counts.sum()) != len(offsets):
        return None
    ends = np.repeat(np.fromiter(map(len, texts), dtype=np.int64, count=len(texts)), counts)  # (M,) each token's text length
    if len(offsets) and not ((offsets[:, 0] >= 0) & (offsets[:, 0] < offsets[:, 1]) & (offsets[:, 1] <= ends)).all():
        return None
    # Flat lists of ints (which the garbage collector does not track), and no collection while half a million
    # small objects are made: otherwise each collection walks every object torch has loaded (0.3 s here).
    starts, ends, sizes = offsets[:, 0].tolist(), offsets[:, 1].tolist(), counts.tolist()
    out: list[tuple[list[str], list[tuple[int, int]]]] = []
    enabled = gc.isenabled()
    gc.disable()
    try:
        k = 0
        for text, n in zip(texts, sizes):
            spans = list(zip(starts[k : k + n], ends[k : k + n]))
            out.append(([text[a:b] for a, b in spans], spans))
            k += n
    finally:
        if enabled:
            gc.enable()
    return out


def write_token_cache(path: Path, tokenized: Sequence[tuple[list[str], list[tuple[int, int]]]]) -> None:
    """Write the token offsets atomically, then keep only the CACHE_KEEP newest cache files; never raise on OSError."""
    counts = np.array([len(offsets) for _, offsets in tokenized], dtype=np.int32)
    flat = [pair for _, offsets in tokenized for pair in offsets]
    offsets = np.array(flat, dtype=np.int64).reshape(len(flat), 2)
    write_cache_file(path, lambda f: np.savez(f, counts=counts, offsets=offsets), CACHE_KEEP)


def write_cache_file(path: Path, write: Callable[[BinaryIO], object], keep: int) -> bool:
    """Write a cache file atomically (`write` fills it; a reader never sees half a file), then keep only the `keep`
    newest files of its kind (same prefix before the first '-', same suffix) in its folder. False on OSError: a
    folder that cannot be written costs the next run the work, nothing else (the token cache, `seqcore.remembered`)."""
    kind = f"{path.name.split('-', 1)[0]}-*{path.suffix}"
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=f".{path.name.split('-', 1)[0]}-", suffix=path.suffix, dir=path.parent)
        with os.fdopen(fd, "wb") as f:
            write(f)
        os.replace(tmp, path)
        old = sorted(path.parent.glob(kind), key=lambda p: p.stat().st_mtime, reverse=True)[keep:]
        for p in old:
            p.unlink(missing_ok=True)
    except OSError:
        return False
    return True


def offsets_to_token_span(token_offsets: Sequence[tuple[int, int]], start: int, end: int) -> tuple[int, int] | None:
    """Return the [first, last + 1) indices of the tokens that the character span [start, end) touches."""
    if start < 0 or end < 0:
        raise ValueError(f"Character offsets must not be negative, got ({start}, {end}).")
    if start > end:
        raise ValueError(f"Span start {start} is after its end {end}; pass (start, end) in order.")
    if start == end:
        return None
    first: int | None = None
    last = -1
    for i, (tok_start, tok_end) in enumerate(token_offsets):
        # Overlap rather than containment, so a span that cuts a token in the middle keeps it.
        if tok_start < end and tok_end > start:
            if first is None:
                first = i
            last = i
        elif tok_start >= end:
            break
    if first is None:
        return None
    return first, last + 1


class UnknownLabelError(KeyError):
    """A label vocabulary was asked for a label it does not have."""

    def __str__(self) -> str:
        # KeyError would show the message in quotes; show it as a sentence.
        return str(self.args[0]) if self.args else ""


class Vocab:
    """Map tokens (or class labels) to integer ids and back."""

    PAD = 0
    UNK = 1

    def __init__(self, itos: Sequence[str], *, lowercase: bool = False, has_specials: bool = True) -> None:
        itos = list(itos)
        if has_specials and itos[:2] != list(SPECIALS):
            raise ValueError(
                f"A vocabulary with specials must start with {list(SPECIALS)}, got {itos[:2]}; "
                "build it with Vocab.build or pass has_specials=False."
            )
        duplicates = sorted(token for token, n in Counter(itos).items() if n > 1)
        if duplicates:
            raise ValueError(f"Vocabulary entries must be unique, these repeat: {duplicates[:10]}.")
        self.itos = itos
        self.lowercase = lowercase
        self.has_specials = has_specials
        self._stoi = {token: i for i, token in enumerate(itos)}

    @classmethod
    def build(
        cls,
        sequences: Iterable[Iterable[str]],
        min_freq: int = 1,
        max_size: int | None = None,
        *,
        lowercase: bool = False,
        specials: Sequence[str] = SPECIALS,
    ) -> Vocab:
        """Build a vocabulary from token sequences: specials, then most frequent first, ties alphabetical.

        ``max_size`` limits the number of tokens besides the specials.
        """
        if min_freq < 1:
            raise ValueError(f"min_freq must be at least 1, got {min_freq}.")
        if max_size is not None and max_size < 0:
            raise ValueError(f"max_size must be None or at least 0, got {max_size}.")
        specials = list(specials)
        if specials[:2] != list(SPECIALS):
            raise ValueError(f"specials must start with {list(SPECIALS)} so that PAD=0 and UNK=1, got {specials}.")
        counts: Counter[str] = Counter()
        for sequence in sequences:
            counts.update(token.lower() if lowercase else token for token in sequence)
        reserved = set(specials)
        ranked = sorted(
            (token for token, n in counts.items() if n >= min_freq and token not in reserved),
            key=lambda token: (-counts[token], token),
        )
        if max_size is not None:
            ranked = ranked[:max_size]
        return cls(specials + ranked, lowercase=lowercase, has_specials=True)

    @classmethod
    def labels(cls, names: Iterable[str]) -> Vocab:
        """Build a label vocabulary with no specials: index 0 is the first name."""
        names = list(names)
        if not names:
            raise ValueError("A label vocabulary needs at least one label.")
        return cls(names, lowercase=False, has_specials=False)

    def __len__(self) -> int:
        return len(self.itos)

    def __contains__(self, token: object) -> bool:
        return isinstance(token, str) and self._normalize(token) in self._stoi

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Vocab):
            return NotImplemented
        return (self.itos, self.lowercase, self.has_specials) == (
            other.itos,
            other.lowercase,
            other.has_specials,
        )

    def __repr__(self) -> str:
        kind = "tokens" if self.has_specials else "labels"
        return f"Vocab({kind}, size={len(self)}, lowercase={self.lowercase})"

    def _normalize(self, token: str) -> str:
        return token.lower() if self.lowercase else token

    def index(self, token: str) -> int:
        """Return the id of a token: UNK for unknown tokens, an error for unknown labels."""
        i = self._stoi.get(self._normalize(token))
        if i is not None:
            return i
        if self.has_specials:
            return self.UNK
        raise UnknownLabelError(
            f"Unknown label {token!r}; this vocabulary knows {self.itos}. Drop or map that label before encoding."
        )

    def encode(self, tokens: Iterable[str]) -> list[int]:
        """Return the ids of the tokens."""
        return [self.index(token) for token in tokens]

    def decode(self, ids: Iterable[int]) -> list[str]:
        """Return the tokens of the ids."""
        out = []
        for i in ids:
            i = int(i)
            if not 0 <= i < len(self.itos):
                raise IndexError(f"Id {i} is outside this vocabulary of {len(self.itos)} entries.")
            out.append(self.itos[i])
        return out

    def to_dict(self) -> dict[str, Any]:
        """Return a JSON-ready description of the vocabulary."""
        return {"itos": list(self.itos), "lowercase": self.lowercase, "has_specials": self.has_specials}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Vocab:
        """Rebuild a vocabulary from ``to_dict`` output."""
        if not isinstance(data, dict) or not isinstance(data.get("itos"), list):
            raise ValueError("A vocabulary description must be a JSON object with an 'itos' list.")
        itos = data["itos"]
        if not all(isinstance(token, str) for token in itos):
            raise ValueError("Every 'itos' entry of a vocabulary description must be a string.")
        # Older files may lack the flag: a vocabulary that starts with the specials has them.
        has_specials = data.get("has_specials", itos[:2] == list(SPECIALS))
        return cls(itos, lowercase=bool(data.get("lowercase", False)), has_specials=bool(has_specials))

    def save(self, path: str | os.PathLike[str]) -> None:
        """Write the vocabulary to a JSON file."""
        with open(path, "w", encoding="utf-8") as f:
            json.dump(self.to_dict(), f, ensure_ascii=False)

    @classmethod
    def load(cls, path: str | os.PathLike[str]) -> Vocab:
        """Read a vocabulary written by ``save``."""
        with open(path, encoding="utf-8") as f:
            try:
                data = json.load(f)
            except json.JSONDecodeError as err:
                raise ValueError(f"{os.fspath(path)} is not a vocabulary JSON file: {err}.") from err
        return cls.from_dict(data)
