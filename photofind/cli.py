"""The ``photofind`` command line: one sub-command per verb, JSON output for scripts.

Every command exits 0 on success and 1 with a one-line reason on stderr on error.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from photofind import APP_NAME, __version__
from photofind.config.paths import LIBRARY_ENV
from photofind.errors import KnownError
from photofind.groups_cli import add_group_commands
from photofind.library_cli import add_library_commands
from photofind.search_cli import add_search_commands
from photofind.selftest import run_self_test
from photofind.vectors.embedder import FileResult, OnnxEmbedder

Handler = Callable[[argparse.Namespace], int]


def build_parser() -> argparse.ArgumentParser:
    """The argument parser for every command."""
    parser = argparse.ArgumentParser(
        prog="photofind",
        description=f"{APP_NAME}: find lookalike photos, offline.",
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    parser.add_argument(
        "--library",
        type=Path,
        default=None,
        metavar="DIR",
        help=f"library folder (default: ${LIBRARY_ENV} or your user data folder)",
    )
    parser.add_argument(
        "--self-test",
        action="store_true",
        help="load the model, embed a built-in photo, print one line and exit (no window)",
    )
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")
    commands.add_parser("gui", help="open the desktop window (what no command does)")
    _add_embed(commands)
    add_library_commands(commands)
    add_group_commands(commands)
    add_search_commands(commands)
    return parser


def _add_embed(commands: Any) -> None:
    embed = commands.add_parser("embed", help="embed image files and print their labels")
    embed.add_argument("files", nargs="+", type=Path, metavar="FILE")
    embed.add_argument("--json", action="store_true", help="print one JSON object per file")
    embed.add_argument("--threads", type=int, default=None, help="inference threads (default: all)")
    embed.set_defaults(handler=run_embed)


def parse_args(argv: Sequence[str]) -> argparse.Namespace:
    """Parse a command line; ``args.handler`` is unset when the window should open."""
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.self_test:
        if args.command is not None:
            parser.error("--self-test takes no command")
        args.handler = run_self_test_command
    return args


def run_cli(argv: Sequence[str]) -> int:
    """Parse ``argv`` and run the command (printing help when there is none)."""
    args = parse_args(argv)
    if getattr(args, "handler", None) is None:
        build_parser().print_help()
        return 0
    return run_command(args)


def run_command(args: argparse.Namespace) -> int:
    """Run a parsed command; errors become a one-line message and exit status 1."""
    handler: Handler = args.handler
    try:
        return handler(args)
    except KnownError as exc:
        print(f"photofind: error: {exc}", file=sys.stderr)
        return 1


def run_self_test_command(args: argparse.Namespace) -> int:
    """``photofind --self-test``: see photofind.selftest."""
    return run_self_test()


def run_embed(args: argparse.Namespace) -> int:
    """``photofind embed FILE... [--json]``: labels and vector size per file, or its error."""
    embedder = OnnxEmbedder(threads=args.threads)
    failed = 0
    for result in embedder.embed_files(args.files):
        failed += not result.ok
        if args.json:
            print(json.dumps(embed_result_json(result), ensure_ascii=False), flush=True)
        else:
            print(embed_result_text(result), flush=True)
    if failed:
        print(f"photofind: {failed} of {len(args.files)} files could not be read", file=sys.stderr)
    return 1 if failed else 0


def embed_result_json(result: FileResult) -> dict[str, Any]:
    """The JSON form of one file's embedding result."""
    path = str(result.path.absolute())
    if result.embedding is None:
        return {"path": path, "error": result.error}
    out: dict[str, Any] = {
        "path": path,
        "dim": int(result.embedding.vector.shape[0]),
        "labels": [
            {"name": label.name, "wnid": label.wnid, "score": round(label.score, 4)}
            for label in result.embedding.labels
        ],
        "fingerprint": result.fingerprint,
    }
    if result.info is not None:
        out.update(width=result.info.width, height=result.info.height, format=result.info.format)
    return out


def embed_result_text(result: FileResult) -> str:
    """One human-readable line for one file."""
    if result.embedding is None:
        return f"{result.path}: error: {result.error}"
    labels = ", ".join(f"{lab.name} {lab.score:.0%}" for lab in result.embedding.labels[:3])
    return f"{result.path}: {labels} [{result.embedding.vector.shape[0]}-d]"
