"""Walk watched folders and bring the catalogue in step with the disk (mark and sweep).

Watcher events are hints; a scan is the ground truth. It records every photo file it finds (new or
changed ones become pending), forgets rows whose files are gone, and never forgets anything under
a folder it could not read or a root that vanished: that is an unplugged drive, not a deletion.
"""

from __future__ import annotations

import logging
import os
import stat
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from photofind.catalog.records import Folder
from photofind.catalog.repo import Catalog
from photofind.core.batching import chunked

log = logging.getLogger(__name__)

PHOTO_SUFFIXES = frozenset(
    {".jpg", ".jpeg", ".jpe", ".png", ".webp", ".tif", ".tiff", ".bmp", ".gif", ".heic", ".heif"}
)
UPSERTS_PER_TRANSACTION = 500  # one commit per 500 files: a crash loses at most one batch of stats


@dataclass
class ScanReport:
    """What one scan of one root found."""

    root: Path
    seen: int = 0
    to_index: int = 0
    removed: int = 0
    online: bool = True
    unreadable_dirs: list[Path] = field(default_factory=list)


def is_photo_name(name: str) -> bool:
    """Whether a file name has a photo extension (case-insensitive) and is not hidden."""
    return not name.startswith(".") and os.path.splitext(name)[1].lower() in PHOTO_SUFFIXES


def scan_folder(
    catalog: Catalog,
    folder: Folder,
    stop: threading.Event | None = None,
    on_seen: Callable[[int], None] | None = None,
) -> ScanReport:
    """Scan one watched root recursively and sweep what disappeared.

    A root that is missing (unmounted) marks its photos offline and deletes nothing. A scan
    cancelled by ``stop`` records what it saw and deletes nothing either. ``on_seen(n)`` is
    called after each committed batch of ``n`` files.
    """
    report = ScanReport(folder.path)
    if not folder.path.is_dir():
        catalog.set_folder_online(folder.id, False)
        report.online = False
        return report
    if not folder.online:
        catalog.set_folder_online(folder.id, True)
    known = catalog.paths_under(folder.path)
    seen: set[Path] = set()
    for batch in chunked(walk_photos(folder.path, report, stop), UPSERTS_PER_TRANSACTION):
        with catalog.transaction():
            for path, size, mtime_ns in batch:
                seen.add(path)
                _, needs_work = catalog.upsert_seen(path, size, mtime_ns)
                report.to_index += needs_work
        if on_seen is not None:
            on_seen(len(batch))
    report.seen = len(seen)
    if _sweep_is_safe(folder.path, stop):
        gone = [p for p in known if p not in seen and not _under_any(p, report.unreadable_dirs)]
        report.removed = catalog.delete_paths(gone) if gone else 0
    return report


def _sweep_is_safe(root: Path, stop: threading.Event | None) -> bool:
    """Deleting rows is only safe after a complete walk of a root that is still there."""
    return not (stop is not None and stop.is_set()) and root.is_dir()


def _under_any(path: Path, folders: list[Path]) -> bool:
    return any(path.is_relative_to(folder) for folder in folders)


def walk_photos(
    root: Path, report: ScanReport, stop: threading.Event | None = None
) -> Iterator[tuple[Path, int, int]]:
    """Yield (path, size, mtime_ns) of every photo file under ``root``.

    Follows symbolic links to folders but visits each real folder once, so link loops end.
    Hidden files and folders are skipped. Folders that cannot be read are listed in ``report``.
    """
    visited: set[tuple[int, int]] = set()
    stack = [root]
    while stack:
        if stop is not None and stop.is_set():
            return
        folder = stack.pop()
        try:
            info = folder.stat()
        except OSError:
            continue  # vanished mid-scan
        if (info.st_dev, info.st_ino) in visited:
            continue
        visited.add((info.st_dev, info.st_ino))
        yield from _photos_in(folder, stack, report)


def _photos_in(
    folder: Path, stack: list[Path], report: ScanReport
) -> Iterator[tuple[Path, int, int]]:
    try:
        entries = list(os.scandir(folder))
    except FileNotFoundError:
        return  # removed while we were scanning
    except OSError as exc:
        log.warning("cannot read folder %s: %s", folder, exc.strerror or exc)
        report.unreadable_dirs.append(folder)
        return
    for entry in entries:
        if entry.name.startswith("."):
            continue
        try:
            info = entry.stat()  # follows links
        except OSError:
            continue  # a dangling link, or removed since the listing
        if stat.S_ISDIR(info.st_mode):
            stack.append(Path(entry.path))
        elif stat.S_ISREG(info.st_mode) and is_photo_name(entry.name):
            yield Path(entry.path), info.st_size, info.st_mtime_ns
