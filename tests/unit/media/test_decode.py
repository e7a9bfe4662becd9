"""Decoding every kind of photo a user has, and a clear reason for every file that is not one."""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from PIL import Image

from photofind.errors import DecodeError
from photofind.media import decode
from photofind.media.decode import load_photo, open_image

SIZE = 224


def _mean_abs_diff(a: np.ndarray, b: np.ndarray) -> float:
    return float(np.abs(a.astype(np.int16) - b.astype(np.int16)).mean())


def _save(image: Image.Image, path: Path, **params: Any) -> Path:
    image.save(path, **params)
    return path


@pytest.fixture
def astronaut(photo_paths: dict[str, Path]) -> Image.Image:
    return Image.open(photo_paths["astronaut"]).convert("RGB")


def test_large_jpeg_is_decoded_in_draft_mode_not_at_full_size(tmp_path: Path, astronaut) -> None:
    big = _save(astronaut.resize((4000, 3000)), tmp_path / "big.jpg", quality=90)
    image, info = open_image(big.read_bytes(), min_side=SIZE)
    # Draft mode scales a JPEG by 1/8 at most: 4000x3000 -> 500x375. A full decode would be 4000
    # wide.
    assert image.size == (500, 375)
    assert (info.width, info.height) == (4000, 3000)
    assert load_photo(big, SIZE).pixels.shape == (SIZE, SIZE, 3)


def test_exif_orientation_is_applied(tmp_path: Path, astronaut) -> None:
    upright = astronaut.resize((300, 200))
    exif = Image.Exif()
    exif[0x0112] = (
        6  # "rotate 90 CW to display": the stored pixels are the upright image turned CCW
    )
    stored = upright.transpose(Image.Transpose.ROTATE_90)
    rotated = _save(stored, tmp_path / "rotated.jpg", quality=95, exif=exif.tobytes())
    plain = _save(upright, tmp_path / "plain.jpg", quality=95)

    twin, info = load_photo(rotated, SIZE), load_photo(plain, SIZE)
    assert (twin.info.width, twin.info.height) == (300, 200)
    assert _mean_abs_diff(twin.pixels, info.pixels) < 6
    unrotated = np.asarray(stored.resize((SIZE, SIZE)))
    assert _mean_abs_diff(twin.pixels, unrotated) > 20  # the check above is not trivially true


@pytest.mark.parametrize(
    ("mode", "fmt"),
    [
        ("RGB", "PNG"),
        ("RGB", "WEBP"),
        ("RGB", "TIFF"),
        ("RGB", "BMP"),
        ("L", "PNG"),
        ("P", "PNG"),
        ("P", "GIF"),
        ("CMYK", "JPEG"),
        ("CMYK", "TIFF"),
        ("I;16", "PNG"),
    ],
)
def test_colour_modes_and_formats_decode_to_rgb(
    tmp_path: Path, astronaut, mode: str, fmt: str
) -> None:
    source = astronaut.resize((256, 256))
    converted = source.convert("L").convert("I;16") if mode == "I;16" else source.convert(mode)
    if mode == "I;16":  # widen 8-bit grey to the full 16-bit range, as a real 16-bit scan would be
        converted = Image.fromarray(np.asarray(source.convert("L"), np.uint16) * 257)
    path = _save(converted, tmp_path / f"img.{fmt.lower()}", format=fmt)

    pixels = load_photo(path, SIZE).pixels
    assert pixels.shape == (SIZE, SIZE, 3)
    assert pixels.dtype == np.uint8
    expected = np.asarray(source.resize((SIZE, SIZE)))
    if mode in ("L", "I;16"):
        expected = np.asarray(source.convert("L").convert("RGB").resize((SIZE, SIZE)))
    assert _mean_abs_diff(pixels, expected) < 12


def test_heic_decodes_with_the_optional_pillow_heif(tmp_path: Path, astronaut: Image.Image) -> None:
    import pillow_heif  # noqa: F401 - installed by the test extra; registered by photofind.media.decode

    path = _save(astronaut, tmp_path / "phone.heic", quality=90)
    loaded = load_photo(path, SIZE)
    assert loaded.info.format == "HEIF"
    assert _mean_abs_diff(loaded.pixels, np.asarray(astronaut.resize((SIZE, SIZE)))) < 12


def test_transparency_is_composited_on_white(tmp_path: Path) -> None:
    rgba = Image.new("RGBA", (300, 300), (255, 0, 0, 0))
    rgba.paste((0, 0, 255, 255), (0, 0, 150, 300))  # opaque blue left half, transparent right half
    pixels = load_photo(_save(rgba, tmp_path / "alpha.png"), SIZE).pixels
    assert tuple(pixels[112, 20]) == (0, 0, 255)
    assert tuple(pixels[112, 200]) == (255, 255, 255)


