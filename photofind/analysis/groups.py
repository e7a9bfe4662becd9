"""Duplicates and clusters of one open library, from its stored vectors (never the photos).

:class:`LibraryGroups` loads the vectors and photo facts once and keeps the neighbour graph, so
the desktop app can regroup at a new threshold in about a second; the graph is also saved beside
the index (``neighbours.npz``) so the CLI does not search the whole library on every run.

Thread affinity: the thread that owns the :class:`~photofind.indexing.library.Library`.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from photofind.analysis.clusters import cluster_vectors
from photofind.analysis.duplicates import (
    DuplicateGroup,
    DuplicateRules,
    find_duplicates,
    keeper_order,
)
from photofind.analysis.neighbours import (
    NO_NEIGHBOUR,
    NeighbourGraph,
    load_graph,
    save_graph,
    update_graph,
)

if TYPE_CHECKING:
    from pathlib import Path

    from photofind.catalog.groups import GroupPhoto
    from photofind.indexing.library import Library

log = logging.getLogger(__name__)

NEIGHBOURS = 20  # candidates per content: groups are tight, so more rarely changes a group
GRAPH_FILE = "neighbours.npz"
SEARCH_BATCH = 1024


@dataclass(frozen=True)
class PhotoCluster:
    """One visual cluster of the library: its photos and the one that shows it best."""

    id: int
    representative: Path
    paths: list[Path]


class LibraryGroups:
    """Duplicate groups and clusters over one library's stored vectors (loaded on first use)."""

    def __init__(self, library: Library, k: int = NEIGHBOURS) -> None:
        """Prepare to group ``library``'s indexed photos using ``k`` neighbours per content."""
        self._library = library
        self._k = k
        self._ids: np.ndarray | None = None
        self._vectors = np.zeros((0, 0), np.float32)
        self._photos: list[GroupPhoto] = []
        self._graph: NeighbourGraph | None = None

    def duplicates(self, rules: DuplicateRules | None = None) -> list[DuplicateGroup]:
        """Exact, near and moment groups at ``rules``' thresholds."""
        graph = self.graph()
        return find_duplicates(self._photos, graph, self._vectors, rules)

    def clusters(self) -> list[PhotoCluster]:
        """The library's visual clusters, largest first."""
        ids = self._load()
        by_content = _keepers_by_content(self._photos)
        live = np.asarray([int(i) in by_content for i in ids], dtype=bool)
        rows = np.flatnonzero(live)
        found = cluster_vectors(self._vectors[rows])
        return [
            PhotoCluster(
                number,
                by_content[int(ids[rows[c.representative]])][0].path,
                [p.path for member in c.members for p in by_content[int(ids[rows[member]])]],
            )
            for number, c in enumerate(found)
        ]

    def graph(self) -> NeighbourGraph:
        """The neighbour graph, updated from the saved one (searching only new contents)."""
        if self._graph is None:
            ids = self._load()
            path = self._library.directory / GRAPH_FILE
            model_id = self._library.model_id
            saved = load_graph(path, model_id)
            self._graph = update_graph(saved, ids, self._search, self._k)
            if saved is None or not np.array_equal(saved.ids, self._graph.ids):
                save_graph(path, self._graph, model_id)
        return self._graph

    def _load(self) -> np.ndarray:
        if self._ids is None:
            catalog = self._library.catalog
            self._ids, self._vectors = catalog.vectors(self._library.model_id)
            self._photos = catalog.group_photos()
        return self._ids

    def _lookup(self, keys: np.ndarray) -> np.ndarray:
        """Full vectors of content ids (the index may hold a few the catalogue has since lost)."""
        ids = self._load()
        keys = np.asarray(keys, dtype=np.int64)
        rows = np.minimum(np.searchsorted(ids, keys), max(len(ids) - 1, 0))
        known = ids[rows] == keys
        if known.all():
            found: np.ndarray = self._vectors[rows]
            return found
        out = np.zeros((len(keys), self._vectors.shape[1]), np.float32)
        out[known] = self._vectors[rows[known]]
        return out  # unknown keys score 0 and drop below every threshold

    def _search(self, queries: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """The ``k`` nearest other contents of content ids ``queries``, by exact cosine."""
        ids = self._load()
        neighbours = np.full((len(queries), self._k), NO_NEIGHBOUR, np.int64)
        scores = np.full((len(queries), self._k), -np.inf, np.float32)
        index = self._library.index
        log.info("finding the neighbours of %d photos", len(queries))
        for start in range(0, len(queries), SEARCH_BATCH):
            batch = queries[start : start + SEARCH_BATCH]
            rows = np.searchsorted(ids, batch)
            hits = index.search(self._vectors[rows], self._k + 1, self._lookup, threads=0)
            for offset, (query, found) in enumerate(zip(batch, hits, strict=True)):
                others = [h for h in found if h.key != query][: self._k]
                neighbours[start + offset, : len(others)] = [h.key for h in others]
                scores[start + offset, : len(others)] = [h.score for h in others]
        return neighbours, scores


def _keepers_by_content(photos: list[GroupPhoto]) -> dict[int, list[GroupPhoto]]:
    by_content: dict[int, list[GroupPhoto]] = {}
    for photo in photos:
        by_content.setdefault(int(photo.content_id), []).append(photo)
    return {content: keeper_order(members) for content, members in by_content.items()}
