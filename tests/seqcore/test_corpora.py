"""The one place that resolves the data folder, and the registry of the corpora in it."""

from __future__ import annotations

from pathlib import Path

import pytest

from seqcore import corpora
from seqcore.corpora import CORPORA, DEFAULT_CORPUS, corpora_for_task, corpus, data_dir, data_ref, resolve_data_ref

ROOT = Path(__file__).resolve().parents[2]


def test_data_dir_is_the_projects_data_folder_unless_seqcore_data_says_otherwise(monkeypatch, tmp_path):
    monkeypatch.delenv("SEQCORE_DATA", raising=False)
    assert data_dir() == ROOT / "data" == corpora.PROJECT_DATA
    monkeypatch.setenv("SEQCORE_DATA", str(tmp_path))
    assert data_dir() == tmp_path
    assert resolve_data_ref("data/semeval2014/x.xml") == tmp_path / "semeval2014" / "x.xml"


def test_resolve_data_ref():
    assert resolve_data_ref("data/a/b.xml", "/x/data") == Path("/x/data/a/b.xml")
    # Cards written before the corpora moved into the project named them shared/data/...: same layout.
    assert resolve_data_ref("shared/data/a/b.xml", "/x/data") == Path("/x/data/a/b.xml")
    assert resolve_data_ref("other/b.xml", "/x") == Path("other/b.xml")
    assert resolve_data_ref("/abs/b.xml", "/x") == Path("/abs/b.xml")


def test_data_ref_names_files_in_the_data_folder_relative_and_others_absolute(monkeypatch, tmp_path):
    monkeypatch.setenv("SEQCORE_DATA", str(tmp_path / "d"))
    (tmp_path / "d" / "sub").mkdir(parents=True)
    inside = tmp_path / "d" / "sub" / "f.xml"
    assert data_ref(inside) == "data/sub/f.xml"
    assert resolve_data_ref(data_ref(inside)) == inside
    monkeypatch.chdir(tmp_path)
    assert data_ref("d/sub/f.xml") == "data/sub/f.xml"
    # A data/ folder that is not the data folder is named by its absolute path, never as a data/ ref.
    (tmp_path / "data").mkdir()
    assert data_ref("data/mine.xml") == str(tmp_path / "data" / "mine.xml")


def test_every_registered_corpus_is_in_the_project():
    assert set(DEFAULT_CORPUS.values()) <= set(CORPORA)
    for c in CORPORA.values():
        for split in ("train", "dev", "test"):
            for path in c.files(split, ROOT / "data"):
                assert path.is_file(), path
            assert c.refs(split) == ["data/" + p for p in getattr(c, split)]
        assert c.available("train", ROOT / "data") and c.display
    assert [c.name for c in corpora_for_task("aspect")][0] == "semeval2014-restaurants"
    assert {c.task for c in CORPORA.values()} == {"sentiment", "aspect", "tagging"}
    with pytest.raises(KeyError, match="no corpus 'imdb': the data folder holds rt-polarity"):
        corpus("imdb")
    assert not corpus("rt-polarity").available("train", ROOT / "no-such-folder")
