"""The "Find similar" results: the query pinned on top, results by score, a threshold slider."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QImage, QPixmap
from PySide6.QtWidgets import (
    QCheckBox,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QSlider,
    QVBoxLayout,
    QWidget,
)

from photofind.gui.models.photo_grid import PhotoGridModel, Similarity
from photofind.gui.queries import SimilarAnswer
from photofind.gui.views.photo_grid import PhotoGridView

DEFAULT_THRESHOLD = 50  # percent: below this, "similar" rarely means anything to a person
QUERY_PX = 112


class SimilarPage(QWidget):
    """Shows one :class:`SimilarAnswer`; the slider filters it instantly (no new query).

    Thread affinity: GUI thread.
    """

    back_requested = Signal()

    def __init__(self, model: PhotoGridModel, view: PhotoGridView, parent: QWidget | None = None):
        super().__init__(parent)
        self.model = model
        self.view = view
        self._answer: SimilarAnswer | None = None
        self.query_picture = QLabel(alignment=Qt.AlignmentFlag.AlignCenter)
        self.query_picture.setFixedSize(QUERY_PX, QUERY_PX)
        self.title = QLabel()
        self.title.setTextFormat(Qt.TextFormat.PlainText)
        font = self.title.font()
        font.setPointSizeF(font.pointSizeF() * 1.3)
        font.setBold(True)
        self.title.setFont(font)
        self.summary = QLabel()
        self.summary.setWordWrap(True)
        self.slider = QSlider(Qt.Orientation.Horizontal)
        self.slider.setRange(0, 100)
        self.slider.setValue(DEFAULT_THRESHOLD)
        self.slider.setToolTip("Hide results less similar than this")
        self.threshold_label = QLabel()
        self.threshold_caption = QLabel("Minimum similarity")
        self.group_toggle = QCheckBox("Group by look")
        self.group_toggle.setToolTip("Gather results that look alike (visual sub-clusters)")
        self.group_toggle.toggled.connect(self._apply_threshold)
        self.slider.valueChanged.connect(self._apply_threshold)
        back = QPushButton("← All photos")
        back.clicked.connect(self.back_requested)
        self._layout(back)

    def _layout(self, back: QPushButton) -> None:
        text = QVBoxLayout()
        text.addWidget(self.title)
        text.addWidget(self.summary)
        threshold = QHBoxLayout()
        threshold.addWidget(self.threshold_caption)
        threshold.addWidget(self.slider, 1)
        threshold.addWidget(self.threshold_label)
        threshold.addWidget(self.group_toggle)
        text.addLayout(threshold)
        header = QHBoxLayout()
        header.addWidget(self.query_picture)
        header.addLayout(text, 1)
        header.addWidget(back, 0, Qt.AlignmentFlag.AlignTop)
        page = QVBoxLayout(self)
        page.setContentsMargins(6, 6, 6, 0)
        page.addLayout(header)
        page.addWidget(self.view, 1)

    def show_pending(self, names: str) -> None:
        """A query is running."""
        self._answer = None
        self.title.setText(f"Looking for photos like {names}…")
        self.summary.setText("")
        self.query_picture.clear()
        self.model.set_ids([])

    def set_query_image(self, image: QImage) -> None:
        """The query's picture (rendered off the GUI thread)."""
        pixmap = QPixmap.fromImage(image)
        pixmap.setDevicePixelRatio(self.devicePixelRatioF())
        self.query_picture.setPixmap(pixmap)

    def show_answer(self, answer: SimilarAnswer) -> None:
        """Show a query's results, filtered by the current threshold."""
        self._answer = answer
        labels = answer.words is not None
        for widget in (
            self.slider,
            self.threshold_label,
            self.threshold_caption,
            self.group_toggle,
        ):
            widget.setVisible(not labels)
        self.query_picture.setVisible(not labels)
        if labels:
            self.title.setText(f"Photos of “{answer.words}”")
        else:
            first = answer.queries[0].name if answer.queries else "?"
            more = f" and {len(answer.queries) - 1} more" if len(answer.queries) > 1 else ""
            self.title.setText(f"Similar to {first}{more}")
        self._apply_threshold()

    def show_error(self, message: str) -> None:
        """The query failed."""
        self.title.setText("Cannot search")
        self.summary.setText(message)
        self.model.set_ids([])

    def _apply_threshold(self) -> None:
        threshold = self.slider.value() / 100
        self.threshold_label.setText(f"{self.slider.value()}%")
        if self._answer is None:
            return
        if self._answer.words is not None:  # label matches: every hit, best first
            threshold = 0.0
        shown = [h for h in self._answer.hits if h.exact_duplicate or h.score >= threshold]
        grouped = self.group_toggle.isChecked() and self._answer.words is None
        if grouped:  # groups in the order of their best result; inside, by score as before
            shown.sort(key=lambda hit: hit.group)
        self.model.set_ids(
            [h.photo_id for h in shown],
            {
                h.photo_id: Similarity(h.score, h.exact_duplicate, h.group if grouped else None)
                for h in shown
            },
        )
        duplicates = sum(h.exact_duplicate for h in shown)
        text = f"{len(shown)} of {len(self._answer.hits)} results"
        if duplicates:
            text += f", {duplicates} exact duplicate{'s' if duplicates > 1 else ''}"
        if self._answer.errors:
            text += "\n" + "\n".join(self._answer.errors)
        self.summary.setText(text)
