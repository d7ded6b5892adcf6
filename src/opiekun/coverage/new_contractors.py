"""Contractors inserted in bulk by a writer that then writes their coverage itself.

The database gives every new contractor its rows in the derived tables (a trigger,
`coverage/migrations/0001_derived_coverage.py` and `0003_acting_gaps.py`). A writer that
gives the contractors it inserts an assignment at once, through
`caretakers.services.writer.write_changes` (which refreshes their coverage), would have
those rows written, deleted and written again: three times the work of the three
tables' exclusion constraints. Inside `coverage_left_to_the_writer` the trigger leaves
them alone (PostgreSQL, `coverage/migrations/0005_new_contractors_left_to_the_writer.py`).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar

from django.db import connection

SETTING = "opiekun.new_contractors_covered"
_WITHOUT_ROWS: ContextVar[frozenset[int]] = ContextVar(
    "opiekun_contractors_without_rows", default=frozenset()
)


@contextmanager
def coverage_left_to_the_writer() -> Iterator[None]:
    """Contractors inserted inside get no derived rows from the database: the caller
    must pass every one of them to `write_changes` (or `coverage_refresh`) in the same
    transaction. The setting is local to the transaction: a failure inside rolls it back
    with everything else. On SQLite, nothing changes (its triggers run per row)."""
    if connection.vendor != "postgresql":
        yield
        return
    with connection.cursor() as cursor:
        cursor.execute("SELECT set_config(%s, 'on', true)", [SETTING])
    yield
    with connection.cursor() as cursor:
        cursor.execute("SELECT set_config(%s, 'off', true)", [SETTING])


@contextmanager
def coverage_rows_missing(contractor_ids: Iterable[int]) -> Iterator[None]:
    """The contractors ``contractor_ids``, just inserted inside
    `coverage_left_to_the_writer`, hold no rows of the derived tables: inside, the
    writer's refresh (`coverage.services.coverage_refresh`) inserts all their rows
    without reading what the tables hold for them. On SQLite, nothing changes (its
    triggers gave them their rows)."""
    if connection.vendor != "postgresql":
        yield
        return
    token = _WITHOUT_ROWS.set(frozenset(contractor_ids))
    try:
        yield
    finally:
        _WITHOUT_ROWS.reset(token)


def without_rows() -> frozenset[int]:
    """The contractors `coverage_rows_missing` names here (none outside it)."""
    return _WITHOUT_ROWS.get()
