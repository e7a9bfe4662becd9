"""Duplicate groups in three tiers: exact copies, near-duplicates and shots of the same moment.

The tiers nest, and each lists the keepers of the tier below:

* **exact**: the photos of one content (byte-identical files). Every content with two or more
  photos is one exact group; in the other tiers a content is shown by its keeper photo.
* **near**: re-encodes, resizes, crops and light edits: contents whose vectors have cosine
  similarity >= ``threshold`` (default :data:`NEAR_THRESHOLD`), unless both carry EXIF capture
  times that differ by a little (0 < |dt| <= :data:`MOMENT_SECONDS`): that is two shots of a burst,
  not two versions of one shot. Identical capture times (an edit keeps its EXIF) or missing ones
  leave the pair "near". In the next tier a near group is shown by its keeper.
* **moment**: bursts: contents alike (cosine >= :data:`MOMENT_THRESHOLD`) whose capture times are
  both known and within :data:`MOMENT_SECONDS`. Nearly identical burst frames are "moment", not
  "near": they are different exposures, and the user picks the best one.

Groups are complete-linkage clusters over neighbour-graph pairs (see
:mod:`photofind.analysis.linkage`): every pair inside a group passes the tier's test, so a moment
group spans at most :data:`MOMENT_SECONDS`, and a chain of gradually changing photos does not
collapse into one group. No group exceeds :data:`MAX_GROUP` members.

The suggested keeper comes first in each group: the largest resolution, then the original format
(more bytes per pixel: not a re-encode; lossless beats lossy), then the oldest file, then the path.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal

import numpy as np

from photofind.analysis.linkage import complete_linkage

if TYPE_CHECKING:
    from pathlib import Path

    from photofind.analysis.neighbours import NeighbourGraph
    from photofind.catalog.groups import GroupPhoto

Tier = Literal["exact", "near", "moment"]

# Measured with the real model (EfficientNet-Lite0 features) on scikit-image's photos
# (tests/integration/test_cli_groups.py makes the same edits): PNG re-save 0.99-1.00, JPEG q25
# 0.85-0.95, resized to 1/3 (to ~150 px!) 0.80-0.95, 12% crop per side 0.84-0.95; unrelated
# photos <= 0.34. Burst-like frames (4% pan, +3% brightness) score 0.93-0.99, as high as edits:
# similarity cannot tell a burst from an edit, capture times do (see the module docstring).
# 0.80 keeps heavy resizes and re-encodes and stays far above unrelated photos.
NEAR_THRESHOLD = 0.80
MOMENT_THRESHOLD = 0.75  # bursts with a moving subject change more than the pans measured above
MOMENT_SECONDS = 10.0  # "taken seconds apart"
MAX_GROUP = 50  # no mega-groups: a bigger set of alike photos is split


@dataclass(frozen=True, slots=True)
class DuplicateRules:
    """The thresholds of the three tiers."""

    threshold: float = NEAR_THRESHOLD
    moment_threshold: float = MOMENT_THRESHOLD
    moment_seconds: float = MOMENT_SECONDS
    max_group: int = MAX_GROUP


@dataclass(frozen=True, slots=True)
class DuplicateGroup:
    """Photos that are copies of each other (at some tier), the suggested keeper first."""

    tier: Tier
    paths: list[Path]


def keeper_order(photos: Sequence[GroupPhoto]) -> list[GroupPhoto]:
    """``photos`` with the suggested keeper first (see the module docstring for the rule)."""
    return sorted(photos, key=_keeper_key)


def _keeper_key(photo: GroupPhoto) -> tuple[int, float, int, str]:
    pixels = (photo.width or 0) * (photo.height or 0)
    bytes_per_pixel = photo.size / pixels if pixels else 0.0
    return (-pixels, -bytes_per_pixel, photo.mtime_ns, str(photo.path))


def find_duplicates(
    photos: Sequence[GroupPhoto],
    graph: NeighbourGraph,
    vectors: np.ndarray,
    rules: DuplicateRules | None = None,
) -> list[DuplicateGroup]:
    """Group ``photos`` into exact, near and moment groups.

    Args:
        photos: the photos to group (offline ones left out by the caller).
        graph: the neighbour graph over contents (``graph.ids``).
        vectors: the unit vectors of ``graph.ids``, row for row.
        rules: thresholds (defaults: :class:`DuplicateRules`).

    Returns:
        Exact groups, then near groups, then moment groups, each largest first.
    """
    rules = rules or DuplicateRules()
    keepers = _content_keepers(photos, graph.ids)  # row -> keeper of its photos, exact groups
    times = _seconds(graph.ids, keepers)
    exact = [
        DuplicateGroup("exact", [p.path for p in ordered])
        for ordered in keepers.values()
        if len(ordered) > 1
    ]
    rows = np.asarray(sorted(keepers), dtype=np.int64)
    near = _near_groups(graph, vectors, times, rows, rules)
    units = _unit_keepers(rows, near, keepers)
    moment = _moment_groups(graph, vectors, times, units, rules)
    return [
        *_by_size(exact),
        *_by_size(_as_groups("near", near, keepers)),
        *_by_size(_as_groups("moment", moment, keepers)),
    ]


def _content_keepers(photos: Sequence[GroupPhoto], ids: np.ndarray) -> dict[int, list[GroupPhoto]]:
    """Graph row -> that content's photos, keeper first (contents outside the graph dropped)."""
    by_row: dict[int, list[GroupPhoto]] = {}
    for photo in photos:
        row = int(np.searchsorted(ids, photo.content_id))
        if row < len(ids) and ids[row] == photo.content_id:
            by_row.setdefault(row, []).append(photo)
    return {row: keeper_order(members) for row, members in by_row.items()}


