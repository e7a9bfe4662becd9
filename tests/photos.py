"""Real photographs for tests and benchmarks: the ones scikit-image ships inside its wheel."""

from __future__ import annotations

import numpy as np
from PIL import Image

# Real colour photographs that scikit-image ships inside its wheel (no download).
PHOTO_NAMES = ("astronaut", "chelsea", "coffee", "rocket", "motorcycle_left", "hubble_deep_field")


def load_skimage_photo(name: str) -> Image.Image:
    """One of scikit-image's bundled photographs as an RGB Pillow image."""
    from skimage import data

    array = data.stereo_motorcycle()[0] if name == "motorcycle_left" else getattr(data, name)()
    return Image.fromarray(np.asarray(array)).convert("RGB")
