"""The HNSW index: add/replace/remove, exact re-ranked scores, atomic saves, layouts, reconcile."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from photofind.errors import KnownError
from photofind.vectors import index as index_module
from photofind.vectors.index import (
    VectorIndex,
    build_index,
    fit_projection,
    projection_path,
    reconcile,
)

NDIM = 48


def unit_vectors(count: int, seed: int = 0, ndim: int = NDIM) -> np.ndarray:
    """Unit vectors with low-rank structure (like CNN features) plus a little noise."""
    rng = np.random.default_rng(seed)
    basis = np.random.default_rng(99).standard_normal((8, ndim))
    vectors = rng.standard_normal((count, 8)) @ basis + 0.3 * rng.standard_normal((count, ndim))
    vectors += 2.0  # a shared direction, as real features have
    unit: np.ndarray = (vectors / np.linalg.norm(vectors, axis=1, keepdims=True)).astype(np.float32)
    return unit


class Catalogue:
    """Full vectors by key, standing in for the SQLite lookup."""

    def __init__(self) -> None:
        self.vectors: dict[int, np.ndarray] = {}

    def put(self, keys: np.ndarray, vectors: np.ndarray) -> None:
        for key, vector in zip(keys.tolist(), vectors, strict=True):
            self.vectors[int(key)] = vector

    def __call__(self, keys: np.ndarray) -> np.ndarray:
        return np.stack([self.vectors[int(key)] for key in keys])


def filled(count: int = 200, projection: np.ndarray | None = None) -> tuple[VectorIndex, Catalogue]:
    vectors = unit_vectors(count)
    keys = np.arange(1000, 1000 + count, dtype=np.uint64)
    index = VectorIndex(NDIM, projection)
    index.add(keys, vectors)
    catalogue = Catalogue()
    catalogue.put(keys, vectors)
    return index, catalogue


def own_key_first_rate(index: VectorIndex, catalogue: Catalogue, keys: list[int]) -> float:
    queries = catalogue(np.asarray(keys))
    results = index.search(queries, 5, catalogue)
    return float(np.mean([hits[0].key == key for hits, key in zip(results, keys, strict=True)]))


def test_add_then_search_finds_each_vector_itself_with_score_one() -> None:
    index, catalogue = filled()
    keys = list(catalogue.vectors)[:50]

    results = index.search(catalogue(np.asarray(keys)), 5, catalogue)

    assert len(index) == 200
    assert [hits[0].key for hits in results] == keys
    assert all(hits[0].score == pytest.approx(1.0, abs=1e-5) for hits in results)
    assert all(len(hits) == 5 for hits in results)


def test_scores_are_exact_dot_products_in_descending_order() -> None:
    index, catalogue = filled()
    query = unit_vectors(1, seed=7)[0]

    hits = index.search(query, 10, catalogue)[0]

    keys = np.asarray([hit.key for hit in hits])
    exact = catalogue(keys) @ query
    np.testing.assert_allclose([hit.score for hit in hits], exact, rtol=0, atol=1e-6)
    assert [hit.score for hit in hits] == sorted((hit.score for hit in hits), reverse=True)
    # The best hit is the true nearest neighbour (brute force over the catalogue).
    everything = np.asarray(list(catalogue.vectors))
    assert hits[0].key == everything[np.argmax(catalogue(everything) @ query)]


def test_search_of_an_empty_index_or_k_zero_returns_empty_lists() -> None:
    index = VectorIndex(NDIM)
    catalogue = Catalogue()
    assert index.search(unit_vectors(2), 5, catalogue) == [[], []]
    full, catalogue = filled(20)
    assert full.search(unit_vectors(1), 0, catalogue) == [[]]


def test_k_larger_than_the_index_returns_every_key_once() -> None:
    index, catalogue = filled(7)
    hits = index.search(unit_vectors(1, seed=3), 20, catalogue)[0]
    assert sorted(hit.key for hit in hits) == sorted(catalogue.vectors)


def test_remove_drops_keys_from_results_and_ignores_absent_ones() -> None:
    index, catalogue = filled()
    gone = np.asarray([1000, 1001, 1002], dtype=np.uint64)

    index.remove(np.concatenate([gone, np.asarray([5], dtype=np.uint64)]))

    assert len(index) == 197
    assert not set(gone.tolist()) & set(index.keys().tolist())
    results = index.search(catalogue(gone.astype(np.int64)), 10, catalogue)
    assert all(hit.key not in set(gone.tolist()) for hits in results for hit in hits)


def test_adding_an_existing_key_replaces_its_vector() -> None:
    index, catalogue = filled()
    key = np.asarray([1010], dtype=np.uint64)
    old = catalogue(key)[0]
    new = unit_vectors(1, seed=42)[0]

    index.add(key, new[None, :])
    catalogue.put(key, new[None, :])

    assert len(index) == 200
    assert index.keys().tolist().count(1010) == 1
    assert index.search(new, 1, catalogue)[0][0].key == 1010
    old_hits = index.search(old, 5, catalogue)[0]
    assert old_hits[0].key != 1010 or old @ new > 0.999


def test_save_and_load_round_trip(tmp_path: Path) -> None:
    index, catalogue = filled()
    path = tmp_path / "vectors.usearch"
    queries = unit_vectors(10, seed=5)

    index.save(path)
    loaded = VectorIndex.load(path, NDIM)

    assert not loaded.projected
    assert sorted(loaded.keys().tolist()) == sorted(index.keys().tolist())
    assert loaded.search(queries, 5, catalogue) == index.search(queries, 5, catalogue)


def test_save_leaves_no_temporary_file(tmp_path: Path) -> None:
    index, _ = filled(20)
    path = tmp_path / "vectors.usearch"
    index.save(path)
    index.add(np.asarray([1], dtype=np.uint64), unit_vectors(1, seed=1))
    index.save(path)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["vectors.usearch"]
    assert len(VectorIndex.load(path, NDIM)) == 21


def test_a_save_that_fails_midway_keeps_the_previous_file(tmp_path: Path) -> None:
    index, _ = filled(20)
    path = tmp_path / "vectors.usearch"
    index.save(path)
    index.add(np.asarray([1], dtype=np.uint64), unit_vectors(1, seed=1))

    class CrashError(Exception):
        pass

    real = index._index

    class HalfWriter:
        def __getattr__(self, name: str) -> object:
            return getattr(real, name)

        def __len__(self) -> int:
            return len(real)

        def save(self, target: str) -> None:
            Path(target).write_bytes(b"half a graph")
            raise CrashError

    index._index = HalfWriter()
    with pytest.raises(CrashError):
        index.save(path)

    assert len(VectorIndex.load(path, NDIM)) == 20


@pytest.mark.parametrize("content", [b"", b"not an index at all" * 10, "truncated"])
def test_a_corrupt_index_file_raises_known_error(tmp_path: Path, content: object) -> None:
    path = tmp_path / "vectors.usearch"
    if content == "truncated":
        index, _ = filled(50)
        index.save(path)
        path.write_bytes(path.read_bytes()[: path.stat().st_size // 2])
    else:
        assert isinstance(content, bytes)
        path.write_bytes(content)
    with pytest.raises(KnownError, match="cannot be read"):
        VectorIndex.load(path, NDIM)


def test_a_missing_index_file_raises_known_error(tmp_path: Path) -> None:
    with pytest.raises(KnownError):
        VectorIndex.load(tmp_path / "absent.usearch", NDIM)


def test_an_index_of_other_dimensions_raises_known_error(tmp_path: Path) -> None:
    path = tmp_path / "vectors.usearch"
    index, _ = filled(20)
    index.save(path)
    with pytest.raises(KnownError, match="dimensions"):
        VectorIndex.load(path, NDIM * 2)


def test_a_corrupt_projection_file_raises_known_error(tmp_path: Path) -> None:
    path = tmp_path / "vectors.usearch"
    index, _ = filled(20)
    index.save(path)
    projection_path(path).write_bytes(b"garbage")
    with pytest.raises(KnownError, match="projection"):
        VectorIndex.load(path, NDIM)


def test_reconcile_adds_missing_and_removes_extra_keys() -> None:
    vectors = unit_vectors(30)
    catalogue = Catalogue()
    catalogue.put(np.arange(30, dtype=np.uint64), vectors)
    index = VectorIndex(NDIM)
    index.add(np.arange(0, 20, dtype=np.uint64), vectors[:20])
    wanted = np.arange(10, 30, dtype=np.uint64)  # 0-9 were deleted, 20-29 never indexed

    changed = reconcile(index, wanted, catalogue)

    assert changed == 20
    assert sorted(index.keys().tolist()) == list(range(10, 30))
    assert index.search(vectors[25], 1, catalogue)[0][0].key == 25
    assert reconcile(index, wanted, catalogue) == 0


def test_fit_projection_is_an_orthonormal_basis_of_the_leading_directions() -> None:
    vectors = unit_vectors(500)

    basis = fit_projection(vectors, dims=8)

    assert basis.shape == (NDIM, 8)
    assert basis.dtype == np.float32
    np.testing.assert_allclose(basis.T @ basis, np.eye(8), atol=1e-4)
    # Uncentred PCA of low-rank-plus-offset data keeps most of the energy in 8 of 48 dims.
    kept = np.linalg.norm(vectors @ basis, axis=1)
    assert kept.mean() > 0.9


def test_a_projected_index_still_ranks_each_vector_first() -> None:
    vectors = unit_vectors(300)
    projection = fit_projection(vectors, dims=12)
    index, catalogue = filled(300, projection)

    assert index.projected
    assert own_key_first_rate(index, catalogue, list(catalogue.vectors)[:100]) == 1.0
    hits = index.search(vectors[3], 5, catalogue)[0]
    np.testing.assert_allclose(
        [hit.score for hit in hits], catalogue(np.asarray([h.key for h in hits])) @ vectors[3]
    )


def test_build_index_projects_only_above_the_threshold(monkeypatch: pytest.MonkeyPatch) -> None:
    vectors = unit_vectors(120)
    keys = np.arange(120, dtype=np.uint64)
    catalogue = Catalogue()
    catalogue.put(keys, vectors)
    monkeypatch.setattr(index_module, "PROJECTED_DIMS", 12)
    monkeypatch.setattr(index_module, "BUILD_CHUNK", 50)  # several chunks

    monkeypatch.setattr(index_module, "PROJECT_ABOVE", 120)
    plain = build_index(keys, catalogue, NDIM)
    assert not plain.projected
    assert sorted(plain.keys().tolist()) == list(range(120))

    monkeypatch.setattr(index_module, "PROJECT_ABOVE", 119)
    projected = build_index(keys, catalogue, NDIM)
    assert projected.projected
    assert sorted(projected.keys().tolist()) == list(range(120))
    assert own_key_first_rate(projected, catalogue, list(range(0, 120, 3))) == 1.0


def test_a_saved_projected_index_loads_back_projected(tmp_path: Path) -> None:
    vectors = unit_vectors(200)
    projection = fit_projection(vectors, dims=12)
    index, catalogue = filled(200, projection)
    path = tmp_path / "vectors.usearch"

    index.save(path)
    loaded = VectorIndex.load(path, NDIM)

    assert loaded.projected
    np.testing.assert_array_equal(np.load(projection_path(path)), projection)
    queries = vectors[:20]
    assert loaded.search(queries, 5, catalogue) == index.search(queries, 5, catalogue)


def test_a_layout_change_deletes_the_old_graph_before_writing_the_projection(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "vectors.usearch"
    plain, _ = filled(50)
    plain.save(path)
    assert path.exists()
    assert not projection_path(path).exists()

    graph_present_at_projection_write: list[bool] = []
    real_save_npy = index_module._atomic_save_npy

    def spy(target: Path, array: np.ndarray) -> None:
        graph_present_at_projection_write.append(path.exists())
        real_save_npy(target, array)

    monkeypatch.setattr(index_module, "_atomic_save_npy", spy)
    vectors = unit_vectors(50)
    projected = VectorIndex(NDIM, fit_projection(vectors, dims=12))
    projected.add(np.arange(50, dtype=np.uint64), vectors)
    projected.save(path)

    assert graph_present_at_projection_write == [False]
    assert VectorIndex.load(path, NDIM).projected


def test_a_crash_after_a_layout_change_leaves_no_graph_for_the_wrong_basis(
    tmp_path: Path,
) -> None:
    path = tmp_path / "vectors.usearch"
    plain, _ = filled(50)
    plain.save(path)
    vectors = unit_vectors(50)
    projected = VectorIndex(NDIM, fit_projection(vectors, dims=12))
    projected.add(np.arange(50, dtype=np.uint64), vectors)

    class CrashError(Exception):
        pass

    real = projected._index

    class Crashing:
        def __getattr__(self, name: str) -> object:
            return getattr(real, name)

        def __len__(self) -> int:
            return len(real)

        def save(self, target: str) -> None:
            raise CrashError

    projected._index = Crashing()
    with pytest.raises(CrashError):
        projected.save(path)

    assert projection_path(path).exists()
    assert not path.exists()
    with pytest.raises(KnownError):
        VectorIndex.load(path, NDIM)  # the caller rebuilds from the catalogue


def test_going_back_to_the_full_layout_removes_the_projection(tmp_path: Path) -> None:
    path = tmp_path / "vectors.usearch"
    vectors = unit_vectors(50)
    projected = VectorIndex(NDIM, fit_projection(vectors, dims=12))
    projected.add(np.arange(50, dtype=np.uint64), vectors)
    projected.save(path)
    assert projection_path(path).exists()

    plain, _ = filled(50)
    plain.save(path)

    assert not projection_path(path).exists()
    loaded = VectorIndex.load(path, NDIM)
    assert not loaded.projected
    assert len(loaded) == 50


def test_missing_lists_the_keys_not_in_the_index() -> None:
    index, _ = filled(10)
    asked = np.asarray([999, 1000, 1009, 1010, 5], dtype=np.uint64)
    assert index.missing(asked).tolist() == [999, 1010, 5]
    assert len(index.missing(np.asarray([], dtype=np.uint64))) == 0


def test_an_index_emptied_by_removals_saves_no_file_and_opens_cleanly(tmp_path: Path) -> None:
    # usearch 2.25 aborts the process loading such a file, so the check runs in a subprocess.
    script = f"""
import numpy as np
from pathlib import Path
from photofind.vectors.index import VectorIndex
index = VectorIndex(1280)
index.add(np.arange(1, 7, dtype=np.uint64), np.random.rand(6, 1280).astype(np.float32))
index.save(Path({str(tmp_path / "i.usearch")!r}))
index.remove(np.arange(1, 7, dtype=np.uint64))
index.save(Path({str(tmp_path / "i.usearch")!r}))
assert not Path({str(tmp_path / "i.usearch")!r}).exists()
print("ok")
"""
    repo = Path(__file__).resolve().parents[3]
    result = subprocess.run(
        [sys.executable, "-c", script], cwd=repo, capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, result.stderr[-400:]
    assert result.stdout.strip() == "ok"


def test_large_indexes_are_searched_wider() -> None:
    assert index_module.search_width(10_000) == index_module.EXPANSION_SEARCH
    assert index_module.search_width(1_000_000) == index_module.WIDE_EXPANSION_SEARCH
    assert index_module.WIDE_EXPANSION_SEARCH > index_module.EXPANSION_SEARCH
