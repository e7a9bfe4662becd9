"""The sidebar: "All photos" and the watched folders with their photo counts."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QPalette
from PySide6.QtWidgets import (
    QHBoxLayout,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from photofind.thumbs.listing import FolderSummary

_PATH_ROLE = Qt.ItemDataRole.UserRole + 1


class Sidebar(QWidget):
    """Lists "All photos" then each watched folder; selecting one filters the grid.

    Thread affinity: GUI thread.
    """

    folder_selected = Signal(object)  # Path | None (None: all photos)
    add_requested = Signal()
    remove_requested = Signal(object)  # Path

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.list = QListWidget()
        self.list.currentItemChanged.connect(self._on_current_changed)
        self.add_button = QPushButton("Add folder…")
        self.add_button.clicked.connect(self.add_requested)
        self.remove_button = QPushButton("Remove")
        self.remove_button.setToolTip("Stop watching this folder (the photos stay on disk)")
        self.remove_button.clicked.connect(self._on_remove)
        self.remove_button.setEnabled(False)
        buttons = QHBoxLayout()
        buttons.addWidget(self.add_button)
        buttons.addWidget(self.remove_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.list, 1)
        layout.addLayout(buttons)
        self._folders: list[FolderSummary] = []
        self.set_folders([], 0)

    def set_folders(self, folders: list[FolderSummary], total: int) -> None:
        """Show these folders (keeps the selection when the folder is still there)."""
        current = self.current_folder()
        if folders == self._folders and self.list.count() == len(folders) + 1:
            self.list.item(0).setText(f"All photos ({total})")
            return
        self._folders = folders
        self.list.blockSignals(True)
        self.list.clear()
        all_item = QListWidgetItem(f"All photos ({total})")
        all_item.setData(_PATH_ROLE, None)
        self.list.addItem(all_item)
        selected = all_item
        for folder in folders:
            item = QListWidgetItem(f"{folder.path.name or folder.path} ({folder.photos})")
            item.setData(_PATH_ROLE, str(folder.path))
            item.setToolTip(str(folder.path) + ("" if folder.online else "\nOffline"))
            if not folder.online:
                item.setForeground(self.palette().color(QPalette.ColorRole.PlaceholderText))
            self.list.addItem(item)
            if folder.path == current:
                selected = item
        self.list.setCurrentItem(selected)
        self.list.blockSignals(False)
        self.remove_button.setEnabled(selected is not all_item)
        if (selected is all_item) != (current is None):
            self.folder_selected.emit(None)

    def current_folder(self) -> Path | None:
        """The selected folder (None: all photos)."""
        item = self.list.currentItem()
        raw = item.data(_PATH_ROLE) if item is not None else None
        return Path(raw) if raw else None

    def _on_current_changed(self) -> None:
        folder = self.current_folder()
        self.remove_button.setEnabled(folder is not None)
        self.folder_selected.emit(folder)

    def _on_remove(self) -> None:
        folder = self.current_folder()
        if folder is not None:
            self.remove_requested.emit(folder)
