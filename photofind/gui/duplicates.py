"""The Duplicates page: groups by tier, a live similarity slider, keyboard review, trash."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QPushButton,
    QSizePolicy,
    QSlider,
    QVBoxLayout,
    QWidget,
)

from photofind.analysis.duplicates import NEAR_THRESHOLD
from photofind.gui.models.duplicate_groups import DuplicateGroupModel
from photofind.gui.trash import TrashReport, trash_in_background
from photofind.gui.views.duplicate_groups import DuplicateGroupView

if TYPE_CHECKING:
    from photofind.gui.grouping import DuplicatesAnswer, Group
    from photofind.gui.services import GuiServices

log = logging.getLogger(__name__)

REGROUP_DELAY_MS = 150  # the slider regroups when it rests, not on every step it passes
HELP = (
    "J/K or ↑/↓ next group · ←/→ choose the keeper · Enter or Delete moves the others to the "
    "trash · C compares"
)


class DuplicatesPage(QWidget):
    """Groups at the slider's threshold, regrouped on the grouping thread as the slider moves.

    Thread affinity: GUI thread; grouping runs on ``services.group_tasks`` and trashing on
    ``services.write_tasks``, their answers come back through the dispatcher.
    """

    compare_requested = Signal(list, int)  # list[Member], the keeper's position
    trashed = Signal(object)  # TrashReport

    def __init__(self, services: GuiServices, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._services = services
        self._request = 0
        self._busy = False
        self._again = False
        self.model = DuplicateGroupModel(services)
        self.view = DuplicateGroupView()
        self.view.setModel(self.model)
        self.view.trash_requested.connect(self.trash_current)
        self.view.compare_requested.connect(self.compare_current)
        self.slider = QSlider(Qt.Orientation.Horizontal)
        self.slider.setRange(50, 100)
        self.slider.setValue(round(NEAR_THRESHOLD * 100))
        self.slider.setToolTip("How alike two photos must be to count as near-duplicates")
        self.threshold_label = QLabel()
        self.summary = QLabel("Looking for duplicates…")
        self._timer = QTimer(self, singleShot=True, interval=REGROUP_DELAY_MS)
        self._timer.timeout.connect(self.regroup)
        self.slider.valueChanged.connect(self._on_slider)
        self._layout()
        self.threshold_label.setText(f"{self.slider.value()}%")  # grouping waits to be shown

    def _layout(self) -> None:
        compare = QPushButton("Compare  (C)")
        compare.clicked.connect(self.compare_current)
        trash = QPushButton("Move others to trash  (Del)")
        trash.clicked.connect(self.trash_current)
        header = QHBoxLayout()
        header.addWidget(self.summary, 1)
        header.addWidget(QLabel("Similarity"))
        header.addWidget(self.slider, 1)
        header.addWidget(self.threshold_label)
        header.addWidget(compare)
        header.addWidget(trash)
        hint = QLabel(HELP)
        hint.setEnabled(False)
        for label in (self.summary, hint):  # long texts are cut, not a reason for a wider window
            label.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        page = QVBoxLayout(self)
        page.setContentsMargins(6, 6, 6, 0)
        page.addLayout(header)
        page.addWidget(hint)
        page.addWidget(self.view, 1)

    def threshold(self) -> float:
        """The near-duplicate threshold chosen on the slider."""
        return self.slider.value() / 100

    def _on_slider(self) -> None:
        self.threshold_label.setText(f"{self.slider.value()}%")
        self._timer.start()

    def regroup(self) -> None:
        """Regroup at the slider's threshold (one request in flight; the latest one wins)."""
        if self._busy:
            self._again = True
            return
        self._busy, self._again = True, False
        self._request += 1
        request, grouper, threshold = self._request, self._services.grouper, self.threshold()
        self._services.group_tasks.run(
            lambda: grouper.duplicates(threshold),
            lambda answer: self._on_answer(request, answer),
            lambda exc: self._on_failed(request, exc),
        )

    def _on_answer(self, request: int, answer: DuplicatesAnswer) -> None:
        self._busy = False
        if self._again:
            self.regroup()
            return
        if request != self._request:
            return
        row = max(0, self.view.currentIndex().row())
        self.model.set_groups(answer.groups)
        if answer.groups:
            self.view.setCurrentIndex(self.model.index(min(row, len(answer.groups) - 1)))
        self.summary.setText(_summary(answer))

    def _on_failed(self, request: int, exc: Exception) -> None:
        self._busy = False
        if self._again:
            self.regroup()
        elif request == self._request:
            log.error("grouping failed", exc_info=exc)
            self.summary.setText(f"Cannot group the library: {exc}")

    def _current(self) -> tuple[int, Group | None]:
        row = self.view.currentIndex().row()
        return row, self.model.group_at(row)

    def compare_current(self) -> None:
        """Open the current group's keeper and another photo side by side."""
        row, group = self._current()
        if group is not None:
            self.compare_requested.emit(group.members, self.model.keeper(row))

    def trash_current(self) -> None:
        """Move the current group's photos other than its keeper to the trash."""
        row, group = self._current()
        if group is None:
            return
        others = self.model.others(row)
        trash_in_background(
            self._services.write_tasks,
            others,
            lambda report: self._on_trashed(group, report),
            self,
        )

    def _on_trashed(self, group: Group, report: TrashReport) -> None:
        if report.moved:
            row = self.view.currentIndex().row()
            self.model.remove_group(group)
            if self.model.rowCount():
                self.view.setCurrentIndex(self.model.index(min(row, self.model.rowCount() - 1)))
        self.summary.setText(report.summary().split("\n")[0])
        self.trashed.emit(report)


def _summary(answer: DuplicatesAnswer) -> str:
    if not answer.groups:
        return "No duplicates at this similarity"
    tiers = {"exact": 0, "near": 0, "moment": 0}
    for group in answer.groups:
        tiers[group.tier] += 1
    parts = [
        f"{n} {name}"
        for name, n in zip(("exact", "near", "same moment"), tiers.values(), strict=True)
        if n
    ]
    count = len(answer.groups)
    return f"{count} group{'s' if count != 1 else ''}: {', '.join(parts)}"
