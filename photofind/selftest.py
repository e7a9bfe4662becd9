"""``photofind --self-test``: load the bundled model, embed a built-in photo, search it; no window.

For support and packaging checks: it needs no library, no network and no display, and prints one
line. Exit status 0 when every check passed, 1 otherwise.
"""

from __future__ import annotations

import sys
import time
from typing import TextIO

import numpy as np

from photofind import __version__
from photofind.errors import KnownError
from photofind.resources import resource_path
from photofind.vectors.embedder import OnnxEmbedder
from photofind.vectors.index import VectorIndex

SAMPLE = ("samples", "chelsea.jpg")  # a tabby cat (CC0), see resources/samples/LICENSE-chelsea.txt
# ImageNet's domestic cats: the sample's top label must be one of them.
CAT_WNIDS = frozenset({"n02123045", "n02123159", "n02123394", "n02123597", "n02124075"})


def run_self_test(out: TextIO | None = None) -> int:
    """Run the checks and print a one-line report; return the exit status (0 passed, 1 failed)."""
    stream = out or sys.stdout
    started = time.perf_counter()
    try:
        summary = _check()
    except KnownError as exc:
        print(f"photofind {__version__} self-test: FAILED: {exc}", file=stream)
        return 1
    elapsed = time.perf_counter() - started
    print(f"photofind {__version__} self-test: ok: {summary} ({elapsed:.2f} s)", file=stream)
    return 0


def _check() -> str:
    embedder = OnnxEmbedder(threads=1)
    sample = resource_path(*SAMPLE)
    (result,) = embedder.embed_files([sample], batch_size=1, decode_workers=1)
    if result.embedding is None:
        raise KnownError(f"cannot embed the built-in sample {sample}: {result.error}")
    vector = result.embedding.vector
    _expect(vector.shape == (embedder.card.feature_dim,), f"vector shape {vector.shape}")
    norm = float(np.linalg.norm(vector))
    _expect(abs(norm - 1.0) < 1e-3, f"vector norm {norm:.4f}, expected 1")
    top = result.embedding.labels[0]
    _expect(top.wnid in CAT_WNIDS, f"the sample cat was labelled {top.name!r}")
    index = VectorIndex(vector.shape[0])
    index.add(np.array([7], dtype=np.uint64), vector[None, :])
    hits = index.search(vector, 1, lambda keys: np.repeat(vector[None, :], len(keys), axis=0))
    _expect([hit.key for hit in hits[0]] == [7], f"the index search found {hits[0]}")
    return (
        f"model {embedder.model_id}, {vector.shape[0]}-d vector (norm {norm:.3f}), "
        f"top label {top.name!r} {top.score:.0%}, index search ok"
    )


def _expect(condition: bool, problem: str) -> None:
    if not condition:
        raise KnownError(problem)
