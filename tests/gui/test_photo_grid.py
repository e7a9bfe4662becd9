"""The grid model (model tester, lazy rows, disabled rows), the thumbnail service and the view."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QPixmap
from pytestqt.modeltest import ModelTester
from pytestqt.qtbot import QtBot

from photofind.catalog.records import PhotoId
from photofind.catalog.repo import open_catalog
from photofind.gui.dispatch import MainThreadDispatcher
from photofind.gui.models.photo_grid import PhotoGridModel, Role, Similarity
from photofind.gui.thumbnails import ThumbnailService
from photofind.gui.views.photo_grid import PhotoGridView
from photofind.thumbs.cache import ThumbnailCache
from photofind.thumbs.listing import PhotoListing, SortOrder


@pytest.fixture
def catalog_file(tmp_path: Path, photo_paths: dict[str, Path]) -> Path:
    folder = tmp_path / "pics"
    folder.mkdir()
    file = tmp_path / "catalog.sqlite"
    with open_catalog(file) as catalog:
        catalog.add_folder(folder)
        for path in photo_paths.values():
            target = folder / path.name
            shutil.copy(path, target)
            info = target.stat()
            catalog.upsert_seen(target, info.st_size, info.st_mtime_ns)
        broken = folder / "broken.jpg"
        broken.write_bytes(b"not a jpeg")
        catalog.upsert_seen(broken, 10, 1)
    return file


@pytest.fixture
def thumbnails(tmp_path: Path, qapp: object) -> Iterator[ThumbnailService]:
    service = ThumbnailService(MainThreadDispatcher(), ThumbnailCache(tmp_path / "thumbs"), px=96)
    yield service
    service.shutdown()


@pytest.fixture
def model(catalog_file: Path, thumbnails: ThumbnailService) -> Iterator[PhotoGridModel]:
    listing = PhotoListing(catalog_file)
    grid = PhotoGridModel(listing, thumbnails)
    grid.set_ids(listing.ids(SortOrder.NAME))
    yield grid
    listing.close()


def test_model_contract(qtmodeltester: ModelTester, model: PhotoGridModel) -> None:
    qtmodeltester.check(model)
    ids = model.ids()
    model.set_ids(ids[:3], {ids[0]: Similarity(0.9, True)})
    qtmodeltester.check(model)
    model.refresh_rows()
    model.set_ids([])
    qtmodeltester.check(model)


def test_rows_scores_and_removed_photos(model: PhotoGridModel) -> None:
    ids = model.ids()
    names = [model.index(row).data() for row in range(model.rowCount())]
    assert names == sorted(names, key=str.casefold)
    model.set_ids([*ids[:2], PhotoId(999_999)], {ids[1]: Similarity(0.75)})
    assert model.index(0).data(Role.SCORE) is None
    assert model.index(1).data(Role.SCORE) == 0.75
    assert model.index(1).data(Role.DUPLICATE) is False
    gone = model.index(2)
    assert gone.data() == "(removed)"
    assert not gone.flags() & Qt.ItemFlag.ItemIsEnabled


def test_thumbnails_arrive_and_failures_are_marked(
    qtbot: QtBot, model: PhotoGridModel, thumbnails: ThumbnailService
) -> None:
    for row in range(model.rowCount()):
        model.index(row).data(Qt.ItemDataRole.DecorationRole)  # requests them all
    qtbot.waitUntil(
        lambda: all(
            model.index(r).data(Qt.ItemDataRole.DecorationRole) is not None
            or model.index(r).data(Role.FAILED)
            for r in range(model.rowCount())
        ),
        timeout=10_000,
    )
    broken = next(r for r in range(model.rowCount()) if model.index(r).data() == "broken.jpg")
    assert model.index(broken).data(Role.FAILED)
    pixmap = model.index(0).data(Qt.ItemDataRole.DecorationRole)
    assert isinstance(pixmap, QPixmap)
    assert max(pixmap.width(), pixmap.height()) == 96


def test_a_stale_generation_is_dropped(
    qtbot: QtBot, model: PhotoGridModel, thumbnails: ThumbnailService
) -> None:
    row = model.photo(model.index(0))
    assert row is not None
    thumbnails.request(row)
    thumbnails.set_px(128)  # before the worker answers (or its answer is dropped)
    with qtbot.waitSignal(thumbnails.thumbnail_ready, timeout=10_000):
        model.index(0).data(Qt.ItemDataRole.DecorationRole)
    pixmap = thumbnails.cached_or_none(row)
    assert pixmap is not None
    assert max(pixmap.width(), pixmap.height()) == 128


def test_view_zoom_uses_the_device_pixel_ratio(
    qtbot: QtBot, model: PhotoGridModel, thumbnails: ThumbnailService
) -> None:
    view = PhotoGridView(thumbnails, 120)
    qtbot.addWidget(view)
    view.setModel(model)
    view.resize(600, 400)
    view.show()
    view.set_thumb_size(200)
    assert thumbnails.px == round(200 * view.devicePixelRatioF())
    assert view.gridSize().width() > 200
    view.setCurrentIndex(model.index(0))
    menu = view.build_context_menu()
    assert menu is not None
    assert [a.text() for a in menu.actions() if a.text()] == [
        "Find similar",
        "Open",
        "Show in folder",
        "Copy path",
    ]


def test_disk_cache_hit_gives_the_same_image(
    qapp: object, tmp_path: Path, model: PhotoGridModel
) -> None:
    from photofind.gui.thumbnails import thumbnail_image

    row = model.photo(model.index(0))
    assert row is not None
    cache = ThumbnailCache(tmp_path / "disk")
    rendered = thumbnail_image(row, 80, cache)
    assert cache.get(row.path, row.size, row.mtime_ns, 80) is not None
    cached = thumbnail_image(row, 80, cache)
    assert not cached.isNull()
    assert cached.size() == rendered.size()


def test_pyside_keeps_none_and_true_reference_counts_balanced(model: PhotoGridModel) -> None:
    # PySide6 6.12.0 on CPython 3.11 dropped a reference to None on every void call, empty data()
    # and emit(): the app aborted with "none_dealloc" within a minute. pyproject pins 6.11.3;
    # this catches a version that brings the bug back.
    import sys

    index = model.index(0)
    none_before, true_before = sys.getrefcount(None), sys.getrefcount(True)
    for _ in range(1000):
        index.data(Qt.ItemDataRole.FontRole)  # no data for this role: returns None
        model.layoutChanged.emit()
    assert abs(sys.getrefcount(None) - none_before) < 100
    assert abs(sys.getrefcount(True) - true_before) < 100
