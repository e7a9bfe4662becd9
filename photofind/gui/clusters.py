"""The Clusters page: the library as visual clusters; opening one shows its photos in a grid."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QAbstractListModel, QModelIndex, QPersistentModelIndex, QRect, Qt
from PySide6.QtGui import QPainter, QPalette, QPixmap
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QLabel,
    QListView,
    QPushButton,
    QSizePolicy,
    QStackedWidget,
    QStyleOptionViewItem,
    QVBoxLayout,
    QWidget,
)

from photofind.catalog.records import PhotoId
from photofind.gui.delegates.thumbnail import PADDING, ThumbnailDelegate
from photofind.gui.models.photo_grid import PhotoGridModel, Role

if TYPE_CHECKING:
    from photofind.gui.grouping import ClusterEntry
    from photofind.gui.services import GuiServices
    from photofind.gui.views.photo_grid import PhotoGridView

log = logging.getLogger(__name__)

_Index = QModelIndex | QPersistentModelIndex
CLUSTER_THUMB = 160


class ClusterListModel(QAbstractListModel):
    """One row per cluster: its representative's thumbnail and its size.

    Thread affinity: GUI thread.
    """

    def __init__(self, services: GuiServices) -> None:
        super().__init__()
        self._thumbnails = services.thumbnails
        self._clusters: list[ClusterEntry] = []
        self._row_of: dict[PhotoId, int] = {}
        self._thumbnails.thumbnail_ready.connect(self._on_thumbnail_ready)
        self._thumbnails.thumbnail_failed.connect(self._on_thumbnail_ready)

    def set_clusters(self, clusters: list[ClusterEntry]) -> None:
        """Show ``clusters`` (largest first, as found)."""
        self.beginResetModel()
        self._clusters = list(clusters)
        self._row_of = {c.representative.id: row for row, c in enumerate(self._clusters)}
        self.endResetModel()

    def cluster(self, row: int) -> ClusterEntry | None:
        """The cluster at ``row``."""
        return self._clusters[row] if 0 <= row < len(self._clusters) else None

    def rowCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008 (Qt's signature)
        """Number of clusters."""
        return 0 if parent.isValid() else len(self._clusters)

    def data(self, index: _Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        """The size ("N photos"), the representative's thumbnail and a tooltip."""
        cluster = self.cluster(index.row()) if index.isValid() else None
        if cluster is None:
            return None
        count = len(cluster.ids)
        if role == Qt.ItemDataRole.DisplayRole:
            return f"{count} photo{'s' if count != 1 else ''}"
        if role == Qt.ItemDataRole.DecorationRole:
            return self._thumbnails.cached_or_none(cluster.representative)
        if role == Qt.ItemDataRole.ToolTipRole:
            return f"{count} photos like {cluster.representative.path.name}"
        if role == Role.FAILED:
            return self._thumbnails.failed(cluster.representative.id)
        return None

    def _on_thumbnail_ready(self, photo_id: int) -> None:
        row = self._row_of.get(PhotoId(photo_id))
        if row is not None:
            self.dataChanged.emit(self.index(row), self.index(row))


class ClusterDelegate(ThumbnailDelegate):
    """The grid cell, with a thin frame around the picture so a white photo stays visible.

    Thread affinity: GUI thread.
    """

    def paint(self, painter: QPainter, option: QStyleOptionViewItem, index: _Index) -> None:
        """The usual cell, then the frame."""
        super().paint(painter, option, index)
        pixmap = index.data(Qt.ItemDataRole.DecorationRole)
        if not isinstance(pixmap, QPixmap) or pixmap.isNull():
            return
        box = QRect(
            option.rect.x() + PADDING, option.rect.y() + PADDING, self.thumb_size, self.thumb_size
        )
        size = pixmap.size().scaled(box.size(), Qt.AspectRatioMode.KeepAspectRatio)
        target = QRect(0, 0, size.width(), size.height())
        target.moveCenter(box.center())
        target.moveBottom(box.bottom())  # placed as ThumbnailDelegate places it
        painter.save()
        painter.setPen(option.palette.color(QPalette.ColorRole.Mid))
        painter.drawRect(target)
        painter.restore()


