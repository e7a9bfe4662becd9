"""The sidebar: "All photos", "Clusters", "Duplicates", the watched folders with their counts."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QPalette
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from photofind.thumbs.listing import FolderSummary

_PATH_ROLE = Qt.ItemDataRole.UserRole + 1
_VIEW_ROLE = Qt.ItemDataRole.UserRole + 2
PHOTOS, CLUSTERS, DUPLICATES = "photos", "clusters", "duplicates"
_SPECIAL = ((CLUSTERS, "Clusters"), (DUPLICATES, "Duplicates"))
RECENT_HEIGHT = 130  # about six searches


class Sidebar(QWidget):
    """Lists "All photos", the clusters and duplicates views, then each watched folder.

    Selecting "All photos" or a folder filters the grid (``folder_selected``); every selection
    also names the view to show (``view_selected``: photos, clusters or duplicates).

    Thread affinity: GUI thread.
    """

    folder_selected = Signal(object)  # Path | None (None: all photos)
    view_selected = Signal(str)  # PHOTOS, CLUSTERS or DUPLICATES
    add_requested = Signal()
    remove_requested = Signal(object)  # Path
    search_requested = Signal(str)  # a recent search, chosen again

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
        self.recent_title = QLabel("Recent searches")
        self.recent = QListWidget()
        self.recent.setMaximumHeight(RECENT_HEIGHT)
        self.recent.itemActivated.connect(lambda item: self.search_requested.emit(item.text()))
        self.recent.itemClicked.connect(lambda item: self.search_requested.emit(item.text()))
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.list, 1)
        layout.addWidget(self.recent_title)
        layout.addWidget(self.recent)
        layout.addLayout(buttons)
        self.set_recent([])
        self._folders: list[FolderSummary] = []
        self.set_folders([], 0)

    def set_folders(self, folders: list[FolderSummary], total: int) -> None:
        """Show these folders (keeps the selection when the folder is still there)."""
        current, view = self.current_folder(), self.current_view()
        if folders == self._folders and self.list.count() == len(folders) + 1 + len(_SPECIAL):
            self.list.item(0).setText(f"All photos ({total})")
            return
        self._folders = folders
        self.list.blockSignals(True)
        self.list.clear()
        all_item = QListWidgetItem(f"All photos ({total})")
        all_item.setData(_PATH_ROLE, None)
        self.list.addItem(all_item)
        selected = all_item
        for kind, title in _SPECIAL:
            item = QListWidgetItem(title)
            item.setData(_VIEW_ROLE, kind)
            self.list.addItem(item)
            if kind == view:
                selected = item
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
        self.remove_button.setEnabled(selected.data(_PATH_ROLE) is not None)
        if selected is all_item and current is not None:
            self.folder_selected.emit(None)

    def set_recent(self, searches: list[str]) -> None:
        """Show the latest label searches, newest first (hidden while there are none)."""
        self.recent.clear()
        self.recent.addItems(searches)
        self.recent_title.setVisible(bool(searches))
        self.recent.setVisible(bool(searches))

    def current_folder(self) -> Path | None:
        """The selected folder (None: all photos)."""
        item = self.list.currentItem()
        raw = item.data(_PATH_ROLE) if item is not None else None
        return Path(raw) if raw else None

    def current_view(self) -> str:
        """The view of the selected entry: PHOTOS, CLUSTERS or DUPLICATES."""
        item = self.list.currentItem()
        kind = item.data(_VIEW_ROLE) if item is not None else None
        return str(kind) if kind else PHOTOS

    def select_view(self, kind: str) -> None:
        """Select the entry of ``kind`` (CLUSTERS or DUPLICATES; PHOTOS: "All photos")."""
        for row in range(self.list.count()):
            if (self.list.item(row).data(_VIEW_ROLE) or PHOTOS) == kind:
                self.list.setCurrentRow(row)
                return

    def _on_current_changed(self) -> None:
        folder, view = self.current_folder(), self.current_view()
        self.remove_button.setEnabled(folder is not None)
        self.view_selected.emit(view)
        if view == PHOTOS:
            self.folder_selected.emit(folder)

    def _on_remove(self) -> None:
        folder = self.current_folder()
        if folder is not None:
            self.remove_requested.emit(folder)
