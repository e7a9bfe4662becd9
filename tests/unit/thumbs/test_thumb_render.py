"""Thumbnails: longest side, upright, sharp, never enlarged, clear errors."""

from __future__ import annotations

import io
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from photofind.errors import DecodeError
from photofind.thumbs.render import Thumbnail, render, render_bytes


def _as_image(thumb: Thumbnail) -> Image.Image:
    return Image.frombytes("RGB", (thumb.width, thumb.height), thumb.rgb)


def test_longest_side_is_px_and_aspect_kept(photo_paths: dict[str, Path]) -> None:
    path = photo_paths["motorcycle_left"]
    with Image.open(path) as original:
        width, height = original.size
    thumb = render(path, 256)
    assert max(thumb.width, thumb.height) == 256
    assert thumb.width / thumb.height == pytest.approx(width / height, rel=0.02)
    assert len(thumb.rgb) == thumb.width * thumb.height * 3


def test_small_images_are_not_enlarged(tmp_path: Path) -> None:
    path = tmp_path / "small.png"
    Image.new("RGB", (40, 30), (200, 10, 10)).save(path)
    thumb = render(path, 256)
    assert (thumb.width, thumb.height) == (40, 30)


def test_exif_orientation_is_applied(tmp_path: Path) -> None:
    image = Image.new("RGB", (300, 100), (0, 0, 255))
    exif = Image.Exif()
    exif[0x0112] = 6  # rotate 90 degrees on display
    path = tmp_path / "rotated.jpg"
    image.save(path, exif=exif)
    thumb = render(path, 120)
    assert (thumb.width, thumb.height) == (40, 120)


def test_thumbnail_is_sharp_and_faithful(photo_paths: dict[str, Path]) -> None:
    path = photo_paths["astronaut"]
    thumb = render(path, 128)
    with Image.open(path) as original:
        reference = original.convert("RGB").resize((128, 128), Image.Resampling.LANCZOS)
    diff = np.abs(np.asarray(_as_image(thumb), np.int16) - np.asarray(reference, np.int16)).mean()
    assert diff < 4.0


def test_jpeg_round_trip(photo_paths: dict[str, Path]) -> None:
    thumb = render(photo_paths["coffee"], 96)
    decoded = Image.open(io.BytesIO(thumb.to_jpeg()))
    assert decoded.format == "JPEG"
    assert decoded.size == (thumb.width, thumb.height)


def test_not_an_image_is_a_decode_error() -> None:
    with pytest.raises(DecodeError):
        render_bytes(b"definitely not a photo", 64)


def test_missing_file_is_a_decode_error(tmp_path: Path) -> None:
    with pytest.raises(DecodeError):
        render(tmp_path / "gone.jpg", 64)
