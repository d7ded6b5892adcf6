"""Assignments written by the writer, which refreshes their coverage itself.

PostgreSQL checks at commit that no assignment lies on a day the coverage tables record
as without any caretaker, nor a main in a recorded gap of its scope (a deferred
constraint trigger, `coverage/migrations/0004_in_step_checks_fewer_rows.py`). That check
is for rows written around the writer: `caretakers.services.writer.write_changes`
refreshes the coverage of every contractor it writes, in the same transaction, so its
own rows need none, and queueing one per row cost about a second of the server's CPU at
ten thousand rows. Inside `coverage_refreshed_by_the_writer` the triggers queue no check
(`coverage/migrations/0006_writer_rows_checked_by_the_writer.py`).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from django.db import connection, transaction

SETTING = "opiekun.writer_refreshes_coverage"


@contextmanager
def coverage_refreshed_by_the_writer() -> Iterator[None]:
    """Assignments inserted or updated inside queue no commit-time check: the caller
    must refresh the coverage (`coverage_refresh`) of every contractor they belong to,
    as they were and as they are, in the same transaction. Only the writer's own
    statements belong inside.

    The setting is local to the transaction and set inside a savepoint of its own: on
    any failure inside, rolling the savepoint back restores it, and on the way out it
    is turned off, so that no later statement of the transaction goes unchecked. On
    SQLite, nothing changes (it has no commit-time check)."""
    if connection.vendor != "postgresql":
        yield
        return
    with transaction.atomic():
        _set("on")
        yield
        _set("off")


def _set(value: str) -> None:
    with connection.cursor() as cursor:
        cursor.execute("SELECT set_config(%s, %s, true)", [SETTING, value])
