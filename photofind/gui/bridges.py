"""The indexer service seen from the GUI: its callbacks re-emitted as signals on the GUI thread."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QObject, QTimer, Signal

from photofind.gui.dispatch import MainThreadDispatcher
from photofind.indexing.pipeline import Progress
from photofind.indexing.service import IndexerService
from photofind.vectors.embedder import OnnxEmbedder

ALIVE_CHECK_MS = 1000


class IndexerBridge(QObject):
    """Owns the :class:`IndexerService` and turns its callbacks into signals.

    Thread affinity: lives on the GUI thread; the service calls ``_on_*`` on its own thread and
    they only post to the dispatcher.
    """

    progressed = Signal(object)  # Progress
    became_idle = Signal()
    failed = Signal(str)  # the service thread stopped
    changed = Signal()  # photos were added, removed, moved or (re)indexed
    command_failed = Signal(str)  # e.g. a folder that could not be added, for the user

    def __init__(
        self,
        dispatcher: MainThreadDispatcher,
        library_dir: Path,
        embedder: OnnxEmbedder | None = None,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self._dispatcher = dispatcher
        self._service = IndexerService(
            library_dir,
            on_progress=self._on_progress,
            on_idle=self._on_idle,
            embedder=embedder,
            on_changed=self._on_changed,
            on_error=self._on_error,
        )
        self._alive = QTimer(self, interval=ALIVE_CHECK_MS)
        self._alive.timeout.connect(self._on_alive_check)
        self._reported = False

    def start(self) -> None:
        """Start indexing (scan every folder, embed, then watch)."""
        self._service.start()
        self._alive.start()

    def stop(self, timeout: float = 30.0) -> None:
        """Stop the service thread and wait for it (GUI thread, at shutdown)."""
        self._alive.stop()
        if self._service.is_alive():
            self._service.stop(timeout)

    # -- commands: they run on the service thread, the single writer ---------------------------

    def add_folder(self, folder: Path) -> None:
        """Watch ``folder``: it is scanned and indexed at once."""
        self._service.add_folder(folder)

    def remove_folder(self, folder: Path) -> None:
        """Stop watching ``folder`` and forget its photos (the files stay)."""
        self._service.remove_folder(folder)

    def retry_failed(self, paths: list[Path] | None = None) -> None:
        """Queue files that could not be read again (all, or ``paths``)."""
        self._service.retry_failed(paths)

    @property
    def paused(self) -> bool:
        """Whether indexing is paused."""
        return self._service.paused

    def set_paused(self, paused: bool) -> None:
        """Pause or resume indexing (folders are still followed while paused)."""
        if paused:
            self._service.pause()
        else:
            self._service.resume()

    # -- callbacks from the service thread ------------------------------------------------

    def _on_changed(self) -> None:
        self._dispatcher.call_soon(self.changed.emit)

    def _on_error(self, message: str) -> None:
        self._dispatcher.call_soon(lambda: self.command_failed.emit(message))

    def _on_progress(self, progress: Progress) -> None:
        self._dispatcher.call_soon(lambda: self.progressed.emit(progress))

    def _on_idle(self) -> None:
        self._dispatcher.call_soon(self.became_idle.emit)

    def _on_alive_check(self) -> None:
        if self._service.is_alive() or self._reported:
            return
        self._reported = True
        self._alive.stop()
        error = self._service.error
        self.failed.emit(f"Indexing stopped: {error}" if error else "Indexing stopped.")
