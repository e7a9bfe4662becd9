"""Photo rows: what the scanner saw, indexing results, failures, renames and deletions."""

from __future__ import annotations

import os
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path

import numpy as np
import pytest

from photofind.catalog.records import PhotoId
from photofind.catalog.repo import Catalog, open_catalog
from photofind.errors import BugError

MODEL = "model-a"


@pytest.fixture
def root(tmp_path: Path) -> Path:
    return tmp_path / "photos"


@pytest.fixture
def cat(tmp_path: Path, root: Path) -> Iterator[Catalog]:
    catalog = open_catalog(tmp_path / "catalog.db")
    catalog.add_folder(root)
    yield catalog
    catalog.close()


def _vec(seed: int, dim: int = 8) -> np.ndarray:
    return np.random.default_rng(seed).standard_normal(dim).astype(np.float32)


def _index(cat: Catalog, path: Path, fingerprint: str, seed: int = 0) -> PhotoId:
    photo_id, _ = cat.upsert_seen(path, 100, 1)
    cat.record_indexed(photo_id, fingerprint, MODEL, _vec(seed), [])
    return photo_id


def test_upsert_seen_new_file_is_pending(cat: Catalog, root: Path) -> None:
    photo_id, needs_work = cat.upsert_seen(root / "a.jpg", 100, 5)
    assert needs_work
    record = cat.photo_by_path(root / "a.jpg")
    assert record is not None
    assert (record.id, record.state, record.size, record.mtime_ns) == (photo_id, "pending", 100, 5)
    assert [p.id for p in cat.pending(10)] == [photo_id]


def test_upsert_seen_unchanged_pending_still_needs_work(cat: Catalog, root: Path) -> None:
    first = cat.upsert_seen(root / "a.jpg", 100, 5)
    assert cat.upsert_seen(root / "a.jpg", 100, 5) == (first[0], True)


def test_upsert_seen_unchanged_indexed_needs_no_work(cat: Catalog, root: Path) -> None:
    photo_id = _index(cat, root / "a.jpg", "f1")
    assert cat.upsert_seen(root / "a.jpg", 100, 1) == (photo_id, False)
    assert cat.pending(10) == []


@pytest.mark.parametrize(("size", "mtime_ns"), [(101, 1), (100, 2)])
def test_upsert_seen_changed_file_goes_pending_but_keeps_its_content(
    cat: Catalog, root: Path, size: int, mtime_ns: int
) -> None:
    photo_id = _index(cat, root / "a.jpg", "f1")
    content_id = cat.content_for_fingerprint("f1", MODEL)
    assert cat.upsert_seen(root / "a.jpg", size, mtime_ns) == (photo_id, True)
    record = cat.photo_by_path(root / "a.jpg")
    assert record is not None
    assert (record.state, record.content_id, record.size) == ("pending", content_id, size)


def test_failed_file_stays_failed_until_retried_or_changed(cat: Catalog, root: Path) -> None:
    photo_id, _ = cat.upsert_seen(root / "a.jpg", 100, 1)
    cat.record_failed(photo_id, "not an image")
    assert cat.upsert_seen(root / "a.jpg", 100, 1) == (photo_id, False)
    assert cat.failed()[0].path == root / "a.jpg"
    assert cat.failed()[0].reason == "not an image"
    assert cat.counts().failed == 1
    assert cat.retry_failed() == 1
    assert [p.id for p in cat.pending(10)] == [photo_id]
    cat.record_failed(photo_id, "truncated")
    assert cat.upsert_seen(root / "a.jpg", 200, 1) == (photo_id, True)  # file changed: retry
    record = cat.photo_by_path(root / "a.jpg")
    assert record is not None
    assert (record.state, record.error) == ("pending", None)


