"""The main window end to end with the real model: folders, grid, Find similar, drops, watching."""

from __future__ import annotations

from pathlib import Path

import pytest
from PIL import Image
from PySide6.QtCore import QMimeData, QPointF, Qt, QUrl
from PySide6.QtGui import QDropEvent, QImage
from pytestqt.qtbot import QtBot

from photofind.gui.main_window import MainWindow
from photofind.gui.models.photo_grid import Role
from photofind.gui.services import GuiServices

pytestmark = pytest.mark.slow

TIMEOUT_MS = 60_000


def _names(window: MainWindow, similar: bool = False) -> list[str]:
    model = window.similar_model if similar else window.grid_model
    return [model.index(row).data() for row in range(model.rowCount())]


def _start(window: MainWindow, services: GuiServices, qtbot: QtBot, folder: Path) -> None:
    window.add_folder(folder)
    services.indexer.start()
    expected = len(list(folder.glob("*.jpg")))
    qtbot.waitUntil(lambda: window.grid_model.rowCount() == expected, timeout=TIMEOUT_MS)
    qtbot.waitUntil(lambda: "waiting" not in window.count_label.text(), timeout=TIMEOUT_MS)


def test_first_start_explains_itself(window: MainWindow, qtbot: QtBot) -> None:
    qtbot.waitUntil(lambda: window.pages.currentWidget() is window.welcome)
    assert window.grid_model.rowCount() == 0


def test_folder_fills_grid_and_find_similar_ranks_a_resized_copy_first(
    window: MainWindow, services: GuiServices, qtbot: QtBot, photo_folder: Path
) -> None:
    with Image.open(photo_folder / "astronaut.jpg") as image:
        image.resize((200, 200)).save(photo_folder / "zz_small_astronaut.jpg", quality=85)
    _start(window, services, qtbot, photo_folder)
    assert window.pages.currentWidget() is window.grid_view
    assert window.sidebar.list.item(3).text() == "pictures (7)"
    row = _names(window).index("astronaut.jpg")
    window.grid_view.setCurrentIndex(window.grid_model.index(row))
    menu = window.grid_view.build_context_menu()
    assert menu is not None
    next(a for a in menu.actions() if a.text() == "Find similar").trigger()
    assert window.pages.currentWidget() is window.similar_page
    qtbot.waitUntil(lambda: window.similar_model.rowCount() > 0, timeout=TIMEOUT_MS)
    names = _names(window, similar=True)
    assert names[0] == "zz_small_astronaut.jpg"
    assert "astronaut.jpg" not in names
    scores = [
        window.similar_model.index(r).data(Qt.ItemDataRole.UserRole + 3)
        for r in range(window.similar_model.rowCount())
    ]
    assert scores == sorted(scores, reverse=True)
    window.similar_page.slider.setValue(0)
    shown_all = window.similar_model.rowCount()
    window.similar_page.slider.setValue(100)
    assert window.similar_model.rowCount() < shown_all


def test_dropping_an_outside_image_finds_it(
    window: MainWindow, services: GuiServices, qtbot: QtBot, photo_folder: Path, tmp_path: Path
) -> None:
    _start(window, services, qtbot, photo_folder)
    outside = tmp_path / "elsewhere" / "cat.png"
    outside.parent.mkdir()
    with Image.open(photo_folder / "chelsea.jpg") as image:
        image.resize((160, 120)).save(outside)
    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(str(outside))])
    event = QDropEvent(
        QPointF(50, 50),
        Qt.DropAction.CopyAction,
        mime,
        Qt.MouseButton.LeftButton,
        Qt.KeyboardModifier.NoModifier,
    )
    window.dropEvent(event)
    qtbot.waitUntil(lambda: window.similar_model.rowCount() > 0, timeout=TIMEOUT_MS)
    assert _names(window, similar=True)[0] == "chelsea.jpg"


def test_pasted_image_data_is_searched(
    window: MainWindow, services: GuiServices, qtbot: QtBot, photo_folder: Path
) -> None:
    _start(window, services, qtbot, photo_folder)
    mime = QMimeData()
    mime.setImageData(QImage(str(photo_folder / "coffee.jpg")).scaledToWidth(180))
    assert window.search_mime(mime)
    qtbot.waitUntil(lambda: window.similar_model.rowCount() > 0, timeout=TIMEOUT_MS)
    assert _names(window, similar=True)[0] == "coffee.jpg"


def test_a_new_file_in_a_watched_folder_appears(
    window: MainWindow, services: GuiServices, qtbot: QtBot, photo_folder: Path
) -> None:
    _start(window, services, qtbot, photo_folder)
    with Image.open(photo_folder / "rocket.jpg") as image:
        image.transpose(Image.Transpose.FLIP_LEFT_RIGHT).save(photo_folder / "new_rocket.jpg")
    qtbot.waitUntil(lambda: "new_rocket.jpg" in _names(window), timeout=TIMEOUT_MS)


