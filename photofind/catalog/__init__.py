"""The SQLite catalogue: the source of truth for photos, folders and vectors."""
