"""Decode files on a thread pool a few batches ahead of whoever consumes them.

Pillow releases the GIL while decoding, so a pool of threads overlaps decoding with inference on the
consumer's side; the look-ahead window bounds memory (a 224 px batch of 16 is about 2.4 MB).
"""

from __future__ import annotations

import os
from collections import deque
from collections.abc import Iterable, Iterator, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

from photofind.core.batching import chunked
from photofind.errors import DecodeError
from photofind.media.decode import LoadedPhoto, load_photo

LOOKAHEAD_BATCHES = 2  # decoded batches waiting for the consumer: keeps both cores busy


@dataclass(frozen=True, slots=True)
class Decoded:
    """One file's decoding outcome: the photo, or the reason it could not be read."""

    path: Path
    photo: LoadedPhoto | None
    error: str | None


def available_cores() -> int:
    """CPU cores this process may run on."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


def decoded_batches(
    paths: Iterable[Path], size: int, batch_size: int, workers: int | None = None
) -> Iterator[list[Decoded]]:
    """Yield batches of decoded files, in the order given, decoding ahead on ``workers`` threads."""
    with ThreadPoolExecutor(workers or available_cores(), "photofind-decode") as pool:
        pending: deque[list[tuple[Path, Future[LoadedPhoto]]]] = deque()
        for chunk in chunked(paths, batch_size):
            pending.append([(path, pool.submit(load_photo, path, size)) for path in chunk])
            if len(pending) > LOOKAHEAD_BATCHES:
                yield _collect(pending.popleft())
        while pending:
            yield _collect(pending.popleft())


def _collect(batch: Sequence[tuple[Path, Future[LoadedPhoto]]]) -> list[Decoded]:
    out = []
    for path, future in batch:
        try:
            out.append(Decoded(path, future.result(), None))
        except DecodeError as exc:
            out.append(Decoded(path, None, str(exc)))
    return out
