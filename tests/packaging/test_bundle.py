"""Smoke test of the PyInstaller bundle: build it, then run the bundled binary with no network.

Slow and opt-in: ``PHOTOFIND_TEST_BUNDLE=1 python -m pytest -m bundle``. It reuses an existing
``dist/photofind`` (set ``PHOTOFIND_TEST_BUNDLE=rebuild`` to build afresh).
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from photofind import __version__
from tests.cli import REPO
from tests.packaging.offline import no_network_prefix

BUNDLE = REPO / "dist" / "photofind"
BINARY = BUNDLE / "photofind"

pytestmark = [
    pytest.mark.bundle,
    pytest.mark.timeout(1800),
    pytest.mark.skipif(
        os.environ.get("PHOTOFIND_TEST_BUNDLE") not in ("1", "rebuild"),
        reason="builds the PyInstaller bundle: set PHOTOFIND_TEST_BUNDLE=1 to run",
    ),
]


@pytest.fixture(scope="module")
def binary() -> Path:
    """The bundled ``photofind``, built by packaging/build.sh unless already there."""
    if os.environ.get("PHOTOFIND_TEST_BUNDLE") == "rebuild" or not BINARY.exists():
        result = subprocess.run(
            ["bash", str(REPO / "packaging" / "build.sh")],
            capture_output=True,
            text=True,
            timeout=1700,
            check=False,
        )
        assert result.returncode == 0, result.stdout[-2000:] + result.stderr[-4000:]
    return BINARY


@pytest.fixture
def env(tmp_path: Path) -> dict[str, str]:
    """An environment that keeps the run's files in ``tmp_path`` and needs no display."""
    keep = ("PATH", "LANG", "LC_ALL", "TMPDIR")
    return {k: os.environ[k] for k in keep if k in os.environ} | {
        "HOME": str(tmp_path / "home"),
        "XDG_CONFIG_HOME": str(tmp_path / "config"),
        "PHOTOFIND_CACHE_DIR": str(tmp_path / "cache"),
        "QT_QPA_PLATFORM": "offscreen",
    }


def _run(
    binary: Path, *args: str, env: dict[str, str], timeout: int = 300
) -> subprocess.CompletedProcess[str]:
    """Run the bundled binary outside the source tree, with networking disabled."""
    offline = no_network_prefix()
    if not offline:
        print("unshare -n is not available here: running the bundle with networking")
    return subprocess.run(
        [*offline, str(binary), *args],
        cwd=env["HOME"],
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )


def _ok(result: subprocess.CompletedProcess[str]) -> str:
    assert result.returncode == 0, f"exit {result.returncode}\n{result.stdout}\n{result.stderr}"
    return result.stdout


def test_bundle_holds_the_model_and_no_test_tools(binary: Path) -> None:
    internal = binary.parent / "_internal"
    assert (internal / "photofind" / "_resources" / "models" / "efficientnet-lite0.onnx").is_file()
    assert (internal / "photofind" / "catalog" / "migrations" / "0001_initial.sql").is_file()
    for unwanted in ("pytest", "skimage", "torch", "tkinter", "_tkinter"):
        assert not list(internal.glob(f"{unwanted}*")), unwanted


def test_bundle_version_and_self_test(binary: Path, env: dict[str, str]) -> None:
    Path(env["HOME"]).mkdir()
    assert _ok(_run(binary, "--version", env=env)).strip() == f"photofind {__version__}"
    assert " self-test: ok: " in _ok(_run(binary, "--self-test", env=env))


def test_bundle_indexes_and_answers_similar(
    binary: Path, env: dict[str, str], tmp_path: Path, photo_paths: dict[str, Path]
) -> None:
    Path(env["HOME"]).mkdir()
    album = tmp_path / "album"
    album.mkdir()
    for path in photo_paths.values():
        shutil.copy(path, album / path.name)
    library = ("--library", str(tmp_path / "library"))

    _ok(_run(binary, *library, "add", str(album), env=env))
    summary = json.loads(_ok(_run(binary, *library, "index", "--json", env=env)))
    assert summary["indexed"] == len(photo_paths)
    assert summary["failed"] == 0

    query = photo_paths["chelsea"]
    out = _ok(_run(binary, *library, "similar", str(query), "-k", "3", "--json", env=env))
    (record,) = (json.loads(line) for line in out.splitlines())
    assert record["query"] == str(query)
    best = record["results"][0]
    assert Path(best["path"]).name == query.name
    assert best["score"] > 0.99
    assert len(record["results"]) == 3


def test_bundle_window_opens_offscreen(binary: Path, env: dict[str, str], tmp_path: Path) -> None:
    Path(env["HOME"]).mkdir()
    env = env | {"PHOTOFIND_EXIT_AFTER_SHOWN": "1"}
    out = _ok(_run(binary, "--library", str(tmp_path / "library"), env=env, timeout=60))
    assert re.search(r"^photofind: window shown \d+\.\d+ s after process start$", out, re.M)
