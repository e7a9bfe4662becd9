"""Scanning, embedding and watching folders; the single writer thread."""
