"""The main window: sidebar, grid, Find similar results, status bar. Wiring only."""

from __future__ import annotations

import dataclasses
import logging
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from PySide6.QtCore import QMimeData, QModelIndex, QSettings, Qt, QTimer
from PySide6.QtGui import (
    QAction,
    QCloseEvent,
    QDragEnterEvent,
    QDropEvent,
    QGuiApplication,
    QImage,
    QKeySequence,
)
from PySide6.QtWidgets import (
    QComboBox,
    QFileDialog,
    QLabel,
    QLineEdit,
    QMainWindow,
    QMessageBox,
    QSlider,
    QSplitter,
    QStackedWidget,
    QToolBar,
    QWidget,
)

from photofind import APP_NAME
from photofind.errors import KnownError
from photofind.gui.clusters import ClustersPage
from photofind.gui.compare import CompareDialog
from photofind.gui.duplicates import DuplicatesPage
from photofind.gui.grouping import Member
from photofind.gui.models.photo_grid import PhotoGridModel
from photofind.gui.preview import PreviewDialog
from photofind.gui.queries import ListingRequest, SimilarAnswer, Snapshot
from photofind.gui.services import GuiServices
from photofind.gui.similar import QUERY_PX, SimilarPage
from photofind.gui.trash import TrashReport, confirm_trash, trash_in_background
from photofind.gui.views.photo_grid import MAX_THUMB, MIN_THUMB, ZOOM_STEP, PhotoGridView
from photofind.gui.widgets.activity import ActivityBar
from photofind.gui.widgets.failed_files import FailedFilesDialog
from photofind.gui.widgets.sidebar import CLUSTERS, DUPLICATES, PHOTOS, Sidebar
from photofind.gui.widgets.welcome import WelcomePage
from photofind.gui.window_state import WindowState
from photofind.indexing.pipeline import Progress
from photofind.indexing.scanner import is_photo_name
from photofind.thumbs.listing import SortOrder

log = logging.getLogger(__name__)

# The indexer reports its changes; the poll is a safety net (a cheap signature query per tick).
POLL_MS = 5000
PROGRESS_REFRESH_MS = 300  # after an indexing batch, re-list soon so the grid fills visibly
SEARCH_DELAY_MS = 200
RECENT_SEARCHES = 6
ZOOM_SLIDER_WIDTH = 160
PASTED_DIR = "pasted"


