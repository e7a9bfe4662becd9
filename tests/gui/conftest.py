"""GUI fixtures: real services on a temporary library, one shared real model per session."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import QSettings

from photofind.gui.main_window import MainWindow
from photofind.gui.services import GuiServices, build_services
from photofind.vectors.embedder import OnnxEmbedder


@pytest.fixture(scope="session")
def embedder() -> OnnxEmbedder:
    """The real model, loaded once for every GUI test."""
    return OnnxEmbedder(threads=1)


@pytest.fixture
def services(tmp_path: Path, embedder: OnnxEmbedder, qapp: object) -> Iterator[GuiServices]:
    """The GUI's services on an empty library (indexer not started)."""
    built = build_services(tmp_path / "library", tmp_path / "cache", embedder)
    yield built
    built.shutdown()


@pytest.fixture
def window(services: GuiServices, tmp_path: Path, qtbot: object) -> Iterator[MainWindow]:
    """The main window, shown, with its settings in ``tmp_path``."""
    settings = QSettings(str(tmp_path / "ui.ini"), QSettings.Format.IniFormat)
    main = MainWindow(services, settings)
    qtbot.addWidget(main)  # type: ignore[attr-defined]
    main.resize(1000, 700)
    main.show()
    yield main
    main.close()


@pytest.fixture
def photo_folder(tmp_path: Path, photo_paths: dict[str, Path]) -> Path:
    """A folder with the real test photos."""
    folder = tmp_path / "pictures"
    folder.mkdir()
    for path in photo_paths.values():
        shutil.copy(path, folder / path.name)
    return folder
