"""Benchmark: the search index at library scale (10k, 100k, 1M photos) on synthetic vectors.

Run from the repository root::

    python3 tests/benchmarks/bench_library.py [--sizes 10000,100000,1000000] [--queries 200]

It prints a markdown table. The script is a set of sections (functions returning rows); today there
is one, ``bench_index``; indexing throughput of real photos and the watcher's time-to-searchable can
be added beside it.

Synthetic vectors that look like real ones
------------------------------------------
Isotropic Gaussian vectors are a poor stand-in for CNN features: they have no low-rank structure,
so PCA looks useless and HNSW behaves differently. Instead:

1. Seed sample: the JPEGs in ../shared/photos plus random augmentations of them (random resized
   crops, flips, colour/brightness/contrast jitter, made with Pillow and written as small JPEGs)
   are embedded with the real model (``OnnxEmbedder.embed_files``): ~1000 real 1280-d features.
2. Spectrum: the seed's mean ``mu`` and the SVD of the centred seed give principal directions
   ``U`` and standard deviations ``s`` (the seed's rank is ~900). A power law ``s_i = a * i^-b`` is
   fitted to ``s`` over components 6 to rank/2; the seed's own ``s`` is kept up to rank/2 and the
   power law is used beyond (a finite sample's spectrum falls off too fast near its rank, and is
   zero past it). ``U`` is completed to an orthonormal basis of all 1280 dimensions with random
   orthogonal directions. On the seed's photos the result matches the real features' mean pair
   cosine (0.27 vs 0.28) and PCA energy (top-256 components 96% vs 97%).
3. Sampling: ``v = mu + (U * s) @ z + noise`` with ``z ~ N(0, I)`` and a small isotropic ``noise``,
   then L2-normalised.
4. Near-duplicate groups: a share of the library (``DUPLICATE_SHARE``) comes in groups of 2-8
   vectors, a base vector plus perturbations drawn from the same spectrum scaled so that the cosine
   to the base matches what augmentations of one real photo give (measured on the seed), so the
   nearest neighbours of many photos are meaningful (bursts, edits, re-saves).

Queries are half perturbed copies of stored vectors (find-similar of a burst), half fresh samples.
The generated library is cached in /tmp as float16 (``np.save``), so reruns are fast.

What is measured per layout
---------------------------
Build time (usearch ``add`` on all cores; the app adds with one thread), RSS delta of the process
around the build (VmRSS from /proc/self/status) and usearch's ``memory_usage``, single-query
latency p50/p95 (k=10, one query per call, including the exact re-rank over the full vectors; in the
app those come from SQLite, here from an in-memory float16 array) and recall@10 against exact brute
force (numpy matmul over the full float32 vectors).
"""

from __future__ import annotations

import argparse
import dataclasses
import gc
import random
import shutil
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
from PIL import Image, ImageEnhance, ImageOps

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO))

from photofind.vectors import index as index_module  # noqa: E402
from photofind.vectors.native import import_usearch_index  # noqa: E402

SHARED_PHOTOS = REPO.parent / "shared" / "photos"
CACHE = Path("/tmp/photofind-bench-library")
NDIM = 1280
SEED_IMAGES = 1000  # real features behind the synthetic distribution
DUPLICATE_SHARE = 0.3  # share of the library in near-duplicate groups
NOISE_SHARE = 0.02  # isotropic noise, as a share of the total variance
K = 10
CHUNK = 50_000


# --------------------------------------------------------------------------------------------
# Seed features from real photos


