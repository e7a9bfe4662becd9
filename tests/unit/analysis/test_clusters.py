"""Library clusters (usearch k-means) and the sub-groups of one result list."""

from __future__ import annotations

import numpy as np

from photofind.analysis.clusters import cluster_count, cluster_vectors, subclusters

DIM = 32


def blobs(count: int, per_blob: int, spread: float, seed: int = 0) -> np.ndarray:
    rng = np.random.default_rng(seed)
    centres = np.eye(DIM)[:count] * 3
    points = np.repeat(centres, per_blob, axis=0) + spread * rng.standard_normal(
        (count * per_blob, DIM)
    )
    out: np.ndarray = (points / np.linalg.norm(points, axis=1, keepdims=True)).astype(np.float32)
    return out


def test_cluster_count_grows_with_the_square_root_of_the_library() -> None:
    assert [cluster_count(n) for n in (1, 2, 8, 200, 100_000)] == [1, 1, 2, 10, 224]


def test_well_separated_blobs_become_one_cluster_each() -> None:
    vectors = blobs(4, 25, 0.2)
    clusters = cluster_vectors(vectors, count=4)
    assert sorted(len(c.members) for c in clusters) == [25, 25, 25, 25]
    for cluster in clusters:
        assert len({int(m) // 25 for m in cluster.members}) == 1
        centroid = vectors[cluster.members].mean(axis=0)
        closeness = vectors[cluster.members] @ centroid
        assert cluster.representative == cluster.members[int(np.argmax(closeness))]
        assert cluster.members[0] == cluster.representative


def test_every_vector_is_in_exactly_one_cluster() -> None:
    vectors = blobs(6, 30, 0.6, seed=1)
    clusters = cluster_vectors(vectors)
    members = np.concatenate([c.members for c in clusters])
    assert sorted(members.tolist()) == list(range(len(vectors)))
    assert [len(c.members) for c in clusters] == sorted(
        (len(c.members) for c in clusters), reverse=True
    )


def test_tiny_and_empty_libraries() -> None:
    assert cluster_vectors(np.zeros((0, DIM), np.float32)) == []
    one = cluster_vectors(blobs(1, 1, 0.0))
    assert len(one) == 1
    assert one[0].members.tolist() == [0]


def test_a_result_list_splits_into_groups_of_alike_photos() -> None:
    vectors = blobs(3, 4, 0.1, seed=2)
    order = np.array([0, 4, 1, 8, 5, 2, 9, 3, 6, 10, 7, 11])  # results interleave the blobs
    groups = subclusters(vectors[order])
    assert [[int(order[i]) // 4 for i in g] for g in groups] == [[0] * 4, [1] * 4, [2] * 4]
    assert all(g == sorted(g) for g in groups)


def test_a_photo_alike_to_nothing_is_a_group_of_its_own() -> None:
    vectors = np.eye(3, DIM, dtype=np.float32)
    assert subclusters(vectors) == [[0], [1], [2]]
    assert subclusters(np.zeros((0, DIM), np.float32)) == []
