"""Watched folders: nesting, removal, and going offline and back online."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest

from photofind.catalog.records import FolderId, PhotoId
from photofind.catalog.repo import MODEL_ID_KEY, Catalog, open_catalog

MODEL = "model-a"


@pytest.fixture
def cat(tmp_path: Path) -> Iterator[Catalog]:
    catalog = open_catalog(tmp_path / "catalog.db")
    catalog.set_meta(MODEL_ID_KEY, MODEL)
    yield catalog
    catalog.close()


def _index(cat: Catalog, path: Path, fingerprint: str, model: str = MODEL) -> PhotoId:
    photo_id, _ = cat.upsert_seen(path, 100, 1)
    cat.record_indexed(photo_id, fingerprint, model, np.ones(4, dtype=np.float32), [])
    return photo_id


def _state(cat: Catalog, path: Path) -> str:
    record = cat.photo_by_path(path)
    assert record is not None
    return record.state


def test_add_folder_is_idempotent_and_strips_the_trailing_separator(
    cat: Catalog, tmp_path: Path
) -> None:
    first = cat.add_folder(tmp_path / "photos")
    again = cat.add_folder(Path(str(tmp_path / "photos") + "/"))
    assert first == again
    assert first.path == tmp_path / "photos"
    assert first.online
    assert [f.id for f in cat.folders()] == [first.id]


def test_folder_for_path_picks_the_deepest_root(cat: Catalog, tmp_path: Path) -> None:
    outer = cat.add_folder(tmp_path / "a")
    inner = cat.add_folder(tmp_path / "a" / "b")
    cat.add_folder(tmp_path / "a" / "bc")
    found = cat.folder_for_path(tmp_path / "a" / "b" / "x.jpg")
    assert found is not None
    assert found.id == inner.id
    found = cat.folder_for_path(tmp_path / "a" / "x.jpg")
    assert found is not None
    assert found.id == outer.id
    assert cat.folder_for_path(tmp_path / "elsewhere" / "x.jpg") is None


def test_nested_folder_adopts_its_photos_and_hands_them_back(cat: Catalog, tmp_path: Path) -> None:
    outer = cat.add_folder(tmp_path / "a")
    _index(cat, tmp_path / "a" / "b" / "x.jpg", "f1")
    _index(cat, tmp_path / "a" / "bc" / "y.jpg", "f2")
    inner = cat.add_folder(tmp_path / "a" / "b")
    x = cat.photo_by_path(tmp_path / "a" / "b" / "x.jpg")
    y = cat.photo_by_path(tmp_path / "a" / "bc" / "y.jpg")
    assert x is not None
    assert x.folder_id == inner.id
    assert y is not None
    assert y.folder_id == outer.id
    assert cat.counts().photos == 2  # nothing listed twice
    assert cat.remove_folder(tmp_path / "a" / "b")
    x = cat.photo_by_path(tmp_path / "a" / "b" / "x.jpg")
    assert x is not None
    assert x.folder_id == outer.id
    assert x.state == "indexed"


def test_adding_an_outer_folder_leaves_the_inner_ones_photos(cat: Catalog, tmp_path: Path) -> None:
    inner = cat.add_folder(tmp_path / "a" / "b")
    _index(cat, tmp_path / "a" / "b" / "x.jpg", "f1")
    cat.add_folder(tmp_path / "a")
    x = cat.photo_by_path(tmp_path / "a" / "b" / "x.jpg")
    assert x is not None
    assert x.folder_id == inner.id


def test_remove_folder_deletes_rows_and_orphans_but_keeps_shared_contents(
    cat: Catalog, tmp_path: Path
) -> None:
    cat.add_folder(tmp_path / "one")
    cat.add_folder(tmp_path / "two")
    _index(cat, tmp_path / "one" / "shared.jpg", "shared")
    _index(cat, tmp_path / "one" / "mine.jpg", "mine")
    _index(cat, tmp_path / "two" / "shared-copy.jpg", "shared")
    assert cat.remove_folder(tmp_path / "one")
    assert not cat.remove_folder(tmp_path / "one")
    assert [f.path for f in cat.folders()] == [tmp_path / "two"]
    assert cat.paths_under(tmp_path / "one") == {}
    assert cat.content_for_fingerprint("mine", MODEL) is None
    shared = cat.content_for_fingerprint("shared", MODEL)
    assert shared is not None
    assert cat.paths_for_contents([shared]) == {
        shared: [(tmp_path / "two" / "shared-copy.jpg", "indexed")]
    }
    assert cat._db.scalar("SELECT count(*) FROM contents") == 1


def test_offline_keeps_data_and_online_restores_states(cat: Catalog, tmp_path: Path) -> None:
    folder = cat.add_folder(tmp_path / "usb")
    indexed = tmp_path / "usb" / "indexed.jpg"
    pending = tmp_path / "usb" / "pending.jpg"
    failed = tmp_path / "usb" / "failed.jpg"
    changed = tmp_path / "usb" / "changed.jpg"
    _index(cat, indexed, "f1")
    cat.upsert_seen(pending, 1, 1)
    cat.record_failed(cat.upsert_seen(failed, 1, 1)[0], "bad")
    _index(cat, changed, "f2")
    cat.upsert_seen(changed, 999, 2)  # edited: pending, still holding its old content

    cat.set_folder_online(folder.id, False)
    assert not cat.folders()[0].online
    counts = cat.counts()
    assert (counts.offline, counts.indexed, counts.pending, counts.failed) == (4, 0, 0, 0)
    assert cat.vector_for_path(indexed, MODEL) is not None  # data kept
    assert cat.vectors(MODEL)[0].size == 2  # still searchable; the caller filters
    assert cat.pending(10) == []

    cat.set_folder_online(folder.id, True)
    assert cat.folders()[0].online
    assert [_state(cat, p) for p in (indexed, pending, failed, changed)] == [
        "indexed", "pending", "failed", "pending"
    ]  # fmt: skip
    assert cat.failed()[0].reason == "bad"


def test_online_again_after_a_model_change_needs_the_new_model(
    cat: Catalog, tmp_path: Path
) -> None:
    folder = cat.add_folder(tmp_path / "usb")
    _index(cat, tmp_path / "usb" / "a.jpg", "f1")
    cat.set_folder_online(folder.id, False)
    cat.set_meta(MODEL_ID_KEY, "model-b")
    cat.set_folder_online(folder.id, True)
    assert _state(cat, tmp_path / "usb" / "a.jpg") == "pending"


def test_seeing_an_offline_photo_brings_it_back(cat: Catalog, tmp_path: Path) -> None:
    folder = cat.add_folder(tmp_path / "usb")
    photo_id = _index(cat, tmp_path / "usb" / "a.jpg", "f1")
    cat.set_folder_online(folder.id, False)
    assert cat.upsert_seen(tmp_path / "usb" / "a.jpg", 100, 1) == (photo_id, False)
    assert _state(cat, tmp_path / "usb" / "a.jpg") == "indexed"


def test_offline_touches_only_that_folder(cat: Catalog, tmp_path: Path) -> None:
    usb = cat.add_folder(tmp_path / "usb")
    cat.add_folder(tmp_path / "home")
    _index(cat, tmp_path / "usb" / "a.jpg", "f1")
    _index(cat, tmp_path / "home" / "b.jpg", "f2")
    cat.set_folder_online(usb.id, False)
    assert _state(cat, tmp_path / "home" / "b.jpg") == "indexed"


def test_set_folder_scan(cat: Catalog, tmp_path: Path) -> None:
    folder = cat.add_folder(tmp_path / "a")
    cat.set_folder_scan(folder.id, "polling", 1234.5)
    (stored,) = cat.folders()
    assert (stored.watch_mode, stored.last_scan_at) == ("polling", 1234.5)


def test_renaming_a_watched_folder_moves_the_folder_too(cat: Catalog, tmp_path: Path) -> None:
    cat.add_folder(tmp_path / "top")
    inner = cat.add_folder(tmp_path / "top" / "old")
    photo_id = _index(cat, tmp_path / "top" / "old" / "x.jpg", "f1")
    assert cat.rename_tree(tmp_path / "top" / "old", tmp_path / "top" / "new") == 1
    moved = cat.folder_for_path(tmp_path / "top" / "new" / "x.jpg")
    assert moved is not None
    assert moved.id == inner.id
    record = cat.photo_by_path(tmp_path / "top" / "new" / "x.jpg")
    assert record is not None
    assert (record.id, record.folder_id) == (photo_id, FolderId(inner.id))
