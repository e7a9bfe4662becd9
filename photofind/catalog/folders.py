"""Watched root folders: adding, removing, nesting, and going offline and back online."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from photofind.catalog.records import (
    Folder,
    FolderId,
    decode_path,
    deepest_root,
    encode_dir,
    tree_range,
)
from photofind.catalog.store import RESTORE_STATE_SQL, Store

_FOLDER_COLUMNS = "id, path, online, watch_mode, last_scan_at"


class FolderStore(Store):
    """Folder operations of the catalogue.

    Nesting is allowed: each photo belongs to the *deepest* watched folder that contains it, so a
    photo is never listed twice. Adding ``/a/b`` under a watched ``/a`` moves ``/a/b``'s photos to
    the new folder; removing it hands them back to ``/a`` instead of deleting them.
    """

    def add_folder(self, path: Path) -> Folder:
        """Watch ``path`` (idempotent: an already watched folder is returned unchanged)."""
        raw = encode_dir(path)
        with self._db.transaction():
            existing = self._folder_row("path = ?", (raw,))
            if existing is not None:
                return _folder(existing)
            cursor = self._db.execute(
                "INSERT INTO folders (path, added_at) VALUES (?, ?)", (raw, self._now())
            )
            folder_id = FolderId(int(cursor.lastrowid or 0))
            low, high = tree_range(raw)
            # Adopt the photos inside it that belonged to an enclosing root; those of a root nested
            # deeper still (its folder lies inside this range too) stay where they are.
            self._db.execute(
                "UPDATE photos SET folder_id = ? WHERE path >= ? AND path < ? AND folder_id NOT IN "
                "(SELECT id FROM folders WHERE path >= ? AND path < ?)",
                (folder_id, low, high, low, high),
            )
            row = self._folder_row("id = ?", (folder_id,))
        assert row is not None  # just inserted, inside the same transaction
        return _folder(row)

    def remove_folder(self, path: Path) -> bool:
        """Stop watching ``path``; return False if it was not watched.

        Its photos go to the enclosing watched folder if there is one, else their rows are deleted
        together with the contents (vectors) no other photo shares.
        """
        raw = encode_dir(path)
        with self._db.transaction():
            row = self._folder_row("path = ?", (raw,))
            if row is None:
                return False
            folder_id = int(row["id"])
            parent = self._parent_root(raw, folder_id)
            if parent is None:  # removing a folder is explicit: unshared vectors go at once
                content_ids = self._content_ids_of("folder_id = ?", (folder_id,))
                self._delete_photos("folder_id = ?", (folder_id,))
                self._drop_orphans(content_ids)
            else:
                self._db.execute(
                    "UPDATE photos SET folder_id = ? WHERE folder_id = ?", (parent, folder_id)
                )
            self._db.execute("DELETE FROM folders WHERE id = ?", (folder_id,))
        return True

    def folders(self) -> list[Folder]:
        """Return every watched folder, sorted by path."""
        rows = self._db.all(f"SELECT {_FOLDER_COLUMNS} FROM folders ORDER BY path")
        return [_folder(row) for row in rows]

    def folder_for_path(self, path: Path) -> Folder | None:
        """Return the deepest watched folder containing ``path`` (or equal to it), or None."""
        folder_id = self._root_for(encode_dir(path))
        if folder_id is None:
            return None
        row = self._folder_row("id = ?", (folder_id,))
        return None if row is None else _folder(row)

    def set_folder_online(self, folder_id: FolderId, online: bool) -> None:
        """Mark a folder reachable or not.

        Going offline turns its photos' state into ``offline``, keeping everything else (content,
        vector, error). Coming back restores the state each had, except that ``indexed`` needs a
        vector of the current model (meta ``model_id``), else it becomes ``pending``. The scanner
        should then re-check the folder. Only photos belonging to this folder change (not those of a
        watched folder nested in it).
        """
        with self._db.transaction():
            self._db.execute("UPDATE folders SET online = ? WHERE id = ?", (int(online), folder_id))
            if online:
                model = self._current_model()
                self._db.execute(
                    f"UPDATE photos SET state = {RESTORE_STATE_SQL}, state_before_offline = NULL, "
                    "updated_at = ? WHERE folder_id = ? AND state = 'offline'",
                    (model, model, self._now(), folder_id),
                )
            else:
                self._db.execute(
                    "UPDATE photos SET state_before_offline = state, state = 'offline', "
                    "updated_at = ? WHERE folder_id = ? AND state != 'offline'",
                    (self._now(), folder_id),
                )

    def set_folder_scan(
        self, folder_id: FolderId, watch_mode: str | None, last_scan_at: float | None
    ) -> None:
        """Record how a folder is watched (e.g. ``"polling"``) and when it was last scanned."""
        with self._db.transaction():
            self._db.execute(
                "UPDATE folders SET watch_mode = ?, last_scan_at = ? WHERE id = ?",
                (watch_mode, last_scan_at, folder_id),
            )

    def _folder_row(self, where: str, params: tuple[object, ...]) -> sqlite3.Row | None:
        return self._db.one(f"SELECT {_FOLDER_COLUMNS} FROM folders WHERE {where}", params)

    def _parent_root(self, raw: bytes, folder_id: int) -> FolderId | None:
        """Return the deepest watched root strictly enclosing root ``raw`` (id ``folder_id``)."""
        others = [(path, rid) for path, rid in self._roots() if rid != folder_id]
        found = deepest_root(raw, others)
        return None if found is None else FolderId(found)


def _folder(row: sqlite3.Row) -> Folder:
    return Folder(
        id=FolderId(row["id"]),
        path=decode_path(row["path"]),
        online=bool(row["online"]),
        watch_mode=row["watch_mode"],
        last_scan_at=row["last_scan_at"],
    )
