"""The start-up measurement hook: the window opens, reports its start time and quits."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from tests.cli import REPO


@pytest.mark.slow
def test_exit_after_shown_reports_the_start_time(tmp_path: Path) -> None:
    env = os.environ | {
        "PHOTOFIND_EXIT_AFTER_SHOWN": "1",
        "QT_QPA_PLATFORM": "offscreen",
        "PHOTOFIND_CACHE_DIR": str(tmp_path / "cache"),
        "XDG_CONFIG_HOME": str(tmp_path / "config"),
    }
    command = [sys.executable, "-m", "photofind", "--library", str(tmp_path / "library")]
    result = subprocess.run(
        command, cwd=REPO, env=env, capture_output=True, text=True, timeout=60, check=False
    )
    assert result.returncode == 0, result.stderr
    assert re.fullmatch(
        r"photofind: window shown \d+\.\d{3} s after process start\n", result.stdout
    )
