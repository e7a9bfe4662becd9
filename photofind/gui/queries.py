"""Work the GUI hands to its worker threads: listings, similarity queries, folder edits.

Qt-free on purpose (the functions run on worker threads and are testable without Qt); each class
states which thread it belongs to.
"""

from __future__ import annotations

import dataclasses
import logging
import threading
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from photofind.analysis.clusters import subclusters
from photofind.analysis.labels import search
from photofind.catalog.records import PhotoId
from photofind.indexing.library import CATALOG_FILE, Library
from photofind.thumbs.listing import FolderSummary, PhotoListing, SortOrder
from photofind.vectors.embedder import OnnxEmbedder

log = logging.getLogger(__name__)

SIMILAR_K = 200  # results per query; the threshold slider filters them without asking again


LABEL_SEARCH_K = 500  # label search results shown at most


@dataclass(frozen=True, slots=True)
class ListingRequest:
    """What the grid should list."""

    order: SortOrder = SortOrder.TAKEN
    folder: Path | None = None
    name_contains: str = ""


@dataclass(frozen=True, slots=True)
class Snapshot:
    """The catalogue as the window shows it: the grid's ids, the folders and the state counts."""

    signature: tuple[int, ...]
    request: ListingRequest
    ids: list[PhotoId]
    folders: list[FolderSummary]
    counts: dict[str, int]


@dataclass(frozen=True, slots=True)
class SimilarHit:
    """One result of a similarity query."""

    photo_id: PhotoId
    path: Path
    score: float
    exact_duplicate: bool
    group: int = 0  # its visual sub-cluster within the answer (0: the best result's)


@dataclass
class SimilarAnswer:
    """The answer to "find photos like these": hits best first, and any query that failed."""

    queries: list[Path]
    hits: list[SimilarHit] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    words: str | None = None  # set for a label search ("dog"): scores are label matches


class ListingWorker:
    """Builds :class:`Snapshot` objects.

    Thread affinity: one worker thread (it opens its read-only connection there, lazily).
    """

    def __init__(self, catalog_file: Path) -> None:
        self._catalog_file = catalog_file
        self._local = threading.local()

    def _listing(self) -> PhotoListing:
        listing: PhotoListing | None = getattr(self._local, "listing", None)
        if listing is None:
            listing = PhotoListing(self._catalog_file)
            self._local.listing = listing
        return listing

    def snapshot(self, request: ListingRequest, unless: tuple[int, ...] | None) -> Snapshot | None:
        """The listing for ``request``; None when the catalogue's signature is still ``unless``."""
        listing = self._listing()
        signature = listing.signature()
        if signature == unless:
            return None
        return Snapshot(
            signature,
            request,
            listing.ids(request.order, request.folder, request.name_contains),
            listing.folders(),
            listing.state_counts(),
        )

    def failed(self) -> list[tuple[Path, str]]:
        """The files that could not be read, with their reasons."""
        return self._listing().failed()

    def close(self) -> None:
        """Close this thread's connection (call on the worker thread)."""
        listing: PhotoListing | None = getattr(self._local, "listing", None)
        if listing is not None:
            listing.close()
            self._local.listing = None


class FreshLibrary:
    """A read-only :class:`Library` that is reopened whenever the catalogue changed.

    Reopening reconciles its vector index with the photos indexed since. It never writes: the
    indexer service is the single writer.

    Thread affinity: the one thread that calls it (its connections live there).
    """

    def __init__(self, library_dir: Path, embedder: OnnxEmbedder | None = None) -> None:
        self._library_dir = library_dir
        self._embedder = embedder
        self._library: Library | None = None
        self._signature: tuple[int, ...] | None = None
        self._listing: PhotoListing | None = None

    @property
    def listing(self) -> PhotoListing:
        """A read-only listing of the same catalogue (ids, rows, change signature)."""
        if self._listing is None:
            self._listing = PhotoListing(self._library_dir / CATALOG_FILE)
        return self._listing

    def get(self) -> tuple[Library, bool]:
        """The library, and whether it was (re)opened for this call."""
        signature = self.listing.signature()
        if self._library is not None and signature == self._signature:
            return self._library, False
        self.close_library()
        self._library = Library(self._library_dir, self._embedder, readonly=True)
        self._signature = signature
        return self._library, True

    def close_library(self) -> None:
        """Close the library; it is reopened on the next call."""
        if self._library is not None:
            self._library.close()
            self._library = None

    def close(self) -> None:
        """Close the library and the listing."""
        self.close_library()
        if self._listing is not None:
            self._listing.close()
            self._listing = None


