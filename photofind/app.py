"""Composition root: decides what ``photofind`` runs and wires the services together."""

from __future__ import annotations

import sys
from collections.abc import Sequence

from photofind.cli import run_cli


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``photofind`` command."""
    return run_cli(sys.argv[1:] if argv is None else argv)
