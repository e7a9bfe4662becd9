"""Duplicate groups and clusters for the GUI, computed on a thread of their own.

Qt-free on purpose: :class:`GroupFinder` runs on the grouping thread and is testable without Qt.
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from photofind.analysis.duplicates import DuplicateRules, Tier
from photofind.analysis.groups import LibraryGroups
from photofind.gui.queries import FreshLibrary

if TYPE_CHECKING:
    from pathlib import Path

    from photofind.catalog.groups import GroupPhoto
    from photofind.catalog.records import PhotoId
    from photofind.thumbs.listing import PhotoRow

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class Member:
    """One photo of a duplicate group: its grid row and its resolution."""

    row: PhotoRow
    width: int | None
    height: int | None

    @property
    def resolution(self) -> str:
        """``"4000 x 3000"``, or ``"?"`` when unknown."""
        return f"{self.width} x {self.height}" if self.width and self.height else "?"


@dataclass(frozen=True, slots=True)
class Group:
    """Photos that are copies of each other; the suggested keeper first."""

    tier: Tier
    members: list[Member]


@dataclass
class DuplicatesAnswer:
    """The duplicate groups at one threshold."""

    threshold: float
    groups: list[Group] = field(default_factory=list)
    seconds: float = 0.0


@dataclass(frozen=True, slots=True)
class ClusterEntry:
    """One visual cluster: its representative photo and every member's id."""

    representative: PhotoRow
    ids: list[PhotoId]


class GroupFinder:
    """Groups the library from its stored vectors (never decoding a photo).

    Thread affinity: one dedicated grouping thread. Like the query thread's finder it keeps a read-
    only :class:`Library` (the indexer is the single writer), and a :class:`LibraryGroups` that
    loads the vectors once; both are reopened when the catalogue changed, so regrouping at a new
    threshold costs about a second.
    """

    def __init__(self, library_dir: Path) -> None:
        self._fresh = FreshLibrary(library_dir)  # the model only names the vectors
        self._groups: LibraryGroups | None = None
        self._photos: dict[Path, GroupPhoto] = {}
        self._clusters: list[ClusterEntry] | None = None

    def duplicates(self, threshold: float) -> DuplicatesAnswer:
        """Exact, near and moment groups with ``threshold`` for near-duplicates (as the CLI)."""
        start = time.perf_counter()
        groups = self._current()
        rules = DuplicateRules(
            threshold=threshold,
            moment_threshold=min(threshold, DuplicateRules().moment_threshold),
        )
        found = groups.duplicates(rules)
        rows = self._rows([path for group in found for path in group.paths])
        answer = DuplicatesAnswer(threshold)
        for group in found:
            members = [self._member(rows[p]) for p in group.paths if p in rows and p.exists()]
            if len(members) > 1:  # a trashed file lingers until the watcher reports it
                answer.groups.append(Group(group.tier, members))
        answer.seconds = time.perf_counter() - start
        return answer

    def clusters(self) -> list[ClusterEntry]:
        """The library's visual clusters, largest first (computed once per catalogue state)."""
        groups = self._current()
        if self._clusters is None:
            found = groups.clusters()
            rows = self._rows([path for cluster in found for path in cluster.paths])
            self._clusters = [
                ClusterEntry(rows[c.representative], [rows[p].id for p in c.paths if p in rows])
                for c in found
                if c.representative in rows
            ]
        return self._clusters

    def _member(self, row: PhotoRow) -> Member:
        photo = self._photos.get(row.path)
        return Member(row, photo.width if photo else None, photo.height if photo else None)

    def _rows(self, paths: list[Path]) -> dict[Path, PhotoRow]:
        listing = self._fresh.listing
        ids = listing.ids_for_paths(paths)
        by_id = listing.rows(list(ids.values()))
        return {path: by_id[photo_id] for path, photo_id in ids.items() if photo_id in by_id}

    def _current(self) -> LibraryGroups:
        library, reopened = self._fresh.get()
        if reopened or self._groups is None:
            self._photos = {photo.path: photo for photo in library.catalog.group_photos()}
            self._groups, self._clusters = LibraryGroups(library), None
        return self._groups

    def close_library(self) -> None:
        """Forget the loaded library (call on the grouping thread)."""
        self._fresh.close_library()
        self._groups = self._clusters = None

    def close(self) -> None:
        """Close everything (call on the grouping thread)."""
        self.close_library()
        self._fresh.close()
