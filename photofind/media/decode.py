"""Turn a photo file into RGB pixels of a requested size, fast and safely.

One read of the file serves three purposes: the content fingerprint, the metadata and the pixels.
JPEGs are decoded with Pillow's draft mode (a DCT-domain downscale by 1/2, 1/4 or 1/8), so a 12 MP
photo is never fully decoded when a 224 px picture is all that is needed. Every failure becomes a
:class:`DecodeError` whose message is written for the user ("not an image", "truncated file", ...),
never a crash.
"""

from __future__ import annotations

import hashlib
import warnings
import zlib
from dataclasses import dataclass
from datetime import datetime
from io import BytesIO
from pathlib import Path

import numpy as np
from PIL import Image, ImageFile, ImageOps, UnidentifiedImageError

from photofind.errors import DecodeError

# 150 MP holds the largest camera panoramas people keep; past it a PNG or TIFF needs gigabytes.
MAX_PIXELS = 150_000_000
# Files larger than this are not read into memory (a 150 MP 16-bit RGB TIFF is ~900 MB).
MAX_FILE_BYTES = 1_000_000_000
_FINGERPRINT_BYTES = (
    16  # blake2b digest size: 128 bits, far past any collision risk in a photo library
)

_EXIF_DATETIME_ORIGINAL = 0x9003
_EXIF_DATETIME = 0x0132
_EXIF_MAKE = 0x010F
_EXIF_MODEL = 0x0110
_EXIF_IFD = 0x8769
_WHITE = (255, 255, 255)

# Pillow refuses over 2x MAX_IMAGE_PIXELS and warns above it; _check_pixel_count refuses everything
# above MAX_PIXELS with a clear message, so Pillow's warning would only be noise.
Image.MAX_IMAGE_PIXELS = MAX_PIXELS
warnings.filterwarnings("ignore", category=Image.DecompressionBombWarning)
ImageFile.LOAD_TRUNCATED_IMAGES = False


def _register_optional_formats() -> None:
    """Teach Pillow HEIC/HEIF when the optional ``pillow-heif`` package is installed."""
    try:
        from pillow_heif import register_heif_opener
    except ImportError:
        return
    register_heif_opener()


_register_optional_formats()


@dataclass(frozen=True, slots=True)
class PhotoInfo:
    """What a photo file says about itself, read from its header and EXIF."""

    width: int
    height: int
    format: str
    taken_at: datetime | None
    camera: str | None


@dataclass(frozen=True, slots=True)
class LoadedPhoto:
    """A decoded photo: RGB pixels of the requested size plus what was learnt on the way."""

    pixels: np.ndarray  # uint8, shape (size, size, 3), RGB
    fingerprint: str  # hex blake2b of the file's bytes
    info: PhotoInfo


def fingerprint_bytes(data: bytes) -> str:
    """Return the content fingerprint of a file's bytes (hex)."""
    return hashlib.blake2b(data, digest_size=_FINGERPRINT_BYTES).hexdigest()


def read_file(path: Path) -> bytes:
    """Read a whole photo file, turning OS errors into user-readable reasons.

    Raises:
        DecodeError: when the file is empty, too large, missing or unreadable.
    """
    try:
        size = path.stat().st_size
        if size == 0:
            raise DecodeError("empty file (0 bytes)")
        if size > MAX_FILE_BYTES:
            raise DecodeError(f"file too large to open ({size / 1e6:.0f} MB)")
        return path.read_bytes()
    except PermissionError as exc:
        raise DecodeError("permission denied") from exc
    except FileNotFoundError as exc:
        raise DecodeError("file no longer exists") from exc
    except IsADirectoryError as exc:
        raise DecodeError("is a folder, not a file") from exc
    except OSError as exc:
        raise DecodeError(f"cannot read file: {exc.strerror or exc}") from exc


def load_photo(path: Path, size: int) -> LoadedPhoto:
    """Read, fingerprint and decode ``path`` into a ``size`` x ``size`` RGB array (centre crop).

    Raises:
        DecodeError: for any file that is not a readable image.
    """
    data = read_file(path)
    image, info = open_image(data, min_side=size)
    pixels = np.asarray(_centre_square(image, size), dtype=np.uint8)
    return LoadedPhoto(pixels=pixels, fingerprint=fingerprint_bytes(data), info=info)


