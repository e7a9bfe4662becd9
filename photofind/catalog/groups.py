"""Catalogue queries for whole-library grouping (duplicates and clusters)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from photofind.catalog.records import ContentId, decode_path
from photofind.catalog.store import Store


@dataclass(frozen=True, slots=True)
class GroupPhoto:
    """What grouping needs to know of one indexed photo: its file facts and its content's."""

    path: Path
    content_id: ContentId
    size: int
    mtime_ns: int
    width: int | None
    height: int | None
    format: str | None
    taken_at: datetime | None


class GroupStore(Store):
    """Reads that duplicate grouping and clustering need."""

    def group_photos(self) -> list[GroupPhoto]:
        """Every ``indexed`` photo (not offline, failed or pending) with its content's facts.

        Ordered by content id, then path.
        """
        rows = self._db.all(
            "SELECT p.path, p.content_id, p.size, p.mtime_ns, c.width, c.height, c.format, "
            "c.taken_at FROM photos p JOIN contents c ON c.id = p.content_id "
            "WHERE p.state = 'indexed' ORDER BY p.content_id, p.path"
        )
        return [
            GroupPhoto(
                path=decode_path(row[0]),
                content_id=ContentId(int(row[1])),
                size=int(row[2]),
                mtime_ns=int(row[3]),
                width=row[4],
                height=row[5],
                format=row[6],
                taken_at=_parse_time(row[7]),
            )
            for row in rows
        ]


def _parse_time(text: str | None) -> datetime | None:
    if not text:
        return None
    try:
        return datetime.fromisoformat(text)
    except ValueError:
        return None
