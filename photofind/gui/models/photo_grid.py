"""The grid's model: a list of photo ids, rows fetched lazily from the catalogue."""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from enum import IntEnum
from typing import Any

from PySide6.QtCore import QAbstractListModel, QModelIndex, QPersistentModelIndex, Qt

from photofind.catalog.records import PhotoId
from photofind.gui.thumbnails import ThumbnailService
from photofind.thumbs.listing import PhotoListing, PhotoRow

ROW_CACHE = 4000  # rows kept in RAM; a screenful is ~50, so this covers many screens of scrolling
FETCH_AROUND = 100  # neighbouring rows fetched with a miss: one query per scroll step, not per cell

_Index = QModelIndex | QPersistentModelIndex


class Role(IntEnum):
    """Custom data roles of :class:`PhotoGridModel`."""

    ID = Qt.ItemDataRole.UserRole + 1
    ROW = Qt.ItemDataRole.UserRole + 2
    SCORE = Qt.ItemDataRole.UserRole + 3
    DUPLICATE = Qt.ItemDataRole.UserRole + 4
    FAILED = Qt.ItemDataRole.UserRole + 5
    GROUP = Qt.ItemDataRole.UserRole + 6


@dataclass(frozen=True, slots=True)
class Similarity:
    """How like the query a result is."""

    score: float
    exact_duplicate: bool = False
    group: int | None = None  # its visual sub-cluster, when results are grouped


