"""One open photo library: the catalogue, its vector index and the model, behind one facade.

Thread affinity: a Library belongs to the thread that opened it (its catalogue connection is the
single writer). The CLI uses it on the main thread; the desktop app on the indexer thread.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from photofind.catalog.records import ContentId, Folder
from photofind.catalog.repo import MODEL_ID_KEY, Catalog, open_catalog
from photofind.errors import KnownError
from photofind.indexing.pipeline import Progress, ProgressSink, index_pending
from photofind.indexing.scanner import ScanReport, scan_folder
from photofind.media.prefetch import decoded_batches
from photofind.vectors.embedder import OnnxEmbedder
from photofind.vectors.index import Hit, VectorIndex, build_index, reconcile

log = logging.getLogger(__name__)

CATALOG_FILE = "catalog.sqlite"
INDEX_FILE = "vectors.usearch"
INDEX_SAVE_INTERVAL_S = 30.0  # a long run saves the index this often; the catalogue is the truth
EXTRA_CANDIDATES = 5  # contents searched beyond k: the query itself and offline copies drop out
# An image from outside the library is also searched turned by 90, 180 and 270 degrees, keeping
# each photo's best score: a photo rotated without EXIF still finds its original (measured in
# bench_quality.py: rotation and tilt top-1 0.974 -> 1.0; about 4 x 16 ms more per outside query).
QUERY_QUARTER_TURNS = (0, 1, 2, 3)


@dataclass(frozen=True, slots=True)
class Match:
    """A photo found like the query."""

    path: Path
    score: float
    exact_duplicate: bool = False


@dataclass
class SimilarResult:
    """The answer to one query image: matches best first, or why the query could not be read."""

    query: Path
    matches: list[Match] = field(default_factory=list)
    error: str | None = None


@dataclass
class _Query:
    path: Path
    vectors: list[np.ndarray] = field(default_factory=list)  # the query and its turned copies
    content: int | None = None
    error: str | None = None


class Library:
    """A library folder (catalogue + index) and the model that fills it."""

    def __init__(
        self, directory: Path, embedder: OnnxEmbedder | None = None, *, readonly: bool = False
    ) -> None:
        """Open (creating if needed) the library in ``directory``.

        Args:
            directory: the library folder.
            embedder: the model; the bundled one by default (loaded on first use).
            readonly: for a reader beside the writer thread (the desktop app's queries): the
                catalogue is opened read-only and the index is never written to disk.

        Raises:
            KnownError: when the folder cannot be created or the catalogue cannot be opened.
        """
        try:
            directory.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise KnownError(f"cannot create the library folder {directory}: {exc}") from exc
        self.directory = directory
        self.readonly = readonly
        self.catalog: Catalog = open_catalog(directory / CATALOG_FILE, readonly=readonly)
        self._embedder = embedder
        self._index: VectorIndex | None = None
        self._last_save = time.monotonic()
        # Once no vector of an older model is left, none can appear while this model runs.
        self._stale_vectors_done = False

    @property
    def embedder(self) -> OnnxEmbedder:
        """The model (created on first use: loading it takes a moment)."""
        if self._embedder is None:
            self._embedder = OnnxEmbedder()
        return self._embedder

    @property
    def model_id(self) -> str:
        """The id of the model whose vectors this library searches."""
        return self.embedder.model_id

    @property
    def index_path(self) -> Path:
        """Where the vector index file lives."""
        return self.directory / INDEX_FILE

    # -- folders -------------------------------------------------------------------------

    def add_folder(self, path: Path) -> Folder:
        """Watch ``path`` (which must be an existing folder)."""
        folder = path.expanduser().absolute()
        if not folder.is_dir():
            raise KnownError(f"not a folder: {folder}")
        return self.catalog.add_folder(folder)

    def remove_folder(self, path: Path) -> None:
        """Stop watching ``path`` and forget its photos (the files are not touched)."""
        folder = path.expanduser().absolute()
        if not self.catalog.remove_folder(folder):
            raise KnownError(f"not a watched folder: {folder}")
        if self._index is not None:  # the catalogue dropped the folder's vectors: follow it
            reconcile(self._index, self.catalog.vector_ids(self.model_id), self.catalog.vectors_for)

    def folders(self) -> list[Folder]:
        """The watched folders."""
        return self.catalog.folders()

    # -- indexing ------------------------------------------------------------------------

    def scan(
        self, stop: threading.Event | None = None, on_progress: ProgressSink | None = None
    ) -> list[ScanReport]:
        """Scan every watched folder (mark and sweep); progress counts the files seen."""
        reports = []
        progress = Progress(phase="scanning")
        for folder in self.catalog.folders():
            report = scan_folder(self.catalog, folder, stop, _scan_counter(progress, on_progress))
            self.catalog.set_folder_scan(folder.id, folder.watch_mode, time.time())
            reports.append(report)
        return reports

    def index_pending(
        self, stop: threading.Event | None = None, on_progress: ProgressSink | None = None
    ) -> Progress:
        """Embed every pending photo, then tidy up and save the index."""
        self._record_model()
        index = self.index

        def report(progress: Progress) -> None:
            self._save_index_if_due()
            if on_progress is not None:
                on_progress(progress)

        progress = index_pending(self.catalog, self.embedder, index, stop, report)
        self._reembed_stale(stop, report)
        if stop is None or not stop.is_set():
            self.collect_orphans()
        self.save_index()
        return progress

    def _reembed_stale(self, stop: threading.Event | None, report: ProgressSink) -> None:
        """Recompute vectors made by another model (after an upgrade), in the background.

        Search keeps working meanwhile over the vectors already recomputed: the index only
        ever holds the current model's vectors.
        """
        if self._stale_vectors_done:
            return
        model_id = self.model_id
        stale = self.catalog.stale_model_count(model_id)
        if not stale:
            self._stale_vectors_done = True
        else:
            log.info("recomputing %d vectors made by an older model", stale)
            index_pending(
                self.catalog,
                self.embedder,
                self.index,
                stop,
                report,
                fetch=lambda n: self.catalog.contents_needing_model(model_id, n),
                total=stale,
            )

    def retry_failed(self, paths: Sequence[Path] | None = None) -> int:
        """Send failed photos back to the queue."""
        return self.catalog.retry_failed(None if paths is None else [p.absolute() for p in paths])

    def collect_orphans(self) -> None:
        """Forget vectors no photo uses any more, in the catalogue and the index."""
        gone = self.catalog.gc_orphan_contents()
        if gone and self._index is not None:
            self._index.remove(np.asarray(gone, dtype=np.uint64))

    # -- the index -----------------------------------------------------------------------

    @property
    def index(self) -> VectorIndex:
        """The vector index, opened and brought in step with the catalogue on first use."""
        if self._index is None:
            self._index = self._open_index()
        return self._index

    def _open_index(self) -> VectorIndex:
        keys = self.catalog.vector_ids(self.model_id)
        if self.index_path.exists():
            try:
                index = VectorIndex.load(self.index_path, self._ndim())
            except KnownError as exc:
                log.warning("rebuilding the search index: %s", exc)
            else:
                changed = reconcile(index, keys, self.catalog.vectors_for)
                if changed:
                    log.info("search index brought up to date (%d changes)", changed)
                return index
        index = build_index(keys, self.catalog.vectors_for, self._ndim())
        if not self.readonly:
            self._save(index)
        return index

    def _ndim(self) -> int:
        return self.embedder.card.feature_dim

    def save_index(self) -> None:
        """Write the index file if it is open (a read-only library never writes)."""
        if self._index is not None and not self.readonly:
            self._save(self._index)

    def _save(self, index: VectorIndex) -> None:
        index.save(self.index_path)
        self._last_save = time.monotonic()

    def _save_index_if_due(self) -> None:
        if time.monotonic() - self._last_save > INDEX_SAVE_INTERVAL_S:
            self.save_index()

    def _record_model(self) -> None:
        if self.catalog.get_meta(MODEL_ID_KEY) != self.model_id:
            self.catalog.set_meta(MODEL_ID_KEY, self.model_id)

    # -- questions -----------------------------------------------------------------------

    def similar(self, images: Sequence[Path], k: int = 10) -> list[SimilarResult]:
        """Find the ``k`` photos most like each image (in the library or not), best first."""
        queries = self._queries([image.expanduser().absolute() for image in images])
        vectors = [v for q in queries for v in q.vectors]
        hits = iter(
            self.index.search(np.stack(vectors), k + EXTRA_CANDIDATES, self.catalog.vectors_for)
            if vectors
            else []
        )
        results = []
        for query in queries:
            if not query.vectors:
                results.append(SimilarResult(query.path, error=query.error))
                continue
            best = _best_per_key([next(hits) for _ in query.vectors])
            results.append(SimilarResult(query.path, self._matches(query, best, k)))
        return results

    def _queries(self, paths: list[Path]) -> list[_Query]:
        queries = [self._stored_query(path) for path in paths]
        outside = [q for q in queries if not q.vectors]
        size = self.embedder.input_size
        decoded = (
            d for batch in decoded_batches([q.path for q in outside], size, 16) for d in batch
        )
        for query, result in zip(outside, decoded, strict=True):
            if result.photo is None:
                query.error = result.error
                continue
            turns = np.stack([np.rot90(result.photo.pixels, t) for t in QUERY_QUARTER_TURNS])
            query.vectors = [e.vector for e in self.embedder.embed_pixels(turns)]
            query.content = self.catalog.content_for_fingerprint(
                result.photo.fingerprint, self.model_id
            )
        return queries

    def _stored_query(self, path: Path) -> _Query:
        """A photo already in the library is searched with its stored vector: no inference."""
        record = self.catalog.photo_by_path(path)
        if record is None or record.state != "indexed" or record.content_id is None:
            return _Query(path)
        vector = self.catalog.vector_for_path(path, self.model_id)
        return _Query(path, [vector], record.content_id) if vector is not None else _Query(path)

    def _matches(self, query: _Query, hits: Sequence[Hit], k: int) -> list[Match]:
        photos = self.catalog.paths_for_contents([ContentId(h.key) for h in hits])
        matches = [
            Match(path, 1.0 if hit.key == query.content else hit.score, hit.key == query.content)
            for hit in hits
            for path, state in photos.get(ContentId(hit.key), [])
            if path != query.path and state != "offline"
        ]
        matches.sort(key=lambda m: (not m.exact_duplicate, -m.score))
        return matches[:k]

    # -- status --------------------------------------------------------------------------

    def status(self) -> dict[str, Any]:
        """Counts, folders, model and index facts, and the files that failed with their reasons."""
        counts = self.catalog.counts()
        return {
            "photos": counts.photos,
            "indexed": counts.indexed,
            "pending": counts.pending,
            "failed": counts.failed,
            "offline": counts.offline,
            "folders": [
                {"path": str(f.path), "online": f.online, "watch_mode": f.watch_mode}
                for f in self.catalog.folders()
            ],
            "model": self.model_id,
            "index_size": len(self.index),
            "library": str(self.directory),
            "failed_files": [
                {"path": str(f.path), "reason": f.reason} for f in self.catalog.failed()
            ],
        }

    def close(self) -> None:
        """Save the index and close the catalogue."""
        self.save_index()
        self.catalog.close()

    def __enter__(self) -> Library:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def _scan_counter(progress: Progress, sink: ProgressSink | None) -> Callable[[int], None]:
    """A callback for the scanner that turns "n more files seen" into progress reports."""

    def seen(count: int) -> None:
        progress.done += count
        if sink is not None:
            sink(progress)

    return seen


def _best_per_key(hit_lists: list[list[Hit]]) -> list[Hit]:
    """Merge the hits of a query's turned copies: each content keeps its best score."""
    best: dict[int, Hit] = {}
    for hit in (h for hits in hit_lists for h in hits):
        if hit.key not in best or hit.score > best[hit.key].score:
            best[hit.key] = hit
    return sorted(best.values(), key=lambda h: -h.score)
