"""Running the ``photofind`` command in a subprocess, for end-to-end tests."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]


def photofind(
    library: Path, *args: str, prefix: tuple[str, ...] = (), env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    """Run ``photofind --library LIBRARY ARGS...`` (after ``prefix``, e.g. ``unshare -U``)."""
    command = [*prefix, sys.executable, "-m", "photofind", "--library", str(library), *args]
    return subprocess.run(
        command, cwd=REPO, capture_output=True, text=True, timeout=300, check=False, env=env
    )


def ok(result: subprocess.CompletedProcess[str]) -> str:
    """The standard output of a run that must have succeeded."""
    assert result.returncode == 0, result.stderr
    return result.stdout


def status(library: Path) -> dict[str, Any]:
    """``photofind status --json`` of a library."""
    data: dict[str, Any] = json.loads(ok(photofind(library, "status", "--json")))
    return data
