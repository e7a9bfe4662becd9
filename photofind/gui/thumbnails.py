"""Thumbnails for the grid: RAM LRU of pixmaps, disk cache, LIFO worker threads."""

from __future__ import annotations

import functools
import logging
import queue
import threading
from collections import OrderedDict
from dataclasses import dataclass

from PySide6.QtCore import QObject, Signal
from PySide6.QtGui import QImage, QPixmap

from photofind.catalog.records import PhotoId
from photofind.errors import DecodeError
from photofind.gui.dispatch import MainThreadDispatcher
from photofind.thumbs.cache import ThumbnailCache
from photofind.thumbs.listing import PhotoRow
from photofind.thumbs.render import render

log = logging.getLogger(__name__)

WORKERS = 2  # two decoders keep a screenful flowing without starving the indexer's own pool
MIN_RAM_ITEMS = 200


@dataclass(frozen=True, slots=True)
class _Request:
    generation: int
    row: PhotoRow
    px: int


def thumbnail_image(row: PhotoRow, px: int, cache: ThumbnailCache) -> QImage:
    """Load a thumbnail from the disk cache, or render and cache it (any thread).

    Raises:
        DecodeError: when the photo cannot be read.
    """
    jpeg = cache.get(row.path, row.size, row.mtime_ns, px)
    if jpeg is not None:
        image = QImage.fromData(jpeg)  # format sniffed (a format argument trips PySide 6.12)
        if not image.isNull():
            return image
    thumb = render(row.path, px)
    cache.put(row.path, row.size, row.mtime_ns, px, thumb.to_jpeg())
    return QImage(
        thumb.rgb, thumb.width, thumb.height, thumb.width * 3, QImage.Format.Format_RGB888
    ).copy()


class ThumbnailService(QObject):
    """Hands out cached thumbnail pixmaps and renders the missing ones in the background.

    Thread affinity: lives on the GUI thread (pixmaps can only be made there). Worker threads
    only render ``QImage`` objects and post them back through the dispatcher; a result from an
    older generation (the size or the device pixel ratio changed since) is dropped.
    """

    thumbnail_ready = Signal(int)  # PhotoId
    thumbnail_failed = Signal(int)

    def __init__(
        self,
        dispatcher: MainThreadDispatcher,
        cache: ThumbnailCache,
        px: int = 256,
        workers: int = WORKERS,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self._dispatcher = dispatcher
        self._cache = cache
        self._px = px
        self._generation = 0
        self._ram: OrderedDict[PhotoId, tuple[int, QPixmap]] = OrderedDict()  # id -> (gen, pixmap)
        self._ram_limit = MIN_RAM_ITEMS
        self._requested: set[PhotoId] = set()
        self._failed: set[PhotoId] = set()
        self._queue: queue.LifoQueue[_Request | None] = queue.LifoQueue()
        self._threads = [
            threading.Thread(target=self._work, name=f"photofind-thumbs-{n}", daemon=True)
            for n in range(workers)
        ]
        for thread in self._threads:
            thread.start()

    @property
    def px(self) -> int:
        """The pixel size (longest side) thumbnails are rendered at."""
        return self._px

    def set_px(self, px: int) -> None:
        """Change the pixel size: a new generation; cached pixmaps stay until replaced."""
        if px == self._px:
            return
        self._px = px
        self._generation += 1
        self._requested.clear()
        self._failed.clear()
        self._drain_queue()

    def set_ram_limit(self, items: int) -> None:
        """How many pixmaps to keep in RAM (the view sets it from its visible area)."""
        self._ram_limit = max(MIN_RAM_ITEMS, items)
        self._trim()

    def failed(self, photo_id: PhotoId) -> bool:
        """Whether the photo's thumbnail could not be rendered."""
        return photo_id in self._failed

    def cached_or_none(self, row: PhotoRow) -> QPixmap | None:
        """The pixmap if in RAM (possibly of the previous size), else None after queueing it."""
        entry = self._ram.get(row.id)
        if entry is None:
            self.request(row)
            return None
        self._ram.move_to_end(row.id)
        generation, pixmap = entry
        if generation != self._generation:
            self.request(row)  # meanwhile the old size is scaled by the painter
        return pixmap

    def request(self, row: PhotoRow) -> None:
        """Queue a render unless one is already on its way (newest requests go first)."""
        if row.id in self._requested or row.id in self._failed or not row.usable:
            return
        self._requested.add(row.id)
        self._queue.put(_Request(self._generation, row, self._px))

    def forget(self, photo_id: PhotoId) -> None:
        """Drop a photo's pixmap (its file changed)."""
        self._ram.pop(photo_id, None)
        self._requested.discard(photo_id)
        self._failed.discard(photo_id)

    def shutdown(self, timeout: float = 2.0) -> None:
        """Stop the workers (after their current render) and wait for them."""
        self._drain_queue()
        for _ in self._threads:
            self._queue.put(None)
        for thread in self._threads:
            thread.join(timeout)

    def _drain_queue(self) -> None:
        try:
            while True:
                self._queue.get_nowait()
        except queue.Empty:
            pass

    def _work(self) -> None:
        while (request := self._queue.get()) is not None:
            if request.generation != self._generation:
                continue
            try:
                image = thumbnail_image(request.row, request.px, self._cache)
            except DecodeError as exc:
                log.info("no thumbnail for %s: %s", request.row.path, exc)
                self._dispatcher.call_soon(functools.partial(self._on_failed, request))
                continue
            except (OSError, MemoryError):
                log.warning("thumbnail of %s failed", request.row.path, exc_info=True)
                self._dispatcher.call_soon(functools.partial(self._on_failed, request))
                continue
            self._dispatcher.call_soon(functools.partial(self._on_rendered, request, image))

    def _on_rendered(self, request: _Request, image: QImage) -> None:
        if request.generation != self._generation:
            return
        self._requested.discard(request.row.id)
        self._ram[request.row.id] = (request.generation, QPixmap.fromImage(image))
        self._ram.move_to_end(request.row.id)
        self._trim()
        self.thumbnail_ready.emit(request.row.id)

    def _on_failed(self, request: _Request) -> None:
        if request.generation != self._generation:
            return
        self._requested.discard(request.row.id)
        self._failed.add(request.row.id)
        self.thumbnail_failed.emit(request.row.id)

    def _trim(self) -> None:
        while len(self._ram) > self._ram_limit:
            self._ram.popitem(last=False)