def test_retry_failed_only_the_given_paths(cat: Catalog, root: Path) -> None:
    for name in ("a.jpg", "b.jpg"):
        photo_id, _ = cat.upsert_seen(root / name, 1, 1)
        cat.record_failed(photo_id, "bad")
    assert cat.retry_failed([root / "b.jpg", root / "unknown.jpg"]) == 1
    assert [f.path.name for f in cat.failed()] == ["a.jpg"]


def test_upsert_outside_every_watched_folder_is_a_bug(cat: Catalog, tmp_path: Path) -> None:
    with pytest.raises(BugError, match="outside every watched folder"):
        cat.upsert_seen(tmp_path / "elsewhere" / "a.jpg", 1, 1)
    with pytest.raises(BugError, match="relative"):
        cat.upsert_seen(Path("a.jpg"), 1, 1)


def test_identical_files_share_one_content(cat: Catalog, root: Path) -> None:
    first = _index(cat, root / "a.jpg", "same", seed=1)
    second, _ = cat.upsert_seen(root / "copy" / "a.jpg", 100, 1)
    content_id = cat.content_for_fingerprint("same", MODEL)
    assert content_id is not None
    # The indexer finds the fingerprint known and links without running the model ...
    assert cat.link_content(second, content_id)
    # ... or runs it anyway: the content row is reused, not duplicated.
    assert cat.record_indexed(second, "same", MODEL, _vec(2), []) == content_id
    records = [cat.photo_by_path(p) for p in (root / "a.jpg", root / "copy" / "a.jpg")]
    assert {r.content_id for r in records if r} == {content_id}
    assert {r.id for r in records if r} == {first, second}
    ids, matrix = cat.vectors(MODEL)
    assert ids.tolist() == [content_id]
    np.testing.assert_array_equal(matrix[0], _vec(1))  # the first vector was kept
    assert cat.counts().indexed == 2


def test_record_indexed_stores_info_labels_and_clears_the_error(cat: Catalog, root: Path) -> None:
    photo_id, _ = cat.upsert_seen(root / "a.jpg", 100, 1)
    cat.record_failed(photo_id, "flaky disk")
    labels = [{"name": "cat", "wnid": "n02121808", "score": 0.9}]
    content_id = cat.record_indexed(
        photo_id, "f1", MODEL, _vec(1), labels, width=640, height=480, format="JPEG",
        taken_at=datetime(2024, 5, 1, 12, 30), camera="Canon EOS",
    )  # fmt: skip
    record = cat.photo_by_path(root / "a.jpg")
    assert record is not None
    assert (record.state, record.error, record.content_id) == ("indexed", None, content_id)
    row = cat._db.one("SELECT * FROM contents WHERE id = ?", (content_id,))
    assert row is not None
    assert (row["width"], row["height"], row["format"]) == (640, 480, "JPEG")
    assert row["camera"] == "Canon EOS"
    assert row["taken_at"] == "2024-05-01T12:30:00"
    assert '"wnid": "n02121808"' in row["labels"]


def test_record_indexed_for_a_changed_file_is_discarded(cat: Catalog, root: Path) -> None:
    photo_id, _ = cat.upsert_seen(root / "a.jpg", 100, 1)
    cat.upsert_seen(root / "a.jpg", 120, 2)  # the file changed while the model was busy
    result = cat.record_indexed(photo_id, "old", MODEL, _vec(1), [], expected=(100, 1))
    assert result is None
    assert cat.content_for_fingerprint("old", MODEL) is None
    assert cat.counts().pending == 1


def test_record_indexed_for_a_deleted_photo_links_nothing(cat: Catalog, root: Path) -> None:
    photo_id, _ = cat.upsert_seen(root / "a.jpg", 100, 1)
    cat.delete_paths([root / "a.jpg"])
    assert cat.record_indexed(photo_id, "f1", MODEL, _vec(1), []) is None
    assert cat._db.scalar("SELECT count(*) FROM contents") == 0


