"""The disk thumbnail cache: keyed by file version and size, bounded, least recently used out."""

from __future__ import annotations

import os
import threading
from pathlib import Path

from photofind.thumbs.cache import ThumbnailCache

PHOTO = Path("/photos/a.jpg")


def test_round_trip_and_miss(tmp_path: Path) -> None:
    cache = ThumbnailCache(tmp_path / "thumbs")
    assert cache.get(PHOTO, 10, 1, 128) is None
    cache.put(PHOTO, 10, 1, 128, b"jpeg-bytes")
    assert cache.get(PHOTO, 10, 1, 128) == b"jpeg-bytes"


def test_an_edited_file_or_another_size_misses(tmp_path: Path) -> None:
    cache = ThumbnailCache(tmp_path)
    cache.put(PHOTO, 10, 1, 128, b"old")
    assert cache.get(PHOTO, 10, 2, 128) is None  # new mtime
    assert cache.get(PHOTO, 11, 1, 128) is None  # new size
    assert cache.get(PHOTO, 10, 1, 256) is None  # other pixel size
    assert cache.get(Path("/photos/b.jpg"), 10, 1, 128) is None


def _age(cache: ThumbnailCache, path: Path, seconds_ago: float) -> None:
    file = cache._file(cache.key(path, 1, 1, 64))
    stamp = file.stat().st_mtime - seconds_ago
    os.utime(file, (stamp, stamp))


def test_least_recently_used_are_evicted(tmp_path: Path) -> None:
    cache = ThumbnailCache(tmp_path, max_bytes=3500)
    paths = [Path(f"/photos/{n}.jpg") for n in range(3)]
    for age, path in zip((300, 200, 100), paths, strict=True):
        cache.put(path, 1, 1, 64, b"x" * 1000)
        _age(cache, path, age)
    assert cache.get(paths[0], 1, 1, 64) is not None  # the oldest is used again: now the newest
    cache.put(Path("/photos/new.jpg"), 1, 1, 64, b"x" * 1000)
    assert cache.total_bytes() <= 3500 * 0.8
    assert cache.get(paths[1], 1, 1, 64) is None
    assert cache.get(paths[0], 1, 1, 64) is not None
    assert cache.get(Path("/photos/new.jpg"), 1, 1, 64) is not None


def test_concurrent_puts_keep_the_limit(tmp_path: Path) -> None:
    cache = ThumbnailCache(tmp_path, max_bytes=20_000)

    def fill(worker: int) -> None:
        for n in range(40):
            cache.put(Path(f"/p/{worker}-{n}.jpg"), 1, 1, 64, b"y" * 500)

    threads = [threading.Thread(target=fill, args=(w,)) for w in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert cache.total_bytes() <= 20_000


def test_unwritable_cache_does_not_raise(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    cache = ThumbnailCache(blocker)
    cache.put(PHOTO, 1, 1, 64, b"data")
    assert cache.get(PHOTO, 1, 1, 64) is None
