"""Window geometry and view preferences kept between runs (QSettings: UI state only)."""

from __future__ import annotations

from PySide6.QtCore import QByteArray, QSettings
from PySide6.QtWidgets import QMainWindow, QSplitter


class WindowState:
    """Saves and restores the main window's geometry, splitter and grid zoom.

    Thread affinity: GUI thread.
    """

    def __init__(self, settings: QSettings) -> None:
        self._settings = settings

    def restore(self, window: QMainWindow, splitter: QSplitter) -> None:
        """Apply the saved geometry (if any)."""
        geometry = self._settings.value("window/geometry")
        if isinstance(geometry, QByteArray):
            window.restoreGeometry(geometry)
        else:
            window.resize(1200, 800)
        state = self._settings.value("window/splitter")
        if isinstance(state, QByteArray):
            splitter.restoreState(state)

    def save(self, window: QMainWindow, splitter: QSplitter) -> None:
        """Remember the geometry."""
        self._settings.setValue("window/geometry", window.saveGeometry())
        self._settings.setValue("window/splitter", splitter.saveState())
        self._settings.sync()

    def value(self, key: str, default: int | str) -> int | str:
        """A saved view preference (zoom, sort order)."""
        value = self._settings.value(f"view/{key}", default)
        try:
            return type(default)(str(value))
        except (TypeError, ValueError):
            return default

    def set_value(self, key: str, value: int | str) -> None:
        """Remember a view preference."""
        self._settings.setValue(f"view/{key}", value)
