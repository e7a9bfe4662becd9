"""The desktop file and AppStream metainfo: consistent with the app, and valid per the validators.

The validators come from Debian's ``desktop-file-utils`` and ``appstream`` packages; each test that
needs one is skipped, with the reason, only when its binary is absent.
"""

from __future__ import annotations

import configparser
import shutil
import subprocess
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from photofind import APP_ID, APP_NAME, __version__

REPO = Path(__file__).resolve().parents[2]
DESKTOP = REPO / "packaging" / "linux" / f"{APP_ID}.desktop"
METAINFO = REPO / "packaging" / "linux" / f"{APP_ID}.metainfo.xml"


def _validate(command: list[str]) -> None:
    result = subprocess.run(command, capture_output=True, text=True, timeout=60, check=False)
    assert result.returncode == 0, f"{' '.join(command)}:\n{result.stdout}{result.stderr}"


def test_desktop_file_passes_desktop_file_validate() -> None:
    if shutil.which("desktop-file-validate") is None:
        pytest.skip("desktop-file-validate is not installed (Debian package desktop-file-utils)")
    _validate(["desktop-file-validate", str(DESKTOP)])


def test_metainfo_passes_appstream_validation() -> None:
    if shutil.which("appstreamcli") is not None:
        _validate(["appstreamcli", "validate", "--no-net", str(METAINFO)])
    elif shutil.which("appstream-util") is not None:
        _validate(["appstream-util", "validate-relax", "--nonet", str(METAINFO)])
    else:
        pytest.skip(
            "neither appstreamcli nor appstream-util is installed (Debian package appstream)"
        )


def test_desktop_file_names_the_app() -> None:
    parser = configparser.ConfigParser(interpolation=None)
    parser.optionxform = str  # type: ignore[assignment,method-assign]
    parser.read(DESKTOP, encoding="utf-8")
    entry = parser["Desktop Entry"]
    assert entry["Name"] == APP_NAME
    assert entry["Icon"] == APP_ID
    assert entry["Exec"].split()[0] == "photofind"
    # Qt's X11 WM_CLASS class is the application name (set in gui/app.py).
    assert entry["StartupWMClass"] == APP_NAME
    assert "Photography" in entry["Categories"].split(";")


def test_metainfo_matches_the_app() -> None:
    root = ET.parse(METAINFO).getroot()
    assert root.get("type") == "desktop-application"
    assert root.findtext("id") == APP_ID
    assert root.findtext("name") == APP_NAME
    assert root.findtext("launchable") == DESKTOP.name
    assert root.findtext("metadata_license") == "CC0-1.0"
    assert root.findtext("project_license") == "GPL-3.0-or-later"
    assert root.find("content_rating") is not None
    versions = [release.get("version") for release in root.iter("release")]
    assert __version__ in versions
    for image in root.iter("image"):
        # Screenshot URLs point into this repository's packaging/screenshots/.
        name = (image.text or "").rsplit("/packaging/", 1)[-1]
        assert (REPO / "packaging" / name).is_file(), image.text
