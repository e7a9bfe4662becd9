"""The dispatcher runs callables on the GUI thread, in order, in time-budgeted slices."""

from __future__ import annotations

import functools
import threading
import time

from pytestqt.qtbot import QtBot

from photofind.gui.dispatch import MainThreadDispatcher


def test_callables_from_other_threads_run_on_the_gui_thread(qtbot: QtBot) -> None:
    dispatcher = MainThreadDispatcher()
    gui_thread = threading.get_ident()
    ran_on: list[int] = []

    def post() -> None:
        for _ in range(50):
            dispatcher.call_soon(lambda: ran_on.append(threading.get_ident()))

    workers = [threading.Thread(target=post) for _ in range(4)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    assert ran_on == []  # nothing runs until the event loop turns
    qtbot.waitUntil(lambda: len(ran_on) == 200, timeout=2000)
    assert set(ran_on) == {gui_thread}


def test_order_is_kept_and_slices_respect_the_budget(qtbot: QtBot) -> None:
    dispatcher = MainThreadDispatcher()
    done: list[int] = []
    slices: list[float] = []

    def slow(n: int) -> None:
        time.sleep(0.002)
        done.append(n)

    for n in range(30):
        dispatcher.call_soon(functools.partial(slow, n))
    start = time.perf_counter()
    while len(done) < 30:
        before = len(done)
        qtbot.wait(1)
        if len(done) > before:
            slices.append(len(done) - before)
    assert done == list(range(30))
    assert time.perf_counter() - start > 0.05
    assert max(slices) < 30  # the queue was drained in more than one slice


def test_a_failing_callable_does_not_stop_the_rest(qtbot: QtBot) -> None:
    dispatcher = MainThreadDispatcher()
    done: list[str] = []

    def boom() -> None:
        raise RuntimeError("bug")

    dispatcher.call_soon(boom)
    dispatcher.call_soon(lambda: done.append("after"))
    qtbot.waitUntil(lambda: done == ["after"], timeout=2000)
