"""Follow watched folders with watchdog; events are hints, settled by a trailing debounce.

The watchdog handler only turns events into small records on a queue. The indexer thread applies
moves and deletions in order, and holds created or modified files back until they have been quiet
for ``QUIET_S`` and their size and mtime stopped changing, so a photo still being copied is never
read half-written. Folders whose file system cannot deliver events (network mounts), or that hit
inotify's watch limit, are polled instead, and the folder records which mode it is in.
"""

from __future__ import annotations

import contextlib
import errno
import logging
import os
import queue
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from photofind.indexing.scanner import is_photo_name

log = logging.getLogger(__name__)

QUIET_S = 1.0  # a file is read once no event touched it and its size stayed put for this long
POLL_INTERVAL_S = 2.0
NETWORK_FILE_SYSTEMS = frozenset(
    {"nfs", "nfs4", "cifs", "smb3", "smbfs", "9p", "afs", "davfs", "fuse.sshfs", "fuse.rclone"}
)
WATCH_LIMIT_ERRNOS = (errno.ENOSPC, errno.EMFILE)  # inotify: watch limit / instance limit

EventKind = Literal["touched", "deleted", "moved", "dir_moved", "dir_deleted", "dir_created"]


@dataclass(frozen=True, slots=True)
class FsEvent:
    """One normalised file system event."""

    kind: EventKind
    path: Path
    dest: Path | None = None


def events_from(event: Any) -> Iterator[FsEvent]:
    """Normalise one watchdog event into zero or more FsEvents (photo files and folders only)."""
    src = Path(os.fsdecode(event.src_path))
    if event.is_directory:
        yield from _dir_events(event.event_type, src, event)
        return
    if event.event_type == "moved":
        dest = Path(os.fsdecode(event.dest_path))
        if is_photo_name(src.name) and is_photo_name(dest.name):
            yield FsEvent("moved", src, dest)
        elif is_photo_name(dest.name):  # "photo.jpg.part" -> "photo.jpg": a finished download
            yield FsEvent("touched", dest)
        elif is_photo_name(src.name):
            yield FsEvent("deleted", src)
    elif is_photo_name(src.name):
        if event.event_type in ("created", "modified", "closed"):
            yield FsEvent("touched", src)
        elif event.event_type == "deleted":
            yield FsEvent("deleted", src)


def _dir_events(kind: str, src: Path, event: Any) -> Iterator[FsEvent]:
    if kind == "moved":
        yield FsEvent("dir_moved", src, Path(os.fsdecode(event.dest_path)))
    elif kind == "deleted":
        yield FsEvent("dir_deleted", src)
    elif kind == "created":
        yield FsEvent("dir_created", src)


@dataclass
class Debouncer:
    """Holds touched files until they are quiet and stable (trailing debounce).

    Thread affinity: the indexer thread only.
    """

    quiet_s: float = QUIET_S
    _waiting: dict[Path, tuple[float, tuple[int, int] | None]] = field(default_factory=dict)

    def touch(self, path: Path, now: float | None = None) -> None:
        """Note activity on ``path``; its quiet period starts again."""
        self._waiting[path] = (time.monotonic() if now is None else now, _signature(path))

    def forget(self, path: Path) -> None:
        """Stop waiting for ``path`` (deleted or moved away)."""
        self._waiting.pop(path, None)

    def forget_under(self, folder: Path) -> None:
        """Stop waiting for everything inside ``folder``."""
        for path in [p for p in self._waiting if p.is_relative_to(folder)]:
            del self._waiting[path]

    def __len__(self) -> int:
        return len(self._waiting)

    def ready(self, now: float | None = None) -> list[Path]:
        """Files quiet for ``quiet_s`` whose size and mtime did not change while they waited."""
        now = time.monotonic() if now is None else now
        done = []
        for path, (since, signature) in list(self._waiting.items()):
            if now - since < self.quiet_s:
                continue
            current = _signature(path)
            if current != signature:  # still growing: wait another quiet period
                self._waiting[path] = (now, current)
                continue
            del self._waiting[path]
            done.append(path)
        return done


def _signature(path: Path) -> tuple[int, int] | None:
    try:
        info = path.stat()
    except OSError:
        return None
    return info.st_size, info.st_mtime_ns


class FolderWatcher:
    """Watchdog observers for the watched roots, feeding a queue of FsEvents.

    Thread affinity: start/stop/watch from the indexer thread; events arrive on watchdog's threads
    and only touch the (thread-safe) queue.
    """

    def __init__(self, events: queue.Queue[FsEvent]) -> None:
        """Create a watcher that puts normalised events on ``events``."""
        from watchdog.events import FileSystemEventHandler
        from watchdog.observers import Observer
        from watchdog.observers.polling import PollingObserver

        sink = events

        class Handler(FileSystemEventHandler):
            def on_any_event(self, event: Any) -> None:
                for normalised in events_from(event):
                    sink.put(normalised)

        self._handler = Handler()
        self._native = Observer()
        self._polling = PollingObserver(timeout=POLL_INTERVAL_S)
        self._watches: dict[Path, tuple[Any, Any]] = {}
        self._native.start()
        self._polling.start()

    def watch(self, root: Path) -> str:
        """Start watching ``root`` recursively; return the mode used: "native" or "polling"."""
        self.unwatch(root)
        if is_network_mount(root):
            log.info("%s is on a network file system: watching it by polling", root)
            return self._schedule(self._polling, root, "polling")
        try:
            return self._schedule(self._native, root, "native")
        except OSError as exc:
            if exc.errno not in WATCH_LIMIT_ERRNOS:
                raise
            log.warning(
                "cannot watch %s with inotify (%s: raise fs.inotify.max_user_watches); "
                "watching it by polling instead",
                root,
                exc.strerror,
            )
            return self._schedule(self._polling, root, "polling")

    def _schedule(self, observer: Any, root: Path, mode: str) -> str:
        watch = observer.schedule(self._handler, str(root), recursive=True)
        self._watches[root] = (observer, watch)
        return mode

    def unwatch(self, root: Path) -> None:
        """Stop watching ``root`` (no error if it was not watched)."""
        entry = self._watches.pop(root, None)
        if entry is not None:
            observer, watch = entry
            with contextlib.suppress(KeyError, OSError):  # already gone with its folder
                observer.unschedule(watch)

    def stop(self) -> None:
        """Stop every observer and wait for their threads."""
        for observer in (self._native, self._polling):
            observer.stop()
        for observer in (self._native, self._polling):
            observer.join(timeout=5)


def is_network_mount(path: Path) -> bool:
    """Whether ``path`` lives on a file system that does not deliver inotify events."""
    return mount_type(path) in NETWORK_FILE_SYSTEMS


def mount_type(path: Path) -> str | None:
    """The file system type of the mount holding ``path`` (Linux ``/proc/mounts``), if known."""
    try:
        mounts = Path("/proc/mounts").read_text().splitlines()
    except OSError:
        return None
    best: tuple[int, str] | None = None
    target = os.path.realpath(path)
    for line in mounts:
        parts = line.split()
        if len(parts) < 3:
            continue
        point = parts[1].replace("\\040", " ")
        if (target == point or target.startswith(point.rstrip("/") + "/")) and (
            best is None or len(point) > best[0]
        ):
            best = (len(point), parts[2])
    return None if best is None else best[1]