def open_image(data: bytes, min_side: int) -> tuple[Image.Image, PhotoInfo]:
    """Decode image bytes to an upright RGB image whose shorter side is at least ``min_side``.

    The result may be larger than asked (draft mode scales by powers of two only); callers resize
    it.

    Raises:
        DecodeError: for corrupt, truncated, unsupported or oversized images.
    """
    try:
        encoded = Image.open(BytesIO(data))
        info = _read_info(encoded)
        _check_pixel_count(encoded)
        encoded.draft("RGB", _draft_request(encoded, min_side))
        encoded.load()
        return _to_rgb(ImageOps.exif_transpose(encoded)), info
    except DecodeError:
        raise
    except UnidentifiedImageError as exc:
        raise DecodeError("not an image, or a format PhotoFind cannot read") from exc
    except Image.DecompressionBombError as exc:
        raise DecodeError(f"image too large to decode safely ({exc})") from exc
    except (OSError, SyntaxError, ValueError, EOFError, zlib.error) as exc:
        raise DecodeError(_describe_decode_failure(exc)) from exc


def _describe_decode_failure(exc: BaseException) -> str:
    text = str(exc) or type(exc).__name__
    if "truncated" in text.lower() or isinstance(exc, EOFError):
        return "truncated or incomplete image file"
    return f"corrupt image data ({text})"


def _check_pixel_count(image: Image.Image) -> None:
    width, height = image.size
    if width * height > MAX_PIXELS:
        megapixels = width * height / 1e6
        raise DecodeError(
            f"image too large to decode safely ({width}x{height}, {megapixels:.0f} MP; "
            f"limit {MAX_PIXELS / 1e6:.0f} MP)"
        )


def _draft_request(image: Image.Image, min_side: int) -> tuple[int, int]:
    """The draft size that keeps the shorter side >= ``min_side`` whatever the aspect ratio."""
    width, height = image.size
    scale = min_side / max(1, min(width, height))
    return max(1, round(width * scale)), max(1, round(height * scale))


def _to_rgb(image: Image.Image) -> Image.Image:
    """Normalise any mode to 8-bit RGB: alpha onto white, 16-bit/float rescaled, CMYK converted."""
    mode = image.mode
    if mode in ("I;16", "I;16B", "I;16L", "I;16N", "I", "F"):
        return _high_bit_depth_to_rgb(image)
    if mode == "P" or mode == "PA":
        image = image.convert("RGBA")
        mode = "RGBA"
    if mode in ("RGBA", "LA", "La", "RGBa"):
        return _flatten_alpha(image.convert("RGBA"))
    if mode != "RGB":
        return image.convert("RGB")
    return image


def _flatten_alpha(image: Image.Image) -> Image.Image:
    background = Image.new("RGB", image.size, _WHITE)
    background.paste(image, mask=image.getchannel("A"))
    return background


def _high_bit_depth_to_rgb(image: Image.Image) -> Image.Image:
    """Scale a 16/32-bit or float greyscale image into 0..255 by its own value range."""
    values = np.asarray(image, dtype=np.float32)
    low, high = float(values.min()), float(values.max())
    if image.mode.startswith("I;16") and high <= 65535:
        low, high = 0.0, 65535.0
    span = high - low if high > low else 1.0
    grey = np.clip((values - low) * (255.0 / span), 0, 255).astype(np.uint8)
    return Image.fromarray(grey).convert("RGB")


def _centre_square(image: Image.Image, size: int) -> Image.Image:
    """Resize the shorter side to ``size`` and crop the centre ``size`` x ``size`` square."""
    width, height = image.size
    scale = size / min(width, height)
    new_w, new_h = max(size, round(width * scale)), max(size, round(height * scale))
    left, top = (new_w - size) // 2, (new_h - size) // 2
    return image.resize(
        (size, size),
        Image.Resampling.BICUBIC,
        box=(left / scale, top / scale, (left + size) / scale, (top + size) / scale),
        reducing_gap=3.0,
    )


def _read_info(image: Image.Image) -> PhotoInfo:
    """Header facts: oriented size, format, EXIF date taken and camera."""
    width, height = image.size
    exif = image.getexif()
    if exif.get(0x0112, 1) in (5, 6, 7, 8):  # EXIF orientations that swap width and height
        width, height = height, width
    return PhotoInfo(
        width=width,
        height=height,
        format=image.format or "unknown",
        taken_at=_exif_datetime(exif),
        camera=_exif_camera(exif),
    )


def _exif_datetime(exif: Image.Exif) -> datetime | None:
    raw = exif.get_ifd(_EXIF_IFD).get(_EXIF_DATETIME_ORIGINAL) or exif.get(_EXIF_DATETIME)
    if not isinstance(raw, str):
        return None
    try:
        return datetime.strptime(raw.strip("\x00 ")[:19], "%Y:%m:%d %H:%M:%S")
    except ValueError:
        return None


def _exif_camera(exif: Image.Exif) -> str | None:
    make = str(exif.get(_EXIF_MAKE, "")).strip("\x00 ")
    model = str(exif.get(_EXIF_MODEL, "")).strip("\x00 ")
    if model.lower().startswith(make.lower()):
        make = ""
    camera = f"{make} {model}".strip()
    return camera or None
