"""Adding a difference to a table of steps: the one upsert that the workload steps
(`WorkloadStep`) and the pair steps (`WorkloadPairStep`) both use."""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import date
from typing import Any

from django.db import connection

# Each key column's type in PostgreSQL's arrays.
_PG_TYPES = {"viewer_id": "bigint", "operator_id": "bigint", "type": "varchar", "day": "date"}


def add_to_steps(table: str, key: Sequence[str], delta: dict[tuple[Any, ...], int]) -> None:
    """Add ``delta`` (key: the values of the ``key`` columns, the day last) to the
    steps stored in ``table``, in key order (concurrent writers queue instead of
    deadlocking); delete the steps it zeroes. PostgreSQL: the upsert answers the keys
    it zeroed, and only those are deleted, by a second statement only when there are
    any; SQLite: the zeroes of the first key column's values."""
    if not delta:
        return
    keys = sorted(delta)
    columns = ", ".join(key)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            arrays = ", ".join(f"%s::{_PG_TYPES[name]}[]" for name in key)
            # As the text of arrays: the driver would adapt ten thousand values one by one.
            payload = [_array([k[i] for k in keys]) for i in range(len(key))]
            cursor.execute(
                f"WITH up AS (INSERT INTO {table} ({columns}, delta) "
                f"SELECT * FROM unnest({arrays}, %s::integer[]) "
                f"ORDER BY {', '.join(str(i + 1) for i in range(len(key)))} "
                f"ON CONFLICT ({columns}) DO UPDATE SET delta = {table}.delta + excluded.delta "
                f"RETURNING {columns}, delta) "
                f"SELECT {columns} FROM up WHERE delta = 0",
                [*payload, _array([delta[k] for k in keys])],
            )
            zeroed = cursor.fetchall()
            if zeroed:
                names = [f"z{i}" for i in range(len(key))]
                cursor.execute(
                    f"DELETE FROM {table} s USING unnest({arrays}) AS z({', '.join(names)}) "
                    f"WHERE {' AND '.join(f's.{c} = {z}' for c, z in zip(key, names, strict=True))} "
                    "AND s.delta = 0",
                    [list(column) for column in zip(*zeroed, strict=True)],
                )
        else:
            values = ", ".join(f"value ->> '$[{i}]'" for i in range(len(key) + 1))
            # WHERE true: SQLite's parser needs it between a SELECT and ON CONFLICT.
            cursor.execute(
                f"INSERT INTO {table} ({columns}, delta) SELECT {values} "
                "FROM json_each(%s) WHERE true ORDER BY key "
                f"ON CONFLICT ({columns}) DO UPDATE SET delta = delta + excluded.delta",
                [json.dumps([[*(_json(v) for v in k), delta[k]] for k in keys])],
            )
            cursor.execute(
                f"DELETE FROM {table} WHERE delta = 0 AND {key[0]} IN (SELECT value FROM json_each(%s))",
                [json.dumps(sorted({k[0] for k in keys}))],
            )


def _json(value: Any) -> Any:
    return value.isoformat() if isinstance(value, date) else value


def _array(values: Sequence[Any]) -> str:
    """The text of a PostgreSQL array of ids, types, days or amounts (none needs quoting)."""
    return "{" + ",".join(v.isoformat() if isinstance(v, date) else str(v) for v in values) + "}"
