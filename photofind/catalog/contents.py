"""File contents and their vectors: recording model results, sharing them, and reading them back."""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import datetime
from pathlib import Path
from typing import Any

import numpy as np

from photofind.catalog.records import (
    ContentId,
    PhotoId,
    PhotoRecord,
    PhotoState,
    chunks,
    decode_path,
    encode_path,
    placeholders,
)
from photofind.catalog.store import PHOTO_COLUMNS, Store, photo_from_row
from photofind.errors import BugError

_VECTOR_DTYPE = np.dtype("<f4")  # little-endian on every machine, so a catalogue can be copied


class ContentStore(Store):
    """Content and vector operations of the catalogue (``contents.id`` keys the usearch index)."""

    def record_indexed(
        self,
        photo_id: PhotoId,
        fingerprint: str,
        model_id: str,
        vector: np.ndarray,
        labels: Sequence[dict[str, Any]],
        *,
        width: int | None = None,
        height: int | None = None,
        format: str | None = None,
        taken_at: datetime | None = None,
        camera: str | None = None,
        expected: tuple[int, int] | None = None,
    ) -> ContentId | None:
        """Store what the model made of a photo and mark the photo ``indexed``.

        The content is shared by fingerprint: if it already has a vector for ``model_id`` the photo
        is just linked to it; otherwise its vector, labels and metadata are (re)written. A content
        the photo no longer uses is deleted if nothing else references it.

        Args:
            photo_id: The photo that was read.
            fingerprint: Hex blake2b of the file's bytes.
            model_id: The embedder that produced ``vector``.
            vector: 1-D embedding (stored as float32).
            labels: JSON-able ``{"name", "wnid", "score"}`` dicts.
            width: Pixel width (``PhotoInfo`` fields follow).
            height: Pixel height.
            format: Image format name.
            taken_at: When the photo was taken (EXIF).
            camera: Camera make and model.
            expected: ``(size, mtime_ns)`` the file had when it was read; if the row now says
                otherwise the file changed meanwhile, so the result is stale: nothing is linked and
                the photo stays pending.

        Returns:
            The content id, or None if the photo row is gone or changed meanwhile (nothing linked).
        """
        blob = vector_blob(vector)
        info = (width, height, format, None if taken_at is None else taken_at.isoformat(), camera)
        with self._db.transaction():
            if not self._photo_matches(photo_id, expected):
                return None
            row = self._db.one(
                "SELECT id, model_id, vector IS NOT NULL AS has_vector FROM contents "
                "WHERE fingerprint = ?",
                (fingerprint,),
            )
            values = (model_id, blob, json.dumps(list(labels)), *info)
            if row is None:
                cursor = self._db.execute(
                    "INSERT INTO contents (model_id, vector, labels, width, height, format, "
                    "taken_at, camera, fingerprint) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    (*values, fingerprint),
                )
                content_id = ContentId(int(cursor.lastrowid or 0))
            else:
                content_id = ContentId(row["id"])
                if row["model_id"] != model_id or not row["has_vector"]:
                    self._db.execute(
                        "UPDATE contents SET model_id = ?, vector = ?, labels = ?, width = ?, "
                        "height = ?, format = ?, taken_at = ?, camera = ? WHERE id = ?",
                        (*values, content_id),
                    )
            self._link(photo_id, content_id)
        return content_id

    def _photo_matches(self, photo_id: PhotoId, expected: tuple[int, int] | None) -> bool:
        row = self._db.one("SELECT size, mtime_ns FROM photos WHERE id = ?", (photo_id,))
        return row is not None and (expected is None or (row[0], row[1]) == tuple(expected))

    def _link(self, photo_id: PhotoId, content_id: ContentId) -> bool:
        old = self._db.scalar("SELECT content_id FROM photos WHERE id = ?", (photo_id,))
        changed = self._db.execute(
            "UPDATE photos SET content_id = ?, state = 'indexed', error = NULL, attempts = 0, "
            "updated_at = ? WHERE id = ?",
            (content_id, self._now(), photo_id),
        ).rowcount
        if old != content_id:
            self._drop_orphans([old])
        return changed > 0

    def content_for_fingerprint(self, fingerprint: str, model_id: str) -> ContentId | None:
        """Return the content with this fingerprint if it has a ``model_id`` vector."""
        found = self._db.scalar(
            "SELECT id FROM contents WHERE fingerprint = ? AND model_id = ? AND vector IS NOT NULL",
            (fingerprint, model_id),
        )
        return None if found is None else ContentId(found)

    def link_content(self, photo_id: PhotoId, content_id: ContentId) -> bool:
        """Link a photo to an existing content and mark it ``indexed``; False if it is gone."""
        with self._db.transaction():
            return self._link(photo_id, content_id)

    def vectors(self, model_id: str) -> tuple[np.ndarray, np.ndarray]:
        """Return ``(ids, matrix)``: the referenced contents with a ``model_id`` vector.

        Offline photos' contents are included (the caller decides whether to show them). ``ids`` is
        int64 (content ids, ascending); ``matrix`` is float32 ``(n, dim)``; both empty (``(0,)`` and
        ``(0, 0)``) if there is nothing.

        Raises:
            BugError: The stored vectors of one model do not all have the same length.
        """
        rows = self._db.all(
            "SELECT id, vector FROM contents c WHERE model_id = ? AND vector IS NOT NULL "
            "AND EXISTS (SELECT 1 FROM photos p WHERE p.content_id = c.id) ORDER BY id",
            (model_id,),
        )
        ids = np.fromiter((row[0] for row in rows), dtype=np.int64, count=len(rows))
        if not rows:
            return ids, np.zeros((0, 0), dtype=np.float32)
        blobs = [bytes(row[1]) for row in rows]
        if len({len(blob) for blob in blobs}) != 1:
            raise BugError(f"vectors of model {model_id!r} have different lengths")
        flat = np.frombuffer(b"".join(blobs), dtype=_VECTOR_DTYPE)
        return ids, flat.reshape(len(rows), -1).astype(np.float32)  # a writable copy

    def vector_ids(self, model_id: str) -> np.ndarray:
        """Ids (int64, ascending) of the referenced contents that have a ``model_id`` vector."""
        rows = self._db.all(
            "SELECT id FROM contents c WHERE model_id = ? AND vector IS NOT NULL "
            "AND EXISTS (SELECT 1 FROM photos p WHERE p.content_id = c.id) ORDER BY id",
            (model_id,),
        )
        return np.fromiter((row[0] for row in rows), dtype=np.int64, count=len(rows))

    def vector_for_path(self, path: Path, model_id: str) -> np.ndarray | None:
        """Return the ``model_id`` vector of the photo at ``path``, or None."""
        blob = self._db.scalar(
            "SELECT c.vector FROM photos p JOIN contents c ON c.id = p.content_id "
            "WHERE p.path = ? AND c.model_id = ?",
            (encode_path(path), model_id),
        )
        return None if blob is None else np.frombuffer(blob, dtype=_VECTOR_DTYPE).astype(np.float32)

    def paths_for_contents(
        self, content_ids: Sequence[ContentId]
    ) -> dict[ContentId, list[tuple[Path, PhotoState]]]:
        """Return the photos ``(path, state)`` of each content, by path (unknown ids left out)."""
        found: dict[ContentId, list[tuple[Path, PhotoState]]] = {}
        for chunk in chunks(list(content_ids)):
            rows = self._db.all(
                f"SELECT content_id, path, state FROM photos WHERE content_id IN "
                f"({placeholders(len(chunk))}) ORDER BY path",
                tuple(chunk),
            )
            for row in rows:
                found.setdefault(ContentId(row[0]), []).append((decode_path(row[1]), row[2]))
        return found

    def contents_needing_model(self, model_id: str, limit: int) -> list[PhotoRecord]:
        """Return one ``indexed`` photo per content whose vector is not ``model_id``'s, to re-embed.

        Running :meth:`record_indexed` on the returned photo updates the shared content for all its
        photos. Only ``indexed`` photos are offered, so a file that fails (:meth:`record_failed`)
        drops out and the loop ends; contents seen only through offline or failed photos wait.
        """
        rows = self._db.all(
            f"SELECT {PHOTO_COLUMNS} FROM photos WHERE id IN (SELECT min(p.id) FROM photos p "
            "JOIN contents c ON c.id = p.content_id "
            "WHERE p.state = 'indexed' AND c.model_id IS NOT ? "
            "GROUP BY c.id ORDER BY c.id LIMIT ?) ORDER BY id",
            (model_id, limit),
        )
        return [photo_from_row(row) for row in rows]

    def stale_model_count(self, model_id: str) -> int:
        """Return how many contents :meth:`contents_needing_model` still has to offer."""
        return int(
            self._db.scalar(
                "SELECT count(DISTINCT p.content_id) FROM photos p "
                "JOIN contents c ON c.id = p.content_id "
                "WHERE p.state = 'indexed' AND c.model_id IS NOT ?",
                (model_id,),
            )
        )

    def gc_orphan_contents(self) -> list[ContentId]:
        """Delete every content no photo references; return their ids (to drop from the index)."""
        with self._db.transaction():
            rows = self._db.all(
                "DELETE FROM contents WHERE NOT EXISTS "
                "(SELECT 1 FROM photos WHERE photos.content_id = contents.id) RETURNING id"
            )
        return [ContentId(int(row[0])) for row in rows]

    def vectors_for(self, content_ids: np.ndarray) -> np.ndarray:
        """Return the stored vectors of ``content_ids``, in that order (float32 ``(n, dim)``).

        Raises:
            BugError: One of the ids has no vector.
        """
        ids = [int(i) for i in content_ids]
        found: dict[int, bytes] = {}
        for chunk in chunks(ids):
            rows = self._db.all(
                f"SELECT id, vector FROM contents WHERE id IN ({placeholders(len(chunk))}) "
                "AND vector IS NOT NULL",
                tuple(chunk),
            )
            found.update((int(row[0]), bytes(row[1])) for row in rows)
        missing = [i for i in ids if i not in found]
        if missing:
            raise BugError(f"contents without a vector: {missing[:5]}")
        flat = np.frombuffer(b"".join(found[i] for i in ids), dtype=_VECTOR_DTYPE)
        return flat.reshape(len(ids), -1).astype(np.float32)


def vector_blob(vector: np.ndarray) -> bytes:
    """Return the stored form of an embedding (little-endian float32 bytes).

    Raises:
        BugError: The vector is not 1-D or is empty.
    """
    array = np.asarray(vector)
    if array.ndim != 1 or array.size == 0:
        raise BugError(f"a vector must be 1-D and non-empty, not of shape {array.shape}")
    return array.astype(_VECTOR_DTYPE, copy=False).tobytes()
