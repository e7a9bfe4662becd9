"""Opening the catalogue: migrations, versions, pragmas and the files it must refuse."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from photofind.catalog import schema
from photofind.catalog.db import connect
from photofind.catalog.repo import open_catalog
from photofind.errors import BugError, KnownError


def _tables(db_path: Path) -> set[str]:
    with sqlite3.connect(db_path) as conn:
        rows = conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'").fetchall()
    return {row[0] for row in rows}


def _pragma(db_path: Path, name: str) -> object:
    conn = sqlite3.connect(db_path)
    try:
        return conn.execute(f"PRAGMA {name}").fetchone()[0]
    finally:
        conn.close()


def test_new_catalogue_gets_the_schema_and_the_latest_version(tmp_path: Path) -> None:
    db_path = tmp_path / "catalog.db"
    open_catalog(db_path).close()
    assert {"meta", "folders", "contents", "photos"} <= _tables(db_path)
    assert _pragma(db_path, "user_version") == schema.latest_version() >= 1
    assert _pragma(db_path, "application_id") == schema.APPLICATION_ID


def test_migrations_are_read_from_the_package_and_numbered_from_one() -> None:
    steps = schema.migrations()
    assert [step.version for step in steps] == list(range(1, len(steps) + 1))
    assert steps[0].name == "0001_initial.sql"
    assert "CREATE TABLE photos" in steps[0].sql


def test_reopening_is_idempotent_and_keeps_data(tmp_path: Path) -> None:
    db_path = tmp_path / "catalog.db"
    with open_catalog(db_path) as cat:
        cat.set_meta("model_id", "m1")
    with open_catalog(db_path) as cat:
        assert cat.get_meta("model_id") == "m1"
    db = connect(db_path)
    try:
        assert schema.migrate(db) == 0
    finally:
        db.close()


def test_wal_and_pragmas_are_on(tmp_path: Path) -> None:
    db_path = tmp_path / "catalog.db"
    open_catalog(db_path).close()
    assert _pragma(db_path, "journal_mode") == "wal"
    db = connect(db_path)
    try:
        assert db.scalar("PRAGMA foreign_keys") == 1
        assert db.scalar("PRAGMA synchronous") == 1  # NORMAL
        assert db.scalar("PRAGMA busy_timeout") >= 1000
    finally:
        db.close()


def test_newer_schema_is_refused_with_an_update_message(tmp_path: Path) -> None:
    db_path = tmp_path / "catalog.db"
    open_catalog(db_path).close()
    newer = schema.latest_version() + 3
    with sqlite3.connect(db_path) as conn:
        conn.execute(f"PRAGMA user_version = {newer}")
    expected = (
        f"This library was created by a newer PhotoFind (schema {newer}); this version understands "
        f"up to {schema.latest_version()}. Please update PhotoFind."
    )
    with pytest.raises(KnownError) as excinfo:
        open_catalog(db_path)
    assert str(excinfo.value) == expected
    with pytest.raises(KnownError, match="newer PhotoFind"):
        open_catalog(db_path, readonly=True)
    assert _pragma(db_path, "user_version") == newer  # untouched


def test_another_programs_database_is_refused_not_migrated(tmp_path: Path) -> None:
    db_path = tmp_path / "other.db"
    with sqlite3.connect(db_path) as conn:
        conn.execute("CREATE TABLE songs (title TEXT)")
    with pytest.raises(KnownError, match="not a PhotoFind library"):
        open_catalog(db_path)
    assert _tables(db_path) == {"songs"}


def test_a_file_that_is_not_sqlite_is_a_known_error(tmp_path: Path) -> None:
    db_path = tmp_path / "catalog.db"
    db_path.write_bytes(b"this is certainly not an SQLite database file" * 100)
    with pytest.raises(KnownError, match="not a PhotoFind library") as excinfo:
        open_catalog(db_path)
    assert isinstance(excinfo.value.__cause__, sqlite3.DatabaseError)


def test_missing_folder_is_a_known_error(tmp_path: Path) -> None:
    with pytest.raises(KnownError, match="cannot open"):
        open_catalog(tmp_path / "no such folder" / "catalog.db")


def test_readonly_open_reads_but_cannot_write(tmp_path: Path) -> None:
    db_path = tmp_path / "catalog.db"
    with open_catalog(db_path) as cat:
        cat.set_meta("k", "v")
    with open_catalog(db_path, readonly=True) as reader:
        assert reader.readonly
        assert reader.get_meta("k") == "v"
        with pytest.raises(BugError, match="read-only"):
            reader.set_meta("k", "w")


def test_readonly_open_of_a_missing_file_fails_without_creating_it(tmp_path: Path) -> None:
    db_path = tmp_path / "catalog.db"
    with pytest.raises(KnownError):
        open_catalog(db_path, readonly=True)
    assert not db_path.exists()


def test_sql_mistakes_are_bugs_not_known_errors(tmp_path: Path) -> None:
    db = connect(tmp_path / "catalog.db")
    try:
        with pytest.raises(BugError, match="OperationalError"):
            db.execute("SELECT * FROM no_such_table")
    finally:
        db.close()


def test_split_statements_keeps_trigger_bodies_whole() -> None:
    script = """
        -- a comment; with a semicolon
        CREATE TABLE t (x INTEGER);
        CREATE TRIGGER tr AFTER INSERT ON t BEGIN
            UPDATE t SET x = x + 1;
            UPDATE t SET x = x + 2;
        END;
        -- trailing comment
    """
    statements = schema.split_statements(script)
    assert len(statements) == 2
    assert statements[1].startswith("CREATE TRIGGER")
    assert statements[1].endswith("END;")
    with pytest.raises(BugError, match="unterminated"):
        schema.split_statements("CREATE TABLE t (x INTEGER)")
