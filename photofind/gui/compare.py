"""Two photos side by side whose zoom and scroll stay in sync (for choosing a keeper)."""

from __future__ import annotations

import functools
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt
from PySide6.QtGui import QImage, QKeyEvent, QPainter, QPixmap, QWheelEvent
from PySide6.QtWidgets import (
    QDialog,
    QGraphicsPixmapItem,
    QGraphicsScene,
    QGraphicsView,
    QGridLayout,
    QLabel,
    QWidget,
)

if TYPE_CHECKING:
    from pathlib import Path

    from photofind.gui.grouping import Member

CompareLoader = Callable[["Path", int, Callable[[QImage], None]], None]
SCENE_WIDTH = 2000.0  # both photos are shown this wide in scene units: equal zoom, equal region
LOAD_PX = 4096  # rendered at most this big: enough to judge sharpness at 100-200%
ZOOM_STEP = 1.25


class SyncedImageView(QGraphicsView):
    """One side of the comparison: a photo scaled to :data:`SCENE_WIDTH` scene units.

    Thread affinity: GUI thread.
    """

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setScene(QGraphicsScene(self))
        self.item = QGraphicsPixmapItem()
        self.item.setTransformationMode(Qt.TransformationMode.SmoothTransformation)
        self.scene().addItem(self.item)
        self.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform)
        self.setDragMode(QGraphicsView.DragMode.ScrollHandDrag)
        self.setTransformationAnchor(QGraphicsView.ViewportAnchor.AnchorUnderMouse)
        self.zoom_handler: Callable[[float], None] | None = None

    def set_image(self, image: QImage) -> None:
        """Show ``image`` scaled to the common scene width."""
        self.item.setPixmap(QPixmap.fromImage(image))
        self.item.setScale(SCENE_WIDTH / max(1, image.width()))
        self.setSceneRect(self.item.sceneBoundingRect())

    def wheelEvent(self, event: QWheelEvent) -> None:
        """The wheel zooms both views (through the dialog)."""
        factor = ZOOM_STEP if event.angleDelta().y() > 0 else 1 / ZOOM_STEP
        if self.zoom_handler is not None:
            self.zoom_handler(factor)
        event.accept()


class CompareDialog(QDialog):
    """The keeper on the left, another photo of the group on the right.

    Thread affinity: GUI thread; ``load(path, px, done)`` renders on a worker thread and calls
    ``done(image)`` on the GUI thread. Keys: + / - zoom, 0 fits, N shows the next other photo,
    Esc closes.
    """

    def __init__(
        self,
        members: Sequence[Member],
        keeper: int,
        load: CompareLoader,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle("Compare")
        self._members = list(members)
        self._keeper = keeper
        self._load = load
        self.left, self.right = SyncedImageView(), SyncedImageView()
        self.captions = (QLabel(), QLabel())
        layout = QGridLayout(self)
        for column, (view, caption) in enumerate(
            zip((self.left, self.right), self.captions, strict=True)
        ):
            view.zoom_handler = self.zoom
            caption.setAlignment(Qt.AlignmentFlag.AlignCenter)
            layout.addWidget(view, 0, column)
            layout.addWidget(caption, 1, column)
        self._sync(self.left, self.right)
        self._sync(self.right, self.left)
        self.resize(1200, 760)
        self._right = -1
        self._show(self.left, 0, keeper)
        self.show_next()

    @staticmethod
    def _sync(source: QGraphicsView, target: QGraphicsView) -> None:
        source.horizontalScrollBar().valueChanged.connect(target.horizontalScrollBar().setValue)
        source.verticalScrollBar().valueChanged.connect(target.verticalScrollBar().setValue)

    def zoom(self, factor: float) -> None:
        """Zoom both views by ``factor`` (their transforms stay equal)."""
        for view in (self.left, self.right):
            view.scale(factor, factor)

    def fit(self) -> None:
        """Fit the whole photo in both views."""
        for view in (self.left, self.right):
            view.fitInView(view.sceneRect(), Qt.AspectRatioMode.KeepAspectRatio)
        self.right.setTransform(self.left.transform())

    def show_next(self) -> None:
        """Show the next photo of the group (other than the keeper) on the right."""
        others = [i for i in range(len(self._members)) if i != self._keeper]
        if not others:
            return
        following = [i for i in others if i > self._right]
        self._right = following[0] if following else others[0]
        self._show(self.right, 1, self._right)

    def _show(self, view: SyncedImageView, side: int, position: int) -> None:
        member = self._members[position]
        role = "Keep" if position == self._keeper else "Other"
        self.captions[side].setText(f"{role}: {member.row.path.name}  ·  {member.resolution}")
        self.captions[side].setToolTip(str(member.row.path))
        self._load(member.row.path, LOAD_PX, functools.partial(self._on_loaded, view, position))

    def _on_loaded(self, view: SyncedImageView, position: int, image: QImage) -> None:
        if view is self.right and position != self._right:
            return  # the user moved on
        view.set_image(image)
        self.fit()

    def keyPressEvent(self, event: QKeyEvent) -> None:
        """+/- zoom, 0 fits, N next photo."""
        key = event.key()
        if key in (Qt.Key.Key_Plus, Qt.Key.Key_Equal):
            self.zoom(ZOOM_STEP)
        elif key == Qt.Key.Key_Minus:
            self.zoom(1 / ZOOM_STEP)
        elif key == Qt.Key.Key_0:
            self.fit()
        elif key == Qt.Key.Key_N:
            self.show_next()
        else:
            super().keyPressEvent(event)
