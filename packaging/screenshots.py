"""Render PhotoFind's main window, Find similar, clusters and duplicates to PNG files.

Usage: ``QT_QPA_PLATFORM=offscreen python3 packaging/screenshots.py [photo folder] [out folder]``
(or under ``xvfb-run``). Builds a throwaway library of the photos with the real model, waits for
indexing and thumbnails, then saves ``main-window.png``, ``find-similar.png``, ``clusters.png``
and ``duplicates.png``.
"""

from __future__ import annotations

import io
import os
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from PIL import Image
from PySide6.QtCore import QBuffer, QSettings
from PySide6.QtWidgets import QApplication, QWidget

from photofind.gui.main_window import MainWindow
from photofind.gui.services import GuiServices, build_services
from photofind.gui.widgets.sidebar import CLUSTERS, DUPLICATES

PHOTOS = Path("/work/shared/photos")
OUT = Path(__file__).resolve().parent / "screenshots"
SIZE = (1280, 800)
MAX_BYTES = 300_000
QUERY = "mate_Elephants.jpg"


def wait_until(app: QApplication, predicate: Callable[[], bool], timeout: float = 300) -> None:
    """Run the event loop until ``predicate()`` holds."""
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            raise TimeoutError(f"timed out waiting for {predicate}")
        app.processEvents()
        time.sleep(0.02)


def save_png(widget: QWidget, target: Path) -> None:
    """Grab ``widget`` and write it as a palette PNG small enough for a web page."""
    buffer = QBuffer()
    buffer.open(QBuffer.OpenModeFlag.WriteOnly)
    widget.grab().save(buffer, "PNG")
    image = Image.open(io.BytesIO(bytes(buffer.data().data()))).convert("RGB")
    out = io.BytesIO()
    image.save(out, "PNG", optimize=True)
    for colors in (256, 128):
        if out.tell() <= MAX_BYTES:
            break
        out = io.BytesIO()
        image.quantize(colors, dither=Image.Dither.FLOYDSTEINBERG).save(out, "PNG", optimize=True)
    target.write_bytes(out.getvalue())
    print(f"{target} ({out.tell() // 1024} KB)")  # noqa: T201 (a command-line tool)


def thumbnails_done(window: MainWindow, view_rows: int) -> bool:
    """Whether the first ``view_rows`` cells of the visible grid have their pixmaps."""
    page = window.pages.currentWidget()
    view = window.similar_view if page is window.similar_page else window.grid_view
    model = view.model()
    rows = min(view_rows, model.rowCount())
    return rows > 0 and all(
        model.index(row, 0).data(1) is not None
        for row in range(rows)  # 1: DecorationRole
    )


def clusters_done(window: MainWindow, count: int) -> bool:
    """Whether the first ``count`` clusters have their thumbnails."""
    model = window.clusters_page.model
    rows = min(count, model.rowCount())
    return rows > 0 and all(model.index(row).data(1) is not None for row in range(rows))


def duplicates_done(window: MainWindow, count: int) -> bool:
    """Whether every photo of the first ``count`` duplicate groups has its thumbnail."""
    model = window.duplicates_page.model
    groups = [model.group_at(row) for row in range(min(count, model.rowCount()))]
    return bool(groups) and all(
        model.thumbnail(member) is not None for g in groups if g for member in g.members
    )


def run(photos: Path, out: Path) -> None:
    """Build a library of ``photos`` and save both screenshots into ``out``."""
    out.mkdir(parents=True, exist_ok=True)
    app = QApplication.instance() or QApplication(sys.argv[:1])
    assert isinstance(app, QApplication)
    with tempfile.TemporaryDirectory() as tmp:
        services = build_services(Path(tmp) / "library", Path(tmp) / "cache")
        settings = QSettings(str(Path(tmp) / "ui.ini"), QSettings.Format.IniFormat)
        window = MainWindow(services, settings)
        window.resize(*SIZE)
        window.show()
        try:
            shoot(app, window, services, photos, out)
        finally:
            window.close()
            services.shutdown()


def shoot(
    app: QApplication, window: MainWindow, services: GuiServices, photos: Path, out: Path
) -> None:
    """Index, then grab the grid and a Find similar result."""
    window.add_folder(photos)
    services.indexer.start()
    expected = sum(1 for p in photos.iterdir() if p.suffix.lower() == ".jpg")
    wait_until(app, lambda: window.grid_model.rowCount() >= expected)
    wait_until(app, lambda: "Up to date" in window.progress_label.text())
    window.refresh(force=True)
    wait_until(app, lambda: "waiting" not in window.count_label.text())
    wait_until(app, lambda: thumbnails_done(window, 20))
    window.statusBar().clearMessage()
    save_png(window, out / "main-window.png")
    window.find_similar([photos / QUERY])
    wait_until(app, lambda: window.similar_model.rowCount() > 0)
    window.similar_page.slider.setValue(25)  # show the wider neighbourhood, grouped by look
    window.similar_page.group_toggle.setChecked(True)
    wait_until(app, lambda: thumbnails_done(window, 12))
    wait_until(app, lambda: window.similar_page.query_picture.pixmap() is not None)
    app.processEvents()
    save_png(window, out / "find-similar.png")
    window.sidebar.select_view(CLUSTERS)
    wait_until(app, lambda: clusters_done(window, 15))
    app.processEvents()
    save_png(window, out / "clusters.png")
    window.sidebar.select_view(DUPLICATES)
    wait_until(app, lambda: duplicates_done(window, 6))
    app.processEvents()
    save_png(window, out / "duplicates.png")


if __name__ == "__main__":
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    run(
        Path(sys.argv[1]) if len(sys.argv) > 1 else PHOTOS,
        Path(sys.argv[2]) if len(sys.argv) > 2 else OUT,
    )
