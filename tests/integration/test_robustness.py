"""Crash safety and bad input: kill -9 mid-run, hostile files and names, folders that vanish."""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from photofind.catalog.repo import open_catalog
from photofind.indexing import scanner
from photofind.indexing.library import Library
from photofind.indexing.scanner import ScanReport, scan_folder
from tests.cli import REPO, photofind, status
from tests.photos import PHOTO_NAMES, load_skimage_photo


def write_distinct_photos(folder: Path, count: int, size: tuple[int, int]) -> list[Path]:
    """``count`` different real photos: the test photos with different crops and colour casts."""
    rng = np.random.default_rng(7)
    sources = [np.asarray(load_skimage_photo(n).resize(size)) for n in PHOTO_NAMES]
    paths = []
    for i in range(count):
        pixels = sources[i % len(sources)].astype(np.int16) + rng.integers(-20, 20, 3)
        path = folder / f"img_{i:04d}.jpg"
        Image.fromarray(np.clip(pixels, 0, 255).astype(np.uint8)).save(path, quality=88)
        paths.append(path)
    return paths


def indexed_count(library: Path) -> int:
    if not (library / "catalog.sqlite").exists():
        return 0
    try:
        catalog = open_catalog(library / "catalog.sqlite", readonly=True)
    except Exception:  # noqa: BLE001 - the writer may not have created the schema yet
        return 0
    try:
        return catalog.counts().indexed
    finally:
        catalog.close()


