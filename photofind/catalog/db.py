"""One SQLite connection to the catalogue: pragmas, transactions and readable sqlite errors."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from photofind.errors import BugError, KnownError, PhotofindError

BUSY_TIMEOUT_MS = (
    5000  # a reader's checkpoint or a second PhotoFind can hold the lock briefly; wait, don't fail
)

# Primary result codes (sqlite_errorcode & 0xFF) that come from the environment, not from our SQL.
_ENVIRONMENT_ERRORS = {
    sqlite3.SQLITE_PERM: "PhotoFind is not allowed to open its library at {path}.",
    sqlite3.SQLITE_BUSY: (
        "The library at {path} is in use by another program (is PhotoFind running twice?)."
    ),
    sqlite3.SQLITE_LOCKED: "The library at {path} is locked by another program.",
    sqlite3.SQLITE_NOMEM: "Not enough memory to read the library at {path}.",
    sqlite3.SQLITE_READONLY: "The library at {path} is read-only; PhotoFind cannot save to it.",
    sqlite3.SQLITE_IOERR: "The disk failed while reading or writing the library at {path}.",
    sqlite3.SQLITE_CORRUPT: (
        "The library at {path} is damaged; delete it and PhotoFind will rebuild it."
    ),
    sqlite3.SQLITE_FULL: "The disk holding the library at {path} is full.",
    sqlite3.SQLITE_CANTOPEN: (
        "PhotoFind cannot open its library at {path} (missing folder or no permission?)."
    ),
    sqlite3.SQLITE_NOTADB: "The file at {path} is not a PhotoFind library (or it is damaged).",
}


def translate_error(exc: sqlite3.Error, path: Path) -> PhotofindError:
    """Return the PhotoFind error for a sqlite error (:class:`KnownError` if not our fault).

    Args:
        exc: What ``sqlite3`` raised.
        path: The catalogue file, named in the user's message.

    Returns:
        A :class:`KnownError` (disk full, read-only, corrupt, locked, cannot open) or a
        :class:`BugError`.
    """
    code = getattr(exc, "sqlite_errorcode", None)
    template = _ENVIRONMENT_ERRORS.get(code & 0xFF) if isinstance(code, int) else None
    if template is None:
        return BugError(f"catalogue query failed: {type(exc).__name__}: {exc}")
    return KnownError(template.format(path=path))


@contextmanager
def mapped_errors(path: Path) -> Iterator[None]:
    """Re-raise any ``sqlite3.Error`` inside the block as its PhotoFind error (chained)."""
    try:
        yield
    except sqlite3.Error as exc:
        raise translate_error(exc, path) from exc


class Database:
    """One connection to a catalogue file, in autocommit mode with explicit transactions.

    Thread affinity: the thread that opened it; ``sqlite3`` refuses use from any other thread (a
    :class:`BugError` here). Open one ``Database`` per thread; WAL lets readers run beside the
    writer.
    """

    def __init__(self, conn: sqlite3.Connection, path: Path, *, readonly: bool) -> None:
        self._conn = conn
        self.path = path
        self.readonly = readonly
        self._depth = 0  # nesting depth of transaction(): 0 = none, 1 = BEGIN, >1 = SAVEPOINTs

    @property
    def in_transaction(self) -> bool:
        """Whether a :meth:`transaction` block is open on this connection."""
        return self._depth > 0

    def execute(self, sql: str, params: Sequence[Any] = ()) -> sqlite3.Cursor:
        """Run one statement and return its cursor (errors mapped)."""
        with mapped_errors(self.path):
            return self._conn.execute(sql, params)

    def executemany(self, sql: str, rows: Sequence[Sequence[Any]]) -> int:
        """Run one statement for each parameter row; return the total number of rows changed."""
        with mapped_errors(self.path):
            return int(self._conn.executemany(sql, rows).rowcount)

    def one(self, sql: str, params: Sequence[Any] = ()) -> sqlite3.Row | None:
        """Return the first row of a query, or None."""
        with mapped_errors(self.path):
            row: sqlite3.Row | None = self._conn.execute(sql, params).fetchone()
            return row

    def all(self, sql: str, params: Sequence[Any] = ()) -> list[sqlite3.Row]:
        """Return every row of a query."""
        with mapped_errors(self.path):
            return list(self._conn.execute(sql, params).fetchall())

    def scalar(self, sql: str, params: Sequence[Any] = ()) -> Any:
        """Return the first column of the first row of a query (None if there is no row)."""
        row = self.one(sql, params)
        return None if row is None else row[0]

    @contextmanager
    def transaction(self) -> Iterator[None]:
        """Run the block atomically: commit on success, roll back if it raises.

        The outermost block issues ``BEGIN IMMEDIATE`` (taking the write lock up front, so a
        reader's snapshot never has to be upgraded mid-way and fail with BUSY). A nested block
        becomes a ``SAVEPOINT``: if it raises, only its own changes are undone, and the outer block
        decides what happens to the rest.

        Raises:
            BugError: On a read-only connection.
        """
        if self.readonly:
            raise BugError("write attempted on a read-only catalogue connection")
        depth = self._depth
        self.execute("BEGIN IMMEDIATE" if depth == 0 else f"SAVEPOINT sp{depth}")
        self._depth = depth + 1
        try:
            yield
        except BaseException:
            self._depth = depth
            self._undo(depth)
            raise
        self._depth = depth
        self._finish(depth)

    def _undo(self, depth: int) -> None:
        """Roll back the block at ``depth`` (best effort: the block's own error matters more)."""
        try:
            if depth == 0:
                if self._conn.in_transaction:
                    self._conn.execute("ROLLBACK")
            else:
                self._conn.execute(f"ROLLBACK TO sp{depth}")
                self._conn.execute(f"RELEASE sp{depth}")
        except sqlite3.Error:
            # SQLite may already have rolled back by itself (e.g. after SQLITE_FULL); nothing left
            # to undo.
            pass

    def _finish(self, depth: int) -> None:
        """Commit the block at ``depth``; if COMMIT fails (disk full, busy) roll back instead."""
        if depth > 0:
            self.execute(f"RELEASE sp{depth}")
            return
        try:
            self.execute("COMMIT")
        except PhotofindError:
            self._undo(0)
            raise

    def close(self) -> None:
        """Close the connection; a writer first lets SQLite refresh its query-planner statistics."""
        with mapped_errors(self.path):
            if not self.readonly:
                self._conn.execute("PRAGMA optimize")
            self._conn.close()


def connect(path: Path, *, readonly: bool = False) -> Database:
    """Open a catalogue file with PhotoFind's pragmas (the schema is left to ``schema.migrate``).

    A writer gets WAL, ``synchronous=NORMAL`` (durable at checkpoints, never corrupt), foreign keys
    and a busy timeout. A reader opens a ``mode=ro`` URI, so it can never write, and the file must
    already exist.

    Args:
        path: The catalogue file; its folder must exist.
        readonly: Open for reading only.

    Returns:
        The open connection.

    Raises:
        KnownError: The file cannot be opened or is not a database.
    """
    with mapped_errors(path):
        if readonly:
            conn = sqlite3.connect(
                path.absolute().as_uri() + "?mode=ro", uri=True, isolation_level=None
            )
        else:
            conn = sqlite3.connect(path, isolation_level=None)
        try:
            _configure(conn, readonly=readonly)
        except sqlite3.Error:
            conn.close()
            raise
    return Database(conn, path, readonly=readonly)


def _configure(conn: sqlite3.Connection, *, readonly: bool) -> None:
    """Apply the per-connection pragmas; reading ``journal_mode`` also proves it is a database."""
    conn.row_factory = sqlite3.Row
    conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
    conn.execute("PRAGMA foreign_keys = ON")
    if readonly:
        conn.execute("PRAGMA journal_mode").fetchone()
        return
    # On file systems without shared memory (some network shares) SQLite keeps the rollback journal:
    # slower and readers block the writer, but still correct, so that is accepted rather than
    # refused.
    conn.execute("PRAGMA journal_mode = WAL").fetchone()
    conn.execute("PRAGMA synchronous = NORMAL")
