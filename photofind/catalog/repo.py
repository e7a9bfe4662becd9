"""The catalogue API: :func:`open_catalog` and the :class:`Catalog` the other layers talk to."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from types import TracebackType

from photofind.catalog import schema
from photofind.catalog.contents import ContentStore
from photofind.catalog.db import Database, connect
from photofind.catalog.folders import FolderStore
from photofind.catalog.groups import GroupStore
from photofind.catalog.labels import LabelStore
from photofind.catalog.photos import PhotoStore
from photofind.catalog.store import MODEL_ID_KEY
from photofind.errors import KnownError

__all__ = ["MODEL_ID_KEY", "Catalog", "open_catalog"]


class Catalog(FolderStore, PhotoStore, ContentStore, GroupStore, LabelStore):
    """The photo catalogue over one SQLite connection: folders, photos, contents and their vectors.

    Thread affinity: the thread that opened it (``sqlite3`` refuses any other; that is a
    ``BugError``). Other threads open their own catalogue, typically read-only; WAL lets them read
    while this one writes, and they see each write once its transaction commits.

    Transactions: every writing method runs inside :meth:`transaction`. Called alone, it commits by
    itself; called inside ``with catalog.transaction():`` it becomes a savepoint of that outer
    transaction, so a batch (say 16 ``record_indexed`` calls) costs one commit, and a method that
    raises undoes only its own part.
    """

    def __init__(self, db: Database) -> None:
        super().__init__(db)

    @property
    def path(self) -> Path:
        """The catalogue file."""
        return self._db.path

    @property
    def readonly(self) -> bool:
        """Whether this connection was opened read-only."""
        return self._db.readonly

    @contextmanager
    def transaction(self) -> Iterator[None]:
        """Group writes atomically: ``BEGIN IMMEDIATE``, commit, or roll back if it raises."""
        with self._db.transaction():
            yield

    def get_meta(self, key: str) -> str | None:
        """Return a ``meta`` value (e.g. :data:`MODEL_ID_KEY`), or None if unset."""
        value = self._db.scalar("SELECT value FROM meta WHERE key = ?", (key,))
        return None if value is None else str(value)

    def set_meta(self, key: str, value: str) -> None:
        """Set a ``meta`` value."""
        with self._db.transaction():
            self._db.execute(
                "INSERT INTO meta (key, value) VALUES (?, ?) "
                "ON CONFLICT (key) DO UPDATE SET value = excluded.value",
                (key, value),
            )

    def close(self) -> None:
        """Close the connection."""
        self._db.close()

    def __enter__(self) -> Catalog:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()


def open_catalog(path: Path, *, readonly: bool = False) -> Catalog:
    """Open (creating and migrating if needed) the catalogue at ``path``.

    A writer brings the schema up to date. A reader migrates nothing: the writer must have opened
    the file first.

    Args:
        path: The catalogue file; its folder must exist.
        readonly: Open for reading only (``mode=ro``).

    Returns:
        The open catalogue; close it, or use it as a context manager.

    Raises:
        KnownError: The file cannot be opened, is damaged or not a PhotoFind library, or was written
            by a newer PhotoFind (or, read-only, by an older one that needs upgrading first).
    """
    db = connect(path, readonly=readonly)
    try:
        if readonly:
            if schema.check_version(db) < schema.latest_version():
                raise KnownError(f"The library at {path} must first be upgraded by PhotoFind.")
        else:
            schema.migrate(db)
    except BaseException:
        db.close()
        raise
    return Catalog(db)