def test_re_embedding_a_changed_file_drops_its_orphaned_old_content(
    cat: Catalog, root: Path
) -> None:
    photo_id = _index(cat, root / "a.jpg", "old")
    cat.upsert_seen(root / "a.jpg", 300, 9)
    cat.record_indexed(photo_id, "new", MODEL, _vec(3), [])
    assert cat.content_for_fingerprint("old", MODEL) is None
    assert cat.content_for_fingerprint("new", MODEL) is not None


def test_rename_path_keeps_id_content_and_state(cat: Catalog, root: Path) -> None:
    photo_id = _index(cat, root / "a.jpg", "f1", seed=4)
    assert cat.rename_path(root / "a.jpg", root / "sub" / "b.jpg")
    assert cat.photo_by_path(root / "a.jpg") is None
    record = cat.photo_by_path(root / "sub" / "b.jpg")
    assert record is not None
    assert (record.id, record.state) == (photo_id, "indexed")
    vector = cat.vector_for_path(root / "sub" / "b.jpg", MODEL)
    assert vector is not None
    np.testing.assert_array_equal(vector, _vec(4))


def test_rename_path_onto_an_existing_row_replaces_it(cat: Catalog, root: Path) -> None:
    moving = _index(cat, root / "a.jpg", "f1")
    _index(cat, root / "b.jpg", "f2")
    assert cat.rename_path(root / "a.jpg", root / "b.jpg")
    record = cat.photo_by_path(root / "b.jpg")
    assert record is not None
    assert record.id == moving
    assert cat.counts().photos == 1
    orphan = cat.content_for_fingerprint("f2", MODEL)
    assert orphan is not None  # kept until collected, so a re-created copy could relink
    assert cat.gc_orphan_contents() == [orphan]
    assert cat.content_for_fingerprint("f2", MODEL) is None


def test_rename_path_out_of_the_watched_folders_forgets_it(
    cat: Catalog, root: Path, tmp_path: Path
) -> None:
    _index(cat, root / "a.jpg", "f1")
    assert not cat.rename_path(root / "a.jpg", tmp_path / "outside.jpg")
    assert cat.counts().photos == 0
    assert not cat.rename_path(root / "unknown.jpg", root / "x.jpg")


def test_rename_tree_moves_only_what_is_inside(cat: Catalog, root: Path) -> None:
    inside = _index(cat, root / "b" / "x.jpg", "f1", seed=1)
    deeper = _index(cat, root / "b" / "deep" / "y.jpg", "f2", seed=2)
    sibling = _index(cat, root / "bc" / "z.jpg", "f3", seed=3)
    assert cat.rename_tree(root / "b", root / "renamed") == 2
    assert cat.paths_under(root / "b") == {}
    assert set(cat.paths_under(root / "renamed")) == {
        root / "renamed" / "x.jpg",
        root / "renamed" / "deep" / "y.jpg",
    }
    x, y, z = (cat.photo_by_path(p) for p in (
        root / "renamed" / "x.jpg", root / "renamed" / "deep" / "y.jpg", root / "bc" / "z.jpg"
    ))  # fmt: skip
    assert x is not None
    assert y is not None
    assert z is not None
    assert (x.id, y.id, z.id) == (inside, deeper, sibling)
    assert x.state == y.state == "indexed"
    vector = cat.vector_for_path(root / "renamed" / "deep" / "y.jpg", MODEL)
    assert vector is not None
    np.testing.assert_array_equal(vector, _vec(2))


def test_rename_tree_replaces_rows_already_at_the_destination(cat: Catalog, root: Path) -> None:
    moving = _index(cat, root / "old" / "x.jpg", "f1")
    _index(cat, root / "new" / "x.jpg", "f2")
    _index(cat, root / "new" / "other.jpg", "f3")
    assert cat.rename_tree(root / "old", root / "new") == 1
    record = cat.photo_by_path(root / "new" / "x.jpg")
    assert record is not None
    assert record.id == moving
    assert cat.photo_by_path(root / "new" / "other.jpg") is not None
    assert cat.counts().photos == 2


