"""``photofind embed`` end to end in a subprocess, and proof that it never touches the network."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]

# Run inside the child before PhotoFind is imported: any socket use at all ends the process with 97.
NO_NETWORK_GUARD = """
import os, sys
def guard(event, args):
    if event.startswith("socket."):
        sys.stderr.write(f"network use: {event} {args!r}\\n")
        os._exit(97)
sys.addaudithook(guard)
from photofind.app import main
raise SystemExit(main(sys.argv[1:]))
"""


def run_photofind(*args: str, prefix: tuple[str, ...] = ()) -> subprocess.CompletedProcess[str]:
    command = [*prefix, sys.executable, "-c", NO_NETWORK_GUARD, *args]
    return subprocess.run(
        command, cwd=REPO, capture_output=True, text=True, timeout=120, check=False
    )


def test_embed_json_prints_labels_and_dimension_per_file(photo_paths: dict[str, Path]) -> None:
    result = run_photofind(
        "embed", str(photo_paths["coffee"]), str(photo_paths["chelsea"]), "--json"
    )
    assert result.returncode == 0, result.stderr
    lines = [json.loads(line) for line in result.stdout.splitlines()]
    assert [line["path"] for line in lines] == [
        str(photo_paths["coffee"]),
        str(photo_paths["chelsea"]),
    ]
    assert all(line["dim"] == 1280 for line in lines)
    assert lines[0]["labels"][0]["name"] == "espresso"
    assert 0.5 < lines[0]["labels"][0]["score"] <= 1.0


def test_embed_reports_bad_files_and_exits_non_zero(
    photo_paths: dict[str, Path], tmp_path: Path
) -> None:
    broken = tmp_path / "broken.jpg"
    broken.write_bytes(photo_paths["rocket"].read_bytes()[:2000])
    result = run_photofind("embed", str(broken), str(photo_paths["coffee"]), "--json")
    assert result.returncode == 1
    first, second = (json.loads(line) for line in result.stdout.splitlines())
    assert first == {"path": str(broken), "error": "truncated or incomplete image file"}
    assert second["dim"] == 1280
    assert "1 of 2 files could not be read" in result.stderr


def test_embed_text_output_is_one_line_per_file(photo_paths: dict[str, Path]) -> None:
    result = run_photofind("embed", str(photo_paths["coffee"]))
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith(f"{photo_paths['coffee']}: espresso")
    assert result.stdout.rstrip().endswith("[1280-d]")


def test_help_lists_the_commands_and_version_works() -> None:
    help_run = run_photofind("--help")
    assert help_run.returncode == 0
    for command in ("embed", "add", "index", "similar", "duplicates", "clusters", "search"):
        assert command in help_run.stdout
    version = run_photofind("--version")
    assert version.returncode == 0
    assert version.stdout.startswith("photofind 0.")


def test_the_guard_really_stops_network_use() -> None:
    # The guard must catch a real attempt, or the no-network tests would prove nothing.
    probe = "import socket; socket.getaddrinfo('localhost', 80)"
    command = [
        sys.executable,
        "-c",
        NO_NETWORK_GUARD.replace("from photofind.app", probe + "\nfrom photofind.app"),
    ]
    result = subprocess.run(
        command, cwd=REPO, capture_output=True, text=True, timeout=60, check=False
    )
    assert result.returncode == 97
    assert "network use: socket.getaddrinfo" in result.stderr


@pytest.mark.skipif(shutil.which("unshare") is None, reason="util-linux unshare is not installed")
def test_embed_works_with_no_network_at_all(photo_paths: dict[str, Path]) -> None:
    # A new network namespace has no interfaces but loopback (down): any connection attempt fails.
    result = run_photofind("embed", str(photo_paths["chelsea"]), "--json", prefix=("unshare", "-n"))
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["dim"] == 1280


def test_usearch_then_onnxruntime_import_does_not_crash() -> None:
    # usearch 2.26 crashed onnxruntime's import when loaded first; the pinned version must not.
    code = "import usearch.index, onnxruntime; print('ok')"
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=60, check=False
    )
    assert result.returncode == 0, f"exit {result.returncode}: {result.stderr[-500:]}"
