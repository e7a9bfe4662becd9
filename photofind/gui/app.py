"""Start the desktop application: QApplication, services, main window, orderly shutdown."""

from __future__ import annotations

import logging
import sys
from pathlib import Path

from PySide6.QtCore import QSettings
from PySide6.QtWidgets import QApplication

from photofind import APP_ID, APP_NAME
from photofind.config.paths import cache_dir
from photofind.gui.main_window import MainWindow
from photofind.gui.services import build_services

log = logging.getLogger(__name__)


def run_gui(library: Path) -> int:
    """Run the window on the library in ``library`` until it is closed; returns the exit code."""
    app = QApplication.instance() or QApplication([sys.argv[0]])
    assert isinstance(app, QApplication)
    app.setApplicationName(APP_NAME)
    app.setOrganizationName(APP_NAME)
    app.setDesktopFileName(APP_ID)
    services = build_services(library, cache_dir())
    window = MainWindow(services, QSettings())
    window.show()
    services.indexer.start()
    try:
        return app.exec()
    finally:
        services.shutdown()