def test_remove_folder_empties_the_grid(
    window: MainWindow, services: GuiServices, qtbot: QtBot, photo_folder: Path
) -> None:
    _start(window, services, qtbot, photo_folder)
    window.remove_folder(photo_folder, confirm=False)
    qtbot.waitUntil(lambda: window.grid_model.rowCount() == 0, timeout=TIMEOUT_MS)
    qtbot.waitUntil(lambda: window.pages.currentWidget() is window.welcome)


def test_geometry_and_zoom_are_remembered(
    services: GuiServices, qtbot: QtBot, tmp_path: Path
) -> None:
    from PySide6.QtCore import QSettings

    settings = QSettings(str(tmp_path / "state.ini"), QSettings.Format.IniFormat)
    first = MainWindow(services, settings)
    qtbot.addWidget(first)
    first.resize(700, 500)
    first.show()
    first.grid_view.set_thumb_size(224)
    first.close()
    second = MainWindow(services, settings)
    qtbot.addWidget(second)
    assert second.size().width() == 700
    assert second.grid_view.thumb_size == 224


def test_label_search_box_and_recent_searches(
    window: MainWindow, services: GuiServices, qtbot: QtBot, photo_folder: Path
) -> None:
    _start(window, services, qtbot, photo_folder)
    window.search.setText("cat")
    window.search.returnPressed.emit()
    qtbot.waitUntil(lambda: window.similar_model.rowCount() > 0, timeout=TIMEOUT_MS)
    assert _names(window, similar=True)[0] == "chelsea.jpg"
    assert window.similar_page.title.text() == "Photos of “cat”"
    assert not window.similar_page.slider.isVisible()
    assert window.sidebar.recent.item(0).text() == "cat"

    window.search.setText("xyzzyq")
    window.search.returnPressed.emit()
    qtbot.waitUntil(lambda: "No photo label matches" in window.similar_page.summary.text())
    assert window.similar_model.rowCount() == 0

    window.sidebar.recent.itemClicked.emit(window.sidebar.recent.item(1))  # "cat" again
    qtbot.waitUntil(lambda: window.similar_model.rowCount() > 0, timeout=TIMEOUT_MS)
    assert [window.sidebar.recent.item(i).text() for i in range(2)] == ["cat", "xyzzyq"]


def test_results_group_into_visual_subclusters(
    window: MainWindow, services: GuiServices, qtbot: QtBot, photo_folder: Path
) -> None:
    for name in ("coffee", "rocket"):
        with Image.open(photo_folder / f"{name}.jpg") as image:
            for i, scale in enumerate((0.5, 0.35)):
                size = (int(image.width * scale), int(image.height * scale))
                image.resize(size).save(photo_folder / f"{name}_copy{i}.jpg", quality=80)
    _start(window, services, qtbot, photo_folder)
    window.find_similar([photo_folder / "coffee.jpg"])
    qtbot.waitUntil(lambda: window.similar_model.rowCount() > 0, timeout=TIMEOUT_MS)
    page, model = window.similar_page, window.similar_model
    page.slider.setValue(0)
    assert model.index(0).data(Role.GROUP) is None  # not grouped until asked
    page.group_toggle.setChecked(True)
    groups = {
        model.index(r).data(): model.index(r).data(Role.GROUP) for r in range(model.rowCount())
    }
    assert groups["coffee_copy0.jpg"] == groups["coffee_copy1.jpg"] == 0
    assert groups["rocket.jpg"] == groups["rocket_copy0.jpg"] == groups["rocket_copy1.jpg"]
    assert groups["rocket.jpg"] != 0
    order = [groups[model.index(r).data()] for r in range(model.rowCount())]
    assert order == sorted(order)  # each group's photos sit together


def test_zoom_slider_sizes_every_grid_and_is_remembered(
    window: MainWindow, services: GuiServices, qtbot: QtBot, photo_folder: Path
) -> None:
    _start(window, services, qtbot, photo_folder)
    window.zoom.setValue(256)
    assert window.grid_view.thumb_size == window.similar_view.thumb_size == 256
    assert int(window._state.value("thumb_size", 0)) == 256
    window.grid_view.set_thumb_size(128)  # Ctrl+wheel in a grid moves the slider too
    window.grid_view.thumb_size_changed.emit(128)
    assert window.zoom.value() == 128


def test_enter_and_space_preview_arrows_move_escape_closes(
    window: MainWindow, services: GuiServices, qtbot: QtBot, photo_folder: Path
) -> None:
    _start(window, services, qtbot, photo_folder)
    view = window.grid_view
    view.setFocus()
    view.setCurrentIndex(window.grid_model.index(0))
    qtbot.keyClick(view, Qt.Key.Key_Return)
    dialog = window.preview_dialog
    qtbot.waitUntil(dialog.isVisible)
    first = dialog.caption.text()
    assert _names(window)[0] in first
    qtbot.keyClick(dialog, Qt.Key.Key_Right)
    qtbot.waitUntil(lambda: dialog.caption.text() != first)
    assert _names(window)[1] in dialog.caption.text()
    qtbot.keyClick(dialog, Qt.Key.Key_Escape)
    qtbot.waitUntil(lambda: not dialog.isVisible())
    qtbot.keyClick(view, Qt.Key.Key_Space)
    qtbot.waitUntil(lambda: window.preview_dialog.isVisible())
