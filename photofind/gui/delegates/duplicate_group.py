"""Paints one duplicate group as a row: its tier, then its photos with the keeper marked."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QModelIndex, QPersistentModelIndex, QPoint, QRect, QRectF, QSize, Qt
from PySide6.QtGui import QColor, QPainter, QPalette, QPixmap
from PySide6.QtWidgets import QStyle, QStyledItemDelegate, QStyleOptionViewItem

if TYPE_CHECKING:
    from photofind.gui.grouping import Group, Member

_Index = QModelIndex | QPersistentModelIndex

PADDING = 6
GAP = 8
CELL_RATIO = 1.4
RADIUS = 5.0
TIER_TITLES = {"exact": "Exact copies", "near": "Near-duplicates", "moment": "Same moment"}


class DuplicateGroupDelegate(QStyledItemDelegate):
    """Draws a group: a title line, then one cell per photo (thumbnail, resolution, keep/trash).

    Thread affinity: GUI thread. The model provides ``group_at(row)``, ``keeper(row)`` and
    ``thumbnail(member)`` (see :class:`~photofind.gui.duplicates.DuplicateGroupModel`).
    """

    def __init__(self, thumb_size: int = 112, parent: object | None = None) -> None:
        super().__init__(parent)  # type: ignore[arg-type]
        self.thumb_size = thumb_size

    def row_height(self, font_height: int) -> int:
        """The height of every row (uniform, so thousands of groups lay out instantly)."""
        return PADDING + font_height + PADDING + self.thumb_size + 2 * font_height + 2 * PADDING

    def sizeHint(self, option: QStyleOptionViewItem, index: _Index) -> QSize:
        """Uniform row size."""
        return QSize(1, self.row_height(option.fontMetrics.height()))  # as wide as the view

    def member_rect(self, row_rect: QRect, font_height: int, position: int) -> QRect:
        """The cell of the ``position``-th photo inside a row drawn at ``row_rect``."""
        top = row_rect.y() + PADDING + font_height + PADDING
        left = row_rect.x() + PADDING + position * (self.cell_width + GAP)
        return QRect(left, top, self.cell_width, self.thumb_size + 2 * font_height)

    @property
    def cell_width(self) -> int:
        """A photo's cell is wider than its thumbnail: room for most file names."""
        return round(self.thumb_size * CELL_RATIO)

    def member_at(self, row_rect: QRect, font_height: int, point: QPoint, count: int) -> int | None:
        """Which photo of the row is under ``point`` (None: none)."""
        for position in range(count):
            if self.member_rect(row_rect, font_height, position).contains(point):
                return position
        return None

    def paint(self, painter: QPainter, option: QStyleOptionViewItem, index: _Index) -> None:
        """Background, title, photos."""
        model = index.model()
        group: Group | None = model.group_at(index.row())  # type: ignore[attr-defined]
        if group is None:
            return
        keeper: int = model.keeper(index.row())  # type: ignore[attr-defined]
        painter.save()
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform)
        palette = option.palette
        if option.state & QStyle.StateFlag.State_Selected:
            highlight = QColor(palette.color(QPalette.ColorRole.Highlight))
            highlight.setAlpha(60)
            painter.fillRect(option.rect, highlight)
        painter.setPen(palette.color(QPalette.ColorRole.Mid))
        painter.drawLine(option.rect.bottomLeft(), option.rect.bottomRight())
        metrics = option.fontMetrics
        title = f"{TIER_TITLES[group.tier]} · {len(group.members)} photos"
        title_rect = QRect(
            option.rect.x() + PADDING,
            option.rect.y() + PADDING,
            option.rect.width(),
            metrics.height(),
        )
        font = painter.font()
        font.setBold(True)
        painter.setFont(font)
        painter.setPen(palette.color(QPalette.ColorRole.Text))
        painter.drawText(title_rect, Qt.AlignmentFlag.AlignLeft, title)
        font.setBold(False)
        painter.setFont(font)
        for position, member in enumerate(group.members):
            cell = self.member_rect(option.rect, metrics.height(), position)
            if cell.left() > option.rect.right():
                break
            pixmap = model.thumbnail(member)  # type: ignore[attr-defined]
            self._paint_member(painter, option, cell, pixmap, member, position == keeper)
        painter.restore()

    def _paint_member(
        self,
        painter: QPainter,
        option: QStyleOptionViewItem,
        cell: QRect,
        pixmap: QPixmap | None,
        member: Member,
        is_keeper: bool,
    ) -> None:
        palette = option.palette
        metrics = option.fontMetrics
        box = QRect(cell.x(), cell.y(), cell.width(), self.thumb_size)
        if isinstance(pixmap, QPixmap) and not pixmap.isNull():
            size = pixmap.size().scaled(box.size(), Qt.AspectRatioMode.KeepAspectRatio)
            target = QRect(0, 0, size.width(), size.height())
            target.moveCenter(box.center())
            if not is_keeper:
                painter.setOpacity(0.55)  # the photos that would go to the trash recede
            painter.drawPixmap(target, pixmap)
            painter.setOpacity(1.0)
            painter.setPen(palette.color(QPalette.ColorRole.Mid))  # a white photo stays visible
            painter.setBrush(Qt.BrushStyle.NoBrush)
            painter.drawRect(target)
        else:
            painter.setPen(Qt.PenStyle.NoPen)
            painter.setBrush(palette.color(QPalette.ColorRole.AlternateBase))
            painter.drawRoundedRect(QRectF(box).adjusted(4, 4, -4, -4), RADIUS, RADIUS)
        if is_keeper:
            painter.setPen(palette.color(QPalette.ColorRole.Highlight))
            painter.setBrush(Qt.BrushStyle.NoBrush)
            pen = painter.pen()
            pen.setWidth(3)
            painter.setPen(pen)
            painter.drawRoundedRect(QRectF(box).adjusted(1, 1, -1, -1), RADIUS, RADIUS)
            _badge(painter, box, "Keep", palette)
        lines = QRect(cell.x(), box.bottom() + 2, cell.width(), metrics.height())
        painter.setPen(palette.color(QPalette.ColorRole.Text))
        name = member.row.path.name
        elided = metrics.elidedText(name, Qt.TextElideMode.ElideMiddle, lines.width())
        painter.drawText(lines, Qt.AlignmentFlag.AlignHCenter, elided)
        lines.translate(0, metrics.height())
        painter.setPen(palette.color(QPalette.ColorRole.PlaceholderText))
        detail = member.resolution
        painter.drawText(lines, Qt.AlignmentFlag.AlignHCenter, detail)


def _badge(painter: QPainter, box: QRect, text: str, palette: QPalette) -> None:
    metrics = painter.fontMetrics()
    rect = QRectF(
        box.left() + 4, box.top() + 4, metrics.horizontalAdvance(text) + 10, metrics.height() + 4
    )
    painter.setPen(Qt.PenStyle.NoPen)
    painter.setBrush(palette.color(QPalette.ColorRole.Highlight))
    painter.drawRoundedRect(rect, 4, 4)
    painter.setPen(palette.color(QPalette.ColorRole.HighlightedText))
    painter.drawText(rect, Qt.AlignmentFlag.AlignCenter, text)
