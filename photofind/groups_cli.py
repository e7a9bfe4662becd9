"""The ``duplicates`` and ``clusters`` commands of ``photofind``."""

from __future__ import annotations

import argparse
import json
from typing import TYPE_CHECKING, Any

from photofind.analysis.duplicates import NEAR_THRESHOLD, DuplicateGroup, DuplicateRules
from photofind.analysis.groups import LibraryGroups, PhotoCluster
from photofind.errors import KnownError
from photofind.library_cli import open_library

if TYPE_CHECKING:
    from collections.abc import Sequence

TIER_TITLES = {"exact": "exact copies", "near": "near-duplicates", "moment": "same moment"}


def add_group_commands(commands: Any) -> None:
    """Register the grouping sub-commands on an argparse sub-parser collection."""
    duplicates = commands.add_parser(
        "duplicates", help="groups of exact copies, near-duplicates and same-moment shots"
    )
    duplicates.add_argument(
        "--threshold",
        type=float,
        default=NEAR_THRESHOLD,
        metavar="T",
        help=f"cosine similarity for near-duplicates, 0 to 1 (default {NEAR_THRESHOLD})",
    )
    duplicates.add_argument("--json", action="store_true", help="print a JSON array of groups")
    duplicates.set_defaults(handler=run_duplicates)

    clusters = commands.add_parser("clusters", help="the library grouped into visual clusters")
    clusters.add_argument("--json", action="store_true", help="print a JSON array of clusters")
    clusters.set_defaults(handler=run_clusters)


def run_duplicates(args: argparse.Namespace) -> int:
    """``photofind duplicates [--threshold T] [--json]``: the keeper is listed first."""
    if not 0.0 < args.threshold <= 1.0:
        raise KnownError(f"--threshold must be above 0 and at most 1, not {args.threshold}")
    rules = DuplicateRules(
        threshold=args.threshold,
        moment_threshold=min(args.threshold, DuplicateRules().moment_threshold),
    )
    with open_library(args) as library:
        groups = LibraryGroups(library).duplicates(rules)
    print(duplicates_json(groups) if args.json else duplicates_text(groups))
    return 0


def duplicates_json(groups: Sequence[DuplicateGroup]) -> str:
    """The JSON array of groups."""
    rows = [{"tier": g.tier, "paths": [str(p) for p in g.paths]} for g in groups]
    return json.dumps(rows, ensure_ascii=False)


def duplicates_text(groups: Sequence[DuplicateGroup]) -> str:
    """A readable listing: one block per group, the suggested keeper marked."""
    if not groups:
        return "no duplicates found"
    blocks = []
    for group in groups:
        lines = [f"{TIER_TITLES[group.tier]} ({len(group.paths)} photos):"]
        lines += [f"  {'keep' if i == 0 else '    '}  {path}" for i, path in enumerate(group.paths)]
        blocks.append("\n".join(lines))
    return "\n\n".join(blocks)


def run_clusters(args: argparse.Namespace) -> int:
    """``photofind clusters [--json]``."""
    with open_library(args) as library:
        clusters = LibraryGroups(library).clusters()
    print(clusters_json(clusters) if args.json else clusters_text(clusters))
    return 0


def clusters_json(clusters: Sequence[PhotoCluster]) -> str:
    """The JSON array of clusters."""
    rows = [
        {
            "id": c.id,
            "size": len(c.paths),
            "representative": str(c.representative),
            "paths": [str(p) for p in c.paths],
        }
        for c in clusters
    ]
    return json.dumps(rows, ensure_ascii=False)


def clusters_text(clusters: Sequence[PhotoCluster]) -> str:
    """A readable listing: each cluster's size and representative."""
    if not clusters:
        return "no photos indexed"
    return "\n".join(
        f"cluster {c.id}: {len(c.paths)} photos, like {c.representative}" for c in clusters
    )
