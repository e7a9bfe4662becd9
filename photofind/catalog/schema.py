"""Schema versioning: numbered SQL migrations run in order, version in ``PRAGMA user_version``."""

from __future__ import annotations

import logging
import re
import sqlite3
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import TYPE_CHECKING

from photofind.errors import BugError, KnownError

if TYPE_CHECKING:
    from photofind.catalog.db import Database

logger = logging.getLogger(__name__)

_MIGRATIONS_PACKAGE = "photofind.catalog.migrations"
# Stamped in the file header (PRAGMA application_id), so another program's SQLite file is never
# "migrated".
APPLICATION_ID = 0x50484F46  # "PHOF"
_STEP_NAME = re.compile(r"^(\d{4})_[a-z0-9_]+\.sql$")


@dataclass(frozen=True, slots=True)
class Migration:
    """One schema step: running ``sql`` takes the catalogue from ``version - 1`` to ``version``."""

    version: int
    name: str
    sql: str


@cache
def migrations() -> tuple[Migration, ...]:
    """Return every migration step shipped with this PhotoFind, in order (read from the package).

    Raises:
        BugError: The steps are not numbered 1, 2, 3... without gaps (a packaging mistake).
    """
    steps = []
    for entry in resources.files(_MIGRATIONS_PACKAGE).iterdir():
        match = _STEP_NAME.match(entry.name)
        if match:
            sql = entry.read_text(encoding="utf-8")
            steps.append(Migration(int(match.group(1)), entry.name, sql))
    steps.sort(key=lambda step: step.version)
    if [step.version for step in steps] != list(range(1, len(steps) + 1)):
        raise BugError(f"catalogue migrations are not numbered 1..N: {[s.name for s in steps]}")
    return tuple(steps)


def latest_version() -> int:
    """Return the schema version this PhotoFind writes and understands."""
    return len(migrations())


def current_version(db: Database) -> int:
    """Return the schema version stored in the catalogue (0 for a new, empty file)."""
    return int(db.scalar("PRAGMA user_version"))


def check_version(db: Database) -> int:
    """Return the catalogue's schema version after refusing one written by a newer PhotoFind.

    Raises:
        KnownError: The catalogue's schema is newer than this code knows, or the file is another
            program's.
    """
    version, latest = current_version(db), latest_version()
    app_id = int(db.scalar("PRAGMA application_id"))
    foreign = version == 0 and db.scalar("SELECT count(*) FROM sqlite_master") > 0
    if app_id not in (0, APPLICATION_ID) or foreign:
        raise KnownError(f"The file at {db.path} is not a PhotoFind library.")
    if version > latest:
        raise KnownError(
            f"This library was created by a newer PhotoFind (schema {version}); "
            f"this version understands up to {latest}. Please update PhotoFind."
        )
    return version


def migrate(db: Database) -> int:
    """Bring the catalogue up to :func:`latest_version`, one step per transaction.

    Each step and its ``user_version`` bump commit together, so a crash leaves the catalogue at a
    clean intermediate version that the next start continues from.

    Returns:
        The number of steps applied (0 when already current).

    Raises:
        KnownError: The catalogue is from a newer PhotoFind, or the disk refused the change.
    """
    version = check_version(db)
    pending = [step for step in migrations() if step.version > version]
    for step in pending:
        logger.info("[catalog] migrating %d → %d (%s)", step.version - 1, step.version, step.name)
        with db.transaction():
            for statement in split_statements(step.sql):
                db.execute(statement)
            db.execute(f"PRAGMA user_version = {step.version:d}")
            db.execute(f"PRAGMA application_id = {APPLICATION_ID:d}")
    return len(pending)


def split_statements(script: str) -> list[str]:
    """Split an SQL script into single statements (trigger bodies stay whole).

    ``executescript`` cannot be used: it would commit the transaction each step must run in.
    """
    statements, buffer = [], ""
    for line in script.splitlines(keepends=True):
        buffer += line
        if sqlite3.complete_statement(buffer):
            statements.append(buffer.strip())
            buffer = ""
    if _strip_comments(buffer):
        raise BugError(f"unterminated SQL statement in a migration: {buffer.strip()[:80]!r}")
    return statements


def _strip_comments(sql: str) -> str:
    """Return ``sql`` without ``--`` comments and whitespace (enough for our own migrations)."""
    return "".join(line.split("--", 1)[0] for line in sql.splitlines()).strip()
