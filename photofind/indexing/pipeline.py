"""Turn pending photos into vectors: decode ahead, skip known content, embed, commit per batch.

Each batch is one catalogue transaction, so a crash (even ``kill -9``) loses at most the batch in
flight; everything committed before it stays, and the next run picks up the photos still pending.
The vector index is updated after each commit and reconciled with the catalogue when opened, so it
can never hold a vector the catalogue does not.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from photofind.catalog.records import PhotoRecord
from photofind.catalog.repo import Catalog
from photofind.media.prefetch import Decoded, decoded_batches
from photofind.vectors.embedder import DEFAULT_BATCH_SIZE, FileResult, OnnxEmbedder
from photofind.vectors.index import VectorIndex

PENDING_CHUNK = 256  # pending rows fetched per query; decoding streams through them in batches


@dataclass
class Progress:
    """Where an indexing run stands; sent to the progress sink after every batch."""

    done: int = 0
    total: int = 0
    failed: int = 0
    reused: int = 0  # photos whose content already had a vector (copies, moves): no inference
    phase: str = "indexing"  # or "scanning": then done counts files seen and total is unknown
    started: float = field(default_factory=time.monotonic)

    @property
    def rate(self) -> float:
        """Photos per second since the start."""
        elapsed = time.monotonic() - self.started
        return self.done / elapsed if elapsed > 0 else 0.0


ProgressSink = Callable[[Progress], None]
RecordSource = Callable[[int], list[PhotoRecord]]  # up to n photos that need the model


def index_pending(
    catalog: Catalog,
    embedder: OnnxEmbedder,
    index: VectorIndex,
    stop: threading.Event | None = None,
    on_progress: ProgressSink | None = None,
    batch_size: int = DEFAULT_BATCH_SIZE,
    fetch: RecordSource | None = None,
    total: int | None = None,
) -> Progress:
    """Embed photos until none is left (or ``stop`` is set); return the final progress.

    Args:
        catalog: the writer connection.
        embedder: the model.
        index: the vector index, kept in step after each committed batch.
        stop: set it to stop after the current batch.
        on_progress: called after every batch.
        batch_size: photos per inference run.
        fetch: where the photos come from; the pending ones by default.
        total: how many photos ``fetch`` will yield, for progress (the pending count by default).
    """
    fetch = fetch or catalog.pending
    progress = Progress(total=catalog.counts().pending if total is None else total)
    while not _stopped(stop):
        records = fetch(PENDING_CHUNK)
        if not records:
            break
        by_path = {record.path: record for record in records}
        paths = list(by_path)
        for batch in decoded_batches(paths, embedder.input_size, batch_size):
            _index_batch(catalog, embedder, index, batch, by_path, progress)
            if on_progress is not None:
                on_progress(progress)
            if _stopped(stop):
                break
    return progress


def _stopped(stop: threading.Event | None) -> bool:
    return stop is not None and stop.is_set()


def _index_batch(
    catalog: Catalog,
    embedder: OnnxEmbedder,
    index: VectorIndex,
    batch: Sequence[Decoded],
    records: dict[Path, PhotoRecord],
    progress: Progress,
) -> None:
    model_id = embedder.model_id
    known = {
        d.path: content
        for d in batch
        if d.photo is not None
        and (content := catalog.content_for_fingerprint(d.photo.fingerprint, model_id)) is not None
    }
    results = embedder.embed_decoded([d for d in batch if d.path not in known])
    new_keys: list[int] = []
    new_vectors: list[np.ndarray] = []
    with catalog.transaction():
        for path, content in known.items():
            catalog.link_content(records[path].id, content)
        for result in results:
            content_id = _record(catalog, model_id, records[result.path], result)
            if content_id is not None and result.embedding is not None:
                new_keys.append(content_id)
                new_vectors.append(result.embedding.vector)
    if new_keys:
        index.add(np.asarray(new_keys, dtype=np.uint64), np.stack(new_vectors))
    _restore_reused(catalog, index, list(known.values()))
    progress.done += len(batch)
    progress.reused += len(known)
    progress.failed += sum(not r.ok for r in results)


def _restore_reused(catalog: Catalog, index: VectorIndex, contents: list[int]) -> None:
    """A reused content may have left the index while no photo used it (a move): put it back."""
    absent = index.missing(np.unique(np.asarray(contents, dtype=np.uint64)))
    if len(absent):
        index.add(absent, catalog.vectors_for(absent.astype(np.int64)))


def _record(catalog: Catalog, model_id: str, record: PhotoRecord, result: FileResult) -> int | None:
    if result.embedding is None or result.fingerprint is None or result.info is None:
        catalog.record_failed(record.id, result.error or "unknown error")
        return None
    info = result.info
    return catalog.record_indexed(
        record.id,
        result.fingerprint,
        model_id,
        result.embedding.vector,
        [
            {"name": lab.name, "wnid": lab.wnid, "score": lab.score}
            for lab in result.embedding.labels
        ],
        width=info.width,
        height=info.height,
        format=info.format,
        taken_at=info.taken_at,
        camera=info.camera,
        expected=(record.size, record.mtime_ns),
    )
