"""Catalogue queries for label search."""

from __future__ import annotations

from photofind.catalog.store import Store


class LabelStore(Store):
    """Reads that label search needs (filled in with the label-search issue)."""
