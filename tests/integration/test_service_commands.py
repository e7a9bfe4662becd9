"""The indexer service's commands from other threads: folders, pause/resume, retry, errors."""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from photofind.catalog.repo import open_catalog
from photofind.indexing.library import CATALOG_FILE, INDEX_FILE, Library
from photofind.indexing.service import IndexerService
from photofind.vectors.embedder import OnnxEmbedder


@pytest.fixture(scope="module")
def embedder() -> OnnxEmbedder:
    return OnnxEmbedder()


class Recorder:
    """Collects the service's callbacks (they arrive on the service thread)."""

    def __init__(self) -> None:
        self.changes = 0
        self.errors: list[str] = []
        self.idle = threading.Event()

    def changed(self) -> None:
        self.changes += 1

    def error(self, message: str) -> None:
        self.errors.append(message)


def wait_until(predicate: Callable[[], bool], timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.05)


@pytest.fixture
def running(tmp_path: Path, embedder: OnnxEmbedder) -> Iterator[tuple[IndexerService, Recorder]]:
    recorder = Recorder()
    Library(tmp_path / "lib").close()  # the catalogue exists before readers look (as in the app)
    service = IndexerService(
        tmp_path / "lib",
        on_idle=recorder.idle.set,
        embedder=embedder,
        on_changed=recorder.changed,
        on_error=recorder.error,
    )
    service.start()
    try:
        yield service, recorder
    finally:
        service.stop()
    assert service.error is None


def counts(library_dir: Path) -> tuple[int, int, int]:
    catalog = open_catalog(library_dir / CATALOG_FILE, readonly=True)
    try:
        c = catalog.counts()
        return c.photos, c.indexed, c.pending
    finally:
        catalog.close()


def test_folders_added_and_removed_through_the_service(
    running: tuple[IndexerService, Recorder], tmp_path: Path, photo_paths: dict[str, Path]
) -> None:
    service, recorder = running
    lib = tmp_path / "lib"
    service.add_folder(photo_paths["coffee"].parent)
    wait_until(lambda: counts(lib) == (6, 6, 0))
    assert recorder.changes > 0
    service.remove_folder(photo_paths["coffee"].parent)
    wait_until(lambda: counts(lib) == (0, 0, 0))
    service.stop()
    assert not (lib / INDEX_FILE).exists()  # its vectors left the index: an empty index has no file


def test_pause_holds_indexing_and_resume_catches_up(
    running: tuple[IndexerService, Recorder], tmp_path: Path, photo_paths: dict[str, Path]
) -> None:
    service, _ = running
    lib, folder = tmp_path / "lib", tmp_path / "photos"
    folder.mkdir()
    service.add_folder(folder)
    wait_until(lambda: len(open_catalog(lib / CATALOG_FILE, readonly=True).folders()) == 1)
    service.pause()
    assert service.paused
    (folder / "coffee.jpg").write_bytes(photo_paths["coffee"].read_bytes())
    wait_until(lambda: counts(lib) == (1, 0, 1))  # seen and recorded, not indexed
    time.sleep(1.5)  # well past the debounce: still not indexed while paused
    assert counts(lib) == (1, 0, 1)
    service.resume()
    wait_until(lambda: counts(lib) == (1, 1, 0))


def test_retry_and_errors_are_reported(
    running: tuple[IndexerService, Recorder], tmp_path: Path, photo_paths: dict[str, Path]
) -> None:
    service, recorder = running
    lib, folder = tmp_path / "lib", tmp_path / "photos"
    folder.mkdir()
    late = folder / "late.jpg"
    late.write_bytes(b"")
    service.add_folder(folder)
    wait_until(lambda: open_catalog(lib / CATALOG_FILE, readonly=True).counts().failed == 1)
    service.pause()  # so the watcher's own pass over the rewritten file does not race the retry
    late.write_bytes(photo_paths["chelsea"].read_bytes())
    service.resume()
    service.retry_failed()
    wait_until(lambda: counts(lib) == (1, 1, 0))
    service.remove_folder(tmp_path / "never-watched")
    wait_until(lambda: bool(recorder.errors))
    assert "not a watched folder" in recorder.errors[0]


def test_a_read_only_library_never_writes(tmp_path: Path, photo_paths: dict[str, Path]) -> None:
    lib = tmp_path / "lib"
    with Library(lib) as library:
        library.add_folder(photo_paths["coffee"].parent)
        library.scan()
        library.index_pending()
    (lib / INDEX_FILE).unlink()
    reader = Library(lib, readonly=True)
    try:
        (answer,) = reader.similar([photo_paths["coffee"]], k=2)
        assert len(answer.matches) == 2  # the index was rebuilt in memory
        reader.save_index()
        assert not (lib / INDEX_FILE).exists()
        with pytest.raises(Exception, match="read-only"):
            reader.add_folder(tmp_path)
    finally:
        reader.close()


def test_the_indexer_thread_and_its_children_yield_the_cpu() -> None:
    from photofind.indexing.service import BACKGROUND_NICENESS, lower_thread_priority

    seen: dict[str, int] = {}

    def child() -> None:
        seen["child"] = os.getpriority(os.PRIO_PROCESS, threading.get_native_id())

    def indexer() -> None:
        lower_thread_priority()
        seen["indexer"] = os.getpriority(os.PRIO_PROCESS, threading.get_native_id())
        started = threading.Thread(target=child)
        started.start()
        started.join()

    thread = threading.Thread(target=indexer)
    thread.start()
    thread.join()
    base = os.getpriority(os.PRIO_PROCESS, threading.get_native_id())
    assert seen == {"indexer": base + BACKGROUND_NICENESS, "child": base + BACKGROUND_NICENESS}
    assert os.getpriority(os.PRIO_PROCESS, threading.get_native_id()) == base  # caller untouched
