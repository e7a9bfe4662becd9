"""The ``search`` command of ``photofind``: photos by what is in them."""

from __future__ import annotations

from typing import Any


def add_search_commands(commands: Any) -> None:
    """Register the label-search sub-command (filled in with the label-search issue)."""
