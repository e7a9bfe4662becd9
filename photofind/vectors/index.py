"""The approximate nearest-neighbour index: a usearch HNSW graph over content vectors.

The index is a cache. The catalogue holds every vector; this file only makes search fast, so it is
saved atomically, checked against the catalogue's keys when opened, and brought back in step by
adding what is missing and removing what is gone (which is also how it recovers after a crash).

Large libraries are searched in a reduced space: a PCA projection fitted on the library's own
vectors and stored beside the index (``*.projection.npy``). Candidates found there are re-ranked
with exact cosine similarities of the full vectors, so scores are always exact.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from photofind.errors import KnownError
from photofind.vectors.native import import_usearch_index

# Below this many vectors the full 1280-d vectors are indexed as float16 (50k x 2.5 KB = 128 MB);
# above it they are projected to PROJECTED_DIMS first. Measured at 100k (bench_library.py): the
# 256-d projection matches full-dimension recall with a quarter of the memory and 2x faster search.
PROJECT_ABOVE = 50_000
PROJECTED_DIMS = 256
PCA_SAMPLE = 50_000  # vectors used to fit the projection: more changes the basis very little
CANDIDATES_PER_RESULT = 4  # re-rank 4k approximate candidates exactly to return k results
CONNECTIVITY = 16
EXPANSION_ADD = 128
# Search width (usearch's expansion_search), by index size. Measured (bench_library.py, k=10):
# 100k vectors: recall@10 0.93-0.94 with 64 in every layout, 0.98-0.99 with 128 (+0.4 ms);
# 1M vectors (PCA-256): 0.887 with 128, 0.948 with 256, 0.981 with 512 at p95 8.1 ms.
EXPANSION_SEARCH = 128
WIDE_SEARCH_ABOVE = 200_000
WIDE_EXPANSION_SEARCH = 512
BUILD_CHUNK = 20_000  # vectors read from the catalogue at a time while building (100 MB)

VectorLookup = Callable[[np.ndarray], np.ndarray]  # content ids -> their full unit vectors


@dataclass(frozen=True, slots=True)
class Hit:
    """One search result: a content id and its exact cosine similarity to the query."""

    key: int
    score: float


class VectorIndex:
    """An HNSW index keyed by content id, optionally in a PCA-reduced space.

    Thread affinity: mutations come from the single writer thread; searches from any thread.
    A lock serialises them because usearch's concurrent add/search is not something we test.
    """

    def __init__(self, ndim: int, projection: np.ndarray | None = None) -> None:
        """Create an empty index for ``ndim``-dimensional unit vectors.

        Args:
            ndim: the embedding size (1280 for EfficientNet-Lite0).
            projection: optional (ndim x k) matrix; vectors are indexed as ``v @ projection``.
        """
        self._ndim = ndim
        self._projection = projection
        self._lock = threading.Lock()
        self._index = _new_usearch_index(projection.shape[1] if projection is not None else ndim)
        self._layout_saved = False  # whether the projection file on disk is this index's

    @property
    def projected(self) -> bool:
        """Whether vectors are searched in a reduced space."""
        return self._projection is not None

    def __len__(self) -> int:
        with self._lock:
            return len(self._index)

    def keys(self) -> np.ndarray:
        """Every key in the index (uint64, unordered)."""
        with self._lock:
            return np.asarray(self._index.keys, dtype=np.uint64)

    def missing(self, keys: np.ndarray) -> np.ndarray:
        """Those of ``keys`` that are not in the index."""
        keys = np.asarray(keys, dtype=np.uint64)
        if len(keys) == 0:
            return keys
        with self._lock:
            present = np.asarray(self._index.contains(keys), dtype=bool)
        absent: np.ndarray = keys[~present]
        return absent

    def add(self, keys: np.ndarray, vectors: np.ndarray) -> None:
        """Add or replace vectors under ``keys``."""
        if len(keys) == 0:
            return
        # Identical files share one content: a batch may name the same key twice.
        keys, first = np.unique(np.asarray(keys, dtype=np.uint64), return_index=True)
        reduced = self._reduce(np.asarray(vectors, dtype=np.float32)[first])
        with self._lock:
            present = np.asarray(self._index.contains(keys), dtype=bool)
            if present.any():
                self._index.remove(keys[present])
            self._index.add(keys, reduced, threads=1)

    def remove(self, keys: np.ndarray) -> None:
        """Remove ``keys`` (absent keys are ignored)."""
        if len(keys) == 0:
            return
        with self._lock:
            self._index.remove(np.asarray(keys, dtype=np.uint64))

    def search(
        self, queries: np.ndarray, k: int, full_vectors: VectorLookup, threads: int = 1
    ) -> list[list[Hit]]:
        """Find the ``k`` nearest contents of each query, scored by exact cosine similarity.

        Args:
            queries: (n x ndim) unit vectors.
            k: results wanted per query.
            full_vectors: returns the full vectors of candidate keys, for exact re-ranking.
            threads: usearch threads for a batch of queries (0: all cores). One suits
                interactive search beside the indexer; batch jobs pass 0.
        """
        queries = np.atleast_2d(np.asarray(queries, dtype=np.float32))
        with self._lock:
            size = len(self._index)
            if size == 0 or k <= 0:
                return [[] for _ in queries]
            wanted = min(size, k * CANDIDATES_PER_RESULT)
            self._index.expansion_search = search_width(size)
            matches = self._index.search(self._reduce(queries), wanted, threads=threads)
        keys = np.atleast_2d(np.asarray(matches.keys))
        return [
            _rerank(query, row, k, full_vectors) for query, row in zip(queries, keys, strict=True)
        ]

    def save(self, path: Path) -> None:
        """Write the index atomically: a crash leaves the old file or the new one, never a mix.

        When the layout (projection) changed, the old graph is deleted before the new projection
        is written, so a crash in between leaves no graph to pair with the wrong basis.
        """
        if not self._layout_saved:
            path.unlink(missing_ok=True)
            if self._projection is not None:
                _atomic_save_npy(projection_path(path), self._projection)
            else:
                projection_path(path).unlink(missing_ok=True)
            self._layout_saved = True
        if len(self) == 0:
            # usearch 2.25 corrupts the heap (abort) loading a saved index whose every vector was
            # removed; an empty index is rebuilt from the catalogue in no time, so write none.
            path.unlink(missing_ok=True)
            return
        tmp = path.with_name(path.name + ".tmp")
        with self._lock:
            self._index.save(str(tmp))
        _fsync_file(tmp)
        os.replace(tmp, path)

    def _reduce(self, vectors: np.ndarray) -> np.ndarray:
        if self._projection is None:
            return vectors
        reduced: np.ndarray = (vectors @ self._projection).astype(np.float32)
        return reduced

    @classmethod
    def load(cls, path: Path, ndim: int) -> VectorIndex:
        """Open a saved index.

        Raises:
            KnownError: when the file is missing, unreadable or of the wrong shape (the caller
                rebuilds it from the catalogue).
        """
        projection = _load_projection(path)
        index = cls(ndim, projection)
        try:
            index._index.load(str(path))
        except (RuntimeError, ValueError, OSError) as exc:
            raise KnownError(f"the search index {path} cannot be read ({exc})") from exc
        expected = projection.shape[1] if projection is not None else ndim
        if index._index.ndim != expected:
            raise KnownError(f"the search index {path} has {index._index.ndim} dimensions")
        index._layout_saved = True
        return index


def search_width(size: int) -> int:
    """How widely to search an index of ``size`` vectors to keep recall@10 near 0.98."""
    return WIDE_EXPANSION_SEARCH if size > WIDE_SEARCH_ABOVE else EXPANSION_SEARCH


def build_index(keys: np.ndarray, vectors_of: VectorLookup, ndim: int) -> VectorIndex:
    """Build a fresh index over ``keys``, reading their vectors in chunks (bounded memory).

    The layout is chosen by size: above ``PROJECT_ABOVE`` a PCA projection is fitted on a sample.
    """
    keys = np.asarray(keys, dtype=np.int64)
    projection = None
    if len(keys) > PROJECT_ABOVE:
        sample = np.random.default_rng(0).choice(keys, min(PCA_SAMPLE, len(keys)), replace=False)
        projection = fit_projection(vectors_of(np.sort(sample)))
    index = VectorIndex(ndim, projection)
    for start in range(0, len(keys), BUILD_CHUNK):
        chunk = keys[start : start + BUILD_CHUNK]
        index.add(chunk.astype(np.uint64), vectors_of(chunk))
    return index


def fit_projection(vectors: np.ndarray, dims: int = PROJECTED_DIMS) -> np.ndarray:
    """PCA basis (ndim x dims) of ``vectors`` (a sample of the library), not mean-centred.

    The mean is not subtracted: cosine similarity of unit vectors is an inner product, and an
    uncentred basis keeps the shared direction that inner products depend on. The basis comes from
    the eigenvectors of the (ndim x ndim) Gram matrix, summed in chunks: memory stays bounded
    whatever the number of vectors, and it is far faster than an SVD of the sample.
    """
    ndim = vectors.shape[1]
    gram = np.zeros((ndim, ndim), dtype=np.float64)
    for start in range(0, len(vectors), BUILD_CHUNK):
        chunk = vectors[start : start + BUILD_CHUNK].astype(np.float64)
        gram += chunk.T @ chunk
    _, eigenvectors = np.linalg.eigh(gram)  # ascending eigenvalues
    basis: np.ndarray = eigenvectors[:, ::-1][:, :dims].astype(np.float32)
    return basis


def reconcile(index: VectorIndex, catalogue_keys: np.ndarray, vectors_of: VectorLookup) -> int:
    """Bring ``index`` in step with the catalogue's keys; return how many keys changed."""
    wanted = np.asarray(catalogue_keys, dtype=np.uint64)
    present = index.keys()
    missing = np.setdiff1d(wanted, present, assume_unique=True)
    extra = np.setdiff1d(present, wanted, assume_unique=True)
    index.remove(extra)
    if len(missing):
        index.add(missing, vectors_of(missing.astype(np.int64)))
    return int(len(missing) + len(extra))


