"""A large preview of one photo: arrow keys move through the grid, Esc closes."""

from __future__ import annotations

import functools
from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QModelIndex, Qt
from PySide6.QtGui import QImage, QKeyEvent, QPixmap, QResizeEvent
from PySide6.QtWidgets import QDialog, QLabel, QListView, QVBoxLayout, QWidget

from photofind.gui.models.photo_grid import PhotoGridModel

PreviewLoader = Callable[[Path, int, Callable[[QImage], None]], None]


class PreviewDialog(QDialog):
    """Shows the current photo of a grid view large; follows the view's current index.

    Thread affinity: GUI thread. Decoding happens elsewhere: ``load(path, px, done)`` renders on
    a worker and calls ``done(image)`` on the GUI thread.
    """

    def __init__(self, view: QListView, load: PreviewLoader, parent: QWidget | None = None):
        super().__init__(parent)
        self._view = view
        self._load = load
        self._image = QImage()
        self._path: Path | None = None
        self.picture = QLabel(alignment=Qt.AlignmentFlag.AlignCenter)
        self.picture.setMinimumSize(200, 200)
        self.caption = QLabel(alignment=Qt.AlignmentFlag.AlignCenter)
        layout = QVBoxLayout(self)
        layout.addWidget(self.picture, 1)
        layout.addWidget(self.caption)
        self.resize(1000, 760)

    def show_index(self, index: QModelIndex) -> None:
        """Preview the photo at ``index`` of the view's model."""
        model = self._view.model()
        if not isinstance(model, PhotoGridModel) or not index.isValid():
            return
        row = model.photo(index)
        if row is None:
            return
        self._view.setCurrentIndex(index)
        self._path = row.path
        self.setWindowTitle(row.path.name)
        self.caption.setText(f"{row.path}   ({index.row() + 1} of {model.rowCount()})")
        screen = self.screen().availableSize() if self.screen() else self.size()
        px = round(max(screen.width(), screen.height()) * self.devicePixelRatioF())
        self._load(row.path, px, functools.partial(self._on_loaded, row.path))

    def _on_loaded(self, path: Path, image: QImage) -> None:
        if path != self._path:  # the user moved on: a superseded answer
            return
        self._image = image
        self._rescale()

    def _rescale(self) -> None:
        if self._image.isNull():
            self.picture.clear()
            return
        dpr = self.devicePixelRatioF()
        pixmap = QPixmap.fromImage(self._image).scaled(
            self.picture.size() * dpr,
            Qt.AspectRatioMode.KeepAspectRatio,
            Qt.TransformationMode.SmoothTransformation,
        )
        pixmap.setDevicePixelRatio(dpr)
        self.picture.setPixmap(pixmap)

    def resizeEvent(self, event: QResizeEvent) -> None:
        """Refit the picture."""
        super().resizeEvent(event)
        self._rescale()

    def keyPressEvent(self, event: QKeyEvent) -> None:
        """Left/Right (and Up/Down) move, Space or Esc closes."""
        step = {
            Qt.Key.Key_Right: 1,
            Qt.Key.Key_Down: 1,
            Qt.Key.Key_Left: -1,
            Qt.Key.Key_Up: -1,
        }.get(Qt.Key(event.key()))
        if step is not None:
            model = self._view.model()
            target = self._view.currentIndex().row() + step
            if model is not None and 0 <= target < model.rowCount():
                self.show_index(model.index(target, 0))
            return
        if event.key() == Qt.Key.Key_Space:
            self.close()
            return
        super().keyPressEvent(event)
