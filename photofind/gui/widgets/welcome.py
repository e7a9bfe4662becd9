"""The first-start page: what PhotoFind does, and a folder to begin with."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QStandardPaths, Qt, Signal
from PySide6.QtWidgets import QLabel, QPushButton, QVBoxLayout, QWidget

WELCOME = (
    "PhotoFind finds look-alike photos and exact duplicates among the photos on this computer. "
    "Nothing leaves your computer: the photos are analysed here, in the background.\n\n"
    "Choose a folder of photos to begin. PhotoFind keeps watching it, so new photos appear "
    "by themselves. Then right-click any photo and choose Find similar, or drop a picture "
    "from elsewhere onto this window."
)


def pictures_folder() -> Path | None:
    """The platform's Pictures folder, if it exists."""
    location = QStandardPaths.writableLocation(QStandardPaths.StandardLocation.PicturesLocation)
    path = Path(location) if location else None
    return path if path is not None and path.is_dir() else None


class WelcomePage(QWidget):
    """Explains the app and offers the Pictures folder or any folder.

    Thread affinity: GUI thread.
    """

    folder_chosen = Signal(object)  # Path
    choose_requested = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        title = QLabel("Welcome to PhotoFind")
        font = title.font()
        font.setPointSizeF(font.pointSizeF() * 1.8)
        font.setBold(True)
        title.setFont(font)
        text = QLabel(WELCOME)
        text.setWordWrap(True)
        text.setMaximumWidth(560)
        layout = QVBoxLayout(self)
        layout.addStretch(1)
        layout.addWidget(title, 0, Qt.AlignmentFlag.AlignHCenter)
        layout.addSpacing(12)
        layout.addWidget(text, 0, Qt.AlignmentFlag.AlignHCenter)
        layout.addSpacing(18)
        pictures = pictures_folder()
        if pictures is not None:
            use_pictures = QPushButton(f"Add my Pictures folder ({pictures})")
            use_pictures.setDefault(True)
            use_pictures.clicked.connect(lambda: self.folder_chosen.emit(pictures))
            layout.addWidget(use_pictures, 0, Qt.AlignmentFlag.AlignHCenter)
        choose = QPushButton("Choose a folder…")
        choose.clicked.connect(self.choose_requested)
        layout.addWidget(choose, 0, Qt.AlignmentFlag.AlignHCenter)
        layout.addStretch(2)
