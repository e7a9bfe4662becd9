"""Shared fixtures: real photographs (scikit-image's bundled ones) as files in a temp folder."""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

# Real colour photographs that scikit-image ships inside its wheel (no download).
PHOTO_NAMES = ("astronaut", "chelsea", "coffee", "rocket", "motorcycle_left", "hubble_deep_field")


def load_skimage_photo(name: str) -> Image.Image:
    """One of scikit-image's bundled photographs as an RGB Pillow image."""
    from skimage import data

    array = data.stereo_motorcycle()[0] if name == "motorcycle_left" else getattr(data, name)()
    return Image.fromarray(np.asarray(array)).convert("RGB")


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
