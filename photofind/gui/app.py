"""Start the desktop application: QApplication, services, main window, orderly shutdown."""

from __future__ import annotations

import logging
import os
import sys
from pathlib import Path

from PySide6.QtCore import QSettings, QTimer
from PySide6.QtGui import QIcon
from PySide6.QtWidgets import QApplication

from photofind import APP_ID, APP_NAME
from photofind.config.paths import cache_dir
from photofind.gui.main_window import MainWindow
from photofind.gui.services import build_services
from photofind.resources import resource_path

log = logging.getLogger(__name__)

# Start-up measurement (packaging checks): print the seconds from process start to the window
# shown, then quit.
EXIT_AFTER_SHOWN_ENV = "PHOTOFIND_EXIT_AFTER_SHOWN"


def run_gui(library: Path) -> int:
    """Run the window on the library in ``library`` until it is closed; returns the exit code."""
    app = QApplication.instance() or QApplication([sys.argv[0]])
    assert isinstance(app, QApplication)
    app.setApplicationName(APP_NAME)
    app.setOrganizationName(APP_NAME)
    app.setDesktopFileName(APP_ID)
    app.setWindowIcon(app_icon())
    services = build_services(library, cache_dir())
    window = MainWindow(services, QSettings())
    window.show()
    if os.environ.get(EXIT_AFTER_SHOWN_ENV) == "1":
        QTimer.singleShot(0, app, lambda: _report_shown_and_quit(app))
    services.indexer.start()
    try:
        return app.exec()
    finally:
        services.shutdown()


def app_icon() -> QIcon:
    """The app icon at every bundled size (the desktop theme's copy is the same artwork)."""
    icon = QIcon()
    for path in sorted(resource_path("icons", "hicolor").glob(f"*/apps/{APP_ID}.png")):
        icon.addFile(str(path))
    return icon


def _report_shown_and_quit(app: QApplication) -> None:
    age = process_age()
    shown = f"{age:.3f}" if age is not None else "unknown"
    print(f"photofind: window shown {shown} s after process start", flush=True)  # noqa: T201
    app.quit()


def process_age() -> float | None:
    """Seconds since this process started (Linux, 10 ms resolution); None where unknown."""
    try:
        uptime = float(Path("/proc/uptime").read_text().split()[0])
        stat = Path("/proc/self/stat").read_text()
    except OSError:
        return None
    # Field 22 (starttime, in clock ticks since boot) comes after the parenthesised command name.
    start_ticks = int(stat.rsplit(")", 1)[1].split()[19])
    return uptime - start_ticks / os.sysconf("SC_CLK_TCK")
