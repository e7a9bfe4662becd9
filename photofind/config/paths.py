"""Where PhotoFind keeps its files: the platform's user folders, or an explicit override."""

from __future__ import annotations

import os
from pathlib import Path

import platformdirs

from photofind import APP_NAME

LIBRARY_ENV = "PHOTOFIND_LIBRARY"
CACHE_ENV = "PHOTOFIND_CACHE_DIR"


def library_dir(explicit: Path | None = None) -> Path:
    """The library folder: ``--library``, else ``$PHOTOFIND_LIBRARY``, else the user data dir."""
    if explicit is not None:
        return explicit.expanduser().absolute()
    if os.environ.get(LIBRARY_ENV):
        return Path(os.environ[LIBRARY_ENV]).expanduser().absolute()
    return platformdirs.user_data_path(APP_NAME, appauthor=False)


def cache_dir() -> Path:
    """The cache folder (thumbnails): ``$PHOTOFIND_CACHE_DIR``, else the user cache dir."""
    if os.environ.get(CACHE_ENV):
        return Path(os.environ[CACHE_ENV]).expanduser().absolute()
    return platformdirs.user_cache_path(APP_NAME, appauthor=False)
