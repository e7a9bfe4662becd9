"""Complete-linkage grouping over candidate pairs, with a size cap: tight groups, never chains.

Single linkage (connected components of "alike" pairs) is what makes peers' duplicate finders
swallow thousands of photos: A~B and B~C put A and C together even when they look nothing alike.
Here two groups merge only when *every* pair across them passes the same test (complete linkage),
and never beyond ``max_size`` members, so a chain of gradually changing photos splits into short
runs and no group grows without bound.

Candidate pairs (from the neighbour graph) are visited best first, so each photo joins the group of
its most alike partner that still accepts it.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np

# (members of one group, members of the other) -> may they merge? Rows are integers.
Linked = Callable[[Sequence[int], Sequence[int]], bool]


def complete_linkage(
    pairs: np.ndarray, scores: np.ndarray, linked: Linked, max_size: int
) -> list[list[int]]:
    """Merge rows into groups along ``pairs``, best score first, keeping every group complete.

    Args:
        pairs: (m, 2) integer rows that are candidates to share a group; each pair must already
            pass the pair test (two single rows merge without calling ``linked``).
        scores: (m,) how alike each pair is; higher pairs are merged first.
        linked: whether two groups (lists of rows) may merge: every cross pair passes.
        max_size: no group grows beyond this many rows.

    Returns:
        The groups of two or more rows, each sorted, in order of their smallest row.
    """
    owner: dict[int, int] = {}  # row -> id of its group (rows without a group are absent)
    groups: dict[int, list[int]] = {}
    for index in np.argsort(-np.asarray(scores), kind="stable"):
        a, b = int(pairs[index, 0]), int(pairs[index, 1])
        group_a, group_b = owner.get(a, -1 - a), owner.get(b, -1 - b)
        if group_a == group_b:
            continue
        members_a, members_b = groups.get(group_a, [a]), groups.get(group_b, [b])
        if len(members_a) + len(members_b) > max_size:
            continue
        if (len(members_a) > 1 or len(members_b) > 1) and not linked(members_a, members_b):
            continue
        _merge(owner, groups, (group_a, members_a), (group_b, members_b))
    return sorted((sorted(members) for members in groups.values()), key=lambda g: g[0])


def _merge(
    owner: dict[int, int],
    groups: dict[int, list[int]],
    first: tuple[int, list[int]],
    second: tuple[int, list[int]],
) -> None:
    """Move the smaller group into the larger one (so relabelling stays O(n log n) overall)."""
    (keep, kept), (drop, dropped) = sorted((first, second), key=lambda g: -len(g[1]))
    groups.pop(drop, None)
    if keep not in groups:  # a single row becoming a group: its id is the row's negative key
        groups[keep] = list(kept)
        owner.update((row, keep) for row in kept)
    groups[keep].extend(dropped)
    owner.update((row, keep) for row in dropped)


def all_pairs(count: int) -> np.ndarray:
    """Every pair ``(i, j)`` with ``i < j < count``, as an (m, 2) array (for small inputs)."""
    i, j = np.triu_indices(count, k=1)
    return np.stack([i, j], axis=1)
