"""SQLite keeps the planner's statistics current (src/opiekun/sqlite/): ``PRAGMA
optimize`` when a connection closes, ``ANALYZE`` after ``migrate`` and after ``opiekun
import``; none of them waits for a busy database. On real SQLite files."""

from __future__ import annotations

import sqlite3
import time
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from django.db import connection, connections

from opiekun.sqlite import analyze
from opiekun.sqlite.base import DatabaseWrapper

pytestmark = pytest.mark.skipif(
    connection.vendor != "sqlite", reason="SQLite only: PostgreSQL keeps its own statistics (autovacuum)"
)


@pytest.fixture
def unblocked(django_db_blocker: Any) -> Any:
    """The wrappers below open their own files, not the test database."""
    with django_db_blocker.unblock():
        yield


def _wrapper(path: Path) -> DatabaseWrapper:
    settings = {**connections["default"].settings_dict, "NAME": str(path), "ENGINE": "opiekun.sqlite"}
    settings["OPTIONS"] = {**settings["OPTIONS"], "timeout": 20}
    return DatabaseWrapper(settings, alias="statistics")


def _stats(path: Path) -> list[tuple[str, str]]:
    raw = sqlite3.connect(path)
    try:
        if not raw.execute("SELECT 1 FROM sqlite_master WHERE name = 'sqlite_stat1'").fetchone():
            return []
        return raw.execute("SELECT tbl, idx FROM sqlite_stat1").fetchall()
    finally:
        raw.close()


def _fill(path: Path, rows: int = 5000) -> None:
    raw = sqlite3.connect(path)
    raw.executescript(
        "CREATE TABLE t (id INTEGER PRIMARY KEY, a INTEGER, b TEXT);"
        "CREATE INDEX t_a ON t (a);"
        f"WITH RECURSIVE s(g) AS (SELECT 1 UNION ALL SELECT g + 1 FROM s WHERE g < {rows}) "
        "INSERT INTO t (a, b) SELECT g % 50, 'x' || g FROM s;"
    )
    raw.commit()
    raw.close()


def test_the_sqlite_configuration_uses_the_engine_that_keeps_statistics(monkeypatch: Any) -> None:
    from opiekun import settings

    monkeypatch.delenv("DATABASE_URL", raising=False)
    assert settings._database()["ENGINE"] == "opiekun.sqlite"


def test_closing_a_connection_analyses_the_tables_it_used(tmp_path: Path, unblocked: Any) -> None:
    path = tmp_path / "db.sqlite3"
    _fill(path)
    wrapper = _wrapper(path)
    with wrapper.cursor() as cursor:
        cursor.execute("SELECT b FROM t WHERE a = 7")
        assert len(cursor.fetchall()) == 100
    assert _stats(path) == []
    wrapper.close()
    assert ("t", "t_a") in _stats(path)


def test_closing_does_not_wait_for_a_busy_database(tmp_path: Path, unblocked: Any) -> None:
    path = tmp_path / "db.sqlite3"
    _fill(path)
    wrapper = _wrapper(path)
    with wrapper.cursor() as cursor:
        cursor.execute("SELECT b FROM t WHERE a = 7")
        cursor.fetchall()
    writer = sqlite3.connect(path, isolation_level=None)
    writer.execute("BEGIN IMMEDIATE")  # another process holds the write lock
    try:
        started = time.monotonic()
        wrapper.close()  # the busy timeout is 20 s: the close must not wait for it
        assert time.monotonic() - started < 2
        assert wrapper.connection is None
    finally:
        writer.execute("ROLLBACK")
        writer.close()
    assert _stats(path) == []  # left for a later connection


@pytest.mark.django_db(transaction=True)
def test_migrate_and_import_analyse_the_database(make_contractors: Any, tmp_path: Path, actor: Any) -> None:
    """The test database is in memory; its statistics are read from it directly."""

    def analysed() -> set[str]:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1 FROM sqlite_master WHERE name = 'sqlite_stat1'")
            if not cursor.fetchone():
                return set()
            cursor.execute("SELECT DISTINCT tbl FROM sqlite_stat1")
            return {row[0] for row in cursor.fetchall()}

    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM sqlite_stat1") if analysed() else None
    make_contractors(20)
    assert "contractors_contractor" not in analysed()
    call_command("migrate", verbosity=0)  # nothing to apply: post_migrate still runs
    assert "contractors_contractor" in analysed()

    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM sqlite_stat1")
    csv = tmp_path / "contractors.csv"
    csv.write_text("code;name\nIMP1;Importowana\n", encoding="utf-8")
    call_command("import", "contractors", str(csv), "--user", actor.username, verbosity=0)
    assert "contractors_contractor" in analysed()


@pytest.mark.django_db
def test_analyze_is_skipped_inside_a_transaction() -> None:
    assert analyze() is False  # a test's transaction: ANALYZE would commit it
