"""Where the real corpora live, and what each one holds: the one place that resolves the data folder.

The project ships its corpora in `data/` beside the `seqcore` package (see data/README.md);
`SEQCORE_DATA` points to another folder laid out the same way. Model cards name their data as
`data/...` references, relative to the data folder, so a card reads the same on every machine.
"""

from __future__ import annotations

import os
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
