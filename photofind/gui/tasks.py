"""Run a function on a worker thread and hand its result (or error) to the GUI thread."""

from __future__ import annotations

import functools
import itertools
import logging
from collections.abc import Callable
from concurrent.futures import Executor
from typing import TypeVar

from photofind.gui.dispatch import MainThreadDispatcher

log = logging.getLogger(__name__)

T = TypeVar("T")


class TaskRunner:
    """Submits work to an executor; success/failure callbacks run on the GUI thread.

    Thread affinity: created and used on the GUI thread. Each call returns a request id; callers
    that only care about the latest answer compare it with the id they kept (superseded answers
    are then ignored).
    """

    def __init__(self, dispatcher: MainThreadDispatcher, executor: Executor) -> None:
        self._dispatcher = dispatcher
        self._executor = executor
        self._ids = itertools.count(1)

    def run(
        self,
        work: Callable[[], T],
        on_success: Callable[[T], None],
        on_failure: Callable[[Exception], None] | None = None,
    ) -> int:
        """Run ``work()`` on the executor; returns the request id."""
        request = next(self._ids)

        def job() -> None:
            try:
                result = work()
            except Exception as exc:  # handed to the GUI thread, which decides how to show it
                log.debug("task %d failed", request, exc_info=True)
                self._dispatcher.call_soon(functools.partial(on_failure or _log_failure, exc))
                return
            self._dispatcher.call_soon(functools.partial(on_success, result))

        try:
            self._executor.submit(job)
        except RuntimeError:  # shut down: the window is closing and nobody waits for an answer
            log.debug("task %d dropped: the executor is shut down", request)
        return request


def _log_failure(exc: Exception) -> None:
    log.error("background task failed: %s", exc)
