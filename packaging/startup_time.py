"""Measure PhotoFind's start-up: process start to main window shown, over several runs.

    python packaging/startup_time.py                  # the bundle and python -m photofind
    python packaging/startup_time.py --cold --runs 5  # drop the page cache first (root, Linux)

Each run opens the window offscreen on an empty temporary library with PHOTOFIND_EXIT_AFTER_SHOWN=1:
the app prints the seconds since its process started once the window is shown, and quits.
"""

from __future__ import annotations

import argparse
import os
import re
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
BUNDLE = REPO / "dist" / "photofind" / "photofind"
SHOWN = re.compile(r"window shown (\d+\.\d+) s after process start")


def measure(command: list[str], cold: bool) -> float:
    """One run's seconds from process start to window shown."""
    with tempfile.TemporaryDirectory() as tmp:
        env = os.environ | {
            "PHOTOFIND_EXIT_AFTER_SHOWN": "1",
            "QT_QPA_PLATFORM": os.environ.get("QT_QPA_PLATFORM", "offscreen"),
            "PHOTOFIND_CACHE_DIR": f"{tmp}/cache",
            "XDG_CONFIG_HOME": f"{tmp}/config",
        }
        if cold:
            os.sync()
            Path("/proc/sys/vm/drop_caches").write_text("3\n")
        result = subprocess.run(
            [*command, "--library", f"{tmp}/library"],
            cwd=REPO,  # python -m photofind finds the source tree from here
            env=env,
            capture_output=True,
            text=True,
            timeout=120,
            check=True,
        )
    match = SHOWN.search(result.stdout)
    if match is None:
        raise SystemExit(f"no start-up time in the output of {command}: {result.stdout!r}")
    return float(match.group(1))


def main() -> int:
    """Measure each available command and print best and median."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--cold", action="store_true", help="drop the page cache before each run")
    args = parser.parse_args()
    commands = {"python -m photofind": [sys.executable, "-m", "photofind"]}
    if BUNDLE.exists():
        commands = {"bundle": [str(BUNDLE)], **commands}
    for name, command in commands.items():
        times = [measure(command, args.cold) for _ in range(args.runs)]
        print(  # noqa: T201
            f"{name:20} {'cold' if args.cold else 'warm'}: best {min(times):.2f} s, "
            f"median {statistics.median(times):.2f} s, worst {max(times):.2f} s "
            f"({args.runs} runs)"
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
