"""Shared fixtures: real photographs (scikit-image's bundled ones) as files in a temp folder."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from tests.photos import PHOTO_NAMES, load_skimage_photo

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")


@pytest.fixture(scope="session")
def photo_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A folder of the real test photos as JPEG files (quality 92), one per name in PHOTO_NAMES."""
    folder = tmp_path_factory.mktemp("photos")
    for name in PHOTO_NAMES:
        load_skimage_photo(name).save(folder / f"{name}.jpg", quality=92)
    return folder


@pytest.fixture(scope="session")
def photo_paths(photo_dir: Path) -> dict[str, Path]:
    """Name -> path of each real test photo."""
    return {name: photo_dir / f"{name}.jpg" for name in PHOTO_NAMES}
