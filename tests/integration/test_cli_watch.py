"""``photofind watch`` end to end: a photo dropped into a watched folder becomes searchable."""

from __future__ import annotations

import signal
import subprocess
import sys
import time
from pathlib import Path

from tests.cli import REPO, status


def wait_for(predicate: object, timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():  # type: ignore[operator]
            return
        time.sleep(0.2)
    raise AssertionError("timed out")


def test_watch_indexes_new_photos_and_stops_cleanly_on_ctrl_c(
    tmp_path: Path, photo_paths: dict[str, Path]
) -> None:
    folder = tmp_path / "photos"
    folder.mkdir()
    (folder / "coffee.jpg").write_bytes(photo_paths["coffee"].read_bytes())
    lib = tmp_path / "lib"
    base = [sys.executable, "-m", "photofind", "--library", str(lib)]
    subprocess.run([*base, "add", str(folder)], cwd=REPO, check=True, capture_output=True)

    watcher = subprocess.Popen(
        [*base, "watch"], cwd=REPO, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )
    try:
        wait_for(lambda: status(lib)["indexed"] == 1)
        (folder / "chelsea.jpg").write_bytes(photo_paths["chelsea"].read_bytes())
        wait_for(lambda: status(lib)["indexed"] == 2)
    finally:
        watcher.send_signal(signal.SIGINT)
        _, stderr = watcher.communicate(timeout=60)
    assert watcher.returncode == 0, stderr
    assert f"watching {folder} (native)" in stderr
    state = status(lib)
    assert state["folders"] == [{"path": str(folder), "online": True, "watch_mode": "native"}]
