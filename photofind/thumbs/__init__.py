"""Thumbnail rendering and the disk thumbnail cache."""
