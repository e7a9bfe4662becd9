"""The list of duplicate groups: uniform rows, keyboard review, a click chooses the keeper."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QKeyEvent, QMouseEvent
from PySide6.QtWidgets import QAbstractItemView, QListView, QWidget

from photofind.gui.delegates.duplicate_group import DuplicateGroupDelegate
from photofind.gui.models.duplicate_groups import DuplicateGroupModel


class DuplicateGroupView(QListView):
    """The list of groups: uniform rows, keyboard review, a click chooses the keeper.

    Thread affinity: GUI thread.
    """

    trash_requested = Signal()
    compare_requested = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.delegate = DuplicateGroupDelegate(parent=self)
        self.setItemDelegate(self.delegate)
        self.setUniformItemSizes(True)
        self.setVerticalScrollMode(QAbstractItemView.ScrollMode.ScrollPerPixel)
        self.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)

    def _model(self) -> DuplicateGroupModel | None:
        model = self.model()
        return model if isinstance(model, DuplicateGroupModel) else None

    def move_keeper(self, step: int) -> None:
        """Make the previous/next photo of the current group its keeper."""
        model, row = self._model(), self.currentIndex().row()
        if model is not None and row >= 0:
            model.set_keeper(row, model.keeper(row) + step)

    def keyPressEvent(self, event: QKeyEvent) -> None:
        """J/K/Up/Down move, Left/Right choose the keeper, Enter/Delete trash, C compares."""
        key = event.key()
        if key in (Qt.Key.Key_J, Qt.Key.Key_K):
            step = 1 if key == Qt.Key.Key_J else -1
            model, target = self.model(), self.currentIndex().row() + step
            if model is not None and 0 <= target < model.rowCount():
                self.setCurrentIndex(model.index(target, 0))
        elif key in (Qt.Key.Key_Left, Qt.Key.Key_Right):
            self.move_keeper(1 if key == Qt.Key.Key_Right else -1)
        elif key in (Qt.Key.Key_Return, Qt.Key.Key_Enter, Qt.Key.Key_Delete):
            self.trash_requested.emit()
        elif key == Qt.Key.Key_C:
            self.compare_requested.emit()
        else:
            super().keyPressEvent(event)

    def mousePressEvent(self, event: QMouseEvent) -> None:
        """Select the group; a click on one of its photos makes it the keeper."""
        super().mousePressEvent(event)
        index, model = self.indexAt(event.position().toPoint()), self._model()
        group = model.group_at(index.row()) if model is not None and index.isValid() else None
        if model is None or group is None:
            return
        position = self.delegate.member_at(
            self.visualRect(index),
            self.fontMetrics().height(),
            event.position().toPoint(),
            len(group.members),
        )
        if position is not None:
            model.set_keeper(index.row(), position)
