"""Catalogue queries for label search: the photos whose stored top labels include given classes."""

from __future__ import annotations

import json
from collections.abc import Collection
from dataclasses import dataclass
from pathlib import Path

from photofind.catalog.records import decode_path
from photofind.catalog.store import Store

# Photos whose labels search may show. 'pending' ones keep the labels of their last indexing
# (their file changed, or the model did) until re-embedded, which beats hiding them; 'failed'
# ones can no longer be read and 'offline' ones cannot be opened.
_SEARCHABLE_STATES = "('indexed', 'pending')"


@dataclass(frozen=True, slots=True)
class StoredLabel:
    """One of a content's stored top labels: an ImageNet class and its probability."""

    name: str
    wnid: str
    score: float


@dataclass(frozen=True, slots=True)
class LabelledPhoto:
    """A photo file and the top labels stored for its content."""

    path: Path
    labels: tuple[StoredLabel, ...]


class LabelStore(Store):
    """Reads that label search needs."""

    def photos_with_labels(self, wnids: Collection[str]) -> list[LabelledPhoto]:
        """Return the searchable photos whose stored labels include any of ``wnids``.

        A content shared by several files yields one entry per file. The class list is passed as
        one JSON array parameter, so any number of classes costs one query (one scan of the
        labelled contents, each a handful of labels).

        Args:
            wnids: WordNet ids of the wanted ImageNet classes.

        Returns:
            The photos with all of their stored labels, in path order.
        """
        if not wnids:
            return []
        rows = self._db.all(
            "SELECT p.path, c.labels FROM photos p JOIN contents c ON c.id = p.content_id "
            f"WHERE p.state IN {_SEARCHABLE_STATES} AND c.labels IS NOT NULL AND EXISTS ("
            "SELECT 1 FROM json_each(c.labels) AS j "
            "WHERE json_extract(j.value, '$.wnid') IN (SELECT value FROM json_each(?))) "
            "ORDER BY p.path",
            (json.dumps(sorted(wnids)),),
        )
        return [LabelledPhoto(decode_path(row[0]), parse_labels(row[1])) for row in rows]


def parse_labels(text: str) -> tuple[StoredLabel, ...]:
    """Decode a ``contents.labels`` JSON list (entries missing a field are skipped)."""
    entries = json.loads(text)
    return tuple(
        StoredLabel(str(e["name"]), str(e["wnid"]), float(e["score"]))
        for e in entries
        if isinstance(e, dict) and {"name", "wnid", "score"} <= e.keys()
    )
