"""The app icon set: an SVG plus square PNGs at every hicolor size, and the window uses it."""

from __future__ import annotations

import xml.etree.ElementTree as ET

import pytest
from PIL import Image

from photofind import APP_ID
from photofind.resources import resource_path

SIZES = (16, 24, 32, 48, 64, 128, 256, 512)


@pytest.mark.parametrize("size", SIZES)
def test_png_icon_exists_at_its_size(size: int) -> None:
    path = resource_path("icons", "hicolor", f"{size}x{size}", "apps", f"{APP_ID}.png")
    with Image.open(path) as image:
        assert image.format == "PNG"
        assert image.size == (size, size)
        assert image.mode == "RGBA"


def test_svg_icon_is_square_svg() -> None:
    root = ET.parse(resource_path("icons", "scalable", "apps", f"{APP_ID}.svg")).getroot()
    assert root.tag == "{http://www.w3.org/2000/svg}svg"
    assert root.get("viewBox") == "0 0 512 512"


def test_window_icon_has_every_size(qapp: object) -> None:
    from photofind.gui.app import app_icon

    sizes = {(s.width(), s.height()) for s in app_icon().availableSizes()}
    assert sizes == {(n, n) for n in SIZES}
