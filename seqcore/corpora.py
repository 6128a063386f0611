"""Where the real corpora live, and what each one holds: the one place that resolves the data folder.

The project ships its corpora in `data/` beside the `seqcore` package (see data/README.md);
`SEQCORE_DATA` points to another folder laid out the same way. Model cards name their data as
`data/...` references, relative to the data folder, so a card reads the same on every machine.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from pathlib import Path

DATA_ENV = "SEQCORE_DATA"
PROJECT_DATA = Path(__file__).resolve().parents[1] / "data"
REF_PREFIX = "data/"
# Cards written before the corpora moved into the project named them `shared/data/...`: same layout.
_OLD_REF_PREFIX = "shared/data/"


def data_dir() -> Path:
    """Return the data folder: $SEQCORE_DATA when set, else the project's data/ folder."""
    return Path(os.environ.get(DATA_ENV) or PROJECT_DATA)


def resolve_data_ref(ref: str, root: str | os.PathLike | None = None) -> Path:
    """Map a card's data reference (`data/...`) to a file under `root` (default: data_dir()); other refs are paths."""
    base = Path(root) if root is not None else data_dir()
    for prefix in (REF_PREFIX, _OLD_REF_PREFIX):
        if ref.startswith(prefix):
            return base / ref[len(prefix) :]
    return Path(ref)


def data_ref(path: str | os.PathLike) -> str:
    """Name a data file for a card: `data/...` when it lies in the data folder, else its absolute path.

    An absolute path never reads as a `data/...` reference, whatever folder the command ran in.
    """
    resolved = Path(path).resolve()
    try:
        inside = resolved.relative_to(data_dir().resolve())
    except ValueError:
        return str(resolved)
    return REF_PREFIX + inside.as_posix()


@dataclass(frozen=True)
class Corpus:
    """One corpus of the data folder: its task, its files per split (relative to the data folder) and its name."""

    name: str
    display: str
    task: str
    train: tuple[str, ...]
    dev: tuple[str, ...] = ()
    test: tuple[str, ...] = ()

    def files(self, split: str = "train", root: str | os.PathLike | None = None) -> list[Path]:
        """The split's files under `root` (default: data_dir())."""
        base = Path(root) if root is not None else data_dir()
        return [base / rel for rel in getattr(self, split)]

    def refs(self, split: str = "train") -> list[str]:
        """The split's files as card references (`data/...`)."""
        return [REF_PREFIX + rel for rel in getattr(self, split)]

    def available(self, split: str = "train", root: str | os.PathLike | None = None) -> bool:
        """Whether every file of the split is in the data folder."""
        files = self.files(split, root)
        return bool(files) and all(f.is_file() for f in files)


CORPORA: dict[str, Corpus] = {
    c.name: c
    for c in (
        Corpus(
            "rt-polarity",
            "Cornell sentence polarity (rt-polarity)",
            "sentiment",
            train=("rt-polarity/rt-polarity.pos", "rt-polarity/rt-polarity.neg"),
        ),
        Corpus(
            "sst",
            "Stanford Sentiment Treebank (SST)",
            "sentiment",
            train=("sst/train.txt",),
            dev=("sst/dev.txt",),
            test=("sst/test.txt",),
        ),
        Corpus(
            "semeval2014-restaurants",
            "SemEval-2014 Restaurants",
            "aspect",
            train=("semeval2014/Restaurants_Train_v2.xml",),
            test=("semeval2014/Restaurants_Test_Gold.xml",),
        ),
        Corpus(
            "semeval2014-laptops",
            "SemEval-2014 Laptops",
            "aspect",
            train=("semeval2014/Laptop_Train_v2.xml",),
            test=("semeval2014/Laptops_Test_Gold.xml",),
        ),
        Corpus(
            "semeval2016-restaurants",
            "SemEval-2016 Restaurants",
            "aspect",
            train=("semeval2016/ABSA16_Restaurants_Train_SB1_v2.xml",),
        ),
        Corpus(
            "ud-english-ewt",
            "UD English-EWT",
            "tagging",
            train=("ud-english-ewt/en_ewt-ud-train.conllu.gz",),
            dev=("ud-english-ewt/en_ewt-ud-dev.conllu.gz",),
            test=("ud-english-ewt/en_ewt-ud-test.conllu.gz",),
        ),
    )
}

# The corpus each task trains on by default (the app's Train page, the recipes).
DEFAULT_CORPUS = {"sentiment": "rt-polarity", "aspect": "semeval2014-restaurants", "tagging": "ud-english-ewt"}


def corpora_for_task(task: str) -> list[Corpus]:
    """The corpora of a task, its default first."""
    found = [c for c in CORPORA.values() if c.task == task]
    return sorted(found, key=lambda c: c.name != DEFAULT_CORPUS.get(task))


def corpus(name: str) -> Corpus:
    """Return a corpus by name; KeyError names the known ones."""
    try:
        return CORPORA[name]
    except KeyError:
        raise KeyError(f"no corpus {name!r}: the data folder holds {', '.join(CORPORA)}") from None


# ----------------------------------------------------------------------------- evaluation protocols