class PhotoGridModel(QAbstractListModel):
    """Photo ids in display order; each row's details are read on demand and cached.

    Thread affinity: GUI thread (it reads through the GUI's own read-only listing). ``data()``
    never raises: a photo gone from the catalogue or unreadable is a disabled row.
    """

    def __init__(self, listing: PhotoListing, thumbnails: ThumbnailService) -> None:
        super().__init__()
        self._listing = listing
        self._thumbnails = thumbnails
        self._ids: list[PhotoId] = []
        self._row_of: dict[PhotoId, int] = {}
        self._rows: OrderedDict[PhotoId, PhotoRow | None] = OrderedDict()
        self._versions: dict[PhotoId, tuple[int, int]] = {}
        self._similarity: dict[PhotoId, Similarity] = {}
        thumbnails.thumbnail_ready.connect(self._on_thumbnail_ready)
        thumbnails.thumbnail_failed.connect(self._on_thumbnail_ready)

    # -- contents ------------------------------------------------------------------------

    def set_ids(
        self, ids: Sequence[PhotoId], similarity: Mapping[PhotoId, Similarity] | None = None
    ) -> None:
        """Show ``ids`` (with their scores, for similarity results)."""
        new_similarity = dict(similarity or {})
        if list(ids) == self._ids and new_similarity == self._similarity:
            self.refresh_rows()
            return
        self.beginResetModel()
        self._ids = list(ids)
        self._row_of = {photo_id: row for row, photo_id in enumerate(self._ids)}
        self._similarity = new_similarity
        self._rows.clear()
        self.endResetModel()

    def refresh_rows(self) -> None:
        """Re-read every row (states or files changed) without resetting the view."""
        self._rows.clear()
        if self._ids:
            self.dataChanged.emit(self.index(0), self.index(len(self._ids) - 1))

    def ids(self) -> list[PhotoId]:
        """The ids shown, in order."""
        return list(self._ids)

    def photo_id(self, index: _Index) -> PhotoId | None:
        """The id at ``index``."""
        return self._ids[index.row()] if self._valid(index) else None

    def row_of(self, photo_id: PhotoId) -> int | None:
        """The row showing ``photo_id``."""
        return self._row_of.get(photo_id)

    def photo(self, index: _Index) -> PhotoRow | None:
        """The catalogue row at ``index`` (None if the photo left the catalogue)."""
        return self._row(index.row()) if self._valid(index) else None

    # -- Qt model API --------------------------------------------------------------------

    def rowCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008 (Qt's signature)
        """Number of photos (a list model has no children)."""
        return 0 if parent.isValid() else len(self._ids)

    def flags(self, index: _Index) -> Qt.ItemFlag:
        """Enabled and selectable unless the photo is offline, unreadable or gone."""
        if not self._valid(index):
            return Qt.ItemFlag.NoItemFlags
        row = self._row(index.row())
        if row is None or not row.usable:
            return Qt.ItemFlag.ItemNeverHasChildren
        return (
            Qt.ItemFlag.ItemIsEnabled
            | Qt.ItemFlag.ItemIsSelectable
            | Qt.ItemFlag.ItemNeverHasChildren
        )

    def data(self, index: _Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        """Name, tooltip, thumbnail and the custom :class:`Role` values."""
        if not self._valid(index):
            return None
        photo_id = self._ids[index.row()]
        if role == Role.ID:
            return photo_id
        if role == Role.SCORE:
            similarity = self._similarity.get(photo_id)
            return None if similarity is None else similarity.score
        if role == Role.DUPLICATE:
            similarity = self._similarity.get(photo_id)
            return similarity is not None and similarity.exact_duplicate
        if role == Role.GROUP:
            similarity = self._similarity.get(photo_id)
            return None if similarity is None else similarity.group
        row = self._row(index.row())
        if role == Role.ROW:
            return row
        if row is None:
            return "(removed)" if role == Qt.ItemDataRole.DisplayRole else None
        return self._row_data(row, role)

    def _row_data(self, row: PhotoRow, role: int) -> Any:
        if role == Qt.ItemDataRole.DisplayRole:
            return row.path.name
        if role == Qt.ItemDataRole.ToolTipRole:
            return _tooltip(row)
        if role == Qt.ItemDataRole.DecorationRole:
            return self._thumbnails.cached_or_none(row) if row.usable else None
        if role == Role.FAILED:
            return not row.usable or self._thumbnails.failed(row.id)
        return None

    # -- rows ----------------------------------------------------------------------------

    def _valid(self, index: _Index) -> bool:
        return index.isValid() and 0 <= index.row() < len(self._ids) and index.column() == 0

    def _row(self, position: int) -> PhotoRow | None:
        photo_id = self._ids[position]
        if photo_id in self._rows:
            self._rows.move_to_end(photo_id)
            return self._rows[photo_id]
        self._fetch(position)
        return self._rows.get(photo_id)

    def _fetch(self, position: int) -> None:
        around = self._ids[max(0, position - FETCH_AROUND) : position + FETCH_AROUND]
        wanted = [photo_id for photo_id in around if photo_id not in self._rows]
        found = self._listing.rows(wanted)
        for photo_id in wanted:
            row = found.get(photo_id)
            self._rows[photo_id] = row
            if row is not None:
                self._note_version(row)
        while len(self._rows) > ROW_CACHE:
            self._rows.popitem(last=False)

    def _note_version(self, row: PhotoRow) -> None:
        version = (row.size, row.mtime_ns)
        if self._versions.get(row.id, version) != version:
            self._thumbnails.forget(row.id)  # the file was edited: its old thumbnail is stale
        self._versions[row.id] = version

    def _on_thumbnail_ready(self, photo_id: int) -> None:
        row = self._row_of.get(PhotoId(photo_id))
        if row is not None:
            index = self.index(row)
            self.dataChanged.emit(index, index, [Qt.ItemDataRole.DecorationRole])


def _tooltip(row: PhotoRow) -> str:
    state = {
        "pending": "waiting to be indexed",
        "indexed": "indexed",
        "failed": f"cannot be read: {row.error}",
        "offline": "its folder is offline",
    }.get(row.state, row.state)
    taken = f"\nTaken {row.taken_at.replace('T', ' ')}" if row.taken_at else ""
    return f"{row.path}{taken}\n{state}"
