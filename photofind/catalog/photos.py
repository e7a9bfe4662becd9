"""Photo rows: what the scanner saw, what failed, and files deleted, renamed or moved."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from photofind.catalog.records import (
    Counts,
    FailedPhoto,
    FolderId,
    PhotoId,
    PhotoRecord,
    chunks,
    decode_path,
    deepest_root,
    encode_dir,
    encode_path,
    is_inside,
    placeholders,
    tree_range,
)
from photofind.catalog.store import PHOTO_COLUMNS, RESTORE_STATE_SQL, Store, photo_from_row
from photofind.errors import BugError


class PhotoStore(Store):
    """Photo operations of the catalogue (mark-and-sweep scanning, failures, renames, deletions)."""

    def upsert_seen(self, path: Path, size: int, mtime_ns: int) -> tuple[PhotoId, bool]:
        """Record that the scanner saw a file; return its id and whether it needs the model.

        A new file is inserted as ``pending``. A known file whose size or mtime changed becomes
        ``pending`` (keeping its old content, so it stays findable until re-embedded; error and
        attempts are reset). An unchanged file keeps its state: ``indexed`` and ``failed`` need no
        work (retrying is explicit, see :meth:`retry_failed`), ``pending`` does, and ``offline`` is
        restored as on reconnection. The folder is the deepest watched one containing the file.

        Raises:
            BugError: No watched folder contains ``path``.
        """
        raw = encode_path(path)
        with self._db.transaction():
            row = self._db.one(
                "SELECT id, size, mtime_ns, state FROM photos WHERE path = ?", (raw,)
            )
            if row is None:
                return self._insert_pending(raw, size, mtime_ns), True
            photo_id = PhotoId(row["id"])
            if (row["size"], row["mtime_ns"]) != (size, mtime_ns):
                self._db.execute(
                    "UPDATE photos SET size = ?, mtime_ns = ?, state = 'pending', error = NULL, "
                    "attempts = 0, state_before_offline = NULL, updated_at = ? WHERE id = ?",
                    (size, mtime_ns, self._now(), photo_id),
                )
                return photo_id, True
            state = row["state"]
            if state == "offline":
                state = self._restore(photo_id)
            return photo_id, state == "pending"

    def _insert_pending(self, raw: bytes, size: int, mtime_ns: int) -> PhotoId:
        folder_id = self._root_for(raw)
        if folder_id is None:
            raise BugError(f"photo outside every watched folder: {decode_path(raw)}")
        cursor = self._db.execute(
            "INSERT INTO photos (folder_id, path, size, mtime_ns, state, updated_at) "
            "VALUES (?, ?, ?, ?, 'pending', ?)",
            (folder_id, raw, size, mtime_ns, self._now()),
        )
        return PhotoId(int(cursor.lastrowid or 0))

    def _restore(self, photo_id: PhotoId) -> str:
        """Bring one offline photo back (see ``set_folder_online``) and return its new state."""
        model = self._current_model()
        self._db.execute(
            f"UPDATE photos SET state = {RESTORE_STATE_SQL}, state_before_offline = NULL, "
            "updated_at = ? WHERE id = ?",
            (model, model, self._now(), photo_id),
        )
        return str(self._db.scalar("SELECT state FROM photos WHERE id = ?", (photo_id,)))

    def pending(self, limit: int) -> list[PhotoRecord]:
        """Return up to ``limit`` photos waiting for the model, the longest-waiting first."""
        rows = self._db.all(
            f"SELECT {PHOTO_COLUMNS} FROM photos WHERE state = 'pending' "
            "ORDER BY updated_at, id LIMIT ?",
            (limit,),
        )
        return [photo_from_row(row) for row in rows]

    def record_failed(self, photo_id: PhotoId, reason: str) -> None:
        """Mark a photo failed with a user-readable reason (counting the attempt)."""
        with self._db.transaction():
            self._db.execute(
                "UPDATE photos SET state = 'failed', error = ?, attempts = attempts + 1, "
                "updated_at = ? WHERE id = ?",
                (reason, self._now(), photo_id),
            )

    def retry_failed(self, paths: Iterable[Path] | None = None) -> int:
        """Send failed photos (all, or those at ``paths``) back to ``pending``; return how many."""
        now = self._now()
        sql = "UPDATE photos SET state = 'pending', updated_at = ? WHERE state = 'failed'"
        with self._db.transaction():
            if paths is None:
                return int(self._db.execute(sql, (now,)).rowcount)
            return self._db.executemany(
                sql + " AND path = ?", [(now, encode_path(p)) for p in paths]
            )

    def delete_paths(self, paths: Iterable[Path]) -> int:
        """Forget the photos at ``paths`` (and contents nothing else shares); return how many."""
        with self._db.transaction():
            return self._delete_photo_paths([encode_path(p) for p in paths])

    def delete_under(self, directory: Path) -> int:
        """Forget every photo inside ``directory`` (and orphaned contents); return rows deleted."""
        low, high = tree_range(encode_dir(directory))
        with self._db.transaction():
            return self._delete_photos("path >= ? AND path < ?", (low, high))

    def rename_path(self, old: Path, new: Path) -> bool:
        """Move a photo's row to a new path, keeping its id, content and state.

        A row already at ``new`` is replaced. A file moved outside every watched folder is
        forgotten.

        Returns:
            True if a row now sits at ``new``; False if ``old`` was unknown or moved out of the
            watched folders.
        """
        old_raw, new_raw = encode_path(old), encode_path(new)
        if old_raw == new_raw:
            return self.photo_by_path(old) is not None
        with self._db.transaction():
            photo_id = self._db.scalar("SELECT id FROM photos WHERE path = ?", (old_raw,))
            if photo_id is None:
                return False
            folder_id = self._root_for(new_raw)
            if folder_id is None:  # moved out of every watched folder
                self._delete_photo_paths([old_raw])
                return False
            self._delete_photo_paths([new_raw])
            self._db.execute(
                "UPDATE photos SET path = ?, folder_id = ?, updated_at = ? WHERE id = ?",
                (new_raw, folder_id, self._now(), photo_id),
            )
        return True

    def rename_tree(self, old_dir: Path, new_dir: Path) -> int:
        """Rewrite the paths of everything inside a renamed or moved directory; return photos moved.

        Ids, contents and states are kept; rows already at the new paths are replaced. Watched
        folders at or inside ``old_dir`` move too (if one already exists at the destination, the
        existing one wins). Photos that land outside every watched folder are forgotten.

        Raises:
            BugError: One directory lies inside the other (no file system can do that).
        """
        old_raw, new_raw = encode_dir(old_dir), encode_dir(new_dir)
        if old_raw == new_raw:
            return 0
        if is_inside(new_raw, old_raw) or is_inside(old_raw, new_raw):
            raise BugError(f"cannot move {old_dir} into itself or its parent {new_dir}")
        low, high = tree_range(old_raw)
        with self._db.transaction():
            dropped = self._move_folders(old_raw, new_raw)
            rows = self._db.all(
                "SELECT id, path FROM photos WHERE path >= ? AND path < ?", (low, high)
            )
            moves = [(int(r["id"]), new_raw + bytes(r["path"])[len(old_raw) :]) for r in rows]
            self._delete_photo_paths([path for _, path in moves])
            roots = self._roots()
            placed = [(path, deepest_root(path, roots), pid) for pid, path in moves]
            gone = [pid for _, folder_id, pid in placed if folder_id is None]
            self._delete_photos_by_id(gone)
            now = self._now()
            moved = self._db.executemany(
                "UPDATE photos SET path = ?, folder_id = ?, updated_at = ? WHERE id = ?",
                [(path, fid, now, pid) for path, fid, pid in placed if fid is not None],
            )
            self._db.executemany("DELETE FROM folders WHERE id = ?", [(f,) for f in dropped])
        return moved

    def _move_folders(self, old_raw: bytes, new_raw: bytes) -> list[FolderId]:
        """Re-path the watched roots at or inside ``old_raw``; return those dropped as doubles."""
        existing = {path for path, _ in self._roots()}
        dropped = []
        for path, folder_id in self._roots():
            if path != old_raw and not is_inside(path, old_raw):
                continue
            target = new_raw + path[len(old_raw) :]
            if target in existing:
                dropped.append(FolderId(folder_id))
            else:
                self._db.execute("UPDATE folders SET path = ? WHERE id = ?", (target, folder_id))
        return dropped

    def _delete_photos_by_id(self, photo_ids: list[int]) -> None:
        for chunk in chunks(photo_ids):
            self._delete_photos(f"id IN ({placeholders(len(chunk))})", tuple(chunk))

    def photo_by_path(self, path: Path) -> PhotoRecord | None:
        """Return the photo stored at ``path``, or None."""
        row = self._db.one(
            f"SELECT {PHOTO_COLUMNS} FROM photos WHERE path = ?", (encode_path(path),)
        )
        return None if row is None else photo_from_row(row)

    def paths_under(self, directory: Path) -> dict[Path, tuple[int, int]]:
        """Return ``{path: (size, mtime_ns)}`` of every photo inside ``directory``."""
        low, high = tree_range(encode_dir(directory))
        rows = self._db.all(
            "SELECT path, size, mtime_ns FROM photos WHERE path >= ? AND path < ?", (low, high)
        )
        return {decode_path(r["path"]): (int(r["size"]), int(r["mtime_ns"])) for r in rows}

    def counts(self) -> Counts:
        """Return how many photos are in each state."""
        rows = self._db.all("SELECT state, count(*) FROM photos GROUP BY state")
        by_state: dict[str, int] = {str(row[0]): int(row[1]) for row in rows}
        return Counts(
            photos=sum(by_state.values()),
            indexed=by_state.get("indexed", 0),
            pending=by_state.get("pending", 0),
            failed=by_state.get("failed", 0),
            offline=by_state.get("offline", 0),
        )

    def failed(self) -> list[FailedPhoto]:
        """Return every failed photo with its reason, sorted by path."""
        rows = self._db.all("SELECT path, error FROM photos WHERE state = 'failed' ORDER BY path")
        return [FailedPhoto(decode_path(r["path"]), r["error"] or "") for r in rows]
