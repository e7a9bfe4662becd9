"""The thumbnail grid: an icon-mode list view with zoom, prefetch and the photo context menu."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QModelIndex, QPoint, Qt, QTimer, QUrl, Signal
from PySide6.QtGui import (
    QAction,
    QContextMenuEvent,
    QDesktopServices,
    QGuiApplication,
    QKeyEvent,
    QKeySequence,
    QResizeEvent,
    QWheelEvent,
)
from PySide6.QtWidgets import QAbstractItemView, QListView, QMenu, QWidget

from photofind.gui.delegates.thumbnail import ThumbnailDelegate
from photofind.gui.models.photo_grid import PhotoGridModel
from photofind.gui.thumbnails import ThumbnailService

PREFETCH_DELAY_MS = 150  # after scrolling stops: requests follow the user, not every pixel moved
RAM_SCREENS = 3  # pixmaps kept in RAM: the visible screen plus one above and one below
MIN_THUMB, MAX_THUMB, ZOOM_STEP = 96, 384, 32


class PhotoGridView(QListView):
    """Shows a :class:`PhotoGridModel` as a wrapping grid of thumbnails.

    Thread affinity: GUI thread. Emits requests (find similar, preview) instead of acting on them:
    the main window decides.
    """

    find_similar_requested = Signal(list)  # list[Path]
    preview_requested = Signal(QModelIndex)
    thumb_size_changed = Signal(int)

    def __init__(
        self, thumbnails: ThumbnailService, thumb_size: int = 160, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self._thumbnails = thumbnails
        self._delegate = ThumbnailDelegate(thumb_size, self)
        self.setItemDelegate(self._delegate)
        self.setViewMode(QListView.ViewMode.IconMode)
        self.setMovement(QListView.Movement.Static)
        self.setResizeMode(QListView.ResizeMode.Adjust)
        self.setUniformItemSizes(True)
        self.setWrapping(True)
        self.setVerticalScrollMode(QAbstractItemView.ScrollMode.ScrollPerPixel)
        self.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.setLayoutMode(QListView.LayoutMode.Batched)
        self.setBatchSize(500)
        self._prefetch = QTimer(self, singleShot=True, interval=PREFETCH_DELAY_MS)
        self._prefetch.timeout.connect(self._on_prefetch)
        self.verticalScrollBar().valueChanged.connect(lambda _: self._prefetch.start())
        self.doubleClicked.connect(self.preview_requested)
        self._apply_thumb_size(thumb_size)

    # -- zoom ----------------------------------------------------------------------------

    @property
    def thumb_size(self) -> int:
        """The logical size (longest side) of a thumbnail."""
        return self._delegate.thumb_size

    def set_thumb_size(self, size: int) -> None:
        """Zoom: thumbnails of ``size`` logical pixels (rendered at size x device pixel ratio)."""
        size = max(MIN_THUMB, min(MAX_THUMB, size))
        if size != self._delegate.thumb_size:
            self._apply_thumb_size(size)
            self.thumb_size_changed.emit(size)

    def _apply_thumb_size(self, size: int) -> None:
        self._delegate.thumb_size = size
        self.setGridSize(self._delegate.cell_size(self.fontMetrics().height()))
        self._thumbnails.set_px(round(size * self.devicePixelRatioF()))
        self.doItemsLayout()
        self._prefetch.start()

    def wheelEvent(self, event: QWheelEvent) -> None:
        """Ctrl+wheel zooms."""
        if event.modifiers() & Qt.KeyboardModifier.ControlModifier:
            step = ZOOM_STEP if event.angleDelta().y() > 0 else -ZOOM_STEP
            self.set_thumb_size(self.thumb_size + step)
            event.accept()
            return
        super().wheelEvent(event)

    # -- prefetch ------------------------------------------------------------------------

    def resizeEvent(self, event: QResizeEvent) -> None:
        """Relayout, then prefetch what became visible."""
        super().resizeEvent(event)
        self._prefetch.start()

    def visible_rows(self) -> range:
        """The rows of the cells on screen (approximately: by the grid geometry)."""
        model = self.model()
        if model is None or model.rowCount() == 0:
            return range(0)
        first = self.indexAt(QPoint(4, 4))
        grid = self.gridSize()
        columns = max(1, self.viewport().width() // max(1, grid.width()))
        rows_on_screen = self.viewport().height() // max(1, grid.height()) + 2
        start = first.row() if first.isValid() else 0
        return range(start, min(model.rowCount(), start + columns * rows_on_screen))

    def _on_prefetch(self) -> None:
        model = self.model()
        if not isinstance(model, PhotoGridModel):
            return
        visible = self.visible_rows()
        self._thumbnails.set_ram_limit(len(visible) * RAM_SCREENS)
        # Requests are LIFO: queue the screen below, then above, then the visible rows last so
        # they are rendered first.
        screen = len(visible)
        below = range(visible.stop, min(model.rowCount(), visible.stop + screen))
        above = range(max(0, visible.start - screen), visible.start)
        for rows in (below, above, reversed(visible)):
            for position in rows:
                row = model.photo(model.index(position))
                if row is not None and row.usable:
                    self._thumbnails.cached_or_none(row)

    # -- actions -------------------------------------------------------------------------

    def selected_paths(self) -> list[Path]:
        """Paths of the selected photos, in display order."""
        model = self.model()
        if not isinstance(model, PhotoGridModel):
            return []
        indexes = sorted(self.selectionModel().selectedIndexes(), key=lambda i: i.row())
        return [row.path for i in indexes if (row := model.photo(i)) is not None]

    def contextMenuEvent(self, event: QContextMenuEvent) -> None:
        """Find similar, Open, Show in folder, Copy path."""
        index = self.indexAt(event.pos())
        if index.isValid() and not self.selectionModel().isSelected(index):
            self.setCurrentIndex(index)
        menu = self.build_context_menu()
        if menu is not None:
            menu.exec(event.globalPos())

    def build_context_menu(self) -> QMenu | None:
        """The menu for the current selection (None when nothing is selected)."""
        paths = self.selected_paths()
        if not paths:
            return None
        menu = QMenu(self)
        similar = QAction("Find similar", menu, shortcut=QKeySequence("Ctrl+F"))
        similar.triggered.connect(lambda: self.find_similar_requested.emit(paths))
        menu.addAction(similar)
        menu.addSeparator()
        open_action = menu.addAction("Open")
        open_action.triggered.connect(lambda: open_paths(paths))
        show_action = menu.addAction("Show in folder")
        show_action.triggered.connect(lambda: show_in_folder(paths[0]))
        copy_action = menu.addAction("Copy path" if len(paths) == 1 else "Copy paths")
        copy_action.triggered.connect(
            lambda: QGuiApplication.clipboard().setText("\n".join(str(p) for p in paths))
        )
        return menu

    def keyPressEvent(self, event: QKeyEvent) -> None:
        """Space or Enter previews, Ctrl+= / Ctrl+- zoom (Open is in the context menu)."""
        preview_keys = (Qt.Key.Key_Space, Qt.Key.Key_Return, Qt.Key.Key_Enter)
        if event.key() in preview_keys and self.currentIndex().isValid():
            self.preview_requested.emit(self.currentIndex())
            return
        if event.modifiers() & Qt.KeyboardModifier.ControlModifier:
            if event.key() in (Qt.Key.Key_Plus, Qt.Key.Key_Equal):
                self.set_thumb_size(self.thumb_size + ZOOM_STEP)
                return
            if event.key() == Qt.Key.Key_Minus:
                self.set_thumb_size(self.thumb_size - ZOOM_STEP)
                return
        super().keyPressEvent(event)


def open_paths(paths: list[Path]) -> None:
    """Open files in the system's default application."""
    for path in paths:
        QDesktopServices.openUrl(QUrl.fromLocalFile(str(path)))


def show_in_folder(path: Path) -> None:
    """Open the folder holding ``path`` in the file manager."""
    QDesktopServices.openUrl(QUrl.fromLocalFile(str(path.parent)))
