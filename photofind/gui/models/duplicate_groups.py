"""The duplicates page's model: one row per group, and the keeper chosen for each."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QAbstractListModel, QModelIndex, QPersistentModelIndex, Qt

from photofind.catalog.records import PhotoId

if TYPE_CHECKING:
    from pathlib import Path

    from PySide6.QtGui import QPixmap

    from photofind.gui.grouping import Group, Member
    from photofind.gui.services import GuiServices

_Index = QModelIndex | QPersistentModelIndex


class DuplicateGroupModel(QAbstractListModel):
    """One row per duplicate group; remembers the keeper the user chose for each.

    Thread affinity: GUI thread.
    """

    def __init__(self, services: GuiServices) -> None:
        super().__init__()
        self._thumbnails = services.thumbnails
        self._groups: list[Group] = []
        self._keepers: list[int] = []
        self._rows_of: dict[PhotoId, int] = {}
        self._thumbnails.thumbnail_ready.connect(self._on_thumbnail_ready)

    def set_groups(self, groups: list[Group]) -> None:
        """Show ``groups``; each keeper starts as the suggested one (the first photo)."""
        self.beginResetModel()
        self._groups = list(groups)
        self._keepers = [0] * len(groups)
        self._reindex()
        self.endResetModel()

    def group_at(self, row: int) -> Group | None:
        """The group at ``row``."""
        return self._groups[row] if 0 <= row < len(self._groups) else None

    def keeper(self, row: int) -> int:
        """The position of the keeper in the group at ``row``."""
        return self._keepers[row] if 0 <= row < len(self._keepers) else 0

    def set_keeper(self, row: int, position: int) -> None:
        """Keep the ``position``-th photo of the group at ``row`` (clamped)."""
        group = self.group_at(row)
        if group is None:
            return
        self._keepers[row] = max(0, min(len(group.members) - 1, position))
        self.dataChanged.emit(self.index(row), self.index(row))

    def others(self, row: int) -> list[Path]:
        """The paths of the group at ``row`` that are not its keeper."""
        group = self.group_at(row)
        if group is None:
            return []
        keeper = self._keepers[row]
        return [m.row.path for i, m in enumerate(group.members) if i != keeper]

    def remove_group(self, group: Group) -> None:
        """Drop ``group`` (its other photos went to the trash)."""
        row = next((r for r, g in enumerate(self._groups) if g is group), None)
        if row is None:
            return
        self.beginRemoveRows(QModelIndex(), row, row)
        del self._groups[row]
        del self._keepers[row]
        self._reindex()
        self.endRemoveRows()

    def thumbnail(self, member: Member) -> QPixmap | None:
        """The member's thumbnail if cached (else it is requested and None returned)."""
        return self._thumbnails.cached_or_none(member.row)

    def rowCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008 (Qt's signature)
        """Number of groups."""
        return 0 if parent.isValid() else len(self._groups)

    def data(self, index: _Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        """The group's title (the delegate paints the rest) and a tooltip listing its files."""
        group = self.group_at(index.row()) if index.isValid() else None
        if group is None:
            return None
        if role == Qt.ItemDataRole.DisplayRole:
            return f"{group.tier}: {len(group.members)} photos"
        if role == Qt.ItemDataRole.ToolTipRole:
            keeper = self._keepers[index.row()]
            return "\n".join(
                f"{'keep' if i == keeper else 'trash'}  {m.row.path}  ({m.resolution})"
                for i, m in enumerate(group.members)
            )
        return None

    def _reindex(self) -> None:
        self._rows_of = {m.row.id: r for r, g in enumerate(self._groups) for m in g.members}

    def _on_thumbnail_ready(self, photo_id: int) -> None:
        row = self._rows_of.get(PhotoId(photo_id))
        if row is not None:
            self.dataChanged.emit(self.index(row), self.index(row))
