"""Duplicates and clusters pages end to end with the real model; trashing goes to a test trash."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from PIL import Image
from PySide6.QtCore import Qt
from pytestqt.modeltest import ModelTester
from pytestqt.qtbot import QtBot

from photofind.gui.main_window import MainWindow
from photofind.gui.services import GuiServices
from photofind.gui.widgets.sidebar import CLUSTERS, DUPLICATES

pytestmark = pytest.mark.slow

TIMEOUT_MS = 60_000


@pytest.fixture
def trash_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """``$XDG_DATA_HOME`` in ``tmp_path``: QFile.moveToTrash uses its Trash/ folder."""
    home = tmp_path / "xdg-data"
    monkeypatch.setenv("XDG_DATA_HOME", str(home))
    return home


@pytest.fixture
def copies_folder(tmp_path: Path, photo_paths: dict[str, Path]) -> Path:
    """A photo, its resized copy, and an unrelated photo."""
    folder = tmp_path / "copies"
    folder.mkdir()
    shutil.copy(photo_paths["astronaut"], folder / "astronaut.jpg")
    shutil.copy(photo_paths["coffee"], folder / "coffee.jpg")
    with Image.open(folder / "astronaut.jpg") as image:
        image.resize((256, 256)).save(folder / "astronaut_small.jpg", quality=85)
    return folder


def _index(window: MainWindow, services: GuiServices, qtbot: QtBot, folder: Path) -> None:
    window.add_folder(folder)
    services.indexer.start()
    expected = len(list(folder.glob("*.jpg")))
    qtbot.waitUntil(lambda: window.grid_model.rowCount() == expected, timeout=TIMEOUT_MS)
    qtbot.waitUntil(lambda: "waiting" not in window.count_label.text(), timeout=TIMEOUT_MS)


def _names(window: MainWindow) -> list[list[str]]:
    model = window.duplicates_page.model
    groups = (model.group_at(row) for row in range(model.rowCount()))
    return [[m.row.path.name for m in g.members] for g in groups if g is not None]


def test_duplicates_group_a_resized_copy_regroup_choose_keeper_and_trash(
    window: MainWindow,
    services: GuiServices,
    qtbot: QtBot,
    copies_folder: Path,
    trash_home: Path,
    qtmodeltester: ModelTester,
) -> None:
    _index(window, services, qtbot, copies_folder)
    window.sidebar.select_view(DUPLICATES)
    page = window.duplicates_page
    assert window.pages.currentWidget() is page
    qtbot.waitUntil(lambda: page.model.rowCount() == 1, timeout=TIMEOUT_MS)
    assert _names(window) == [["astronaut.jpg", "astronaut_small.jpg"]]  # the larger one first
    assert page.model.group_at(0).tier == "near"  # type: ignore[union-attr]
    qtmodeltester.check(page.model)

    page.slider.setValue(100)  # nothing but exact copies is 100% alike
    qtbot.waitUntil(lambda: page.model.rowCount() == 0, timeout=TIMEOUT_MS)
    page.slider.setValue(80)
    qtbot.waitUntil(lambda: page.model.rowCount() == 1, timeout=TIMEOUT_MS)

    page.view.setFocus()
    page.view.setCurrentIndex(page.model.index(0))
    qtbot.keyClick(page.view, Qt.Key.Key_Right)  # keep the small one instead
    assert page.model.keeper(0) == 1
    assert page.model.others(0) == [copies_folder / "astronaut.jpg"]
    qtbot.keyClick(page.view, Qt.Key.Key_Left)
    qtbot.keyClick(page.view, Qt.Key.Key_Delete)  # the suggested keeper stays
    qtbot.waitUntil(lambda: page.model.rowCount() == 0, timeout=TIMEOUT_MS)
    assert (trash_home / "Trash" / "files" / "astronaut_small.jpg").is_file()
    assert not (copies_folder / "astronaut_small.jpg").exists()
    assert (copies_folder / "astronaut.jpg").is_file()
    qtmodeltester.check(page.model)
    # The watcher reports the file gone; the grid catches up.
    qtbot.waitUntil(lambda: window.grid_model.rowCount() == 2, timeout=TIMEOUT_MS)


def test_compare_shows_the_keeper_and_another_photo(
    window: MainWindow, services: GuiServices, qtbot: QtBot, copies_folder: Path
) -> None:
    _index(window, services, qtbot, copies_folder)
    window.sidebar.select_view(DUPLICATES)
    page = window.duplicates_page
    qtbot.waitUntil(lambda: page.model.rowCount() == 1, timeout=TIMEOUT_MS)
    page.view.setCurrentIndex(page.model.index(0))
    qtbot.keyClick(page.view, Qt.Key.Key_C)
    dialog = window.compare_dialog
    qtbot.waitUntil(
        lambda: not dialog.left.item.pixmap().isNull() and not dialog.right.item.pixmap().isNull(),
        timeout=TIMEOUT_MS,
    )
    assert "astronaut.jpg" in dialog.captions[0].text()
    assert "astronaut_small.jpg" in dialog.captions[1].text()
    # Both photos span the same scene width, so one transform shows the same region of each.
    assert dialog.left.sceneRect().width() == pytest.approx(dialog.right.sceneRect().width())
    dialog.zoom(2.0)
    assert dialog.left.transform() == dialog.right.transform()
    dialog.left.horizontalScrollBar().setValue(dialog.left.horizontalScrollBar().maximum() // 2)
    assert dialog.right.horizontalScrollBar().value() == dialog.left.horizontalScrollBar().value()
    dialog.close()


def test_clusters_cover_every_photo_and_open_as_a_grid(
    window: MainWindow,
    services: GuiServices,
    qtbot: QtBot,
    photo_folder: Path,
    qtmodeltester: ModelTester,
) -> None:
    _index(window, services, qtbot, photo_folder)
    window.sidebar.select_view(CLUSTERS)
    page = window.clusters_page
    assert window.pages.currentWidget() is page
    qtbot.waitUntil(lambda: page.model.rowCount() > 0, timeout=TIMEOUT_MS)
    qtmodeltester.check(page.model)
    sizes = [len(page.model.cluster(r).ids) for r in range(page.model.rowCount())]  # type: ignore[union-attr]
    assert sum(sizes) == window.grid_model.rowCount()
    assert page.model.index(0).data().endswith("photos")
    page.open_cluster(page.model.index(0))
    assert page.showing_cluster()
    assert window.cluster_model.rowCount() == sizes[0]
    window.cluster_view.setCurrentIndex(window.cluster_model.index(0))
    menu = window.cluster_view.build_context_menu()
    assert menu is not None
    assert "Find similar" in [a.text() for a in menu.actions()]
    page.show_overview()
    assert not page.showing_cluster()
    window.sidebar.select_view("photos")
    assert window.pages.currentWidget() is window.grid_view


def test_delete_in_the_grid_moves_the_selection_to_the_trash(
    window: MainWindow,
    services: GuiServices,
    qtbot: QtBot,
    copies_folder: Path,
    trash_home: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    asked: list[list[Path]] = []

    def confirm(_: object, paths: list[Path]) -> bool:
        asked.append(paths)
        return True

    monkeypatch.setattr("photofind.gui.main_window.confirm_trash", confirm)
    _index(window, services, qtbot, copies_folder)
    names = [window.grid_model.index(r).data() for r in range(window.grid_model.rowCount())]
    window.grid_view.setCurrentIndex(window.grid_model.index(names.index("coffee.jpg")))
    window.activateWindow()
    window.grid_view.setFocus()
    qtbot.keyClick(window.grid_view, Qt.Key.Key_Delete)
    assert asked == [[copies_folder / "coffee.jpg"]]
    qtbot.waitUntil(lambda: window.grid_model.rowCount() == 2, timeout=TIMEOUT_MS)
    assert (trash_home / "Trash" / "files" / "coffee.jpg").is_file()
    assert not (copies_folder / "coffee.jpg").exists()