@pytest.mark.slow
def test_kill_9_mid_indexing_then_resume(tmp_path: Path) -> None:
    folder = tmp_path / "photos"
    folder.mkdir()
    paths = write_distinct_photos(folder, 160, (2400, 1800))
    lib = tmp_path / "lib"
    assert photofind(lib, "add", str(folder)).returncode == 0

    command = [sys.executable, "-m", "photofind", "--library", str(lib), "index"]
    child = subprocess.Popen(
        command, cwd=REPO, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    deadline = time.monotonic() + 120
    while indexed_count(lib) < 20 and time.monotonic() < deadline and child.poll() is None:
        time.sleep(0.02)
    child.send_signal(signal.SIGKILL)
    child.wait()
    killed_at = indexed_count(lib)
    assert 20 <= killed_at < len(paths), "the kill must land in the middle of the run"

    resumed = photofind(lib, "index", "--json")
    assert resumed.returncode == 0, resumed.stderr
    summary = json.loads(resumed.stdout)
    assert summary["indexed"] == len(paths) - killed_at  # nothing done twice, nothing lost

    state = status(lib)
    assert (state["photos"], state["indexed"], state["pending"], state["failed"]) == (
        160,
        160,
        0,
        0,
    )
    assert state["index_size"] == 160
    library = Library(lib)
    try:
        rows = library.catalog.paths_under(folder)
        assert sorted(rows) == sorted(paths)  # no duplicates, none missing
        results = library.similar(paths, k=1)
        assert all(r.error is None and len(r.matches) == 1 for r in results)
    finally:
        library.close()


def _unicode_and_raw_names(folder: Path, source: Path) -> list[Path]:
    names = [os.fsdecode(b"caf\xe9-latin1.jpg"), "日本の写真.jpg", "emoji 📷 photo.JPG"]
    paths = [folder / name for name in names]
    for path in paths:
        path.write_bytes(source.read_bytes())
    return paths


def test_hostile_files_are_listed_with_reasons_and_the_rest_indexed(
    tmp_path: Path, photo_paths: dict[str, Path]
) -> None:
    folder = tmp_path / "photos"
    (folder / "loop").mkdir(parents=True)
    (folder / "loop" / "again").symlink_to(folder, target_is_directory=True)  # a symlink loop
    good = [folder / "coffee.jpg", folder / "loop" / "chelsea.jpg"]
    good[0].write_bytes(photo_paths["coffee"].read_bytes())
    good[1].write_bytes(photo_paths["chelsea"].read_bytes())
    good += _unicode_and_raw_names(folder, photo_paths["astronaut"])
    bad = {
        "zero.jpg": (b"", "empty file (0 bytes)"),
        "text.png": (b"just text", "not an image, or a format PhotoFind cannot read"),
        "cut.jpg": (
            photo_paths["rocket"].read_bytes()[:4000],
            "truncated or incomplete image file",
        ),
    }
    for name, (data, _) in bad.items():
        (folder / name).write_bytes(data)
    Image.new("1", (13_000, 13_000)).save(folder / "bomb.png")  # 169 MP, a few KB

    lib = tmp_path / "lib"
    assert photofind(lib, "add", str(folder)).returncode == 0
    result = photofind(lib, "index", "--json")
    assert result.returncode == 0, result.stderr
    state = status(lib)
    reasons = {Path(f["path"]).name: f["reason"] for f in state["failed_files"]}
    assert {name: reasons[name] for name in bad} == {name: r for name, (_, r) in bad.items()}
    assert reasons["bomb.png"].startswith("image too large to decode safely")
    assert state["indexed"] == len(good)
    assert state["failed"] == len(bad) + 1


def test_an_unreadable_file_fails_with_permission_denied(
    tmp_path: Path, photo_paths: dict[str, Path]
) -> None:
    # Run as an unprivileged user (a user namespace): root could read the file regardless.
    if (
        shutil.which("unshare") is None
        or subprocess.run(["unshare", "-U", "true"], check=False).returncode
    ):
        pytest.fail("this test needs util-linux unshare with user namespaces")
    folder = tmp_path / "photos"
    folder.mkdir()
    (folder / "ok.jpg").write_bytes(photo_paths["coffee"].read_bytes())
    secret = folder / "secret.jpg"
    secret.write_bytes(photo_paths["chelsea"].read_bytes())
    secret.chmod(0)
    lib = tmp_path / "lib"
    lib.mkdir(mode=0o777)
    for path in (tmp_path, lib, folder):
        path.chmod(0o777)
    assert photofind(lib, "add", str(folder), prefix=("unshare", "-U")).returncode == 0
    result = photofind(lib, "index", "--json", prefix=("unshare", "-U"))
    assert result.returncode == 0, result.stderr
    state = status(lib)
    assert state["failed_files"] == [{"path": str(secret), "reason": "permission denied"}]
    assert state["indexed"] == 1


def test_a_folder_vanishing_mid_scan_deletes_nothing(
    tmp_path: Path, photo_paths: dict[str, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    root = tmp_path / "photos"
    for sub in ("a", "b"):
        (root / sub).mkdir(parents=True)
        for name in ("coffee", "chelsea"):
            (root / sub / f"{name}.jpg").write_bytes(photo_paths[name].read_bytes())
    unplugged = tmp_path / "unplugged"
    real_walk = scanner.walk_photos

    def walk_then_unplug(
        folder: Path, report: ScanReport, stop: object = None
    ) -> Iterator[tuple[Path, int, int]]:
        walker = real_walk(folder, report)
        yield next(walker)
        folder.rename(unplugged)  # the drive is pulled out while the scan is walking it
        yield from walker

    with Library(tmp_path / "lib") as library:
        folder = library.add_folder(root)
        scan_folder(library.catalog, folder)
        assert len(library.catalog.paths_under(root)) == 4

        monkeypatch.setattr(scanner, "walk_photos", walk_then_unplug)
        scan_folder(library.catalog, library.folders()[0])
        assert library.catalog.counts().photos == 4  # nothing deleted
        monkeypatch.undo()

        report = scan_folder(library.catalog, library.folders()[0])  # the next scan: offline
        assert not report.online
        counts = library.catalog.counts()
        assert (counts.photos, counts.offline) == (4, 4)

        unplugged.rename(root)  # plugged back in
        scan_folder(library.catalog, library.folders()[0])
        assert library.catalog.counts().offline == 0
        assert len(library.catalog.paths_under(root)) == 4