class SimilarFinder:
    """Answers similarity queries with a library of its own.

    Thread affinity: one dedicated query thread. It keeps a read-only :class:`Library` (the service
    thread is the single writer; this one never writes the catalogue or the index), and reopens it
    when the catalogue changed, so the vector index it searches is reconciled with the photos
    indexed since. The embedder (thread-safe) is shared with the indexer, so an outside image costs
    no second model load.
    """

    def __init__(self, library_dir: Path, embedder: OnnxEmbedder) -> None:
        self._fresh = FreshLibrary(library_dir, embedder)

    def find(self, images: Sequence[Path], k: int = SIMILAR_K) -> SimilarAnswer:
        """Photos like ``images`` (in the library or not), best score first, each photo once."""
        library, _ = self._fresh.get()
        best: dict[Path, tuple[float, bool]] = {}
        answer = SimilarAnswer(list(images))
        for result in library.similar(images, k):
            if result.error is not None:
                answer.errors.append(f"{result.query.name}: {result.error}")
            for match in result.matches:
                if match.path in images:
                    continue
                score = (match.score, match.exact_duplicate)
                best[match.path] = max(best.get(match.path, score), score)
        ids = self._fresh.listing.ids_for_paths(list(best))
        hits = sorted(
            (SimilarHit(ids[p], p, s, dup) for p, (s, dup) in best.items() if p in ids),
            key=lambda hit: (not hit.exact_duplicate, -hit.score),
        )
        answer.hits = with_groups(hits, library)
        return answer

    def search_labels(self, words: str, k: int = LABEL_SEARCH_K) -> SimilarAnswer:
        """Photos whose predicted labels match ``words`` ("dog" finds every breed), best first."""
        understood, found = search(self._fresh.get()[0].catalog, words, k)
        answer = SimilarAnswer([], words=words)
        if not understood.terms:
            answer.errors.append(
                f"No photo label matches “{words}”: try a common word such as dog, beach or car."
            )
        ids = self._fresh.listing.ids_for_paths([hit.path for hit in found])
        answer.hits = [
            SimilarHit(ids[hit.path], hit.path, min(1.0, hit.score), False)
            for hit in found
            if hit.path in ids
        ]
        return answer

    def close_library(self) -> None:
        """Close the library (call on the query thread); it is reopened on the next query."""
        self._fresh.close_library()

    def close(self) -> None:
        """Close everything (call on the query thread)."""
        self._fresh.close()


def with_groups(hits: list[SimilarHit], library: Library) -> list[SimilarHit]:
    """The hits with their visual sub-cluster (alike results share a group), same order."""
    found = [library.catalog.vector_for_path(hit.path, library.model_id) for hit in hits]
    vectors = {i: vector for i, vector in enumerate(found) if vector is not None}
    known = sorted(vectors)
    group_of: dict[int, int] = {}
    if known:
        stacked = np.stack([vectors[i] for i in known])
        for number, members in enumerate(subclusters(stacked)):
            group_of.update((known[m], number) for m in members)
    fresh = len(known)  # results without a stored vector get groups of their own
    grouped = []
    for i, hit in enumerate(hits):
        if i not in group_of:
            group_of[i], fresh = fresh, fresh + 1
        grouped.append(dataclasses.replace(hit, group=group_of[i]))
    return grouped