class MainWindow(QMainWindow):
    """Wires the widgets to the services; holds no business logic.

    Thread affinity: GUI thread.
    """

    def __init__(
        self, services: GuiServices, settings: QSettings, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self._services = services
        self._state = WindowState(settings)
        self._request = ListingRequest(SortOrder(self._state.value("sort", SortOrder.TAKEN.value)))
        self._signature: tuple[int, ...] | None = None
        self._listing_busy = False
        self._listing_again = False
        self._query_id = 0
        self._has_folders = False
        self._showing_results = False
        self._view = PHOTOS  # or the clusters or duplicates page, chosen in the sidebar
        self.setWindowTitle(APP_NAME)
        self.setAcceptDrops(True)
        self._build_pages()
        self._build_toolbar()
        self._build_status()
        self._build_actions()
        self._connect_services()
        self._state.restore(self, self.splitter)
        self.refresh(force=True)

    # -- construction --------------------------------------------------------------------

    def _grid(self, model: PhotoGridModel) -> PhotoGridView:
        size = int(self._state.value("thumb_size", 160))
        view = PhotoGridView(self._services.thumbnails, size)
        view.setModel(model)
        view.find_similar_requested.connect(self.find_similar)
        view.preview_requested.connect(lambda index, v=view: self.preview(v, index))
        trash = QAction(
            "Move to trash", view, shortcut=QKeySequence(QKeySequence.StandardKey.Delete)
        )
        trash.setShortcutContext(Qt.ShortcutContext.WidgetShortcut)
        trash.triggered.connect(lambda _=False, v=view: self.trash_selection(v))
        view.addAction(trash)
        return view

    def _build_pages(self) -> None:
        services = self._services
        self.grid_model = PhotoGridModel(services.listing, services.thumbnails)
        self.grid_view = self._grid(self.grid_model)
        self.similar_model = PhotoGridModel(services.listing, services.thumbnails)
        self.similar_view = self._grid(self.similar_model)
        self.grid_view.thumb_size_changed.connect(self._on_zoomed)
        self.similar_view.thumb_size_changed.connect(self._on_zoomed)
        self.similar_page = SimilarPage(self.similar_model, self.similar_view)
        self.similar_page.back_requested.connect(self.show_all)
        self.cluster_model = PhotoGridModel(services.listing, services.thumbnails)
        self.cluster_view = self._grid(self.cluster_model)
        self.cluster_view.thumb_size_changed.connect(self._on_zoomed)
        self.clusters_page = ClustersPage(services, self.cluster_model, self.cluster_view)
        self.duplicates_page = DuplicatesPage(services)
        self.duplicates_page.compare_requested.connect(self.compare)
        self.duplicates_page.trashed.connect(self._on_trashed)
        self.welcome = WelcomePage()
        self.welcome.folder_chosen.connect(self.add_folder)
        self.welcome.choose_requested.connect(self.choose_folder)
        self.pages = QStackedWidget()
        for page in (
            self.welcome,
            self.grid_view,
            self.similar_page,
            self.clusters_page,
            self.duplicates_page,
        ):
            self.pages.addWidget(page)
        self.sidebar = Sidebar()
        self.sidebar.folder_selected.connect(self._on_folder_selected)
        self.sidebar.view_selected.connect(self._on_view_selected)
        self.sidebar.add_requested.connect(self.choose_folder)
        self.sidebar.remove_requested.connect(self.remove_folder)
        self.sidebar.search_requested.connect(self.search_labels)
        self.sidebar.set_recent(self._recent_searches())
        self.splitter = QSplitter()
        self.splitter.addWidget(self.sidebar)
        self.splitter.addWidget(self.pages)
        self.splitter.setStretchFactor(1, 1)
        self.splitter.setSizes([240, 960])
        self.setCentralWidget(self.splitter)

    def _build_toolbar(self) -> None:
        toolbar = QToolBar("Main", movable=False)
        toolbar.setObjectName("main-toolbar")
        self.search = QLineEdit(placeholderText="Search photos: dog, beach, car…  (Ctrl+L)")
        self.search.setToolTip(
            "Ctrl+L. Typing filters by file name; Enter finds photos by what is in them."
        )
        self.search.setClearButtonEnabled(True)
        self.search.setMaximumWidth(360)
        self.search.returnPressed.connect(lambda: self.search_labels(self.search.text()))
        self._search_timer = QTimer(self, singleShot=True, interval=SEARCH_DELAY_MS)
        self._search_timer.timeout.connect(self._on_search)
        self.search.textChanged.connect(lambda _: self._search_timer.start())
        self.sort = QComboBox()
        self.sort.addItem("Date taken", SortOrder.TAKEN.value)
        self.sort.addItem("Name", SortOrder.NAME.value)
        self.sort.setCurrentIndex(self.sort.findData(self._request.order.value))
        self.sort.currentIndexChanged.connect(self._on_sort_changed)
        toolbar.addWidget(self.search)
        toolbar.addSeparator()
        toolbar.addWidget(QLabel(" Sort by "))
        toolbar.addWidget(self.sort)
        toolbar.addSeparator()
        toolbar.addWidget(QLabel(" Size "))
        self.zoom = QSlider(Qt.Orientation.Horizontal)
        self.zoom.setRange(MIN_THUMB, MAX_THUMB)
        self.zoom.setSingleStep(ZOOM_STEP)
        self.zoom.setPageStep(ZOOM_STEP)
        self.zoom.setMaximumWidth(ZOOM_SLIDER_WIDTH)
        self.zoom.setToolTip("Thumbnail size (Ctrl+wheel or Ctrl+= / Ctrl+- in the grid)")
        self.zoom.setValue(self.grid_view.thumb_size)
        self.zoom.valueChanged.connect(self._on_zoomed)
        toolbar.addWidget(self.zoom)
        self.addToolBar(toolbar)

    def _build_status(self) -> None:
        self.activity = ActivityBar()
        self.progress_label, self.count_label = (
            self.activity.progress_label,
            self.activity.count_label,
        )
        self.activity.pause_toggled.connect(self._services.indexer.set_paused)
        self.activity.failures_requested.connect(self.show_failures)
        self.statusBar().addWidget(self.activity, 1)

    def _build_actions(self) -> None:
        self._action("Find similar", QKeySequence("Ctrl+F"), self.find_similar_to_selection)
        self._action("Filter", QKeySequence("Ctrl+L"), self._focus_search)
        self._action("Paste image", QKeySequence(QKeySequence.StandardKey.Paste), self.paste)

    def _action(self, text: str, keys: QKeySequence, slot: Callable[[], object]) -> QAction:
        action = QAction(text, self)
        action.setShortcut(keys)
        action.triggered.connect(slot)
        self.addAction(action)
        return action

    def _connect_services(self) -> None:
        indexer = self._services.indexer
        indexer.progressed.connect(self._on_progress)
        indexer.became_idle.connect(self._on_idle)
        indexer.failed.connect(self._on_indexer_failed)
        indexer.changed.connect(self._on_catalogue_changed)
        indexer.command_failed.connect(self._on_command_failed)
        self._poll = QTimer(self, interval=POLL_MS)
        self._poll.timeout.connect(self.refresh)
        self._poll.start()
        self._soon = QTimer(self, singleShot=True, interval=PROGRESS_REFRESH_MS)
        self._soon.timeout.connect(self.refresh)

    # -- the listing ---------------------------------------------------------------------

    def refresh(self, force: bool = False) -> None:
        """Re-list the catalogue on the listing thread (skipped when nothing changed)."""
        if self._listing_busy:
            self._listing_again = self._listing_again or force
            return
        self._listing_busy = True
        worker, request = self._services.listing_worker, self._request
        unless = None if force else self._signature
        self._services.listing_tasks.run(
            lambda: worker.snapshot(request, unless), self._on_snapshot, self._on_listing_failed
        )

    def _on_snapshot(self, snapshot: Snapshot | None) -> None:
        self._listing_busy = False
        if snapshot is not None:
            self._apply_snapshot(snapshot)
        if self._listing_again:
            self._listing_again = False
            self.refresh(force=True)

    def _apply_snapshot(self, snapshot: Snapshot) -> None:
        if snapshot.request != self._request:
            self._listing_again = True
            return
        self._signature = snapshot.signature
        scroll = self.grid_view.verticalScrollBar().value()
        self.grid_model.set_ids(snapshot.ids)
        self.grid_view.verticalScrollBar().setValue(scroll)
        self.similar_model.refresh_rows()
        self.cluster_model.refresh_rows()
        total = sum(snapshot.counts.values())
        self.sidebar.set_folders(snapshot.folders, total)
        self._has_folders = bool(snapshot.folders)
        self._show_current_page()
        self.activity.show_library(snapshot.counts, snapshot.folders)

    def _on_listing_failed(self, exc: Exception) -> None:
        self._listing_busy = False
        self.statusBar().showMessage(f"Cannot read the library: {exc}", 10_000)

    def _show_current_page(self) -> None:
        if self._showing_results:
            self.pages.setCurrentWidget(self.similar_page)
        elif self._view == CLUSTERS:
            self.pages.setCurrentWidget(self.clusters_page)
        elif self._view == DUPLICATES:
            self.pages.setCurrentWidget(self.duplicates_page)
        elif self._has_folders:
            self.pages.setCurrentWidget(self.grid_view)
        else:
            self.pages.setCurrentWidget(self.welcome)

    def _set_request(self, **changes: Any) -> None:
        self._request = dataclasses.replace(self._request, **changes)
        self.show_all()
        self.refresh(force=True)

    def _on_folder_selected(self, folder: Path | None) -> None:
        if folder != self._request.folder:
            self._set_request(folder=folder)

    def _on_view_selected(self, view: str) -> None:
        self._view = view
        self._showing_results = False
        if view == CLUSTERS:
            self.clusters_page.reload()
        elif view == DUPLICATES:
            self.duplicates_page.regroup()
        self._show_current_page()

    def _on_sort_changed(self) -> None:
        order = SortOrder(self.sort.currentData())
        self._state.set_value("sort", order.value)
        self._set_request(order=order)

    def _on_search(self) -> None:
        self._set_request(name_contains=self.search.text().strip())

    def _focus_search(self) -> None:
        self.search.setFocus()
        self.search.selectAll()

    def _on_zoomed(self, size: int) -> None:
        self._state.set_value("thumb_size", size)
        for view in (self.grid_view, self.similar_view, self.cluster_view):
            view.set_thumb_size(size)
        if self.zoom.value() != size:
            self.zoom.blockSignals(True)
            self.zoom.setValue(size)
            self.zoom.blockSignals(False)

    def show_all(self) -> None:
        """Leave the results page for the grid."""
        self._showing_results = False
        self._show_current_page()

    # -- indexing status -----------------------------------------------------------------

    def _on_progress(self, progress: Progress) -> None:
        self.activity.show_progress(progress)
        if not self._soon.isActive():
            self._soon.start()

    def _on_idle(self) -> None:
        self.activity.show_idle()
        self.refresh()

    def _on_indexer_failed(self, message: str) -> None:
        self.activity.show_message(message)

    def show_failures(self) -> None:
        """List the files that could not be read (read on the listing thread), to retry them."""
        self._services.listing_tasks.run(self._services.listing_worker.failed, self._on_failures)

    def _on_failures(self, failures: list[tuple[Path, str]]) -> None:
        dialog = FailedFilesDialog(failures, self)
        dialog.retry_requested.connect(self._retry)
        dialog.open()
        self.failures_dialog = dialog

    def _retry(self, paths: list[Path]) -> None:
        self._services.indexer.retry_failed(paths or None)
        self.statusBar().showMessage("Reading the files again…", 5000)

    def _on_catalogue_changed(self) -> None:
        """The indexer changed photos: re-list soon (coalesced, so bursts cost one listing)."""
        if not self._soon.isActive():
            self._soon.start()

    def _on_command_failed(self, message: str) -> None:
        QMessageBox.warning(self, APP_NAME, message)
        self.refresh(force=True)

    # -- folders -------------------------------------------------------------------------

    def choose_folder(self) -> None:
        """Ask for a folder to watch."""
        chosen = QFileDialog.getExistingDirectory(self, "Choose a folder of photos")
        if chosen:
            self.add_folder(Path(chosen))

    def add_folder(self, folder: Path) -> None:
        """Watch ``folder``: the indexer (the single writer) adds, scans and indexes it."""
        if not folder.is_dir():
            QMessageBox.warning(self, APP_NAME, f"Not a folder: {folder}")
            return
        self._services.indexer.add_folder(folder)
        self._on_folders_changed(f"Watching {folder}: indexing starts at once")

    def remove_folder(self, folder: Path, confirm: bool = True) -> None:
        """Stop watching ``folder`` and forget its photos (files are not touched)."""
        if confirm:
            answer = QMessageBox.question(
                self,
                "Remove folder",
                f"Stop watching {folder}?\n\nThe photos stay on disk; PhotoFind forgets them.",
            )
            if answer != QMessageBox.StandardButton.Yes:
                return
        self._services.indexer.remove_folder(folder)
        self._on_folders_changed(f"No longer watching {folder}")

    def _on_folders_changed(self, message: str) -> None:
        self.statusBar().showMessage(message, 8000)
        self.refresh(force=True)

    # -- find similar --------------------------------------------------------------------

    def find_similar_to_selection(self) -> None:
        """Ctrl+F: find photos like the selected ones."""
        view = self.similar_view if self._showing_results else self.grid_view
        paths = view.selected_paths()
        if paths:
            self.find_similar(paths)

    def find_similar(self, paths: list[Path]) -> None:
        """Show the photos most like ``paths`` (photos of the library or outside images)."""
        if not paths:
            return
        self._query_id += 1
        query_id = self._query_id
        services = self._services
        self._showing_results = True
        self.similar_page.show_pending(", ".join(p.name for p in paths[:3]))
        self._show_current_page()
        finder = services.finder
        services.query_tasks.run(
            lambda: finder.find(paths),
            lambda answer: self._on_answer(query_id, answer),
            lambda exc: self._on_query_failed(query_id, exc),
        )
        px = round(QUERY_PX * self.devicePixelRatioF())
        services.render_tasks.run(
            lambda: services.render_image(paths[0], px),
            lambda image: self._on_query_image(query_id, image),
            lambda exc: log.info("no picture for the query: %s", exc),
        )

    def search_labels(self, words: str) -> None:
        """Show the photos of ``words`` ("dog", "beach", "car"), by what the model sees in them."""
        words = " ".join(words.split())
        if not words:
            return
        self._remember_search(words)
        self._query_id += 1
        query_id = self._query_id
        self._showing_results = True
        self.similar_page.show_pending(f"“{words}”")
        self._show_current_page()
        finder = self._services.finder
        self._services.query_tasks.run(
            lambda: finder.search_labels(words),
            lambda answer: self._on_answer(query_id, answer),
            lambda exc: self._on_query_failed(query_id, exc),
        )

    def _recent_searches(self) -> list[str]:
        saved = str(self._state.value("recent_searches", ""))
        return [line for line in saved.split("\n") if line]

    def _remember_search(self, words: str) -> None:
        recent = [words] + [w for w in self._recent_searches() if w != words]
        self._state.set_value("recent_searches", "\n".join(recent[:RECENT_SEARCHES]))
        self.sidebar.set_recent(recent[:RECENT_SEARCHES])

    def _on_answer(self, query_id: int, answer: SimilarAnswer) -> None:
        if query_id == self._query_id:
            self.similar_page.show_answer(answer)

    def _on_query_failed(self, query_id: int, exc: Exception) -> None:
        if query_id != self._query_id:
            return
        if not isinstance(exc, KnownError):
            log.error("find similar failed", exc_info=exc)
        self.similar_page.show_error(str(exc))

    def _on_query_image(self, query_id: int, image: QImage) -> None:
        if query_id == self._query_id:
            self.similar_page.set_query_image(image)

    # -- outside images: drop and paste --------------------------------------------------

    def dragEnterEvent(self, event: QDragEnterEvent) -> None:
        """Accept image files and image data."""
        mime = event.mimeData()
        if _photo_paths(mime) or mime.hasImage():
            event.acceptProposedAction()

    def dropEvent(self, event: QDropEvent) -> None:
        """Find photos like the dropped image."""
        if self.search_mime(event.mimeData()):
            event.acceptProposedAction()

    def paste(self) -> None:
        """Ctrl+V: find photos like the image (or image file) on the clipboard."""
        if not self.search_mime(QGuiApplication.clipboard().mimeData()):
            self.statusBar().showMessage("The clipboard holds no picture", 5000)

    def search_mime(self, mime: QMimeData) -> bool:
        """Find similar for image files or image data; False if ``mime`` holds neither."""
        paths = _photo_paths(mime)
        if paths:
            self.find_similar(paths)
            return True
        if not mime.hasImage():
            return False
        image = QImage(mime.imageData())
        if image.isNull():
            return False
        folder = self._services.cache_dir / PASTED_DIR
        target = folder / f"pasted-{time.strftime('%Y%m%d-%H%M%S')}.png"
        self._services.render_tasks.run(
            lambda: _save_image(image, target), lambda path: self.find_similar([path])
        )
        return True

    # -- preview -------------------------------------------------------------------------

    def preview(self, view: PhotoGridView, index: QModelIndex) -> None:
        """Open the large preview at ``index``."""
        services = self._services

        def load(path: Path, px: int, done: Callable[[QImage], None]) -> None:
            services.render_tasks.run(lambda: services.render_image(path, px), done)

        self.preview_dialog = PreviewDialog(view, load, self)
        self.preview_dialog.show()
        self.preview_dialog.show_index(index)

    # -- trash and compare ---------------------------------------------------------------

    def trash_selection(self, view: PhotoGridView, confirm: bool = True) -> None:
        """Delete key in a grid: move the selected photos to the trash, after asking."""
        paths = view.selected_paths()
        if not paths or (confirm and not confirm_trash(self, paths)):
            return
        trash_in_background(self._services.write_tasks, paths, self._on_trashed, self)

    def _on_trashed(self, report: TrashReport) -> None:
        self.statusBar().showMessage(report.summary().split("\n")[0], 8000)
        self.refresh()  # the watcher reports the files gone; the grid follows on the next listing

    def compare(self, members: list[Member], keeper: int) -> None:
        """Show a duplicate group's keeper and another photo side by side, zoom in sync."""
        services = self._services

        def load(path: Path, px: int, done: Callable[[QImage], None]) -> None:
            services.render_tasks.run(lambda: services.render_image(path, px), done)

        self.compare_dialog = CompareDialog(members, keeper, load, self)
        self.compare_dialog.show()

    # -- lifetime ------------------------------------------------------------------------

    def closeEvent(self, event: QCloseEvent) -> None:
        """Remember the geometry."""
        self._poll.stop()
        self._soon.stop()
        indexer = self._services.indexer
        indexer.progressed.disconnect(self._on_progress)
        indexer.became_idle.disconnect(self._on_idle)
        indexer.failed.disconnect(self._on_indexer_failed)
        indexer.changed.disconnect(self._on_catalogue_changed)
        indexer.command_failed.disconnect(self._on_command_failed)
        self._state.save(self, self.splitter)
        super().closeEvent(event)


def _photo_paths(mime: QMimeData) -> list[Path]:
    if not mime.hasUrls():
        return []
    paths = [Path(url.toLocalFile()) for url in mime.urls() if url.isLocalFile()]
    return [path for path in paths if is_photo_name(path.name) and path.is_file()]


def _save_image(image: QImage, target: Path) -> Path:
    target.parent.mkdir(parents=True, exist_ok=True)
    if not image.save(str(target)):  # the format follows the suffix
        raise KnownError(f"cannot save the pasted picture to {target}")
    return target
