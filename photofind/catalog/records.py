"""The catalogue's value types and its path encoding (paths are stored as ``os.fsencode`` bytes)."""

from __future__ import annotations

import os
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Literal, NewType, TypeVar

from photofind.errors import BugError

PhotoId = NewType("PhotoId", int)
ContentId = NewType("ContentId", int)
FolderId = NewType("FolderId", int)
PhotoState = Literal["pending", "indexed", "failed", "offline"]

_SEP = os.sep.encode()
_T = TypeVar("_T")
# Host parameters per IN (...) list: far below SQLite's limit (999 before 3.32), big enough to be
# cheap.
CHUNK = 500


@dataclass(frozen=True, slots=True)
class Folder:
    """A watched root folder."""

    id: FolderId
    path: Path
    online: bool
    watch_mode: str | None
    last_scan_at: float | None


@dataclass(frozen=True, slots=True)
class PhotoRecord:
    """One photo file as the catalogue knows it."""

    id: PhotoId
    path: Path
    folder_id: FolderId
    size: int
    mtime_ns: int
    content_id: ContentId | None
    state: PhotoState
    error: str | None


@dataclass(frozen=True, slots=True)
class Counts:
    """How many photos are in each state (``photos`` is the total)."""

    photos: int
    indexed: int
    pending: int
    failed: int
    offline: int


@dataclass(frozen=True, slots=True)
class FailedPhoto:
    """A photo that could not be indexed, and the user-readable reason."""

    path: Path
    reason: str


def encode_path(path: Path) -> bytes:
    """Return the stored form of an absolute path: ``os.fsencode`` bytes (undecodable names too).

    Raises:
        BugError: The path is relative (the catalogue only holds absolute paths).
    """
    raw = os.fsencode(path)
    if not os.path.isabs(raw):
        raise BugError(f"relative path given to the catalogue: {path!r}")
    return raw


def encode_dir(path: Path) -> bytes:
    """Return the stored form of a directory: :func:`encode_path` minus any trailing separator."""
    raw = encode_path(path)
    stripped = raw.rstrip(_SEP)
    # "/" or "C:\\" must keep their separator: without it they are no longer the root.
    return stripped if stripped and not stripped.endswith(b":") else raw


def decode_path(raw: bytes) -> Path:
    """Return the ``Path`` for a stored path."""
    return Path(os.fsdecode(raw))


def tree_range(directory: bytes) -> tuple[bytes, bytes]:
    """Return ``(low, high)``: ``low <= p < high`` holds exactly for paths inside ``directory``.

    ``low`` is the directory plus a separator, so ``/a/b`` does not contain ``/a/bc``; ``high`` is
    ``low`` with its last byte incremented. BLOBs compare with ``memcmp``, so the range uses the
    ``UNIQUE(path)`` index.
    """
    low = directory if directory.endswith(_SEP) else directory + _SEP
    return low, low[:-1] + bytes([low[-1] + 1])


def is_inside(path: bytes, directory: bytes) -> bool:
    """Whether the stored ``path`` lies strictly inside the stored ``directory``."""
    low, high = tree_range(directory)
    return low <= path < high


def deepest_root(path: bytes, roots: Iterable[tuple[bytes, int]]) -> int | None:
    """Return the id of the deepest root (``(path, id)`` pairs) that contains ``path``, or None."""
    best: tuple[int, int] | None = None
    for root, root_id in roots:
        if (path == root or is_inside(path, root)) and (best is None or len(root) > best[0]):
            best = (len(root), root_id)
    return None if best is None else best[1]


def chunks(items: Sequence[_T], size: int = CHUNK) -> Iterator[Sequence[_T]]:
    """Yield consecutive slices of at most ``size`` items (for ``IN (...)`` lists)."""
    for start in range(0, len(items), size):
        yield items[start : start + size]


def placeholders(count: int) -> str:
    """Return ``?, ?, ...`` with ``count`` marks."""
    return ", ".join("?" * count)
