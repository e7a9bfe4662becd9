"""The ``duplicates`` and ``clusters`` commands of ``photofind``."""

from __future__ import annotations

from typing import Any


def add_group_commands(commands: Any) -> None:
    """Register the grouping sub-commands (filled in with the duplicates issue)."""
