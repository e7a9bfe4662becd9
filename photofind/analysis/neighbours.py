"""The neighbour graph: each content's ``k`` most alike contents, kept on disk and updated in place.

Grouping at any threshold reads candidate pairs from this graph, so changing the threshold never
re-reads photos and never repeats the expensive part (one approximate search per content: minutes
at 100k contents on two cores). The graph is saved beside the index and brought up to date on
open: rows of contents gone are dropped, new contents are searched and offered to the rows of the
contents they found (cosine is symmetric), so a few new photos cost a few searches. That offer is
approximate: an old content whose neighbour list a new one should enter without finding it back is
missed; for alike photos (the pairs grouping reads) the relation is mutual and nothing is lost.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np

# content ids (q,) -> (their neighbours' content ids (q, k), exact cosines (q, k)); -1 pads.
Searcher = Callable[[np.ndarray], tuple[np.ndarray, np.ndarray]]

NO_NEIGHBOUR = -1


@dataclass(frozen=True)
class NeighbourGraph:
    """For each content (``ids``, ascending), its nearest other contents, best first."""

    ids: np.ndarray  # (n,) int64 content ids, ascending
    neighbours: np.ndarray  # (n, k) int64 content ids, NO_NEIGHBOUR where there are fewer
    scores: np.ndarray  # (n, k) float32 exact cosines, -inf where there is no neighbour

    @property
    def k(self) -> int:
        """Neighbours kept per content."""
        return int(self.neighbours.shape[1])

    def pairs(self, min_score: float) -> tuple[np.ndarray, np.ndarray]:
        """Row pairs ``(i, j)``, ``i < j``, scoring at least ``min_score``, and their scores."""
        rows, cols = np.nonzero(self.scores >= min_score)
        targets = self.neighbours[rows, cols]
        other = np.minimum(np.searchsorted(self.ids, targets), max(len(self.ids) - 1, 0))
        found = self.ids[other] == targets
        pairs = np.sort(np.stack([rows[found], other[found]], axis=1), axis=1)
        scores = self.scores[rows[found], cols[found]]
        pairs, first = np.unique(pairs, axis=0, return_index=True)
        keep = pairs[:, 0] != pairs[:, 1]
        return pairs[keep], scores[first][keep]


def empty_graph(k: int) -> NeighbourGraph:
    """A graph with no contents."""
    return NeighbourGraph(
        np.zeros(0, np.int64), np.zeros((0, k), np.int64), np.zeros((0, k), np.float32)
    )


def update_graph(
    old: NeighbourGraph | None, ids: np.ndarray, search: Searcher, k: int
) -> NeighbourGraph:
    """The graph over ``ids``: ``old``'s rows where still valid, new contents searched.

    Args:
        old: the saved graph, or None to search everything.
        ids: the current content ids (ascending int64).
        search: finds the ``k`` nearest other contents of given contents.
        k: neighbours per content.
    """
    ids = np.asarray(ids, dtype=np.int64)
    base = old if old is not None and old.k == k else empty_graph(k)
    kept = np.isin(base.ids, ids)
    neighbours, scores = base.neighbours[kept].copy(), base.scores[kept].copy()
    gone = ~np.isin(neighbours, ids)
    neighbours[gone], scores[gone] = NO_NEIGHBOUR, -np.inf
    new = np.setdiff1d(ids, base.ids[kept])
    found, found_scores = _padded(*search(new), k) if len(new) else (neighbours[:0], scores[:0])
    all_ids = np.concatenate([base.ids[kept], new])
    order = np.argsort(all_ids, kind="stable")
    graph = NeighbourGraph(
        all_ids[order],
        np.concatenate([neighbours, found])[order],
        np.concatenate([scores, found_scores])[order],
    )
    _offer_back(graph, new, found, found_scores)
    return graph


def _padded(found: np.ndarray, scores: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]:
    """Search results widened to ``k`` columns (a small library has fewer neighbours)."""
    missing = k - found.shape[1]
    if missing <= 0:
        return found[:, :k].astype(np.int64), scores[:, :k].astype(np.float32)
    return (
        np.pad(found, ((0, 0), (0, missing)), constant_values=NO_NEIGHBOUR).astype(np.int64),
        np.pad(scores, ((0, 0), (0, missing)), constant_values=-np.inf).astype(np.float32),
    )


def _offer_back(
    graph: NeighbourGraph, new: np.ndarray, found: np.ndarray, scores: np.ndarray
) -> None:
    """Put each new content into the rows of the old contents it found, if it beats their worst."""
    if len(new) == len(graph.ids):
        return  # a full rebuild: every row was searched
    old = np.isin(found, graph.ids) & ~np.isin(found, new)
    for query_index, column in zip(*np.nonzero(old), strict=True):
        query, score = new[query_index], scores[query_index, column]
        row = int(np.searchsorted(graph.ids, found[query_index, column]))
        worst = int(np.argmin(graph.scores[row]))
        if score > graph.scores[row, worst] and query not in graph.neighbours[row]:
            graph.neighbours[row, worst], graph.scores[row, worst] = query, score
    _sort_rows(graph)


def _sort_rows(graph: NeighbourGraph) -> None:
    order = np.argsort(-graph.scores, axis=1, kind="stable")
    graph.neighbours[:] = np.take_along_axis(graph.neighbours, order, 1)
    graph.scores[:] = np.take_along_axis(graph.scores, order, 1)


def load_graph(path: Path, model_id: str) -> NeighbourGraph | None:
    """The graph saved at ``path`` for ``model_id``, or None if absent, unreadable or stale."""
    try:
        with np.load(path) as data:
            if str(data["model_id"]) != model_id:
                return None
            return NeighbourGraph(data["ids"], data["neighbours"], data["scores"])
    except (OSError, ValueError, KeyError):
        return None


def save_graph(path: Path, graph: NeighbourGraph, model_id: str) -> None:
    """Write the graph atomically (it is a cache: losing it only costs a rebuild)."""
    tmp = path.with_name(path.name + ".tmp")
    with tmp.open("wb") as handle:
        np.savez(
            handle,
            model_id=np.asarray(model_id),
            ids=graph.ids,
            neighbours=graph.neighbours,
            scores=graph.scores,
        )
    os.replace(tmp, path)
