"""The status bar: unreadable files listed with their reasons and retried; pause and resume."""

from __future__ import annotations

from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot

from photofind.gui.main_window import MainWindow
from photofind.gui.services import GuiServices
from photofind.gui.widgets.activity import watch_text
from photofind.thumbs.listing import FolderSummary

pytestmark = pytest.mark.slow

TIMEOUT_MS = 60_000


def test_unreadable_files_are_listed_and_retried(
    window: MainWindow, services: GuiServices, qtbot: QtBot, photo_folder: Path
) -> None:
    late = photo_folder / "late.jpg"
    late.write_bytes(b"")  # a copy that had not started yet
    window.add_folder(photo_folder)
    services.indexer.start()
    button = window.activity.failures_button
    qtbot.waitUntil(lambda: button.isVisible(), timeout=TIMEOUT_MS)
    assert button.text() == "1 could not be read"

    button.click()
    qtbot.waitUntil(lambda: getattr(window, "failures_dialog", None) is not None)
    dialog = window.failures_dialog
    item = dialog.tree.topLevelItem(0)
    assert item is not None
    assert (dialog.tree.topLevelItemCount(), item.text(0), item.text(1)) == (
        1,
        str(late),
        "empty file (0 bytes)",
    )

    services.indexer.set_paused(True)  # the watcher must not read the file before the retry
    late.write_bytes((photo_folder / "coffee.jpg").read_bytes())
    services.indexer.set_paused(False)
    dialog.retry_all_button.click()
    qtbot.waitUntil(lambda: not button.isVisible(), timeout=TIMEOUT_MS)
    qtbot.waitUntil(lambda: window.grid_model.rowCount() == 7, timeout=TIMEOUT_MS)


def test_pause_and_resume(window: MainWindow, services: GuiServices, qtbot: QtBot) -> None:
    services.indexer.start()
    window.activity.pause_button.click()
    assert services.indexer.paused
    assert window.activity.progress_label.text() == "Indexing paused"
    assert window.activity.pause_button.text() == "Resume"
    window.activity.pause_button.click()
    assert not services.indexer.paused


def test_watch_text_says_how_folders_are_followed() -> None:
    folders = [
        FolderSummary(Path("/a"), True, 3, "native"),
        FolderSummary(Path("/nas"), True, 9, "polling"),
        FolderSummary(Path("/usb"), False, 5, "native"),
    ]
    assert watch_text(folders) == "watching for changes · 1 folder by polling · 1 offline"
    assert watch_text([]) == ""
