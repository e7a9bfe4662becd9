"""Catalogue queries for whole-library grouping (duplicates and clusters)."""

from __future__ import annotations

from photofind.catalog.store import Store


class GroupStore(Store):
    """Reads that duplicate grouping and clustering need (filled in with the duplicates issue)."""
