"""Duplicate tiers, tight bounded groups, the chain case, keeper order and the neighbour graph."""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path

import numpy as np
import pytest

from photofind.analysis.duplicates import DuplicateRules, find_duplicates, keeper_order
from photofind.analysis.linkage import complete_linkage
from photofind.analysis.neighbours import (
    NeighbourGraph,
    load_graph,
    save_graph,
    update_graph,
)
from photofind.catalog.groups import GroupPhoto
from photofind.catalog.records import ContentId

DIM = 64
T0 = datetime(2024, 5, 1, 10, 0, 0)


def unit(v: np.ndarray) -> np.ndarray:
    out: np.ndarray = (v / np.linalg.norm(v, axis=-1, keepdims=True)).astype(np.float32)
    return out


def near(base: np.ndarray, cosine: float, rng: np.random.Generator) -> np.ndarray:
    """A unit vector at exactly ``cosine`` from unit ``base``."""
    noise = rng.standard_normal(DIM)
    noise -= (noise @ base) * base
    return unit(cosine * base + np.sqrt(1 - cosine**2) * unit(noise))


def exact_searcher(ids: np.ndarray, vectors: np.ndarray, k: int):
    def search(queries: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        rows = np.searchsorted(ids, queries)
        scores = vectors[rows] @ vectors.T
        scores[np.arange(len(rows)), rows] = -np.inf
        order = np.argsort(-scores, axis=1)[:, :k]
        found = np.take_along_axis(scores, order, 1).astype(np.float32)
        return np.where(np.isfinite(found), ids[order], -1), found

    return search


def graph_of(vectors: np.ndarray, k: int = 10) -> NeighbourGraph:
    ids = np.arange(1, len(vectors) + 1, dtype=np.int64)
    return update_graph(None, ids, exact_searcher(ids, vectors, k), k)


def photo(
    content: int,
    name: str,
    *,
    size: int = 100_000,
    wh: tuple[int, int] = (1000, 800),
    mtime: int = 0,
    taken: datetime | None = None,
    fmt: str = "JPEG",
) -> GroupPhoto:
    return GroupPhoto(
        Path(f"/photos/{name}"), ContentId(content), size, mtime, wh[0], wh[1], fmt, taken
    )


def tiers(groups) -> dict[str, list[list[str]]]:
    out: dict[str, list[list[str]]] = {}
    for group in groups:
        out.setdefault(group.tier, []).append([p.name for p in group.paths])
    return out


def test_keeper_is_largest_then_original_format_then_oldest() -> None:
    photos = [
        photo(1, "small.jpg", wh=(500, 400)),
        photo(1, "reencoded.jpg", size=50_000),
        photo(1, "newer.png", size=900_000, mtime=20),
        photo(1, "older.png", size=900_000, mtime=10),
    ]
    order = [p.path.name for p in keeper_order(photos)]
    assert order == ["older.png", "newer.png", "reencoded.jpg", "small.jpg"]


def test_exact_near_moment_and_unrelated_are_told_apart() -> None:
    rng = np.random.default_rng(0)
    a, unrelated, burst = unit(rng.standard_normal((3, DIM)))
    vectors = np.stack(
        [
            a,  # 1: the original (two identical files)
            near(a, 0.95, rng),  # 2: its resized copy (same EXIF time)
            near(a, 0.93, rng),  # 3: a re-encode without EXIF
            unrelated,  # 4
            burst,  # 5..7: a burst, frames very alike, seconds apart
            near(burst, 0.97, rng),
            near(burst, 0.96, rng),
        ]
    )
    photos = [
        photo(1, "a.jpg", taken=T0, mtime=1),
        photo(1, "a copy.jpg", taken=T0, mtime=2),
        photo(2, "a small.jpg", wh=(500, 400), taken=T0),
        photo(3, "a q25.jpg", size=20_000),
        photo(4, "other.jpg", taken=T0),
        photo(5, "burst0.jpg", taken=T0 + timedelta(hours=1)),
        photo(6, "burst1.jpg", taken=T0 + timedelta(hours=1, seconds=2)),
        photo(7, "burst2.jpg", taken=T0 + timedelta(hours=1, seconds=5)),
    ]
    found = tiers(find_duplicates(photos, graph_of(vectors), vectors))
    assert found == {
        "exact": [["a.jpg", "a copy.jpg"]],
        "near": [["a.jpg", "a q25.jpg", "a small.jpg"]],
        "moment": [["burst0.jpg", "burst1.jpg", "burst2.jpg"]],
    }


def test_a_burst_frame_with_an_edited_copy_nests_near_inside_moment() -> None:
    rng = np.random.default_rng(1)
    frame = unit(rng.standard_normal(DIM))
    vectors = np.stack([frame, near(frame, 0.97, rng), near(frame, 0.9, rng)])
    photos = [
        photo(1, "frame1.jpg", taken=T0),
        photo(2, "frame1 small.jpg", wh=(300, 200), taken=T0),
        photo(3, "frame2.jpg", taken=T0 + timedelta(seconds=1)),
    ]
    found = tiers(find_duplicates(photos, graph_of(vectors), vectors))
    assert found == {
        "near": [["frame1.jpg", "frame1 small.jpg"]],
        "moment": [["frame1.jpg", "frame2.jpg"]],
    }


def test_shots_far_apart_in_time_are_not_a_moment() -> None:
    rng = np.random.default_rng(2)
    base = unit(rng.standard_normal(DIM))
    vectors = np.stack([base, near(base, 0.78, rng)])  # alike, but below the near threshold
    photos = [photo(1, "x.jpg", taken=T0), photo(2, "y.jpg", taken=T0 + timedelta(seconds=30))]
    assert find_duplicates(photos, graph_of(vectors), vectors) == []


def chain(count: int, step_cosine: float) -> np.ndarray:
    """Unit vectors turning in one plane: neighbours ``step_cosine`` alike, the ends unrelated."""
    angle = np.arccos(step_cosine)
    basis = np.linalg.qr(np.random.default_rng(3).standard_normal((DIM, 2)))[0]
    turns = np.arange(count) * angle
    return unit(np.cos(turns)[:, None] * basis[:, 0] + np.sin(turns)[:, None] * basis[:, 1])


def test_a_chain_of_gradual_changes_does_not_become_one_group() -> None:
    vectors = chain(40, 0.99)
    photos = [photo(i + 1, f"step{i:02d}.jpg") for i in range(40)]
    rules = DuplicateRules(threshold=0.9)
    groups = find_duplicates(photos, graph_of(vectors, k=20), vectors, rules)
    assert len(groups) >= 4
    for group in groups:
        steps = sorted(int(p.stem[4:]) for p in group.paths)
        assert len(steps) < 40
        # complete linkage: every pair inside the group is above the threshold
        block = vectors[np.asarray(steps)] @ vectors[np.asarray(steps)].T
        assert block.min() >= 0.9 - 1e-6


def test_groups_are_capped() -> None:
    rng = np.random.default_rng(4)
    base = unit(rng.standard_normal(DIM))
    vectors = np.stack([near(base, 0.99, rng) for _ in range(30)])
    photos = [photo(i + 1, f"p{i:02d}.jpg") for i in range(30)]
    groups = find_duplicates(photos, graph_of(vectors, k=29), vectors, DuplicateRules(max_group=8))
    assert groups
    assert max(len(g.paths) for g in groups) <= 8
    assert sum(len(g.paths) for g in groups) == 30 - 30 % 8 + (30 % 8 if 30 % 8 > 1 else 0)


def test_raising_the_threshold_only_splits_groups() -> None:
    rng = np.random.default_rng(5)
    bases = unit(rng.standard_normal((20, DIM)))
    vectors = np.stack([near(b, c, rng) for b in bases for c in (1.0, 0.95, 0.88, 0.83)])
    photos = [photo(i + 1, f"p{i:03d}.jpg") for i in range(len(vectors))]
    graph = graph_of(vectors)
    counts = [
        len(find_duplicates(photos, graph, vectors, DuplicateRules(threshold=t)))
        for t in (0.7, 0.85, 0.99)
    ]
    assert counts[0] == 20
    assert counts[2] == 0


def test_complete_linkage_merges_best_pairs_first() -> None:
    pairs = np.array([[0, 1], [1, 2], [2, 3]])
    scores = np.array([0.9, 0.95, 0.9])
    groups = complete_linkage(pairs, scores, lambda a, b: False, max_size=10)
    assert groups == [[1, 2]]


def test_the_graph_updates_in_place_like_a_rebuild(tmp_path: Path) -> None:
    rng = np.random.default_rng(6)
    bases = unit(rng.standard_normal((15, DIM)))
    vectors = np.stack([near(b, c, rng) for b in bases for c in (1.0, 0.95, 0.9, 0.85)])
    ids = np.arange(1, 61, dtype=np.int64)
    full = update_graph(None, ids, exact_searcher(ids, vectors, 5), 5)
    old_ids = ids[ids % 7 != 0]  # the graph as it was before some contents were added
    old = update_graph(None, old_ids, exact_searcher(old_ids, vectors[old_ids - 1], 5), 5)
    updated = update_graph(old, ids, exact_searcher(ids, vectors, 5), 5)
    np.testing.assert_array_equal(updated.ids, full.ids)
    # the alike pairs (all that grouping reads) are the same as after a full rebuild
    for got, want in zip(updated.pairs(0.7), full.pairs(0.7), strict=True):
        np.testing.assert_allclose(got, want, rtol=1e-6)
    assert len(full.pairs(0.7)[0]) >= 15 * 3  # at least every copy with its base

    shrunk = update_graph(full, ids[10:], exact_searcher(ids, vectors, 5), 5)
    assert not np.isin(shrunk.neighbours, ids[:10]).any()

    path = tmp_path / "neighbours.npz"
    save_graph(path, full, "model-a")
    loaded = load_graph(path, "model-a")
    assert loaded is not None
    np.testing.assert_array_equal(loaded.neighbours, full.neighbours)
    assert load_graph(path, "model-b") is None
    assert load_graph(tmp_path / "missing.npz", "model-a") is None


@pytest.mark.parametrize("threshold", [0.8, 0.9])
def test_nothing_to_group(threshold: float) -> None:
    vectors = np.zeros((0, DIM), np.float32)
    graph = graph_of(vectors)
    assert find_duplicates([], graph, vectors, DuplicateRules(threshold=threshold)) == []
