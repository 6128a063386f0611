"""The corpora in data/: byte for byte the files their PROVENANCE.md describes, each under 10 MB, each in data/README.md."""

from __future__ import annotations

import gzip
import hashlib
import re
from pathlib import Path

import pytest

from seqcore.corpora import CORPORA

DATA = Path(__file__).resolve().parents[1] / "data"
FOLDERS = sorted(p for p in DATA.iterdir() if p.is_dir())
# | file | bytes | git blob | sha256 |  (the LICENSE row gives a sha256 prefix); SST's table has a sentences column
# first and writes numbers with thousands separators: | file | sentences | bytes | git blob | sha256 |
ROW = re.compile(r"^\| (\S+) \|(?: [\d,]+ \|)? ([\d,]+) \| ([0-9a-f]{40}) \| ([0-9a-f]{8,64})…? \|$", re.M)


def content(path: Path) -> bytes:
    """The file's bytes as published: a .gz copy is compared by what it holds."""
    return gzip.decompress(path.read_bytes()) if path.suffix == ".gz" else path.read_bytes()


@pytest.mark.corpus
@pytest.mark.parametrize("folder", FOLDERS, ids=lambda p: p.name)
def test_every_file_matches_its_provenance(folder):
    rows = ROW.findall((folder / "PROVENANCE.md").read_text(encoding="utf-8"))
    assert rows, f"{folder.name}/PROVENANCE.md lists no file"
    for name, size, blob, sha in rows:
        path = folder / name if (folder / name).exists() else folder / f"{name}.gz"
        data = content(path)
        assert len(data) == int(size.replace(",", "")), name
        assert hashlib.sha1(b"blob %d\0" % len(data) + data).hexdigest() == blob, name
        assert hashlib.sha256(data).hexdigest().startswith(sha), name
    listed = {name for name, *_ in rows} | {"PROVENANCE.md", "rt-polaritydata.README.1.0.txt"}
    assert {p.name.removesuffix(".gz") for p in folder.iterdir()} <= listed


def test_files_are_small_and_gzip_copies_are_reproducible():
    for path in DATA.rglob("*"):
        if path.is_file():
            assert path.stat().st_size < 10 * 2**20, path
        if path.suffix == ".gz":
            header = path.read_bytes()[:10]
            # gzip -9 -n: no name, no time stamp (bytes 4-7), maximum compression (byte 8 = 2).
            assert header[3] == 0 and header[4:8] == b"\0\0\0\0" and header[8] == 2, path


def test_readme_has_a_row_per_corpus_with_its_licence():
    readme = (DATA / "README.md").read_text(encoding="utf-8")
    for c in CORPORA.values():
        for rel in c.train + c.dev + c.test:
            assert f"`{rel}`" in readme, rel
    for needle in (
        "CC BY-SA 4.0",
        "Pang",
        "Pontiki",
        "Socher",
        "no licence",
        "5331",
        "3041",
        "3693",
        "12544",
        "204,577",
        "318,582",
    ):
        assert needle in readme, needle
