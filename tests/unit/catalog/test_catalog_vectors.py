"""Reading vectors back for the index, and re-embedding after a model change."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest

from photofind.catalog.records import PhotoId
from photofind.catalog.repo import Catalog, open_catalog
from photofind.errors import BugError

DIM = 16


@pytest.fixture
def root(tmp_path: Path) -> Path:
    return tmp_path / "photos"


@pytest.fixture
def cat(tmp_path: Path, root: Path) -> Iterator[Catalog]:
    catalog = open_catalog(tmp_path / "catalog.db")
    catalog.add_folder(root)
    yield catalog
    catalog.close()


def _vec(seed: int, dim: int = DIM) -> np.ndarray:
    return np.random.default_rng(seed).standard_normal(dim).astype(np.float32)


def _index(cat: Catalog, path: Path, fingerprint: str, seed: int, model: str = "m1") -> PhotoId:
    photo_id, _ = cat.upsert_seen(path, 100, 1)
    cat.record_indexed(photo_id, fingerprint, model, _vec(seed), [])
    return photo_id


def test_vectors_returns_ids_and_the_matching_rows(cat: Catalog, root: Path) -> None:
    _index(cat, root / "a.jpg", "fa", seed=1)
    _index(cat, root / "b.jpg", "fb", seed=2)
    _index(cat, root / "b-copy.jpg", "fb", seed=99)  # shares b's content
    _index(cat, root / "c.jpg", "fc", seed=3, model="other-model")
    ids, matrix = cat.vectors("m1")
    assert ids.dtype == np.int64
    assert matrix.dtype == np.float32
    assert matrix.shape == (2, DIM)
    expected = {
        cat.content_for_fingerprint("fa", "m1"): _vec(1),
        cat.content_for_fingerprint("fb", "m1"): _vec(2),
    }
    for content_id, row in zip(ids.tolist(), matrix, strict=True):
        np.testing.assert_array_equal(row, expected[content_id])
    matrix[0, 0] = 42.0  # a writable copy, free to normalise in place


def test_vectors_of_an_unknown_model_are_empty(cat: Catalog, root: Path) -> None:
    _index(cat, root / "a.jpg", "fa", seed=1)
    ids, matrix = cat.vectors("nope")
    assert ids.shape == (0,)
    assert matrix.shape == (0, 0)


def test_vectors_are_stored_as_float32_from_any_dtype(cat: Catalog, root: Path) -> None:
    photo_id, _ = cat.upsert_seen(root / "a.jpg", 1, 1)
    cat.record_indexed(photo_id, "f", "m1", np.arange(4, dtype=np.float64), [])
    vector = cat.vector_for_path(root / "a.jpg", "m1")
    assert vector is not None
    assert vector.dtype == np.float32
    assert vector.tolist() == [0.0, 1.0, 2.0, 3.0]
    assert cat.vector_for_path(root / "a.jpg", "m2") is None
    assert cat.vector_for_path(root / "unknown.jpg", "m1") is None


def test_a_matrix_is_not_a_vector(cat: Catalog, root: Path) -> None:
    photo_id, _ = cat.upsert_seen(root / "a.jpg", 1, 1)
    with pytest.raises(BugError, match="1-D"):
        cat.record_indexed(photo_id, "f", "m1", np.zeros((2, 4), dtype=np.float32), [])


def test_paths_for_contents(cat: Catalog, root: Path) -> None:
    _index(cat, root / "b.jpg", "same", seed=1)
    _index(cat, root / "a.jpg", "same", seed=1)
    _index(cat, root / "c.jpg", "other", seed=2)
    same = cat.content_for_fingerprint("same", "m1")
    assert same is not None
    found = cat.paths_for_contents([same])
    assert found == {same: [(root / "a.jpg", "indexed"), (root / "b.jpg", "indexed")]}


def test_model_change_re_embeds_each_content_once(cat: Catalog, root: Path) -> None:
    _index(cat, root / "a.jpg", "fa", seed=1)
    _index(cat, root / "a-copy.jpg", "fa", seed=1)
    _index(cat, root / "b.jpg", "fb", seed=2)
    assert cat.stale_model_count("m2") == 2
    todo = cat.contents_needing_model("m2", limit=10)
    assert len(todo) == 2
    assert len({photo.content_id for photo in todo}) == 2
    with cat.transaction():
        for photo in todo:
            fingerprint = "fa" if photo.path.name.startswith("a") else "fb"
            cat.record_indexed(photo.id, fingerprint, "m2", _vec(10, dim=8), [])
    assert cat.stale_model_count("m2") == 0
    assert cat.contents_needing_model("m2", limit=10) == []
    assert cat.vectors("m2")[1].shape == (2, 8)
    assert cat.vectors("m1")[0].size == 0
    assert cat.vector_for_path(root / "a-copy.jpg", "m2") is not None  # shared content updated


def test_a_failing_re_embed_leaves_the_queue(cat: Catalog, root: Path) -> None:
    _index(cat, root / "a.jpg", "fa", seed=1)
    (photo,) = cat.contents_needing_model("m2", limit=10)
    cat.record_failed(photo.id, "gone bad")
    assert cat.contents_needing_model("m2", limit=10) == []
    assert cat.stale_model_count("m2") == 0


def test_gc_orphan_contents(cat: Catalog, root: Path) -> None:
    photo_id = _index(cat, root / "a.jpg", "fa", seed=1)
    cat._db.execute("UPDATE photos SET content_id = NULL WHERE id = ?", (photo_id,))
    assert len(cat.gc_orphan_contents()) == 1
    assert cat.gc_orphan_contents() == []
