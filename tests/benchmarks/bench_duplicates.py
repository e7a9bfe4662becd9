"""Benchmark: regrouping duplicates at a new threshold over 100k stored vectors.

Run from the repository root::

    python3 tests/benchmarks/bench_duplicates.py [--size 100000] [--dims 256]

The neighbour graph (k=20 per content, found once with usearch and cached in /tmp, as the app
caches it beside its index) is the expensive part; the point measured here is that changing the
threshold only re-reads that graph and the vectors: it prints one row per threshold with the
seconds the regroup took, the groups per tier and the largest group.

Synthetic library: unit vectors drawn from a power-law spectrum (CNN features are low-rank, so
random neighbours score ~0.3-0.7, not ~0), 30% of them in near-duplicate groups of 2-8 (cosine
0.85-0.98 to their base), half of those with EXIF times seconds apart (bursts) and the rest with
one time or none (edits), plus chains of 30 gradually turning vectors (a mega-group trap).
``--dims`` defaults to 256, the PCA width the app searches in above 100k photos; the regroup cost
barely depends on it.
"""

from __future__ import annotations

import argparse
import sys
import time
from datetime import datetime, timedelta
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO))

from photofind.analysis.duplicates import DuplicateRules, find_duplicates  # noqa: E402
from photofind.analysis.neighbours import (  # noqa: E402
    NeighbourGraph,
    load_graph,
    save_graph,
    update_graph,
)
from photofind.catalog.groups import GroupPhoto  # noqa: E402
from photofind.catalog.records import ContentId  # noqa: E402
from photofind.vectors.native import import_usearch_index  # noqa: E402

CACHE = Path("/tmp/photofind-bench-duplicates")
K = 20
THRESHOLDS = (0.75, 0.80, 0.85, 0.90, 0.95)
T0 = datetime(2024, 1, 1)


def unit(v: np.ndarray) -> np.ndarray:
    out: np.ndarray = (v / np.linalg.norm(v, axis=-1, keepdims=True)).astype(np.float32)
    return out


def library(size: int, dims: int, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """(vectors, capture seconds or NaN) of a synthetic library (see the module docstring)."""
    spectrum = np.arange(1, dims + 1, dtype=np.float32) ** -0.3
    mean = unit(rng.standard_normal(dims)) * 3.0  # random pairs ~0.30, like real features

    def draw(n: int) -> np.ndarray:
        return mean + rng.standard_normal((n, dims), dtype=np.float32) * spectrum

    vectors, times = [], []
    in_groups = int(size * 0.3)
    chains = size // 1000
    vectors.append(unit(draw(size - in_groups - chains * 30)))
    times.append(np.full(len(vectors[-1]), np.nan))
    left, clock = in_groups, 0.0
    while left > 0:
        n = min(left, int(rng.integers(2, 9)))
        base = unit(draw(1))
        spread = rng.uniform(0.15, 0.4, (n, 1)).astype(np.float32)
        vectors.append(unit(base + spread * unit(draw(n) - mean) * 1.5))
        clock += 3600
        burst = rng.random() < 0.5
        times.append(clock + (np.cumsum(rng.uniform(0.5, 2, n)) if burst else np.zeros(n)))
        left -= n
    for _ in range(chains):
        a, b = unit(draw(2))
        turns = np.linspace(0, 1, 30)[:, None]
        vectors.append(unit((1 - turns) * a + turns * b))
        times.append(np.full(30, np.nan))
    return np.concatenate(vectors), np.concatenate(times)


def neighbour_graph(vectors: np.ndarray, key: str) -> tuple[NeighbourGraph, float]:
    cached = CACHE / f"graph-{key}.npz"
    graph = load_graph(cached, key)
    if graph is not None:
        return graph, float("nan")
    usearch = import_usearch_index()
    started = time.perf_counter()
    index = usearch.Index(ndim=vectors.shape[1], metric="cos", dtype="f16", connectivity=16)
    ids = np.arange(len(vectors), dtype=np.int64)
    index.add(ids.astype(np.uint64), vectors, threads=2)

    def search(queries: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        found = index.search(vectors[queries], K + 1, threads=2)
        keys = np.asarray(found.keys, dtype=np.int64)[:, 1:]  # the query itself comes first
        scores = np.einsum("qd,qkd->qk", vectors[queries], vectors[np.maximum(keys, 0)])
        return np.where(keys >= 0, keys, -1), np.where(keys >= 0, scores, -np.inf)

    graph = update_graph(None, ids, search, K)
    took = time.perf_counter() - started
    CACHE.mkdir(parents=True, exist_ok=True)
    save_graph(cached, graph, key)
    return graph, took


def photos_of(times: np.ndarray) -> list[GroupPhoto]:
    return [
        GroupPhoto(
            Path(f"/bench/{i:07d}.jpg"),
            ContentId(i),
            2_000_000,
            i,
            4000,
            3000,
            "JPEG",
            None if np.isnan(t) else T0 + timedelta(seconds=float(t)),
        )
        for i, t in enumerate(times)
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", type=int, default=100_000)
    parser.add_argument("--dims", type=int, default=256)
    args = parser.parse_args()
    vectors, times = library(args.size, args.dims, np.random.default_rng(0))
    graph, took = neighbour_graph(vectors, f"{args.size}-{args.dims}-k{K}")
    photos = photos_of(times)
    built = "cached" if np.isnan(took) else f"{took:.0f} s"
    print(f"{len(vectors)} vectors, {args.dims}-d, k={K} neighbour graph: {built}\n")
    print("| threshold | regroup s | near groups | moment groups | in groups | largest |")
    print("|---|---|---|---|---|---|")
    for threshold in THRESHOLDS:
        started = time.perf_counter()
        rules = DuplicateRules(threshold=threshold, moment_threshold=min(threshold, 0.75))
        groups = find_duplicates(photos, graph, vectors, rules)
        seconds = time.perf_counter() - started
        near = sum(g.tier == "near" for g in groups)
        moment = sum(g.tier == "moment" for g in groups)
        members = sum(len(g.paths) for g in groups)
        largest = max((len(g.paths) for g in groups), default=0)
        print(f"| {threshold:.2f} | {seconds:.2f} | {near} | {moment} | {members} | {largest} |")


if __name__ == "__main__":
    main()