class ClustersPage(QWidget):
    """The cluster overview, and one cluster's photos in a normal photo grid.

    Thread affinity: GUI thread; clustering runs on ``services.group_tasks``.
    """

    def __init__(
        self,
        services: GuiServices,
        grid_model: PhotoGridModel,
        grid_view: PhotoGridView,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self._services = services
        self._request = 0
        self.model = ClusterListModel(services)
        self.view = QListView()
        self.view.setItemDelegate(ClusterDelegate(CLUSTER_THUMB, self.view))
        self.view.setViewMode(QListView.ViewMode.IconMode)
        self.view.setMovement(QListView.Movement.Static)
        self.view.setResizeMode(QListView.ResizeMode.Adjust)
        self.view.setUniformItemSizes(True)
        self.view.setVerticalScrollMode(QAbstractItemView.ScrollMode.ScrollPerPixel)
        self.view.setGridSize(
            ThumbnailDelegate(CLUSTER_THUMB).cell_size(self.fontMetrics().height())
        )
        self.view.setModel(self.model)
        self.view.activated.connect(self.open_cluster)
        self.grid_model = grid_model
        self.grid_view = grid_view
        self.summary = QLabel("Finding clusters…")
        self.summary.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        self.title = QLabel()
        self._stack = QStackedWidget()
        self._layout()

    def _layout(self) -> None:
        overview = QWidget()
        top = QVBoxLayout(overview)
        top.setContentsMargins(6, 6, 6, 0)
        top.addWidget(self.summary)
        top.addWidget(self.view, 1)
        back = QPushButton("← All clusters")
        back.clicked.connect(self.show_overview)
        detail = QWidget()
        header = QHBoxLayout()
        header.addWidget(self.title, 1)
        header.addWidget(back)
        inner = QVBoxLayout(detail)
        inner.setContentsMargins(6, 6, 6, 0)
        inner.addLayout(header)
        inner.addWidget(self.grid_view, 1)
        self._stack.addWidget(overview)
        self._stack.addWidget(detail)
        page = QVBoxLayout(self)
        page.setContentsMargins(0, 0, 0, 0)
        page.addWidget(self._stack)

    def showing_cluster(self) -> bool:
        """Whether one cluster's photos are shown (rather than the overview)."""
        return self._stack.currentIndex() == 1

    def reload(self) -> None:
        """Cluster the library on the grouping thread (cached there while nothing changed)."""
        self._request += 1
        request, grouper = self._request, self._services.grouper
        self._services.group_tasks.run(
            grouper.clusters,
            lambda clusters: self._on_clusters(request, clusters),
            lambda exc: self._on_failed(request, exc),
        )

    def _on_clusters(self, request: int, clusters: list[ClusterEntry]) -> None:
        if request != self._request:
            return
        self.model.set_clusters(clusters)
        photos = sum(len(c.ids) for c in clusters)
        self.summary.setText(
            f"{len(clusters)} clusters of {photos} photos (double-click or Enter opens one)"
            if clusters
            else "No photos indexed yet"
        )

    def _on_failed(self, request: int, exc: Exception) -> None:
        if request == self._request:
            log.error("clustering failed", exc_info=exc)
            self.summary.setText(f"Cannot cluster the library: {exc}")

    def open_cluster(self, index: QModelIndex) -> None:
        """Show the photos of the cluster at ``index``."""
        cluster = self.model.cluster(index.row())
        if cluster is None:
            return
        self.grid_model.set_ids(cluster.ids)
        self.title.setText(f"{len(cluster.ids)} photos like {cluster.representative.path.name}")
        self._stack.setCurrentIndex(1)
        self.grid_view.setFocus()

    def show_overview(self) -> None:
        """Back to the clusters."""
        self._stack.setCurrentIndex(0)
        self.view.setFocus()
