"""Read-only listings of the catalogue for the photo grid: ids in display order, and their rows.

Opens its own ``sqlite3`` connection in ``mode=ro`` (WAL lets it read while the indexer writes).
Thread affinity: the thread that created the :class:`PhotoListing`.
"""

from __future__ import annotations

import os
import sqlite3
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from enum import Enum
from pathlib import Path

from photofind.catalog.records import PhotoId, decode_path, encode_path, tree_range

_CHUNK = 500  # ids per IN (...) list, far below SQLite's host-parameter limit


class SortOrder(Enum):
    """How the grid orders photos."""

    TAKEN = "taken"  # date taken (EXIF), else the file's modification time; newest first
    NAME = "name"  # file name, case-insensitive


@dataclass(frozen=True, slots=True)
class PhotoRow:
    """What the grid shows of one photo."""

    id: PhotoId
    path: Path
    size: int
    mtime_ns: int
    state: str
    error: str | None
    taken_at: str | None

    @property
    def usable(self) -> bool:
        """Whether the file can be shown (not offline, not unreadable)."""
        return self.state in ("pending", "indexed")


@dataclass(frozen=True, slots=True)
class FolderSummary:
    """A watched folder and how many photos it holds."""

    path: Path
    online: bool
    photos: int
    watch_mode: str | None = None  # "native", "polling", or None before the first watch


class PhotoListing:
    """Queries over a catalogue file for the GUI (never writes)."""

    def __init__(self, catalog_file: Path) -> None:
        """Open ``catalog_file`` read-only (it must exist)."""
        self._conn = sqlite3.connect(
            catalog_file.absolute().as_uri() + "?mode=ro", uri=True, isolation_level=None
        )
        self._conn.execute("PRAGMA busy_timeout = 5000")

    def close(self) -> None:
        """Close the connection."""
        self._conn.close()

    def signature(self) -> tuple[int, ...]:
        """A cheap fingerprint of the photo table: it changes when photos come, go or change."""
        row = self._conn.execute(
            "SELECT count(*), coalesce(max(id), 0), coalesce(max(updated_at), 0), "
            "(SELECT count(*) FROM folders) FROM photos"
        ).fetchone()
        return (int(row[0]), int(row[1]), int(float(row[2]) * 1000), int(row[3]))

    def ids(
        self, order: SortOrder, folder: Path | None = None, name_contains: str = ""
    ) -> list[PhotoId]:
        """Every photo's id (offline ones included) in display order.

        Args:
            order: The display order.
            folder: Only photos inside this folder.
            name_contains: Only photos whose file name contains this (case-insensitive).
        """
        sql = (
            "SELECT p.id, p.path, p.mtime_ns, c.taken_at FROM photos p "
            "LEFT JOIN contents c ON c.id = p.content_id"
        )
        params: tuple[bytes, ...] = ()
        if folder is not None:
            sql += " WHERE p.path >= ? AND p.path < ?"
            params = tree_range(encode_path(folder))
        rows = self._conn.execute(sql, params).fetchall()
        if name_contains:
            needle = name_contains.casefold()
            rows = [r for r in rows if needle in os.path.basename(os.fsdecode(r[1])).casefold()]
        if order is SortOrder.NAME:
            rows.sort(key=lambda r: (os.path.basename(os.fsdecode(r[1])).casefold(), r[1]))
        else:
            rows.sort(key=lambda r: (r[3] or _iso_from_ns(r[2]), r[1]), reverse=True)
        return [PhotoId(int(r[0])) for r in rows]

    def rows(self, ids: Sequence[PhotoId]) -> dict[PhotoId, PhotoRow]:
        """The rows of ``ids`` (ids no longer in the catalogue are absent)."""
        found: dict[PhotoId, PhotoRow] = {}
        for start in range(0, len(ids), _CHUNK):
            chunk = ids[start : start + _CHUNK]
            marks = ",".join("?" * len(chunk))
            for r in self._conn.execute(
                "SELECT p.id, p.path, p.size, p.mtime_ns, p.state, p.error, c.taken_at "
                "FROM photos p LEFT JOIN contents c ON c.id = p.content_id "
                f"WHERE p.id IN ({marks})",
                chunk,
            ):
                photo_id = PhotoId(int(r[0]))
                found[photo_id] = PhotoRow(
                    photo_id, decode_path(r[1]), int(r[2]), int(r[3]), str(r[4]), r[5], r[6]
                )
        return found

    def ids_for_paths(self, paths: Sequence[Path]) -> dict[Path, PhotoId]:
        """Map the paths that are in the catalogue to their photo ids."""
        found: dict[Path, PhotoId] = {}
        for path in paths:
            row = self._conn.execute(
                "SELECT id FROM photos WHERE path = ?", (encode_path(path.absolute()),)
            ).fetchone()
            if row is not None:
                found[path] = PhotoId(int(row[0]))
        return found

    def folders(self) -> list[FolderSummary]:
        """The watched folders with their photo counts, sorted by path."""
        rows = self._conn.execute(
            "SELECT f.path, f.online, (SELECT count(*) FROM photos p WHERE p.folder_id = f.id), "
            "f.watch_mode FROM folders f ORDER BY f.path"
        ).fetchall()
        return [FolderSummary(decode_path(r[0]), bool(r[1]), int(r[2]), r[3]) for r in rows]

    def failed(self) -> list[tuple[Path, str]]:
        """The files that could not be read, with the reason, sorted by path."""
        rows = self._conn.execute(
            "SELECT path, error FROM photos WHERE state = 'failed' ORDER BY path"
        ).fetchall()
        return [(decode_path(r[0]), str(r[1] or "unknown error")) for r in rows]

    def state_counts(self) -> dict[str, int]:
        """How many photos are in each state."""
        rows = self._conn.execute("SELECT state, count(*) FROM photos GROUP BY state").fetchall()
        return {str(r[0]): int(r[1]) for r in rows}


def _iso_from_ns(mtime_ns: int) -> str:
    return datetime.fromtimestamp(mtime_ns / 1e9).isoformat()
