"""Render thumbnails with Pillow: draft-mode decode, EXIF orientation, high-quality downscale.

No Qt here: the result is raw RGB bytes (for a ``QImage`` built by the GUI) or JPEG bytes (for
the disk cache).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from io import BytesIO
from pathlib import Path

from PIL import Image

from photofind.errors import DecodeError
from photofind.media.decode import open_image, read_file

JPEG_QUALITY = 88  # thumbnails are looked at closely when zoomed in; 88 shows no blocking at 2x DPR


@dataclass(frozen=True, slots=True)
class Thumbnail:
    """An RGB thumbnail: ``rgb`` holds ``width * height * 3`` bytes, rows packed."""

    width: int
    height: int
    rgb: bytes

    def to_jpeg(self, quality: int = JPEG_QUALITY) -> bytes:
        """Encode as JPEG (the disk cache's format)."""
        out = BytesIO()
        image = Image.frombytes("RGB", (self.width, self.height), self.rgb)
        image.save(out, "JPEG", quality=quality, optimize=True)
        return out.getvalue()


def render(path: Path, px: int) -> Thumbnail:
    """Decode ``path`` into an upright thumbnail whose longest side is at most ``px``.

    Images smaller than ``px`` are not enlarged.

    Raises:
        DecodeError: when the file is not a readable image.
    """
    return render_bytes(read_file(path), px)


def render_bytes(data: bytes, px: int) -> Thumbnail:
    """Like :func:`render`, from the file's bytes."""
    if px <= 0:
        raise ValueError(f"thumbnail size must be positive, not {px}")
    image, _ = open_image(data, min_side=_min_side_for(data, px))
    image = _fit(image, px)
    return Thumbnail(image.width, image.height, image.tobytes())


def _min_side_for(data: bytes, px: int) -> int:
    """The shorter side the decoder must keep so that the longest side can still reach ``px``."""
    try:
        with Image.open(BytesIO(data)) as header:
            width, height = header.size
    except (OSError, SyntaxError, ValueError) as exc:
        raise DecodeError("not an image, or a format PhotoFind cannot read") from exc
    short, long = min(width, height), max(width, height)
    return max(1, math.ceil(px * short / max(1, long)))


def _fit(image: Image.Image, px: int) -> Image.Image:
    """Downscale so the longest side is ``px`` (Lanczos after a cheap box pre-reduction)."""
    scale = px / max(image.width, image.height)
    if scale >= 1:
        return image
    size = (max(1, round(image.width * scale)), max(1, round(image.height * scale)))
    return image.resize(size, Image.Resampling.LANCZOS, reducing_gap=3.0)
