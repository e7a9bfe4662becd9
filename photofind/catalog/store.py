"""What every part of the catalogue API shares: the connection, root lookup, orphan clean-up."""

from __future__ import annotations

import sqlite3
import time
from collections.abc import Iterable
from typing import TYPE_CHECKING

from photofind.catalog.records import (
    ContentId,
    FolderId,
    PhotoId,
    PhotoRecord,
    chunks,
    decode_path,
    deepest_root,
    placeholders,
)

if TYPE_CHECKING:
    from photofind.catalog.db import Database

# meta key: the embedder whose vectors are current (decides what 'indexed' means on reconnection)
MODEL_ID_KEY = "model_id"

PHOTO_COLUMNS = "id, path, folder_id, size, mtime_ns, content_id, state, error"

# Leaving 'offline': back to the state saved on the way in, but 'indexed' only if the vector is
# still the current model's (a meta model_id of NULL means "any vector counts"). Parameters:
# model_id, model_id.
RESTORE_STATE_SQL = """
    CASE
        WHEN coalesce(state_before_offline, 'pending') != 'indexed'
            THEN coalesce(state_before_offline, 'pending')
        WHEN EXISTS (SELECT 1 FROM contents c WHERE c.id = photos.content_id
                     AND c.vector IS NOT NULL AND (? IS NULL OR c.model_id = ?)) THEN 'indexed'
        ELSE 'pending'
    END"""


class Store:
    """Base of the catalogue mixins: holds the :class:`Database` and the helpers they share."""

    def __init__(self, db: Database) -> None:
        self._db = db

    @staticmethod
    def _now() -> float:
        return time.time()

    def _roots(self) -> list[tuple[bytes, int]]:
        """Return every watched root as ``(stored path, id)`` (a few rows: no cache needed)."""
        rows = self._db.all("SELECT path, id FROM folders")
        return [(bytes(row[0]), int(row[1])) for row in rows]

    def _root_for(self, raw: bytes) -> FolderId | None:
        """Return the deepest watched root containing stored path ``raw`` (its photo's folder)."""
        found = deepest_root(raw, self._roots())
        return None if found is None else FolderId(found)

    def _current_model(self) -> str | None:
        value = self._db.scalar("SELECT value FROM meta WHERE key = ?", (MODEL_ID_KEY,))
        return None if value is None else str(value)

    def _drop_orphans(self, content_ids: Iterable[int | None]) -> int:
        """Delete those of ``content_ids`` no photo references any more; return how many went."""
        ids = [(cid, cid) for cid in set(content_ids) if cid is not None]
        if not ids:
            return 0
        return self._db.executemany(
            "DELETE FROM contents WHERE id = ? "
            "AND NOT EXISTS (SELECT 1 FROM photos WHERE content_id = ?)",
            ids,
        )

    def _content_ids_of(self, where: str, params: tuple[object, ...]) -> list[int]:
        """Return the distinct content ids of the photos matching ``where``."""
        sql = f"SELECT DISTINCT content_id FROM photos WHERE ({where}) AND content_id IS NOT NULL"
        return [int(row[0]) for row in self._db.all(sql, params)]

    def _delete_photos(self, where: str, params: tuple[object, ...]) -> int:
        """Delete the photos matching ``where``; their contents stay until ``gc_orphan_contents``.

        Keeping an orphaned content for a while is what lets a move that arrives as "deleted" then
        "created" (a missed rename, a move between watched folders) find its vector again by
        fingerprint instead of running the model.
        """
        return int(self._db.execute(f"DELETE FROM photos WHERE {where}", params).rowcount)

    def _delete_photo_paths(self, raws: list[bytes]) -> int:
        """Delete the photos stored at ``raws`` (chunked ``IN`` lists); contents stay for now."""
        deleted = 0
        for chunk in chunks(raws):
            deleted += self._delete_photos(f"path IN ({placeholders(len(chunk))})", tuple(chunk))
        return deleted


def photo_from_row(row: sqlite3.Row) -> PhotoRecord:
    """Build a :class:`PhotoRecord` from a row selected with :data:`PHOTO_COLUMNS`."""
    return PhotoRecord(
        id=PhotoId(row["id"]),
        path=decode_path(row["path"]),
        folder_id=FolderId(row["folder_id"]),
        size=int(row["size"]),
        mtime_ns=int(row["mtime_ns"]),
        content_id=None if row["content_id"] is None else ContentId(row["content_id"]),
        state=row["state"],
        error=row["error"],
    )
