"""The indexer service: the one thread that writes the catalogue and the index.

It opens the library, scans every watched folder, embeds what is pending, then follows the
folders: moves and deletions are applied as they arrive, new or changed photos once the debounce
lets them through, and a root that disappears (an unplugged drive) is marked offline, then
rescanned when it comes back.
"""

from __future__ import annotations

import logging
import os
import queue
import threading
import time
from collections.abc import Callable
from pathlib import Path

from photofind.catalog.records import Folder
from photofind.errors import KnownError
from photofind.indexing.library import Library
from photofind.indexing.pipeline import Progress, ProgressSink
from photofind.indexing.scanner import ScanReport, is_photo_name, scan_folder, walk_photos
from photofind.indexing.watcher import Debouncer, FolderWatcher, FsEvent
from photofind.vectors.embedder import OnnxEmbedder

log = logging.getLogger(__name__)

Command = Callable[[Library, FolderWatcher], object]  # runs on the service thread

TICK_S = 0.2  # how often the loop wakes up to release debounced files
ROOT_CHECK_S = 3.0  # how often the roots are checked for having gone or come back
BACKGROUND_NICENESS = 10  # indexing yields to the interface (and to the user's other work)


class IndexerService:
    """Owns the writer connection, the model and the index on its own thread.

    Thread affinity: ``start``/``stop``/``submit_*`` may be called from any thread; everything
    else runs on the service thread.
    """

    def __init__(
        self,
        library_dir: Path,
        on_progress: ProgressSink | None = None,
        on_idle: Callable[[], None] | None = None,
        embedder: OnnxEmbedder | None = None,
        on_changed: Callable[[], None] | None = None,
        on_error: Callable[[str], None] | None = None,
    ) -> None:
        """Prepare the service; nothing runs until :meth:`start`.

        Args:
            library_dir: the library folder.
            on_progress: scanning and indexing progress, after every batch.
            on_idle: nothing is left to index (for now).
            embedder: the model, shared with the caller (loaded on first use otherwise).
            on_changed: photos were added, removed, moved or (re)indexed.
            on_error: a command failed, with the reason for the user.

        All callbacks run on the service thread.
        """
        self._library_dir = library_dir
        self._on_progress = on_progress
        self._on_idle = on_idle
        self._on_changed = on_changed
        self._on_error = on_error
        self._embedder = embedder
        self._events: queue.Queue[FsEvent] = queue.Queue()
        self._commands: queue.Queue[Command] = queue.Queue()
        self._stop = threading.Event()
        self._halt = threading.Event()  # set while paused or stopping: indexing ends its batch
        self._paused = False
        self._thread = threading.Thread(target=self._run, name="photofind-indexer")
        self._debouncer = Debouncer()
        self._online: dict[Path, bool] = {}
        self.error: BaseException | None = None

    def start(self) -> None:
        """Start the service thread."""
        self._thread.start()

    def is_alive(self) -> bool:
        """Whether the service thread is running."""
        return self._thread.is_alive()

    def stop(self, timeout: float = 30.0) -> None:
        """Ask the thread to stop after its current batch, and wait for it."""
        self._stop.set()
        self._halt.set()
        self._thread.join(timeout)

    # -- commands, from any thread ------------------------------------------------------------

    def submit(self, command: Command) -> None:
        """Run ``command(library, watcher)`` on the service thread, in order.

        A long indexing run yields after its current batch, so commands never wait for it.
        """
        self._commands.put(command)
        self._halt.set()

    def add_folder(self, path: Path) -> None:
        """Watch a folder, scan it and index it."""
        self.submit(lambda library, watcher: self._add_folder(library, watcher, path))

    def remove_folder(self, path: Path) -> None:
        """Stop watching a folder and forget its photos (the files are not touched)."""
        self.submit(lambda library, watcher: self._remove_folder(library, watcher, path))

    def rescan(self) -> None:
        """Scan every watched folder again (watchers can miss events) and index what changed."""
        self.submit(lambda library, _: self._scan_and_index(library))

    def retry_failed(self, paths: list[Path] | None = None) -> None:
        """Queue failed files again (all of them, or ``paths``) and index them."""
        self.submit(lambda library, _: self._retry(library, paths))

    @property
    def paused(self) -> bool:
        """Whether indexing is paused (the folders are still followed)."""
        return self._paused

    def pause(self) -> None:
        """Stop indexing after the current batch; changes on disk are still recorded."""
        self._paused = True
        self._halt.set()

    def resume(self) -> None:
        """Index again, starting with whatever is pending."""
        self._paused = False
        self.submit(lambda library, _: None)  # wakes the loop, which then indexes

    def _run(self) -> None:
        lower_thread_priority()
        try:
            with Library(self._library_dir, self._embedder) as library:
                watcher = FolderWatcher(self._events)
                try:
                    self._serve(library, watcher)
                finally:
                    watcher.stop()
        except Exception as exc:
            log.exception("the indexer stopped")
            self.error = exc

    def _serve(self, library: Library, watcher: FolderWatcher) -> None:
        for folder in library.folders():
            self._start_watching(library, watcher, folder)
        self._scan_and_index(library)
        next_root_check = time.monotonic() + ROOT_CHECK_S
        while not self._stop.is_set():
            self._run_commands(library, watcher)
            self._apply_events(library)
            ready = self._debouncer.ready()
            if ready:
                self._upsert(library, ready)
                self._index(library)
            if time.monotonic() >= next_root_check:
                self._check_roots(library, watcher)
                if not self._debouncer:  # quiet: vectors of deleted photos can go now
                    library.collect_orphans()
                next_root_check = time.monotonic() + ROOT_CHECK_S

    def _index(self, library: Library) -> None:
        if self._paused:
            return

        def report(progress: Progress) -> None:
            if self._on_progress is not None:
                self._on_progress(progress)
            self._changed()

        library.index_pending(self._halt, report)
        if self._on_idle is not None and not self._halt.is_set():
            self._on_idle()

    def _changed(self) -> None:
        if self._on_changed is not None:
            self._on_changed()

    def _scan_and_index(self, library: Library) -> None:
        library.scan(self._stop, self._on_progress)
        self._changed()
        self._index(library)

    def _run_commands(self, library: Library, watcher: FolderWatcher) -> None:
        """Run the queued commands, then go back to whatever indexing they interrupted."""
        ran = False
        while True:
            try:
                command = self._commands.get_nowait()
            except queue.Empty:
                break
            ran = True
            self._release_halt()
            try:
                command(library, watcher)
            except KnownError as exc:
                log.warning("%s", exc)
                if self._on_error is not None:
                    self._on_error(str(exc))
            self._changed()
        if ran:
            self._release_halt()
            self._index(library)

    def _release_halt(self) -> None:
        """Let indexing run again, unless it is paused, stopping, or more commands wait."""
        if not (self._paused or self._stop.is_set() or not self._commands.empty()):
            self._halt.clear()

    def _add_folder(self, library: Library, watcher: FolderWatcher, path: Path) -> None:
        folder = library.add_folder(path)
        self._start_watching(library, watcher, folder)
        scan_folder(library.catalog, folder, self._stop)
        self._changed()
        self._index(library)

    def _remove_folder(self, library: Library, watcher: FolderWatcher, path: Path) -> None:
        watcher.unwatch(path.absolute())
        self._online.pop(path.absolute(), None)
        self._debouncer.forget_under(path.absolute())
        library.remove_folder(path)

    def _retry(self, library: Library, paths: list[Path] | None) -> None:
        library.retry_failed(paths)
        self._index(library)

    def _start_watching(self, library: Library, watcher: FolderWatcher, folder: Folder) -> None:
        online = folder.path.is_dir()
        self._online[folder.path] = online
        if online:
            mode = watcher.watch(folder.path)
            log.info("watching %s (%s)", folder.path, mode)
            library.catalog.set_folder_scan(folder.id, mode, folder.last_scan_at)

    def _apply_events(self, library: Library) -> None:
        """Apply queued events in order; waits up to one tick for the first."""
        try:
            event = self._events.get(timeout=TICK_S)
        except queue.Empty:
            return
        while True:
            self._apply(library, event)
            try:
                event = self._events.get_nowait()
            except queue.Empty:
                break
        self._changed()

    def _apply(self, library: Library, event: FsEvent) -> None:
        catalog = library.catalog
        if event.kind == "touched":
            self._debouncer.touch(event.path)
        elif event.kind == "deleted":
            self._debouncer.forget(event.path)
            catalog.delete_paths([event.path])
        elif event.kind == "moved" and event.dest is not None:
            self._debouncer.forget(event.path)
            if not catalog.rename_path(event.path, event.dest):
                self._debouncer.touch(event.dest)
        elif event.kind == "dir_moved" and event.dest is not None:
            self._debouncer.forget_under(event.path)
            catalog.rename_tree(event.path, event.dest)
            self._touch_tree(event.dest)  # photos moved in from outside the catalogue
        elif event.kind == "dir_deleted":
            self._debouncer.forget_under(event.path)
            if event.path not in self._online:  # a vanished root is offline, not deleted
                catalog.delete_under(event.path)
        elif event.kind == "dir_created":
            self._touch_tree(event.path)

    def _touch_tree(self, folder: Path) -> None:
        """A folder appeared (created, or moved in): its photos brought no events of their own."""
        for path, _, _ in walk_photos(folder, ScanReport(folder), self._stop):
            self._debouncer.touch(path)

    def _upsert(self, library: Library, paths: list[Path]) -> None:
        catalog = library.catalog
        with catalog.transaction():
            for path in paths:
                try:
                    info = path.stat()
                except OSError:
                    catalog.delete_paths([path])
                    continue
                if is_photo_name(path.name) and catalog.folder_for_path(path) is not None:
                    catalog.upsert_seen(path, info.st_size, info.st_mtime_ns)

    def _check_roots(self, library: Library, watcher: FolderWatcher) -> None:
        for folder in library.folders():
            online = folder.path.is_dir()
            if online == self._online.get(folder.path):
                continue
            if online:
                log.info("%s is back: rescanning it", folder.path)
                self._start_watching(library, watcher, folder)
                scan_folder(library.catalog, folder, self._stop)
                self._index(library)
            else:
                log.info("%s is gone (unmounted?): its photos are offline", folder.path)
                watcher.unwatch(folder.path)
                library.catalog.set_folder_online(folder.id, False)
                self._online[folder.path] = False


def lower_thread_priority(niceness: int = BACKGROUND_NICENESS) -> None:
    """Make the calling thread, and the threads it starts from now on, yield the CPU.

    On Linux the nice value is per thread and inherited by new threads, so the decode pool and
    onnxruntime's workers created later by the indexer run below the interface's thread: on a
    two-core laptop the window stays responsive while indexing uses every spare cycle.
    """
    try:
        os.setpriority(os.PRIO_PROCESS, threading.get_native_id(), niceness)
    except (AttributeError, OSError) as exc:  # not on Linux, or not permitted
        log.debug("cannot lower the indexer's priority: %s", exc)


def watch_forever(
    library_dir: Path, stop: threading.Event, on_progress: ProgressSink | None = None
) -> None:
    """Run the indexer service until ``stop`` is set (the CLI's ``watch``)."""
    service = IndexerService(library_dir, on_progress)
    service.start()
    while not stop.wait(0.5) and service.is_alive():
        pass
    service.stop()
    if service.error is not None:
        raise service.error
