"""The library commands of ``photofind``: folders, indexing, watching, find similar and status."""

from __future__ import annotations

import argparse
import json
import logging
import signal
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from photofind.config.paths import library_dir
from photofind.indexing.library import Library, SimilarResult
from photofind.indexing.pipeline import Progress


def add_library_commands(commands: Any) -> None:
    """Register the library sub-commands on an argparse sub-parser collection."""
    add = commands.add_parser("add", help="watch folders of photos")
    add.add_argument("folders", nargs="+", type=Path, metavar="FOLDER")
    add.set_defaults(handler=run_add)

    remove = commands.add_parser("remove", help="stop watching folders (files are not touched)")
    remove.add_argument("folders", nargs="+", type=Path, metavar="FOLDER")
    remove.set_defaults(handler=run_remove)

    folders = commands.add_parser("folders", help="list the watched folders")
    folders.add_argument("--json", action="store_true")
    folders.set_defaults(handler=run_folders)

    index = commands.add_parser("index", help="scan the folders and embed new photos, then exit")
    index.add_argument("--json", action="store_true", help="print a JSON summary")
    index.set_defaults(handler=run_index)

    watch = commands.add_parser("watch", help="index, then keep watching until interrupted")
    watch.set_defaults(handler=run_watch)

    similar = commands.add_parser("similar", help="find photos that look like images")
    similar.add_argument("images", nargs="+", type=Path, metavar="IMAGE")
    similar.add_argument("-k", type=int, default=10, help="results per image (default 10)")
    similar.add_argument("--json", action="store_true", help="print JSON Lines, one per image")
    similar.set_defaults(handler=run_similar)

    status = commands.add_parser("status", help="counts, folders and failed files")
    status.add_argument("--json", action="store_true")
    status.set_defaults(handler=run_status)

    retry = commands.add_parser("retry", help="queue failed files again (all, or those given)")
    retry.add_argument("files", nargs="*", type=Path, metavar="FILE")
    retry.set_defaults(handler=run_retry)


def open_library(args: argparse.Namespace) -> Library:
    """The library named by ``--library`` / ``$PHOTOFIND_LIBRARY`` / the default."""
    return Library(library_dir(args.library))


def run_add(args: argparse.Namespace) -> int:
    """``photofind add FOLDER...``."""
    with open_library(args) as library:
        for path in args.folders:
            folder = library.add_folder(path)
            print(f"watching {folder.path}")
    return 0


def run_remove(args: argparse.Namespace) -> int:
    """``photofind remove FOLDER...``."""
    with open_library(args) as library:
        for path in args.folders:
            library.remove_folder(path)
            print(f"no longer watching {path.expanduser().absolute()}")
    return 0


def run_folders(args: argparse.Namespace) -> int:
    """``photofind folders [--json]``."""
    with open_library(args) as library:
        folders = library.folders()
    if args.json:
        rows = [{"path": str(f.path), "online": f.online} for f in folders]
        print(json.dumps(rows, ensure_ascii=False))
    for folder in [] if args.json else folders:
        print(f"{folder.path}{'' if folder.online else '  (offline)'}")
    return 0


def run_index(args: argparse.Namespace) -> int:
    """``photofind index [--json]``: scan, embed everything pending, print a summary."""
    started = time.monotonic()
    with open_library(args) as library, _stop_on_interrupt() as stop:
        reports = library.scan(stop)
        progress = library.index_pending(stop, _progress_printer())
    _finish_progress_line()
    summary = {
        "indexed": progress.done - progress.failed,
        "failed": progress.failed,
        "skipped": sum(report.seen - report.to_index for report in reports),
        "seconds": round(time.monotonic() - started, 2),
    }
    if args.json:
        print(json.dumps(summary))
    else:
        print(
            f"indexed {summary['indexed']} photos, {summary['failed']} failed, "
            f"{summary['skipped']} unchanged, in {summary['seconds']} s"
        )
    return 130 if stop.is_set() else 0


def run_similar(args: argparse.Namespace) -> int:
    """``photofind similar IMAGE... [-k N] [--json]``."""
    with open_library(args) as library:
        results = library.similar(args.images, args.k)
    for result in results:
        print(similar_json(result) if args.json else similar_text(result))
    failed = [r for r in results if r.error]
    if failed:
        print(f"photofind: {len(failed)} query images could not be read", file=sys.stderr)
    return 1 if failed else 0


def similar_json(result: SimilarResult) -> str:
    """One JSON Lines record for one query."""
    record: dict[str, Any] = {"query": str(result.query)}
    if result.error is not None:
        record["error"] = result.error
    record["results"] = [
        {"path": str(m.path), "score": round(m.score, 4)}
        | ({"exact_duplicate": True} if m.exact_duplicate else {})
        for m in result.matches
    ]
    return json.dumps(record, ensure_ascii=False)


def similar_text(result: SimilarResult) -> str:
    """Human-readable lines for one query."""
    if result.error is not None:
        return f"{result.query}: error: {result.error}"
    lines = [f"{result.query}:"] + [
        f"  {m.score:.3f}  {m.path}{'  (exact duplicate)' if m.exact_duplicate else ''}"
        for m in result.matches
    ]
    return "\n".join(lines)


def run_status(args: argparse.Namespace) -> int:
    """``photofind status [--json]``."""
    with open_library(args) as library:
        status = library.status()
    if args.json:
        print(json.dumps(status, ensure_ascii=False))
        return 0
    print(
        f"{status['photos']} photos: {status['indexed']} indexed, {status['pending']} pending, "
        f"{status['failed']} failed, {status['offline']} offline"
    )
    for folder in status["folders"]:
        print(f"  {folder['path']}{'' if folder['online'] else '  (offline)'}")
    for failure in status["failed_files"]:
        print(f"  failed: {failure['path']}: {failure['reason']}")
    return 0


def run_retry(args: argparse.Namespace) -> int:
    """``photofind retry [FILE...]``: failed files go back to the queue."""
    with open_library(args) as library:
        count = library.retry_failed(args.files or None)
    print(f"{count} files queued again; run 'photofind index'")
    return 0


def run_watch(args: argparse.Namespace) -> int:
    """``photofind watch``: index, then follow changes on disk until interrupted."""
    from photofind.indexing.service import watch_forever

    logging.basicConfig(level=logging.INFO, format="photofind: %(message)s")

    with _stop_on_interrupt() as stop:
        watch_forever(library_dir(args.library), stop, _progress_printer())
    return 0


@contextmanager
def _stop_on_interrupt() -> Iterator[threading.Event]:
    """An event set by Ctrl+C or SIGTERM, so work stops cleanly between batches."""
    stop = threading.Event()
    previous = {sig: signal.getsignal(sig) for sig in (signal.SIGINT, signal.SIGTERM)}
    for sig in previous:
        signal.signal(sig, lambda *_: stop.set())
    try:
        yield stop
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)


def _progress_printer() -> Any:
    if not sys.stderr.isatty():
        return None

    def show(progress: Progress) -> None:
        total = max(progress.total, progress.done, 1)
        filled = int(30 * progress.done / total)
        sys.stderr.write(
            f"\r[{'#' * filled}{'.' * (30 - filled)}] {progress.done}/{total} photos, "
            f"{progress.failed} failed, {progress.rate:.1f} photos/s "
        )
        sys.stderr.flush()

    return show


def _finish_progress_line() -> None:
    if sys.stderr.isatty():
        sys.stderr.write("\n")