def _seconds(ids: np.ndarray, keepers: dict[int, list[GroupPhoto]]) -> np.ndarray:
    """Capture time of each row in seconds (NaN when unknown)."""
    times = np.full(len(ids), np.nan)
    for row, members in keepers.items():
        taken = members[0].taken_at
        if taken is not None:
            times[row] = taken.replace(tzinfo=None).timestamp()
    return times


def _near_groups(
    graph: NeighbourGraph,
    vectors: np.ndarray,
    times: np.ndarray,
    rows: np.ndarray,
    rules: DuplicateRules,
) -> list[list[int]]:
    pairs, scores = _live_pairs(graph, rules.threshold, rows)
    keep = ~_burst_apart(times[pairs[:, 0]], times[pairs[:, 1]], rules.moment_seconds)

    def linked(a: Sequence[int], b: Sequence[int]) -> bool:
        return (
            _all_alike(vectors, a, b, rules.threshold)
            and not _burst_apart(
                times[np.asarray(a)][:, None], times[np.asarray(b)][None, :], rules.moment_seconds
            ).any()
        )

    return complete_linkage(pairs[keep], scores[keep], linked, rules.max_group)


def _moment_groups(
    graph: NeighbourGraph,
    vectors: np.ndarray,
    times: np.ndarray,
    units: np.ndarray,
    rules: DuplicateRules,
) -> list[list[int]]:
    """Groups of unit rows (a near group is represented by its keeper's row)."""
    is_unit = np.zeros(len(graph.ids), dtype=bool)
    is_unit[units] = True
    pairs, scores = _live_pairs(graph, rules.moment_threshold, units)
    keep = _within(times[pairs[:, 0]], times[pairs[:, 1]], rules.moment_seconds)

    def linked(a: Sequence[int], b: Sequence[int]) -> bool:
        return _all_alike(vectors, a, b, rules.moment_threshold) and bool(
            _within(
                times[np.asarray(a)][:, None], times[np.asarray(b)][None, :], rules.moment_seconds
            ).all()
        )

    return complete_linkage(pairs[keep], scores[keep], linked, rules.max_group)


def _live_pairs(
    graph: NeighbourGraph, min_score: float, rows: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Graph pairs at or above ``min_score`` whose both rows are in ``rows``."""
    pairs, scores = graph.pairs(min_score)
    live = np.zeros(len(graph.ids), dtype=bool)
    live[rows] = True
    keep = live[pairs[:, 0]] & live[pairs[:, 1]]
    return pairs[keep], scores[keep]


def _all_alike(vectors: np.ndarray, a: Sequence[int], b: Sequence[int], threshold: float) -> bool:
    block = vectors[np.asarray(a)].astype(np.float32) @ vectors[np.asarray(b)].astype(np.float32).T
    return bool((block >= threshold).all())


def _burst_apart(a: np.ndarray, b: np.ndarray, seconds: float) -> np.ndarray:
    """Both capture times known, different, and within ``seconds``: two frames of a burst."""
    gap = np.abs(a - b)
    result: np.ndarray = (gap > 0) & (gap <= seconds)  # NaN compares False
    return result


def _within(a: np.ndarray, b: np.ndarray, seconds: float) -> np.ndarray:
    result: np.ndarray = np.abs(a - b) <= seconds  # NaN (unknown time) compares False
    return result


def _unit_keepers(
    rows: np.ndarray, near: list[list[int]], keepers: dict[int, list[GroupPhoto]]
) -> np.ndarray:
    """Rows that stand for themselves in the moment tier: a near group's keeper, or a loner."""
    grouped = {row for group in near for row in group}
    leaders = [_leader(group, keepers) for group in near]
    return np.asarray(sorted([int(r) for r in rows if r not in grouped] + leaders), np.int64)


def _leader(group: Sequence[int], keepers: dict[int, list[GroupPhoto]]) -> int:
    return min(group, key=lambda row: _keeper_key(keepers[row][0]))


def _as_groups(
    tier: Tier, groups: list[list[int]], keepers: dict[int, list[GroupPhoto]]
) -> list[DuplicateGroup]:
    return [
        DuplicateGroup(tier, [p.path for p in keeper_order([keepers[row][0] for row in group])])
        for group in groups
    ]


def _by_size(groups: list[DuplicateGroup]) -> list[DuplicateGroup]:
    return sorted(groups, key=lambda g: (-len(g.paths), str(g.paths[0])))
