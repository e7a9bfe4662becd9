"""The list of files that could not be read: why, where, and a way to try again."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QHeaderView,
    QPushButton,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from photofind.gui.views.photo_grid import show_in_folder


class FailedFilesDialog(QDialog):
    """A small list (the quarantine) with Show in folder and Retry.

    Thread affinity: GUI thread.

    Signals:
        retry_requested(list): retry these paths (an empty list: all of them).
    """

    retry_requested = Signal(list)

    def __init__(self, failures: list[tuple[Path, str]], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Files that could not be read")
        self.resize(760, 360)
        self.tree = QTreeWidget()
        self.tree.setHeaderLabels(["File", "Reason"])
        self.tree.setRootIsDecorated(False)
        self.tree.setSelectionMode(QTreeWidget.SelectionMode.ExtendedSelection)
        self.tree.header().setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        for path, reason in failures:
            item = QTreeWidgetItem([str(path), reason])
            item.setData(0, Qt.ItemDataRole.UserRole, path)
            self.tree.addTopLevelItem(item)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        self.show_button = self._button(buttons, "Show in folder", self._on_show)
        self.retry_button = self._button(buttons, "Retry selected", self._on_retry)
        self.retry_all_button = self._button(buttons, "Retry all", self._on_retry_all)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.tree)
        layout.addWidget(buttons)

    def _button(self, box: QDialogButtonBox, text: str, slot: object) -> QPushButton:
        button = box.addButton(text, QDialogButtonBox.ButtonRole.ActionRole)
        button.clicked.connect(slot)
        return button

    def selected_paths(self) -> list[Path]:
        """The paths of the selected rows."""
        return [item.data(0, Qt.ItemDataRole.UserRole) for item in self.tree.selectedItems()]

    def _on_show(self) -> None:
        for path in self.selected_paths()[:1]:
            show_in_folder(path)

    def _on_retry(self) -> None:
        paths = self.selected_paths()
        if paths:
            self.retry_requested.emit(paths)
            self.accept()

    def _on_retry_all(self) -> None:
        self.retry_requested.emit([])
        self.accept()
