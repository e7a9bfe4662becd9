"""Composition root: decides what ``photofind`` runs and wires the services together."""

from __future__ import annotations

import sys
from collections.abc import Sequence

from photofind.cli import parse_args, run_command
from photofind.config.paths import library_dir


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``photofind`` command: no command (or ``gui``) opens the window."""
    args = parse_args(sys.argv[1:] if argv is None else argv)
    if getattr(args, "handler", None) is None:
        from photofind.gui.app import run_gui  # Qt is loaded only for the window

        return run_gui(library_dir(args.library))
    return run_command(args)