def test_rename_tree_into_itself_is_a_bug(cat: Catalog, root: Path) -> None:
    with pytest.raises(BugError):
        cat.rename_tree(root / "a", root / "a" / "b")


def test_undecodable_file_names_round_trip(cat: Catalog, root: Path) -> None:
    path = Path(os.fsdecode(os.fsencode(root) + b"/caf\xe9.jpg"))
    photo_id = _index(cat, path, "f1")
    record = cat.photo_by_path(path)
    assert record is not None
    assert record.id == photo_id
    assert os.fsencode(record.path) == os.fsencode(root) + b"/caf\xe9.jpg"
    assert list(cat.paths_under(root)) == [path]
    assert record.content_id is not None
    assert cat.paths_for_contents([record.content_id]) == {record.content_id: [(path, "indexed")]}
    renamed = Path(os.fsdecode(os.fsencode(root) + b"/\xff\xfe.jpg"))
    assert cat.rename_path(path, renamed)
    assert cat.photo_by_path(renamed) is not None


def test_delete_paths_and_delete_under(cat: Catalog, root: Path) -> None:
    _index(cat, root / "a.jpg", "shared")
    _index(cat, root / "sub" / "a.jpg", "shared")
    _index(cat, root / "sub" / "b.jpg", "only-sub")
    _index(cat, root / "subway" / "c.jpg", "f3")
    assert cat.delete_under(root / "sub") == 2
    assert set(cat.paths_under(root)) == {root / "a.jpg", root / "subway" / "c.jpg"}
    only_sub = cat.content_for_fingerprint("only-sub", MODEL)
    assert only_sub is not None  # orphaned but kept: a move seen as delete + create relinks it
    assert cat.gc_orphan_contents() == [only_sub]
    assert cat.content_for_fingerprint("only-sub", MODEL) is None
    assert cat.content_for_fingerprint("shared", MODEL) is not None  # still used by a.jpg
    assert cat.delete_paths([root / "a.jpg", root / "missing.jpg"]) == 1
    assert cat.gc_orphan_contents() != []
    assert cat.content_for_fingerprint("shared", MODEL) is None


def test_a_deleted_then_recreated_file_relinks_its_vector(cat: Catalog, root: Path) -> None:
    _index(cat, root / "a.jpg", "fa", seed=3)
    content = cat.content_for_fingerprint("fa", MODEL)
    cat.delete_paths([root / "a.jpg"])
    photo_id, needs_work = cat.upsert_seen(root / "moved" / "a.jpg", 1, 1)
    assert needs_work
    assert cat.content_for_fingerprint("fa", MODEL) == content
    assert content is not None
    assert cat.link_content(photo_id, content)
    assert cat.gc_orphan_contents() == []
    assert cat.vectors_for(np.array([content])).shape[0] == 1


def test_paths_under_gives_size_and_mtime(cat: Catalog, root: Path) -> None:
    cat.upsert_seen(root / "a.jpg", 10, 20)
    cat.upsert_seen(root / "d" / "b.jpg", 30, 40)
    assert cat.paths_under(root) == {root / "a.jpg": (10, 20), root / "d" / "b.jpg": (30, 40)}
    assert cat.paths_under(root / "d") == {root / "d" / "b.jpg": (30, 40)}


def test_pending_is_oldest_first_and_limited(cat: Catalog, root: Path) -> None:
    ids = [cat.upsert_seen(root / f"{i}.jpg", 1, 1)[0] for i in range(5)]
    assert [p.id for p in cat.pending(3)] == ids[:3]


def test_counts(cat: Catalog, root: Path) -> None:
    _index(cat, root / "a.jpg", "f1")
    cat.upsert_seen(root / "b.jpg", 1, 1)
    failed, _ = cat.upsert_seen(root / "c.jpg", 1, 1)
    cat.record_failed(failed, "bad")
    counts = cat.counts()
    assert (counts.photos, counts.indexed, counts.pending, counts.failed) == (3, 1, 1, 1)
    assert counts.offline == 0
