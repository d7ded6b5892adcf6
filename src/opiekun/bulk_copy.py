"""Bulk inserts through ``COPY`` with their audit trail in the same statement
(PostgreSQL).

`opiekun.bulk.insert_rows` sends the rows as one JSON document that the server
unpacks, and `opiekun.audit.record` sends them a second time for their historical
rows. For an import of many new rows, this copies them into a temporary table
instead (the protocol's own bulk path: no document to build, none to parse) and
inserts them and their historical rows in one statement, the audit rows read from
what was inserted (``RETURNING``). The rows written are the same as through
`insert_rows` and `audit.record`; SQLite keeps that path.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from functools import cache
from typing import Any

from django.db import connection, models


@cache
def _tracked(model: type[models.Model]) -> tuple[str, ...]:
    """The columns the audit trail copies from a row, as `opiekun.audit` records them."""
    history_model = model.history.model  # type: ignore[attr-defined]
    return tuple(f.column for f in history_model._meta.concrete_fields if not f.name.startswith("history_"))


def insert_with_history(
    model: type[models.Model],
    names: Sequence[str],
    rows: Sequence[Mapping[str, Any]],
    *,
    history_type: str,
    user_id: int | None,
    when: datetime,
    reason: str,
) -> list[int]:
    """Insert ``rows`` (dicts keyed by attribute name; values of the types the driver
    adapts: text, numbers, booleans, dates, times, None) and one historical row each,
    as `audit.record` writes it; returns the new primary keys in the order of
    ``rows``. PostgreSQL only. Must run inside a transaction (the temporary table is
    dropped at its end)."""
    assert connection.vendor == "postgresql"
    if not rows:
        return []
    fields: list[Any] = [model._meta.get_field(name) for name in names]
    table = model._meta.db_table
    pk = model._meta.pk.column
    staging = f"copy_{table}"
    columns = ", ".join(f'"{f.column}"' for f in fields)
    declared = ", ".join(f'"{f.column}" {f.db_type(connection)}' for f in fields)
    tracked = ", ".join(f'"{c}"' for c in _tracked(model))
    history = model.history.model._meta.db_table  # type: ignore[attr-defined]
    get = [f.attname for f in fields]
    with connection.cursor() as cursor:
        cursor.execute(f'CREATE TEMP TABLE IF NOT EXISTS "{staging}" (ord bigint, {declared}) ON COMMIT DROP')
        cursor.execute(f'TRUNCATE "{staging}"')
        with cursor.cursor.copy(f'COPY "{staging}" (ord, {columns}) FROM STDIN') as copy:
            for number, row in enumerate(rows):
                copy.write_row((number, *(row[name] for name in get)))
        # Rows are inserted in the order of the SELECT and take their ids from the
        # sequence in that order: ordered by id, RETURNING answers in the rows' order.
        cursor.execute(
            f'WITH new AS (INSERT INTO "{table}" ({columns}) SELECT {columns} FROM "{staging}" '
            f'ORDER BY ord RETURNING *), audit AS (INSERT INTO "{history}" ({tracked}, history_date, '
            f"history_type, history_user_id, history_change_reason) SELECT {tracked}, %s, %s, %s, %s "
            f'FROM new) SELECT "{pk}" FROM new ORDER BY "{pk}"',
            [when, history_type, user_id, reason],
        )
        return [row[0] for row in cursor.fetchall()]
