"""The core stays Qt-free: importing every module outside photofind.gui never loads PySide6."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]

SCRIPT = """
import importlib, pkgutil, sys
import photofind
names = [m.name for m in pkgutil.walk_packages(photofind.__path__, "photofind.")]
core = [n for n in names if not n.startswith("photofind.gui") and n != "photofind.__main__"]
for name in core:
    importlib.import_module(name)
loaded = sorted(m for m in sys.modules if m.split(".")[0] in ("PySide6", "shiboken6"))
print(len(core), ",".join(loaded))
"""


def test_no_module_outside_the_gui_loads_qt() -> None:
    result = subprocess.run(
        [sys.executable, "-c", SCRIPT], cwd=REPO, capture_output=True, text=True, check=True
    )
    count, loaded = result.stdout.split()[0], result.stdout.strip().partition(" ")[2]
    assert int(count) > 30  # the walk really found the core modules
    assert loaded == ""


def test_the_gui_does_load_qt() -> None:
    # The same check must be able to fail: importing the GUI loads PySide6.
    code = "import sys, photofind.gui.main_window; print('PySide6' in sys.modules)"
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=REPO, capture_output=True, text=True, check=True
    )
    assert result.stdout.strip() == "True"
