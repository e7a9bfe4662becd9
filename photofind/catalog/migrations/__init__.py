"""Numbered SQL migration steps (``NNNN_slug.sql``), loaded with ``importlib.resources``.

Never edit a shipped step: add the next number instead.
"""
