"""Disk cache of thumbnails (JPEG files), keyed by the photo file's identity and the pixel size.

The key is ``(path, size, mtime_ns, px)``: editing a photo changes its size or mtime, so it gets a
new thumbnail and the old one ages out. The cache is disposable (it lives in the user cache dir)
and bounded: when it grows past ``max_bytes`` the least recently used files are deleted.
"""

from __future__ import annotations

import hashlib
import logging
import os
import threading
from pathlib import Path

from photofind.catalog.records import encode_path

log = logging.getLogger(__name__)

DEFAULT_MAX_BYTES = 512 * 1024 * 1024  # ~40k thumbnails at 256 px: a big library, a small disk cost
EVICT_TO = 0.8  # evict down to this fraction of the limit, so eviction does not run on every put


class ThumbnailCache:
    """Thumbnail JPEGs under ``directory``, least-recently-used eviction by total size.

    Thread affinity: none; every method is thread-safe (thumbnail workers share one cache).
    """

    def __init__(self, directory: Path, max_bytes: int = DEFAULT_MAX_BYTES) -> None:
        """Use (creating if needed) ``directory`` for the cache files."""
        self.directory = directory
        self.max_bytes = max_bytes
        self._lock = threading.Lock()
        self._total: int | None = None  # measured lazily: the first put pays for the walk

    @staticmethod
    def key(path: Path, size: int, mtime_ns: int, px: int) -> str:
        """The cache key of one photo version at one pixel size."""
        digest = hashlib.blake2b(digest_size=16)
        digest.update(encode_path(path))
        digest.update(f"\0{size}\0{mtime_ns}\0{px}".encode())
        return digest.hexdigest()

    def _file(self, key: str) -> Path:
        return self.directory / key[:2] / f"{key}.jpg"

    def get(self, path: Path, size: int, mtime_ns: int, px: int) -> bytes | None:
        """The cached JPEG for this photo version, or None."""
        file = self._file(self.key(path, size, mtime_ns, px))
        try:
            data = file.read_bytes()
            os.utime(file)  # a hit is a use: the file's mtime is its LRU age
        except OSError:
            return None
        return data

    def put(self, path: Path, size: int, mtime_ns: int, px: int, jpeg: bytes) -> None:
        """Store a thumbnail, evicting old ones past the limit. Never raises OSError."""
        file = self._file(self.key(path, size, mtime_ns, px))
        try:
            file.parent.mkdir(parents=True, exist_ok=True)
            tmp = file.with_suffix(f".{threading.get_ident()}.tmp")
            tmp.write_bytes(jpeg)
            os.replace(tmp, file)
        except OSError as exc:
            log.warning("cannot write thumbnail %s: %s", file, exc)
            return
        with self._lock:
            if self._total is None:
                self._total = self._measure()
            else:
                self._total += len(jpeg)
            if self._total > self.max_bytes:
                self._total = self._evict()

    def total_bytes(self) -> int:
        """The cache's current size on disk."""
        with self._lock:
            self._total = self._measure()
            return self._total

    def _entries(self) -> list[tuple[float, int, Path]]:
        entries = []
        for file in self.directory.glob("*/*.jpg"):
            try:
                info = file.stat()
            except OSError:
                continue
            entries.append((info.st_mtime, info.st_size, file))
        return entries

    def _measure(self) -> int:
        return sum(size for _, size, _ in self._entries())

    def _evict(self) -> int:
        """Delete least recently used files until under ``EVICT_TO`` of the limit."""
        entries = sorted(self._entries(), key=lambda entry: entry[0])
        total = sum(size for _, size, _ in entries)
        target = self.max_bytes * EVICT_TO
        for _, size, file in entries:
            if total <= target:
                break
            try:
                file.unlink()
            except OSError:
                continue
            total -= size
        return total
