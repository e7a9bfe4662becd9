"""The ``search`` command of ``photofind``: photos by what is in them (their ImageNet labels)."""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any

from photofind.analysis.labels import QueryMatch, SearchHit, search
from photofind.errors import KnownError
from photofind.library_cli import open_library

DEFAULT_K = 20
EXAMPLES = "dog, cat, car, beach, flower, food"


def add_search_commands(commands: Any) -> None:
    """Register the label-search sub-command on an argparse sub-parser collection."""
    parser = commands.add_parser(
        "search", help="find photos by what is in them (dog, car, beach...)"
    )
    parser.add_argument("words", nargs="+", metavar="WORD")
    parser.add_argument("-k", type=int, default=DEFAULT_K, help=f"results (default {DEFAULT_K})")
    parser.add_argument("--json", action="store_true", help="print a JSON array")
    parser.set_defaults(handler=run_search)


def run_search(args: argparse.Namespace) -> int:
    """``photofind search WORD... [-k N] [--json]``.

    Raises:
        KnownError: ``-k`` is not positive, or the query has no words.
    """
    query = " ".join(args.words)
    if args.k < 1:
        raise KnownError(f"-k must be at least 1, not {args.k}")
    if not query.strip():
        raise KnownError("give at least one word to search for")
    with open_library(args) as library:
        understood, hits = search(library.catalog, query, args.k)
    if understood.unknown and (understood.terms or args.json):
        print(f"photofind: no label matches {_quoted(understood.unknown)}", file=sys.stderr)
    if args.json:
        print(json.dumps([hit_json(hit) for hit in hits], ensure_ascii=False))
    else:
        print("\n".join([hit_text(hit) for hit in hits] or [_nothing_found(understood)]))
    return 0


def hit_json(hit: SearchHit) -> dict[str, Any]:
    """The JSON form of one result: path, score and the labels that matched."""
    return {
        "path": str(hit.path),
        "score": round(hit.score, 4),
        "labels": [
            {"name": label.name, "wnid": label.wnid, "score": round(label.score, 4)}
            for label in hit.labels
        ],
    }


def hit_text(hit: SearchHit) -> str:
    """One human-readable line for one result."""
    labels = ", ".join(f"{label.name} {label.score:.0%}" for label in hit.labels)
    return f"{hit.score:.3f}  {hit.path}  ({labels})"


def _nothing_found(understood: QueryMatch) -> str:
    if not understood.terms:
        words = _quoted(understood.unknown)
        return f"No photo label matches {words}; try a common word such as {EXAMPLES}."
    phrases = _quoted(tuple(term.text for term in understood.terms))
    return f"No indexed photo shows {phrases} (run 'photofind index' if photos are pending)."


def _quoted(words: tuple[str, ...]) -> str:
    return ", ".join(f"'{word}'" for word in words)
