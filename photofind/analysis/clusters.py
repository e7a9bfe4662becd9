"""Visual clusters: the whole library for browsing (k-means), and one result list's sub-groups.

The library is clustered with usearch's k-means (cosine, SIMD, multi-threaded) into about
``sqrt(n / 2)`` clusters, the usual rule of thumb: 100k photos give ~220 clusters of ~450. Each
cluster's representative is the member closest to its centroid. A "find similar" result list is
split with complete linkage (every pair in a sub-group alike), which needs no cluster count.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from photofind.analysis.linkage import all_pairs, complete_linkage
from photofind.vectors.native import import_usearch_index

KMEANS_MAX_ITERATIONS = 100  # k-means moves little after this on CNN features
KMEANS_MAX_SECONDS = 60.0
# usearch's k-means lands in a poor local minimum (two true clusters merged) in ~1 run of 5 on
# small inputs; the best of a few seeds (lowest total distance) fixes that. Big libraries, where
# one run takes tens of seconds and a stray merge among hundreds of clusters matters less, get one.
KMEANS_RESTART_BUDGET = 50_000  # vectors x restarts
KMEANS_MAX_RESTARTS = 5
SUBCLUSTER_THRESHOLD = 0.75  # result photos this alike (same scene or subject) share a sub-group


@dataclass(frozen=True)
class Cluster:
    """Rows of one cluster; ``representative`` is the row closest to the centroid."""

    representative: int
    members: np.ndarray  # int64 rows, the representative first, then by closeness


def cluster_count(count: int) -> int:
    """How many clusters a library of ``count`` contents is split into."""
    return max(1, min(count, round(math.sqrt(count / 2))))


def cluster_vectors(vectors: np.ndarray, count: int | None = None, seed: int = 0) -> list[Cluster]:
    """Split unit ``vectors`` into about ``count`` clusters (default :func:`cluster_count`).

    Returns:
        The non-empty clusters, largest first.
    """
    n = len(vectors)
    if n == 0:
        return []
    count = cluster_count(n) if count is None else max(1, min(count, n))
    assignment = np.zeros(n, dtype=np.int64) if count == 1 else _kmeans(vectors, count, seed)
    clusters = [_cluster(vectors, np.flatnonzero(assignment == c)) for c in np.unique(assignment)]
    return sorted(clusters, key=lambda c: (-len(c.members), c.representative))


def _kmeans(vectors: np.ndarray, count: int, seed: int) -> np.ndarray:
    usearch = import_usearch_index()
    data = np.ascontiguousarray(vectors, dtype=np.float32)
    restarts = max(1, min(KMEANS_MAX_RESTARTS, KMEANS_RESTART_BUDGET // len(data)))
    best: tuple[float, np.ndarray] | None = None
    for attempt in range(restarts):
        assignment, distances, _ = usearch.kmeans(
            data,
            count,
            metric="cos",
            dtype="f32",
            max_iterations=KMEANS_MAX_ITERATIONS,
            max_seconds=KMEANS_MAX_SECONDS,
            seed=seed + attempt,
        )
        inertia = float(np.sum(distances))
        if best is None or inertia < best[0]:
            best = (inertia, np.asarray(assignment, dtype=np.int64).reshape(-1))
    assert best is not None  # restarts >= 1
    return best[1]


def _cluster(vectors: np.ndarray, rows: np.ndarray) -> Cluster:
    members = vectors[rows].astype(np.float32)
    centroid = members.mean(axis=0)
    closeness = members @ (centroid / max(float(np.linalg.norm(centroid)), 1e-12))
    ordered = rows[np.argsort(-closeness, kind="stable")].astype(np.int64)
    return Cluster(int(ordered[0]), ordered)


def subclusters(vectors: np.ndarray, threshold: float = SUBCLUSTER_THRESHOLD) -> list[list[int]]:
    """Split a result list (its unit ``vectors``, best match first) into groups of alike photos.

    Every pair inside a group has cosine >= ``threshold``; a photo alike to nothing else is a
    group of its own. Groups keep the result order inside, and are ordered by their best result.
    """
    n = len(vectors)
    if n == 0:
        return []
    matrix = vectors.astype(np.float32) @ vectors.astype(np.float32).T
    pairs = all_pairs(n)
    scores = matrix[pairs[:, 0], pairs[:, 1]]
    alike = scores >= threshold

    def linked(a: Sequence[int], b: Sequence[int]) -> bool:
        return bool((matrix[np.ix_(list(a), list(b))] >= threshold).all())

    groups = complete_linkage(pairs[alike], scores[alike], linked, max_size=n)
    grouped = {row for group in groups for row in group}
    singles = [[row] for row in range(n) if row not in grouped]
    return sorted([*groups, *singles], key=lambda g: g[0])
