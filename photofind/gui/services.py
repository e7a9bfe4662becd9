"""The GUI's services and threads, built together and shut down in a fixed order."""

from __future__ import annotations

import logging
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

from PySide6.QtGui import QImage

from photofind.catalog.repo import open_catalog
from photofind.gui.bridges import IndexerBridge
from photofind.gui.dispatch import MainThreadDispatcher
from photofind.gui.grouping import GroupFinder
from photofind.gui.queries import ListingWorker, SimilarFinder
from photofind.gui.tasks import TaskRunner
from photofind.gui.thumbnails import ThumbnailService
from photofind.indexing.library import CATALOG_FILE
from photofind.media.prefetch import available_cores
from photofind.thumbs.cache import ThumbnailCache
from photofind.thumbs.listing import PhotoListing
from photofind.thumbs.render import render
from photofind.vectors.embedder import OnnxEmbedder

log = logging.getLogger(__name__)

THUMBNAIL_DIR = "thumbnails"


@dataclass
class GuiServices:
    """Everything the main window talks to.

    Thread affinity: created, used and shut down on the GUI thread. Each executor has one
    thread so the objects it owns (connections, the query library) stay on it.
    """

    library_dir: Path
    cache_dir: Path
    dispatcher: MainThreadDispatcher
    thumbnails: ThumbnailService
    listing: PhotoListing  # the GUI thread's own read-only connection (grid rows)
    indexer: IndexerBridge
    listing_worker: ListingWorker
    finder: SimilarFinder
    grouper: GroupFinder
    listing_tasks: TaskRunner
    query_tasks: TaskRunner
    write_tasks: TaskRunner
    render_tasks: TaskRunner
    group_tasks: TaskRunner
    _executors: tuple[ThreadPoolExecutor, ...]

    def render_image(self, path: Path, px: int) -> QImage:
        """Render ``path`` to a QImage at most ``px`` on its longest side (worker threads)."""
        thumb = render(path, px)
        return QImage(
            thumb.rgb, thumb.width, thumb.height, thumb.width * 3, QImage.Format.Format_RGB888
        ).copy()

    def shutdown(self) -> None:
        """Stop the indexer, then the thumbnail workers, then the query threads, then the reader."""
        self.indexer.stop()
        self.thumbnails.shutdown()
        listing, query, _, _, group = self._executors
        listing.submit(self.listing_worker.close)
        query.submit(self.finder.close)
        group.submit(self.grouper.close)
        for executor in self._executors:
            executor.shutdown(wait=True, cancel_futures=True)
        self.listing.close()


def build_services(
    library_dir: Path, cache_dir: Path, embedder: OnnxEmbedder | None = None
) -> GuiServices:
    """Create the catalogue if needed and every service (the indexer is not started yet)."""
    library_dir.mkdir(parents=True, exist_ok=True)
    catalog_file = library_dir / CATALOG_FILE
    open_catalog(catalog_file).close()  # creates and migrates it, so readers can open it
    dispatcher = MainThreadDispatcher()
    # One core left for the interface (STYLE 3.3 rule 4); the embedder is shared by the indexer
    # and the query thread (its inference calls are serialised by its own lock).
    shared = embedder or OnnxEmbedder(threads=max(1, available_cores() - 1))
    executors = tuple(
        ThreadPoolExecutor(max_workers=1, thread_name_prefix=f"photofind-{name}")
        for name in ("listing", "query", "write", "render", "group")
    )
    listing_pool, query_pool, write_pool, render_pool, group_pool = executors
    return GuiServices(
        library_dir=library_dir,
        cache_dir=cache_dir,
        dispatcher=dispatcher,
        thumbnails=ThumbnailService(dispatcher, ThumbnailCache(cache_dir / THUMBNAIL_DIR)),
        listing=PhotoListing(catalog_file),
        indexer=IndexerBridge(dispatcher, library_dir, shared),
        listing_worker=ListingWorker(catalog_file),
        finder=SimilarFinder(library_dir, shared),
        grouper=GroupFinder(library_dir),
        listing_tasks=TaskRunner(dispatcher, listing_pool),
        query_tasks=TaskRunner(dispatcher, query_pool),
        write_tasks=TaskRunner(dispatcher, write_pool),
        render_tasks=TaskRunner(dispatcher, render_pool),
        group_tasks=TaskRunner(dispatcher, group_pool),
        _executors=executors,
    )