def _augment(image: Image.Image, rng: random.Random) -> Image.Image:
    width, height = image.size
    scale = rng.uniform(0.35, 1.0)
    ratio = rng.uniform(0.75, 1.33)
    crop_w = min(width, int(width * scale * ratio**0.5))
    crop_h = min(height, int(height * scale / ratio**0.5))
    left = rng.randint(0, width - crop_w)
    top = rng.randint(0, height - crop_h)
    out = image.crop((left, top, left + crop_w, top + crop_h))
    if rng.random() < 0.5:
        out = ImageOps.mirror(out)
    out = ImageEnhance.Color(out).enhance(rng.uniform(0.6, 1.4))
    out = ImageEnhance.Brightness(out).enhance(rng.uniform(0.7, 1.3))
    out = ImageEnhance.Contrast(out).enhance(rng.uniform(0.7, 1.3))
    out.thumbnail((640, 640))
    return out


def seed_features(count: int = SEED_IMAGES) -> tuple[np.ndarray, np.ndarray]:
    """Real features of the shared photos and their augmentations, and each one's source photo."""
    cached = CACHE / f"seed-{count}.npz"
    if cached.exists():
        data = np.load(cached)
        return data["vectors"], data["sources"]
    from photofind.vectors.embedder import OnnxEmbedder

    folder = CACHE / "augmented"
    folder.mkdir(parents=True, exist_ok=True)
    originals = sorted(SHARED_PHOTOS.glob("*.jpg"))
    rng = random.Random(0)
    paths: list[Path] = []
    sources: list[int] = []
    per_photo = max(1, count // len(originals))
    for number, original in enumerate(originals):
        with Image.open(original) as opened:
            image = ImageOps.exif_transpose(opened).convert("RGB")
            image.thumbnail((1600, 1600))
        for copy in range(per_photo):
            path = folder / f"{number:03d}-{copy:03d}.jpg"
            out = image.copy() if copy == 0 else _augment(image, rng)
            if copy == 0:
                out.thumbnail((640, 640))
            out.save(path, quality=90)
            paths.append(path)
            sources.append(number)
    started = time.perf_counter()
    results = list(OnnxEmbedder().embed_files(paths))
    took = time.perf_counter() - started
    print(f"embedded {len(paths)} seed images in {took:.0f} s", file=sys.stderr)
    keep = [i for i, result in enumerate(results) if result.embedding is not None]
    vectors = np.stack([results[i].embedding.vector for i in keep]).astype(np.float32)  # type: ignore[union-attr]
    source_ids = np.asarray(sources)[keep]
    np.savez(cached, vectors=vectors, sources=source_ids)
    return vectors, source_ids


# --------------------------------------------------------------------------------------------
# Synthetic library


@dataclass(frozen=True)
class Spectrum:
    """A Gaussian model of real features: mean, orthonormal directions and their deviations."""

    mean: np.ndarray  # (ndim,)
    basis: np.ndarray  # (ndim, ndim), columns are directions
    deviations: np.ndarray  # (ndim,)
    noise: float  # isotropic noise deviation per dimension
    duplicate_scale: float  # perturbation size (in units of the spectrum) for near-duplicates
    seed_rank: int
    power_law: tuple[float, float]  # (a, b) of s_i = a * i^-b

    def sample(self, count: int, rng: np.random.Generator) -> np.ndarray:
        """``count`` unit vectors from the model (unnormalised centres plus noise, normalised)."""
        return _normalise(self.centres(count, rng) + self.noise_of(count, rng))

    def centres(self, count: int, rng: np.random.Generator) -> np.ndarray:
        """Unnormalised draws ``mean + (U * s) @ z``."""
        z = rng.standard_normal((count, len(self.deviations)), dtype=np.float32)
        return self.mean + (z * self.deviations) @ self.basis.T  # type: ignore[no-any-return]

    def perturbation(self, count: int, rng: np.random.Generator) -> np.ndarray:
        """Offsets drawn from the same spectrum, scaled to near-duplicate size."""
        z = rng.standard_normal((count, len(self.deviations)), dtype=np.float32)
        offsets: np.ndarray = (z * self.deviations) @ self.basis.T * self.duplicate_scale
        return offsets

    def noise_of(self, count: int, rng: np.random.Generator) -> np.ndarray:
        """Small isotropic noise."""
        noise: np.ndarray = rng.standard_normal((count, len(self.mean)), dtype=np.float32)
        return noise * self.noise


def _normalise(vectors: np.ndarray) -> np.ndarray:
    norms = np.linalg.norm(vectors, axis=1, keepdims=True)
    unit: np.ndarray = (vectors / np.maximum(norms, 1e-12)).astype(np.float32)
    return unit


def fit_spectrum(seed: np.ndarray, sources: np.ndarray) -> Spectrum:
    """Fit the generator to real features (see the module docstring)."""
    count, ndim = seed.shape
    mean = seed.mean(axis=0)
    _, singular, vt = np.linalg.svd(seed - mean, full_matrices=False)
    sample_dev = singular / np.sqrt(count - 1)
    rank = int((sample_dev > sample_dev[0] * 1e-4).sum())
    # Power law over the middle of the sample spectrum (the head is a few dominant directions,
    # the last part of a finite sample's spectrum falls off faster than the population's).
    lo, hi = 5, max(6, rank // 2)
    idx = np.arange(lo, hi) + 1.0
    slope, intercept = np.polyfit(np.log(idx), np.log(sample_dev[lo:hi]), 1)
    law = np.exp(intercept) * np.arange(1, ndim + 1, dtype=np.float64) ** slope
    deviations = law.copy()
    deviations[:hi] = sample_dev[:hi]
    # Complete the seed's directions to an orthonormal basis of the whole space.
    rng = np.random.default_rng(1)
    directions = vt[:rank].T
    extra = rng.standard_normal((ndim, ndim - rank))
    extra -= directions @ (directions.T @ extra)
    q, _ = np.linalg.qr(extra)
    basis = np.concatenate([directions, q], axis=1).astype(np.float32)
    noise = float(np.sqrt(0.02 * (deviations**2).sum() / ndim))
    spectrum = Spectrum(
        mean.astype(np.float32),
        basis,
        deviations.astype(np.float32),
        noise,
        0.0,
        rank,
        (float(np.exp(intercept)), float(-slope)),
    )
    # Near-duplicates as close as augmentations of one real photo are to each other.
    sims = []
    for source in np.unique(sources):
        members = seed[sources == source]
        if len(members) > 1:
            sims.append(members[1:] @ members[0])
    target = float(np.median(np.concatenate(sims)))
    scale = _calibrate_duplicates(spectrum, target)
    return dataclasses.replace(spectrum, duplicate_scale=scale)


def _calibrate_duplicates(spectrum: Spectrum, target: float) -> float:
    rng = np.random.default_rng(2)
    base = spectrum.centres(2000, rng)
    z = rng.standard_normal((2000, len(spectrum.deviations)), dtype=np.float32)
    offsets = (z * spectrum.deviations) @ spectrum.basis.T
    lo, hi = 0.0, 2.0
    for _ in range(30):
        mid = (lo + hi) / 2
        sim = np.median(np.sum(_normalise(base) * _normalise(base + mid * offsets), axis=1))
        lo, hi = (mid, hi) if sim > target else (lo, mid)
    return (lo + hi) / 2


def _library_chunk(spectrum: Spectrum, count: int, rng: np.random.Generator) -> np.ndarray:
    """``count`` vectors: singletons, then near-duplicate groups of 2-8."""
    in_groups = int(count * DUPLICATE_SHARE)
    parts = [spectrum.sample(count - in_groups, rng)]
    left = in_groups
    while left > 0:
        size = min(left, int(rng.integers(2, 9)))
        base = spectrum.centres(1, rng)
        spread = rng.uniform(0.4, 1.2, size=(size, 1)).astype(np.float32)
        members = base + spectrum.perturbation(size, rng) * spread + spectrum.noise_of(size, rng)
        parts.append(_normalise(members))
        left -= size
    return np.concatenate(parts)


def synthetic_library(spectrum: Spectrum, size: int) -> np.ndarray:
    """A (size x ndim) float16 library, cached in /tmp; smaller sizes reuse a larger cache."""
    for cached in sorted(CACHE.glob("library-*.npy"), key=lambda p: int(p.stem.split("-")[1])):
        if int(cached.stem.split("-")[1]) >= size:
            prefix: np.ndarray = np.load(cached, mmap_mode="r")[:size]
            return prefix
    path = CACHE / f"library-{size}.npy"
    tmp = path.with_suffix(".tmp.npy")
    out = np.lib.format.open_memmap(tmp, mode="w+", dtype=np.float16, shape=(size, NDIM))
    started = time.perf_counter()
    for number, start in enumerate(range(0, size, CHUNK)):
        stop = min(size, start + CHUNK)
        out[start:stop] = _library_chunk(
            spectrum, stop - start, np.random.default_rng(100 + number)
        )
    out.flush()
    del out
    tmp.rename(path)
    print(f"generated {size} vectors in {time.perf_counter() - started:.0f} s", file=sys.stderr)
    library: np.ndarray = np.load(path, mmap_mode="r")
    return library


def make_queries(
    spectrum: Spectrum, library: np.ndarray, count: int, rng: np.random.Generator
) -> np.ndarray:
    """Half perturbed copies of stored vectors, half fresh samples."""
    near = count // 2
    picked = library[np.sort(rng.choice(len(library), near, replace=False))].astype(np.float32)
    copies = picked + 0.5 * spectrum.perturbation(near, rng) + spectrum.noise_of(near, rng)
    return np.concatenate([_normalise(copies), spectrum.sample(count - near, rng)])


def exact_top(library: np.ndarray, queries: np.ndarray, k: int) -> np.ndarray:
    """Exact top-k keys per query by brute force (chunked float32 matmul)."""
    best_keys = np.zeros((len(queries), 0), dtype=np.int64)
    best_scores = np.zeros((len(queries), 0), dtype=np.float32)
    for start in range(0, len(library), CHUNK * 2):
        chunk = np.asarray(library[start : start + CHUNK * 2], dtype=np.float32)
        scores = queries @ chunk.T
        top = np.argpartition(-scores, min(k, scores.shape[1] - 1), axis=1)[:, :k]
        best_keys = np.concatenate([best_keys, top + start], axis=1)
        best_scores = np.concatenate([best_scores, np.take_along_axis(scores, top, 1)], axis=1)
        keep = np.argsort(-best_scores, axis=1)[:, :k]
        best_keys = np.take_along_axis(best_keys, keep, 1)
        best_scores = np.take_along_axis(best_scores, keep, 1)
    return best_keys


# --------------------------------------------------------------------------------------------
# Index layouts


@dataclass(frozen=True)
class Layout:
    """One way to index: optional PCA dims, usearch dtype, graph connectivity."""

    name: str
    dims: int | None
    dtype: str = "f16"
    connectivity: int = index_module.CONNECTIVITY
    searches: tuple[tuple[int, int], ...] = field(
        default=((2, 64), (4, 64), (8, 64), (4, 128), (8, 128))
    )  # (candidates per result, expansion_search)


LAYOUTS = (
    Layout("full-1280 f16", None),
    Layout("full-1280 i8", None, "i8"),
    Layout("pca-256 f16", 256),
    Layout("pca-256 i8", 256, "i8"),
    Layout("pca-128 f16", 128),
    Layout("pca-256 f16 M32", 256, connectivity=32),
    Layout("pca-256 i8 M32", 256, "i8", connectivity=32),
)
BIG_LAYOUTS = ("pca-256 f16", "pca-128 f16")  # the only ones built at 1M by default


def rss_mb() -> float:
    """This process's resident set size (VmRSS) in MiB."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def build_layout(
    layout: Layout, library: np.ndarray
) -> tuple[Any, np.ndarray | None, dict[str, float]]:
    """Build an index over ``library`` as ``layout``; return it, its projection and costs."""
    usearch = import_usearch_index()
    gc.collect()
    before = rss_mb()
    started = time.perf_counter()
    projection = None
    if layout.dims:  # fitted on a sample, as build_index does
        rng = np.random.default_rng(0)
        sample = np.sort(
            rng.choice(len(library), min(index_module.PCA_SAMPLE, len(library)), False)
        )
        projection = index_module.fit_projection(library[sample], layout.dims)
    fitted = time.perf_counter() - started
    index = usearch.Index(
        ndim=layout.dims or NDIM,
        metric="cos",
        dtype=layout.dtype,
        connectivity=layout.connectivity,
        expansion_add=index_module.EXPANSION_ADD,
        expansion_search=index_module.EXPANSION_SEARCH,
    )
    for start in range(0, len(library), CHUNK):
        chunk = np.asarray(library[start : start + CHUNK], dtype=np.float32)
        reduced = chunk @ projection if projection is not None else chunk
        index.add(np.arange(start, start + len(chunk), dtype=np.uint64), reduced, threads=0)
    built = time.perf_counter() - started
    gc.collect()
    costs = {
        "fit_s": fitted,
        "build_s": built,
        "rss_mb": rss_mb() - before,
        "usearch_mb": index.memory_usage / 2**20,
        "file_mb": index.serialized_length / 2**20,
    }
    return index, projection, costs


def time_searches(
    index: Any,
    projection: np.ndarray | None,
    full: np.ndarray,
    queries: np.ndarray,
    truth: np.ndarray,
    candidates: int,
    expansion: int,
) -> dict[str, float]:
    """Single-query latency (search + exact re-rank) and recall@K for one search setting."""
    index.expansion_search = expansion

    def lookup(keys: np.ndarray) -> np.ndarray:
        return full[keys].astype(np.float32)  # type: ignore[no-any-return]

    latencies = []
    found = 0
    for query, expected in zip(queries, truth, strict=True):
        started = time.perf_counter()
        reduced = query @ projection if projection is not None else query
        matches = index.search(reduced, K * candidates, threads=1)
        hits = index_module._rerank(query, np.asarray(matches.keys), K, lookup)
        latencies.append(time.perf_counter() - started)
        found += len({hit.key for hit in hits} & set(expected.tolist()))
    ms = np.asarray(latencies) * 1000
    return {
        "p50_ms": float(np.percentile(ms, 50)),
        "p95_ms": float(np.percentile(ms, 95)),
        "recall": found / (K * len(queries)),
    }


def bench_index(
    sizes: list[int],
    queries: int,
    layouts: tuple[Layout, ...] = LAYOUTS,
    big_layouts: tuple[str, ...] = BIG_LAYOUTS,
) -> list[dict[str, Any]]:
    """Rows of build cost, memory, latency and recall per size, layout and search setting."""
    seed, sources = seed_features()
    spectrum = fit_spectrum(seed, sources)
    print(
        f"seed {seed.shape}, rank {spectrum.seed_rank}, power law a={spectrum.power_law[0]:.3g} "
        f"b={spectrum.power_law[1]:.3g}, duplicate scale {spectrum.duplicate_scale:.3f}",
        file=sys.stderr,
    )
    synthetic_library(spectrum, max(sizes))  # generate the largest once; smaller are prefixes
    rows: list[dict[str, Any]] = []
    for size in sizes:
        library = np.array(synthetic_library(spectrum, size))  # in RAM: the re-rank lookup
        query_vectors = make_queries(spectrum, library, queries, np.random.default_rng(size))
        truth = exact_top(library, query_vectors, K)
        for layout in layouts:
            if size > 100_000 and layout.name not in big_layouts:
                continue
            index, projection, costs = build_layout(layout, library)
            for candidates, expansion in layout.searches:
                timing = time_searches(
                    index, projection, library, query_vectors, truth, candidates, expansion
                )
                row = {"size": size, "layout": layout.name, "cand": candidates, "ef": expansion}
                rows.append(row | costs | timing)
                print(_format_row(rows[-1]), file=sys.stderr, flush=True)
            del index
            gc.collect()
        del library
        gc.collect()
    return rows


# --------------------------------------------------------------------------------------------
# Output

COLUMNS: tuple[tuple[str, str, Callable[[Any], str]], ...] = (
    ("size", "photos", lambda v: f"{v:,}"),
    ("layout", "layout", str),
    ("cand", "cand/k", str),
    ("ef", "ef_search", str),
    ("build_s", "build s", lambda v: f"{v:.1f}"),
    ("fit_s", "PCA fit s", lambda v: f"{v:.1f}"),
    ("rss_mb", "RSS delta MB", lambda v: f"{v:.0f}"),
    ("usearch_mb", "usearch MB", lambda v: f"{v:.0f}"),
    ("file_mb", "file MB", lambda v: f"{v:.0f}"),
    ("p50_ms", "p50 ms", lambda v: f"{v:.2f}"),
    ("p95_ms", "p95 ms", lambda v: f"{v:.2f}"),
    ("recall", "recall@10", lambda v: f"{v:.3f}"),
)


def _format_row(row: dict[str, Any]) -> str:
    return "| " + " | ".join(fmt(row[key]) for key, _, fmt in COLUMNS) + " |"


def markdown(rows: list[dict[str, Any]]) -> Iterator[str]:
    """The rows as a markdown table."""
    yield "| " + " | ".join(title for _, title, _ in COLUMNS) + " |"
    yield "|" + "|".join("---" for _ in COLUMNS) + "|"
    for row in rows:
        yield _format_row(row)


# -- the engine: initial indexing throughput and time to searchable --------------------------


def bench_indexing(count: int) -> list[dict[str, Any]]:
    """Initial indexing of a folder of 12 MP JPEGs: the whole engine vs the bare embedder."""
    from photofind.indexing.library import Library
    from photofind.vectors.embedder import OnnxEmbedder
    from tests.benchmarks.bench_embed import make_twelve_megapixel_jpegs

    embedder = OnnxEmbedder()
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp) / "photos"
        folder.mkdir()
        paths = make_twelve_megapixel_jpegs(folder, count)
        list(embedder.embed_files(paths[:4]))  # warm-up: session creation
        start = time.perf_counter()
        list(embedder.embed_files(paths))
        bare = count / (time.perf_counter() - start)
        with Library(Path(tmp) / "lib", embedder) as library:
            library.add_folder(folder)
            start = time.perf_counter()
            library.scan()
            progress = library.index_pending()
            engine = count / (time.perf_counter() - start)
        assert progress.done == count
        assert progress.failed == 0
    return [
        {"what": "embed only (decode + model)", "photos/s": round(bare, 1), "vs embed": "1.00x"},
        {
            "what": "photofind index (scan + embed + catalogue + index)",
            "photos/s": round(engine, 1),
            "vs embed": f"{engine / bare:.2f}x",
        },
    ]


def bench_time_to_searchable(samples: int) -> list[dict[str, Any]]:
    """Seconds from a photo landing in a watched folder to its vector being in the catalogue."""
    from photofind.catalog.repo import open_catalog
    from photofind.indexing.library import Library
    from photofind.indexing.service import IndexerService
    from photofind.vectors.embedder import OnnxEmbedder

    embedder = OnnxEmbedder()
    sources = sorted(SHARED_PHOTOS.glob("*.jpg"))[:samples] if SHARED_PHOTOS.is_dir() else []
    delays: list[float] = []
    with tempfile.TemporaryDirectory() as tmp:
        folder, lib = Path(tmp) / "photos", Path(tmp) / "lib"
        folder.mkdir()
        if not sources:
            sources = _skimage_jpegs(Path(tmp), samples)
        with Library(lib, embedder) as library:
            library.add_folder(folder)
        idle = threading.Event()
        service = IndexerService(lib, on_idle=idle.set, embedder=embedder)
        service.start()
        try:
            idle.wait(60)
            reader = open_catalog(lib / "catalog.sqlite", readonly=True)
            for i, source in enumerate(sources):
                target = folder / f"new_{i}.jpg"
                start = time.perf_counter()
                shutil.copyfile(source, target)
                while reader.vector_for_path(target, embedder.model_id) is None:
                    time.sleep(0.005)
                delays.append(time.perf_counter() - start)
            reader.close()
        finally:
            service.stop()
    delays.sort()
    median = delays[len(delays) // 2]
    return [{"photos": len(delays), "median s": round(median, 2), "max s": round(delays[-1], 2)}]


def _skimage_jpegs(folder: Path, count: int) -> list[Path]:
    from tests.photos import PHOTO_NAMES, load_skimage_photo

    paths = []
    for i in range(count):
        path = folder / f"source_{i}.jpg"
        load_skimage_photo(PHOTO_NAMES[i % len(PHOTO_NAMES)]).save(path, quality=90 - i)
        paths.append(path)
    return paths


def _print_table(title: str, rows: list[dict[str, Any]]) -> None:
    """A markdown table whose columns are the rows' keys."""
    print(f"\n{title}\n")
    print("| " + " | ".join(rows[0]) + " |")
    print("|" + "|".join("---" for _ in rows[0]) + "|")
    for row in rows:
        print("| " + " | ".join(str(value) for value in row.values()) + " |")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--sizes", default="10000,100000,1000000")
    parser.add_argument("--queries", type=int, default=200)
    parser.add_argument("--layouts", default="", help="comma-separated layout names (default all)")
    parser.add_argument("--big-layouts", default=",".join(BIG_LAYOUTS), help="layouts at >100k")
    parser.add_argument(
        "--searches", default="", help="candidates:ef pairs to time, e.g. 4:128,4:256 (default: 5)"
    )
    parser.add_argument(
        "--sections",
        default="indexing,searchable,index",
        help="which parts to run: indexing (12 MP JPEGs), searchable (watcher), index (search)",
    )
    parser.add_argument("--photos", type=int, default=24, help="12 MP JPEGs to index")
    args = parser.parse_args(argv)
    sections = set(args.sections.split(","))
    if "indexing" in sections:
        _print_table(f"Initial indexing, {args.photos} JPEGs of 12 MP", bench_indexing(args.photos))
    if "searchable" in sections:
        _print_table(
            "New photo in a watched folder -> searchable (target < 2 s)",
            bench_time_to_searchable(10),
        )
    if "index" not in sections:
        return
    sizes = [int(s) for s in args.sizes.split(",") if s]
    wanted = {name.strip() for name in args.layouts.split(",") if name.strip()}
    layouts = tuple(layout for layout in LAYOUTS if not wanted or layout.name in wanted)
    if args.searches:
        pairs = tuple(
            (int(c), int(e)) for c, e in (pair.split(":") for pair in args.searches.split(","))
        )
        layouts = tuple(dataclasses.replace(layout, searches=pairs) for layout in layouts)
    big = tuple(name.strip() for name in args.big_layouts.split(","))
    rows = bench_index(sizes, args.queries, layouts, big)
    print(f"\nSearch index, k={K}, {args.queries} single queries (half perturbed copies of stored")
    print("vectors, half fresh samples); re-rank lookup from an in-memory float16 array (the app")
    print("reads SQLite); build adds on all cores; RSS delta includes the PCA fit's transients.\n")
    for line in markdown(rows):
        print(line)


if __name__ == "__main__":
    main()