def projection_path(index_path: Path) -> Path:
    """Where the projection matrix of an index lives."""
    return index_path.with_name(index_path.name + ".projection.npy")


def _rerank(query: np.ndarray, candidates: np.ndarray, k: int, full: VectorLookup) -> list[Hit]:
    keys = candidates[candidates != np.iinfo(np.uint64).max].astype(np.int64)
    if len(keys) == 0:
        return []
    scores = full(keys) @ query
    order = np.argsort(-scores, kind="stable")[:k]
    return [Hit(int(keys[i]), float(scores[i])) for i in order]


def _new_usearch_index(ndim: int) -> Any:
    usearch = import_usearch_index()
    return usearch.Index(
        ndim=ndim,
        metric="cos",
        dtype="f16",
        connectivity=CONNECTIVITY,
        expansion_add=EXPANSION_ADD,
        expansion_search=EXPANSION_SEARCH,
    )


def _load_projection(path: Path) -> np.ndarray | None:
    file = projection_path(path)
    if not file.exists():
        return None
    try:
        projection: np.ndarray = np.load(file)
    except (OSError, ValueError) as exc:
        raise KnownError(f"the index projection {file} cannot be read ({exc})") from exc
    return projection


def _atomic_save_npy(path: Path, array: np.ndarray) -> None:
    tmp = path.with_name(path.name + ".tmp")
    with tmp.open("wb") as handle:
        np.save(handle, array)
        handle.flush()
        os.fsync(handle.fileno())
    os.replace(tmp, path)


def _fsync_file(path: Path) -> None:
    with path.open("rb+") as handle:
        os.fsync(handle.fileno())