def test_gif_uses_the_first_frame(tmp_path: Path) -> None:
    frames = [Image.new("RGB", (240, 240), colour) for colour in ((0, 200, 0), (200, 0, 0))]
    path = tmp_path / "anim.gif"
    frames[0].save(path, save_all=True, append_images=frames[1:], duration=100)
    pixels = load_photo(path, SIZE).pixels
    assert pixels[..., 1].mean() > 150 > pixels[..., 0].mean()


def test_exif_date_taken_and_camera_are_read(tmp_path: Path, astronaut) -> None:
    exif = Image.Exif()
    exif[0x010F] = "Canon"
    exif[0x0110] = "Canon EOS 5D"
    exif.get_ifd(0x8769)[0x9003] = "2021:07:14 10:30:05"
    path = _save(astronaut, tmp_path / "exif.jpg", exif=exif.tobytes())
    info = load_photo(path, SIZE).info
    assert info.camera == "Canon EOS 5D"
    assert info.taken_at is not None
    assert info.taken_at.isoformat() == "2021-07-14T10:30:05"


def test_fingerprint_depends_on_content_only(tmp_path: Path, astronaut) -> None:
    first = _save(astronaut, tmp_path / "a.jpg", quality=90)
    copy = tmp_path / "b.jpg"
    copy.write_bytes(first.read_bytes())
    other = _save(astronaut, tmp_path / "c.jpg", quality=80)
    fingerprints = [load_photo(p, SIZE).fingerprint for p in (first, copy, other)]
    assert fingerprints[0] == fingerprints[1] != fingerprints[2]


def _write(name: str, data: bytes):
    def make(folder: Path, _: Image.Image) -> Path:
        (folder / name).write_bytes(data)
        return folder / name

    return make


def _truncated_jpeg(folder: Path, astronaut: Image.Image) -> Path:
    data = io.BytesIO()
    astronaut.save(data, format="JPEG")
    path = folder / "truncated.jpg"
    path.write_bytes(data.getvalue()[: len(data.getvalue()) // 2])
    return path


def _damaged_png(folder: Path, astronaut: Image.Image) -> Path:
    data = io.BytesIO()
    astronaut.save(data, format="PNG")
    raw = bytearray(data.getvalue())
    raw[len(raw) // 2 : len(raw) // 2 + 64] = bytes(64)  # zero a run inside the compressed pixels
    path = folder / "damaged.png"
    path.write_bytes(bytes(raw))
    return path


BAD_FILES = {
    "zero-byte": (_write("empty.jpg", b""), "empty file"),
    "text-as-jpeg": (_write("text.jpg", b"hello, not a photo"), "not an image"),
    "corrupt-png": (_damaged_png, "corrupt image data"),
    "truncated-jpeg": (_truncated_jpeg, "truncated"),
    "missing": (lambda folder, _: folder / "missing.jpg", "no longer exists"),
    "folder": (lambda folder, _: folder, "is a folder"),
}


@pytest.mark.parametrize("kind", BAD_FILES)
def test_bad_files_raise_a_clear_reason(tmp_path: Path, astronaut, kind: str) -> None:
    make, reason = BAD_FILES[kind]
    with pytest.raises(DecodeError, match=reason):
        load_photo(make(tmp_path, astronaut), SIZE)


def test_decompression_bomb_is_refused_before_decoding(tmp_path: Path) -> None:
    bomb = _save(
        Image.new("1", (13_000, 13_000)), tmp_path / "bomb.png"
    )  # 169 MP, a few KB on disk
    assert bomb.stat().st_size < 1_000_000
    with pytest.raises(DecodeError, match="too large to decode safely"):
        load_photo(bomb, SIZE)


def test_unreadable_file_reports_permission_denied(tmp_path: Path, monkeypatch) -> None:
    # Tests run as root in CI, where chmod cannot make a file unreadable; the OS error is simulated.
    path = tmp_path / "secret.jpg"
    path.write_bytes(b"x")

    def deny(self: Path) -> bytes:
        raise PermissionError(13, "Permission denied", str(self))

    monkeypatch.setattr(Path, "read_bytes", deny)
    with pytest.raises(DecodeError, match="permission denied"):
        load_photo(path, SIZE)


def test_oversized_file_is_not_read(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setattr(decode, "MAX_FILE_BYTES", 10)
    path = tmp_path / "big.jpg"
    path.write_bytes(b"\xff" * 100)
    with pytest.raises(DecodeError, match="file too large"):
        load_photo(path, SIZE)
