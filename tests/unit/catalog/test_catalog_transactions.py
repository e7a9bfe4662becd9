"""Transactions, savepoints, concurrent readers and thread affinity."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest

from photofind.catalog.repo import Catalog, open_catalog
from photofind.errors import BugError


@pytest.fixture
def db_path(tmp_path: Path) -> Path:
    return tmp_path / "catalog.db"


@pytest.fixture
def cat(db_path: Path, tmp_path: Path) -> Iterator[Catalog]:
    catalog = open_catalog(db_path)
    catalog.add_folder(tmp_path / "photos")
    yield catalog
    catalog.close()


class BoomError(Exception):
    pass


def test_a_transaction_that_raises_rolls_back(cat: Catalog, tmp_path: Path) -> None:
    def write_then_fail() -> None:
        with cat.transaction():
            cat.upsert_seen(tmp_path / "photos" / "a.jpg", 1, 1)
            cat.set_meta("k", "v")
            raise BoomError

    with pytest.raises(BoomError):
        write_then_fail()
    assert cat.counts().photos == 0
    assert cat.get_meta("k") is None
    cat.set_meta("k", "after")  # the connection is usable again
    assert cat.get_meta("k") == "after"


def test_a_failing_call_inside_a_batch_undoes_only_itself(cat: Catalog, tmp_path: Path) -> None:
    with cat.transaction():
        photo_id, _ = cat.upsert_seen(tmp_path / "photos" / "a.jpg", 1, 1)
        with pytest.raises(BugError):
            cat.upsert_seen(tmp_path / "elsewhere.jpg", 1, 1)
        with pytest.raises(BugError):  # a bad vector: nothing of this call is written
            cat.record_indexed(photo_id, "f", "m", np.zeros((2, 2)), [])
        cat.record_indexed(photo_id, "f", "m", np.ones(3, dtype=np.float32), [])
    assert cat.counts().indexed == 1


def test_a_nested_block_that_raises_undoes_only_its_own_writes(
    cat: Catalog, tmp_path: Path
) -> None:
    def nested_write_then_fail() -> None:
        with cat.transaction():
            cat.upsert_seen(tmp_path / "photos" / "inner.jpg", 1, 1)
            raise BoomError

    with cat.transaction():
        cat.upsert_seen(tmp_path / "photos" / "outer.jpg", 1, 1)
        with pytest.raises(BoomError):
            nested_write_then_fail()
        cat.set_meta("k", "v")
    assert set(cat.paths_under(tmp_path / "photos")) == {tmp_path / "photos" / "outer.jpg"}
    assert cat.get_meta("k") == "v"


def test_a_batch_commits_once_and_a_reader_sees_it_only_then(
    cat: Catalog, db_path: Path, tmp_path: Path
) -> None:
    with open_catalog(db_path, readonly=True) as reader:
        with cat.transaction():
            for i in range(16):
                photo_id, _ = cat.upsert_seen(tmp_path / "photos" / f"{i}.jpg", 1, 1)
                cat.record_indexed(photo_id, f"f{i}", "m", np.full(4, i, np.float32), [])
            assert reader.counts().photos == 0  # not committed yet: WAL keeps the reader's view
        assert reader.counts().indexed == 16
        assert reader.vectors("m")[1].shape == (16, 4)


def test_a_second_writer_waits_and_then_succeeds(cat: Catalog, db_path: Path) -> None:
    other = open_catalog(db_path)
    try:
        other.set_meta("k", "from the other")
        assert cat.get_meta("k") == "from the other"
    finally:
        other.close()


def test_the_catalogue_refuses_other_threads(cat: Catalog) -> None:
    errors: list[BaseException] = []

    def use() -> None:
        try:
            cat.counts()
        except BaseException as exc:  # noqa: BLE001 - handed back to the test thread
            errors.append(exc)

    thread = threading.Thread(target=use)
    thread.start()
    thread.join()
    assert len(errors) == 1
    assert isinstance(errors[0], BugError)
