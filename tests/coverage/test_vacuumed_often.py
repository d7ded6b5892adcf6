"""The tables the pages read by index-only scans are vacuumed once 100 of their rows
changed (coverage/migrations/0011_vacuumed_often.py; PostgreSQL, where SQLite has no
autovacuum)."""

from __future__ import annotations

import importlib

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

vacuumed = importlib.import_module("opiekun.coverage.migrations.0011_vacuumed_often")

pytestmark = pytest.mark.skipif(
    "connection.vendor != 'postgresql'", reason="SQLite has no autovacuum: the migration leaves it alone"
)


def _options() -> dict[str, set[str]]:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT relname, coalesce(reloptions, '{}') FROM pg_class WHERE relname = ANY(%s)",
            [list(vacuumed.TABLES)],
        )
        return {name: set(options) for name, options in cursor.fetchall()}


def _migrate(target: tuple[str, str] | None = None) -> None:
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate([target] if target else executor.loader.graph.leaf_nodes())


WANTED = {f"{name}={value}" for name, value in vacuumed.SETTINGS.items()}


@pytest.mark.django_db
def test_the_assignments_and_the_coverage_tables_are_vacuumed_after_a_hundred_rows_changed() -> None:
    options = _options()
    assert set(options) == set(vacuumed.TABLES)  # every table named exists
    assert all(found >= WANTED for found in options.values()), options


@pytest.mark.django_db(transaction=True)
def test_migrating_back_gives_the_tables_the_server_defaults_again() -> None:
    try:
        _migrate(("coverage", "0010_uncovered_vacuumed"))
        assert all(not (found & WANTED) for found in _options().values())
    finally:
        _migrate()
    assert all(found >= WANTED for found in _options().values())
