"""The one place where work crosses back to the GUI thread."""

from __future__ import annotations

import logging
import threading
import time
from collections import deque
from collections.abc import Callable

from PySide6.QtCore import QObject, Qt, QTimer, Signal

log = logging.getLogger(__name__)


class MainThreadDispatcher(QObject):
    """Runs callables on the GUI thread, in the order they were posted.

    Thread affinity: lives on the GUI thread; :meth:`call_soon` may be called from any thread.
    The queue is drained in slices of about ``BUDGET_S`` so a flood of results (thousands of
    thumbnails) never freezes the event loop: the rest waits for the next turn of the loop.
    """

    _pending = Signal()
    BUDGET_S = 0.010  # 10 ms per slice: well under a 60 Hz frame plus the paint that follows

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._lock = threading.Lock()
        self._queue: deque[Callable[[], None]] = deque()
        self._scheduled = False
        # Explicitly queued (as calibre does): the slot always runs later, on this object's thread.
        self._pending.connect(self._drain, Qt.ConnectionType.QueuedConnection)

    def call_soon(self, fn: Callable[[], None]) -> None:
        """Run ``fn()`` on the GUI thread soon. Thread-safe."""
        with self._lock:
            self._queue.append(fn)
            if self._scheduled:
                return
            self._scheduled = True
        self._pending.emit()

    def pending(self) -> int:
        """How many callables wait to run."""
        with self._lock:
            return len(self._queue)

    def _drain(self) -> None:
        deadline = time.perf_counter() + self.BUDGET_S
        while time.perf_counter() < deadline:
            with self._lock:
                if not self._queue:
                    self._scheduled = False
                    return
                fn = self._queue.popleft()
            try:
                fn()
            except Exception:  # a bug in one callback must not stop the others
                log.exception("callback failed on the GUI thread")
        QTimer.singleShot(0, self._drain)