# SST's sentences are rt-polarity's sentences (data/sst/PROVENANCE.md: 1,496 of the 1,821 SST-2 test sentences
# are in rt-polarity), so a model of one corpus has seen most of the other's test sentences. Each protocol names
# the folder its model trains on and the folders it must never be scored on.
PROTOCOLS: dict[str, str] = {
    "sst": "SST: trained on the labelled phrases of sst/train.txt, selected on sst/dev.txt (SST-2 sentences), "
    "scored once on sst/test.txt; never scored on rt-polarity",
    "rt-polarity": "MR: 10-fold cross-validation on rt-polarity (dev carved from each fold's training part); never scored on SST",
}
_PROTOCOL_FOLDER = {"sst": "sst", "rt-polarity": "rt-polarity"}
_FORBIDDEN = {"sst": ("rt-polarity",), "rt-polarity": ("sst",)}


class ProtocolError(ValueError):
    """A model would be scored on data its own protocol rules out (it has seen most of those sentences)."""


def _folder(ref: str) -> str | None:
    """The corpus folder a data reference or path lies in (`data/sst/test.txt` -> `sst`), judged by its last two parts."""
    parts = Path(ref).parts
    return parts[-2] if len(parts) >= 2 else None


def protocol_of(card: dict) -> str | None:
    """The evaluation protocol a model follows: its card's `protocol`, else the corpus its training files come from."""
    named = card.get("protocol")
    if isinstance(named, str) and named in PROTOCOLS:
        return named
    train = (card.get("data") or {}).get("train") or []
    folders = {_folder(r) for r in train if isinstance(r, str)}
    found = [p for p, folder in _PROTOCOL_FOLDER.items() if folder in folders]
    return found[0] if len(found) == 1 else None


def check_protocol(card: dict, paths: list[str] | list[Path] | tuple) -> None:
    """Refuse to score a model on files its protocol rules out: an SST model on rt-polarity, an rt-polarity model on SST."""
    protocol = protocol_of(card)
    if protocol is None:
        return
    for p in paths:
        folder = _folder(str(p))
        if folder in _FORBIDDEN[protocol]:
            raise ProtocolError(
                f"{p} is {folder} data, and this model follows the {protocol} protocol: SST's sentences are "
                f"rt-polarity's, so it has seen most of them and the score would mean nothing. "
                f"Score it on its own test set instead ({PROTOCOLS[protocol]})."
            )


def check_vectors_protocol(card: dict, vectors_card: dict) -> None:
    """Refuse skip-gram vectors that have read the text a protocol scores on (issue 22).

    rt-polarity's test sets are its own 10 folds, and SST's sentences are rt-polarity's: vectors for an
    rt-polarity model must hold neither corpus (`skipgram --exclude-task sentiment`, or one fold's
    training part given with --data). An SST model is scored on sst/test.txt, whose sentences are in
    rt-polarity: its vectors may read sst/train.txt, never rt-polarity or another SST file.
    """
    protocol = protocol_of(card)
    if protocol is None:
        return
    for f in vectors_card.get("files") or []:
        folder, name = _folder(str(f)), Path(str(f)).name
        leaks = (
            folder in ("rt-polarity", "sst")
            if protocol == "rt-polarity"
            else (folder == "rt-polarity" or (folder == "sst" and not name.startswith("train")))
        )
        if leaks:
            fix = (
                "`skipgram --exclude-task sentiment`, or --data on one fold's training part"
                if protocol == "rt-polarity"
                else "`skipgram --exclude rt-polarity`"
            )
            raise ProtocolError(
                f"these vectors read {f}, and this model follows the {protocol} protocol ({PROTOCOLS[protocol]}): "
                f"they have seen the text of its test sentences. Train vectors with {fix}."
            )


# ----------------------------------------------------------------------------- review domains

# What a review is about, as the aspect corpora split it. A model's domain is its training files' (its card's
# data); a file's is its name's, else the words its sentences use most (`domain_of_texts`).
DOMAIN_CUES: dict[str, frozenset[str]] = {
    "restaurants": frozenset(
        "restaurant restaurants food waiter waiters waitress service menu dish dishes meal dinner lunch chef wine dessert "
        "pizza sushi table tables staff delicious tasty bar appetizer appetizers drinks".split()
    ),
    "laptops": frozenset(
        "laptop laptops computer computers battery screen keyboard windows mac macbook software hardware processor "
        "drive usb touchpad trackpad charger memory ram apple dell toshiba hp".split()
    ),
}
_WORD = re.compile(r"[a-z]+")


def domain_of_name(name: str) -> str | None:
    """The domain a file or model name says (`Restaurants_Train_v2.xml` -> restaurants); None when it names none or both."""
    lowered = name.lower()
    found = [d for d in DOMAIN_CUES if d.rstrip("s") in lowered]
    return found[0] if len(found) == 1 else None


def domain_of_texts(texts: list[str], margin: float = 2.0) -> str | None:
    """The domain whose cue words the texts use most, when it leads the others by `margin` times; else None."""
    counts = dict.fromkeys(DOMAIN_CUES, 0)
    for text in texts:
        for word in _WORD.findall(text.lower()):
            for domain, cues in DOMAIN_CUES.items():
                counts[domain] += word in cues
    ranked = sorted(counts.items(), key=lambda kv: -kv[1])
    best, runner_up = ranked[0], ranked[1] if len(ranked) > 1 else (None, 0)
    return best[0] if best[1] > 0 and best[1] >= margin * runner_up[1] else None


def card_domain(card: dict) -> str | None:
    """A model's domain, from the training files its card names (None when they name no single domain)."""
    train = (card.get("data") or {}).get("train") or []
    found = {domain_of_name(r) for r in train if isinstance(r, str)} - {None}
    return found.pop() if len(found) == 1 else None
