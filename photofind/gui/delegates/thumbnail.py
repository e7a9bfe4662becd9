"""Paints one grid cell: placeholder or thumbnail, the file name, and the result badges."""

from __future__ import annotations

from PySide6.QtCore import QModelIndex, QPersistentModelIndex, QRect, QRectF, QSize, Qt
from PySide6.QtGui import QColor, QPainter, QPalette, QPixmap
from PySide6.QtWidgets import QStyle, QStyledItemDelegate, QStyleOptionViewItem

from photofind.gui.models.photo_grid import Role

PADDING = 6
RADIUS = 6.0


GROUP_HUE_STEP = 137  # the golden angle: neighbouring groups get clearly different hues
GROUP_BAND_PX = 4


class ThumbnailDelegate(QStyledItemDelegate):
    """Draws a square thumbnail cell of ``thumb_size`` logical pixels plus a line of text.

    Thread affinity: GUI thread.
    """

    def __init__(self, thumb_size: int, parent: object | None = None) -> None:
        super().__init__(parent)  # type: ignore[arg-type]
        self.thumb_size = thumb_size

    def cell_size(self, option_font_height: int) -> QSize:
        """The size of every cell (the view's grid size)."""
        side = self.thumb_size + 2 * PADDING
        return QSize(side, side + option_font_height + PADDING)

    def sizeHint(
        self, option: QStyleOptionViewItem, index: QModelIndex | QPersistentModelIndex
    ) -> QSize:
        """Uniform cell size."""
        return self.cell_size(option.fontMetrics.height())

    def paint(
        self,
        painter: QPainter,
        option: QStyleOptionViewItem,
        index: QModelIndex | QPersistentModelIndex,
    ) -> None:
        """Selection, picture, name, badges."""
        painter.save()
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform)
        palette = option.palette
        cell = QRect(option.rect).adjusted(2, 2, -2, -2)
        selected = bool(option.state & QStyle.StateFlag.State_Selected)
        if selected:
            highlight = QColor(palette.color(QPalette.ColorRole.Highlight))
            highlight.setAlpha(110)
            painter.setPen(Qt.PenStyle.NoPen)
            painter.setBrush(highlight)
            painter.drawRoundedRect(QRectF(cell), RADIUS, RADIUS)
        box = QRect(
            option.rect.x() + PADDING, option.rect.y() + PADDING, self.thumb_size, self.thumb_size
        )
        pixmap = index.data(Qt.ItemDataRole.DecorationRole)
        if isinstance(pixmap, QPixmap) and not pixmap.isNull():
            self._paint_pixmap(painter, box, pixmap)
        else:
            self._paint_placeholder(painter, box, palette, bool(index.data(Role.FAILED)))
        self._paint_name(painter, option, box, str(index.data(Qt.ItemDataRole.DisplayRole) or ""))
        self._paint_badges(painter, box, palette, index)
        painter.restore()

    @staticmethod
    def _paint_pixmap(painter: QPainter, box: QRect, pixmap: QPixmap) -> None:
        size = QSize(pixmap.width(), pixmap.height()).scaled(
            box.size(), Qt.AspectRatioMode.KeepAspectRatio
        )
        target = QRect(0, 0, size.width(), size.height())
        target.moveCenter(box.center())
        target.moveBottom(box.bottom())  # landscape photos sit on the name, not float above it
        painter.drawPixmap(target, pixmap)

    @staticmethod
    def _paint_placeholder(painter: QPainter, box: QRect, palette: QPalette, failed: bool) -> None:
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(palette.color(QPalette.ColorRole.AlternateBase))
        painter.drawRoundedRect(QRectF(box).adjusted(4, 4, -4, -4), RADIUS, RADIUS)
        if failed:
            painter.setPen(palette.color(QPalette.ColorRole.PlaceholderText))
            painter.drawText(box, Qt.AlignmentFlag.AlignCenter, "Cannot show\nthis file")

    @staticmethod
    def _paint_name(painter: QPainter, option: QStyleOptionViewItem, box: QRect, name: str) -> None:
        metrics = option.fontMetrics
        text_rect = QRect(box.x(), box.bottom() + 3, box.width(), metrics.height())
        painter.setPen(option.palette.color(QPalette.ColorRole.Text))
        elided = metrics.elidedText(name, Qt.TextElideMode.ElideMiddle, text_rect.width())
        painter.drawText(text_rect, Qt.AlignmentFlag.AlignHCenter, elided)

    @staticmethod
    def _paint_badges(
        painter: QPainter,
        box: QRect,
        palette: QPalette,
        index: QModelIndex | QPersistentModelIndex,
    ) -> None:
        score = index.data(Role.SCORE)
        if isinstance(score, float):
            _badge(painter, box, f"{score:.0%}", QColor(0, 0, 0, 170), QColor("white"), bottom=True)
        if index.data(Role.DUPLICATE):
            color = palette.color(QPalette.ColorRole.Highlight)
            text = palette.color(QPalette.ColorRole.HighlightedText)
            _badge(painter, box, "Exact duplicate", color, text, bottom=False)
        group = index.data(Role.GROUP)
        if isinstance(group, int):
            _group_band(painter, box, group)


def _group_band(painter: QPainter, box: QRect, group: int) -> None:
    """A coloured band and "look N" under the picture: results of one sub-cluster match."""
    color = QColor.fromHsv((group * GROUP_HUE_STEP) % 360, 150, 200)
    painter.fillRect(QRect(box.left(), box.bottom() + 1, box.width(), GROUP_BAND_PX), color)
    _badge(painter, box, f"look {group + 1}", color, QColor("black"), bottom=True, right=True)


def _badge(
    painter: QPainter,
    box: QRect,
    text: str,
    background: QColor,
    foreground: QColor,
    *,
    bottom: bool,
    right: bool = False,
) -> None:
    metrics = painter.fontMetrics()
    width = metrics.horizontalAdvance(text) + 10
    height = metrics.height() + 4
    y = box.bottom() - height - 4 if bottom else box.top() + 4
    x = box.right() - width - 4 if right else box.left() + 4
    rect = QRectF(x, y, width, height)
    painter.setPen(Qt.PenStyle.NoPen)
    painter.setBrush(background)
    painter.drawRoundedRect(rect, 4, 4)
    painter.setPen(foreground)
    painter.drawText(rect, Qt.AlignmentFlag.AlignCenter, text)
