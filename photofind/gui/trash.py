"""Move photos to the system trash (never a hard delete), with a confirmation and a report."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QFile, QStandardPaths
from PySide6.QtWidgets import QMessageBox, QWidget

if TYPE_CHECKING:
    from collections.abc import Callable, Sequence

    from photofind.gui.tasks import TaskRunner

MAX_NAMES = 8  # file names listed in a confirmation; the rest are counted


@dataclass
class TrashReport:
    """What happened to each path handed to :func:`move_to_trash`."""

    moved: list[Path] = field(default_factory=list)
    failed: list[tuple[Path, str]] = field(default_factory=list)

    def summary(self) -> str:
        """One line for the status bar, plus the failures, one per line."""
        text = f"Moved {len(self.moved)} photo{'s' if len(self.moved) != 1 else ''} to the trash"
        if self.failed:
            text += f"; {len(self.failed)} could not be moved:\n"
            text += "\n".join(f"{path}: {reason}" for path, reason in self.failed)
        return text


def move_to_trash(paths: Sequence[Path]) -> TrashReport:
    """Move ``paths`` to the trash (freedesktop trash on Linux). Any thread.

    The catalogue is not touched: the watcher sees the files leave and the indexer marks them.
    """
    report = TrashReport()
    # Qt creates .../Trash but not a missing $XDG_DATA_HOME above it (a fresh account's case).
    data_home = QStandardPaths.writableLocation(QStandardPaths.StandardLocation.GenericDataLocation)
    if data_home:
        Path(data_home).mkdir(parents=True, exist_ok=True)
    for path in paths:
        if not path.exists():
            report.failed.append((path, "the file is gone"))
            continue
        qfile = QFile(str(path))
        if qfile.moveToTrash():
            report.moved.append(path)
        else:
            report.failed.append((path, qfile.errorString() or "the system has no trash here"))
    return report


def confirm_trash(parent: QWidget, paths: Sequence[Path]) -> bool:
    """Ask before moving ``paths`` to the trash."""
    names = "\n".join(path.name for path in paths[:MAX_NAMES])
    if len(paths) > MAX_NAMES:
        names += f"\n… and {len(paths) - MAX_NAMES} more"
    count = f"{len(paths)} photo{'s' if len(paths) != 1 else ''}"
    answer = QMessageBox.question(
        parent,
        "Move to trash",
        f"Move {count} to the trash?\n\n{names}\n\nYou can restore them from the trash.",
    )
    return answer == QMessageBox.StandardButton.Yes


def trash_in_background(
    tasks: TaskRunner,
    paths: Sequence[Path],
    done: Callable[[TrashReport], None],
    parent: QWidget | None = None,
) -> None:
    """Move ``paths`` to the trash on ``tasks``' thread; ``done(report)`` runs on the GUI thread.

    Failures are shown in a message box on ``parent`` (when given) besides being reported.
    """
    chosen = list(paths)

    def finished(report: TrashReport) -> None:
        if report.failed and parent is not None:
            QMessageBox.warning(parent, "Move to trash", report.summary())
        done(report)

    def failed(exc: Exception) -> None:
        finished(TrashReport(failed=[(path, str(exc)) for path in chosen]))

    tasks.run(lambda: move_to_trash(chosen), finished, failed)
