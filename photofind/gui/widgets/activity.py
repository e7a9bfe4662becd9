"""The status bar's contents: indexing progress, unreadable files, pause/resume, watcher state."""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QHBoxLayout, QLabel, QPushButton, QWidget

from photofind.indexing.pipeline import Progress
from photofind.thumbs.listing import FolderSummary


class ActivityBar(QWidget):
    """What the indexer is doing, at the bottom of the window.

    Thread affinity: GUI thread.

    Signals:
        pause_toggled(bool): the user paused (True) or resumed (False) indexing.
        failures_requested(): the user wants the list of files that could not be read.
    """

    pause_toggled = Signal(bool)
    failures_requested = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.progress_label = QLabel()
        self.failures_button = QPushButton()
        self.failures_button.setFlat(True)
        self.failures_button.setToolTip("Show the files that could not be read, and retry them")
        self.failures_button.clicked.connect(self.failures_requested)
        self.failures_button.hide()
        self.pause_button = QPushButton("Pause")
        self.pause_button.setCheckable(True)
        self.pause_button.setToolTip("Pause or resume indexing; folders are still followed")
        self.pause_button.toggled.connect(self._on_pause_toggled)
        self.watch_label = QLabel()
        self.count_label = QLabel()
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.progress_label, 1)
        for widget in (self.failures_button, self.pause_button, self.watch_label, self.count_label):
            layout.addWidget(widget)

    def show_progress(self, progress: Progress) -> None:
        """Indexing (or scanning) moved on."""
        if self.pause_button.isChecked():
            return
        if progress.phase == "scanning":
            self.progress_label.setText(f"Looking for photos: {progress.done} found")
            return
        text = f"Indexing: {progress.done} of {progress.total} photos"
        if progress.rate > 0:
            text += f" · {progress.rate:.1f} photos/s"
        self.progress_label.setText(text)

    def show_idle(self) -> None:
        """Nothing is left to index."""
        if not self.pause_button.isChecked():
            self.progress_label.setText("Up to date")

    def show_message(self, text: str) -> None:
        """A line about the indexer (e.g. that it stopped)."""
        self.progress_label.setText(text)

    def show_library(self, counts: dict[str, int], folders: list[FolderSummary]) -> None:
        """The catalogue's counts and the folders' watch state."""
        self.count_label.setText(count_text(counts))
        failed = counts.get("failed", 0)
        self.failures_button.setText(f"{failed} could not be read")
        self.failures_button.setVisible(failed > 0)
        self.watch_label.setText(watch_text(folders))

    def _on_pause_toggled(self, paused: bool) -> None:
        self.pause_button.setText("Resume" if paused else "Pause")
        if paused:
            self.progress_label.setText("Indexing paused")
        self.pause_toggled.emit(paused)


def count_text(counts: dict[str, int]) -> str:
    """'N photos · M waiting · K offline'."""
    total = sum(counts.values())
    parts = [f"{total} photo{'s' if total != 1 else ''}"]
    if counts.get("pending"):
        parts.append(f"{counts['pending']} waiting")
    if counts.get("offline"):
        parts.append(f"{counts['offline']} offline")
    return " · ".join(parts)


def watch_text(folders: list[FolderSummary]) -> str:
    """How the folders are followed: live, by polling, or not (offline)."""
    if not folders:
        return ""
    offline = sum(not f.online for f in folders)
    polling = sum(f.online and f.watch_mode == "polling" for f in folders)
    parts = ["watching for changes"]
    if polling:
        parts.append(f"{polling} folder{'s' if polling != 1 else ''} by polling")
    if offline:
        parts.append(f"{offline} offline")
    return " · ".join(parts)
