"""packaging/linux/install.sh: installs a bundle and its desktop integration into a prefix."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

from photofind import APP_ID
from tests.cli import REPO

INSTALL = REPO / "packaging" / "linux" / "install.sh"
SIZES = (16, 24, 32, 48, 64, 128, 256, 512)


def _install(*args: str, bundle: Path) -> subprocess.CompletedProcess[str]:
    env = os.environ | {"PHOTOFIND_BUNDLE": str(bundle)}
    return subprocess.run(
        ["bash", str(INSTALL), *args], env=env, capture_output=True, text=True, check=False
    )


def test_install_and_uninstall(tmp_path: Path) -> None:
    bundle = tmp_path / "dist" / "photofind"
    (bundle / "_internal").mkdir(parents=True)
    (bundle / "photofind").write_text("#!/bin/sh\necho fake photofind\n")
    (bundle / "photofind").chmod(0o755)
    prefix = tmp_path / "prefix"

    result = _install(str(prefix), bundle=bundle)
    assert result.returncode == 0, result.stderr
    launcher = prefix / "bin" / "photofind"
    assert subprocess.run([launcher], capture_output=True, text=True).stdout == "fake photofind\n"
    desktop = prefix / "share" / "applications" / f"{APP_ID}.desktop"
    assert f"Exec={launcher}\n" in desktop.read_text()
    assert (prefix / "share" / "metainfo" / f"{APP_ID}.metainfo.xml").is_file()
    icons = prefix / "share" / "icons" / "hicolor"
    assert (icons / "scalable" / "apps" / f"{APP_ID}.svg").is_file()
    for n in SIZES:
        assert (icons / f"{n}x{n}" / "apps" / f"{APP_ID}.png").is_file()
    if shutil.which("desktop-file-validate"):
        check = subprocess.run(["desktop-file-validate", desktop], capture_output=True, text=True)
        assert check.returncode == 0, check.stdout

    result = _install("--uninstall", str(prefix), bundle=bundle)
    assert result.returncode == 0, result.stderr
    assert not launcher.exists()
    assert not desktop.exists()
    assert not (prefix / "lib" / "photofind").exists()
    assert not list(icons.rglob("*.png"))


def test_install_without_a_bundle_says_how_to_build_one(tmp_path: Path) -> None:
    result = _install(str(tmp_path / "prefix"), bundle=tmp_path / "missing")
    assert result.returncode == 1
    assert "packaging/build.sh" in result.stderr
