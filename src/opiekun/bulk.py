"""Set-based writes: one statement for any number of rows, on SQLite and PostgreSQL.

The rows travel as a few parameters and are unpacked by the database (on PostgreSQL
one array per column, ``unnest``-ed together; on SQLite one JSON document, read by
`json_each`), so a bulk write costs one query however large the selection, and never
meets a bound-parameter limit. Values are prepared by the model fields themselves, as
the ORM would. `InList` (``field__in_list=values``) is the matching look-up for reads.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping, Sequence
from datetime import date, datetime
from operator import itemgetter
from typing import Any

from django.db import DEFAULT_DB_ALIAS, connection, connections, models

from opiekun.bulk_lookups import InList, _array, _quoted, array_literal, id_list, text_list
from opiekun.bulk_trail import Beside, Trail, _beside, _written_by
from opiekun.sqlite.rows import sqlite_rows


def _json_value(value: Any) -> Any:
    if isinstance(value, datetime | date):
        return value.isoformat()
    return value


# Fields whose prepared value is the Python value itself (a date: its ISO text), so
# the payload need not ask the field for every value of a large write.
_PLAIN_TYPES = {
    "AutoField",
    "BigAutoField",
    "BigIntegerField",
    "IntegerField",
    "PositiveIntegerField",
    "SmallIntegerField",
    "ForeignKey",
    "OneToOneField",
    "CharField",
    "TextField",
    "EmailField",
    "BooleanField",
    "DateField",
}


_IDENTITY = frozenset({int, str, bool, type(None)})  # `fast` answers these values as they are
_IDENTITY_OR_DATE = _IDENTITY | {date}


def _converter(field: Any, db: Any) -> tuple[bool, Any]:
    """How one field's values become JSON values: as the field prepares them; for the
    plain types above, the value as it is once the field accepted the first one (the
    same value every time: the field's own preparation is the identity for them).
    Answers whether the field is of a plain type, and the function."""
    plain = field.get_internal_type() in _PLAIN_TYPES and not (
        field.get_internal_type() in ("ForeignKey", "OneToOneField")
        and field.target_field.get_internal_type() not in _PLAIN_TYPES
    )

    def slow(value: Any) -> Any:
        return _json_value(field.get_db_prep_value(value, db))

    if not plain:
        last: list[Any] = [object(), None]

        def memo(value: Any) -> Any:  # timestamps and actors repeat from row to row
            if value is not last[0]:
                last[0], last[1] = value, slow(value)
            return last[1]

        return False, memo

    def fast(value: Any) -> Any:
        if value is None or type(value) in (int, str, bool):
            return value
        if type(value) is date:
            return value.isoformat()
        return slow(value)

    return True, fast


def _column(plain: bool, convert: Any, values: list[Any]) -> list[Any]:
    """One field's values converted. For a plain field, a column holding only values
    that `fast` answers as they are (or dates, as their ISO text) is converted without a
    call per value: the same result, a bulk write's Python cost halved."""
    if plain:
        kinds = set(map(type, values))
        if kinds <= _IDENTITY:
            return values
        if kinds <= _IDENTITY_OR_DATE:
            return [v.isoformat() if type(v) is date else v for v in values]
    return list(map(convert, values))


def _columns(fields: Sequence[Any], rows: Iterable[Mapping[str, Any]]) -> list[list[Any]]:
    """The rows' values column by column, each prepared by its model field."""
    # The connection itself, not the ``connection`` proxy: this runs once per value.
    db = connections[DEFAULT_DB_ALIAS]
    rows = rows if isinstance(rows, list | tuple) else list(rows)
    values = []
    for f in fields:
        plain, convert = _converter(f, db)
        values.append(_column(plain, convert, list(map(itemgetter(f.attname), rows))))
    return values


def _array_column(values: list[Any]) -> str:
    """One column's prepared values as the text of a PostgreSQL array."""
    kinds = set(map(type, values))
    if kinds <= {int}:
        return "{" + ",".join(map(str, values)) + "}"
    if kinds <= {int, type(None)}:
        return "{" + ",".join("NULL" if v is None else str(v) for v in values) + "}"
    if kinds <= {bool, type(None)}:
        return "{" + ",".join("NULL" if v is None else ("t" if v else "f") for v in values) + "}"
    if kinds <= {str}:
        together = "".join(values)  # no quote or backslash anywhere: each value quoted as it is
        if '"' not in together and "\\" not in together:
            return '{"' + '","'.join(values) + '"}'
    quoted: dict[Any, str] = {}  # types, reasons, timestamps repeat from row to row
    parts = []
    for v in values:
        part = quoted.get(v)
        if part is None:
            part = quoted[v] = "NULL" if v is None else _quoted(str(v))
        parts.append(part)
    return "{" + ",".join(parts) + "}"


def _rows(fields: Sequence[Any], rows: Iterable[Mapping[str, Any]]) -> tuple[str, list[Any]]:
    """A FROM-clause item ``r`` holding ``rows``, one column per field (and
    ``ordinality``, the rows' order), with its parameters.

    PostgreSQL: one array parameter per column, unnested together (`array_literal`'s
    text). Against one JSON document of objects unpacked by ``json_to_recordset`` (the
    earlier form, still SQLite's), the payload holds no column names and no per-row
    dictionaries: for the 90,000 assignments of the import benchmark, the Python of
    building it drops from about a third of the writes' Python time (see
    docs/performance.md, "Imports"), and the server parses arrays of typed values.
    SQLite: the JSON document, unpacked by ``json_each``."""
    if connection.vendor == "postgresql":
        arrays = ", ".join(f"%s::{f.db_type(connection)}[]" for f in fields)
        names = ", ".join(f'"{f.column}"' for f in fields)
        params: list[Any] = [_array_column(column) for column in _columns(fields, rows)]
        return f"unnest({arrays}) WITH ORDINALITY AS r({names}, ordinality)", params
    return sqlite_rows(fields, _columns(fields, rows))


def rows_source(
    model: type[models.Model], names: Sequence[str], rows: Sequence[Mapping[str, Any]]
) -> tuple[str, list[Any]]:
    """`_rows` for ``model``'s fields ``names``, for a statement the caller writes."""
    return _rows(_fields(model, names), rows)


def _fields(model: type[models.Model], names: Sequence[str]) -> list[Any]:
    return [model._meta.get_field(name) for name in names]


def insert_rows(
    model: type[models.Model],
    names: Sequence[str],
    rows: Sequence[Mapping[str, Any]],
    *,
    trail: Trail | None = None,
    beside: Sequence[Beside] = (),
) -> list[int]:
    """Insert ``rows`` (dicts keyed by attribute name, e.g. ``operator_id``);
    returns their new primary keys in the order of ``rows``. ``trail``: their
    historical rows, in the same statement (PostgreSQL); ``beside``: further rows
    written from them by the same statement (PostgreSQL)."""
    if not rows:
        return []
    items = _beside(trail, beside)
    fields = _fields(model, names)
    table = model._meta.db_table
    pk = model._meta.pk.column
    columns = ", ".join(f'"{f.column}"' for f in fields)
    selected = ", ".join(f'r."{f.column}"' for f in fields)
    # Rows are inserted, and RETURNING answers, in the order of the SELECT (as
    # Django's own bulk_create relies on).
    source, params = _rows(fields, rows)
    insert = f'INSERT INTO "{table}" ({columns}) SELECT {selected} FROM {source} ORDER BY r.ordinality'
    sql = f'{insert} RETURNING "{pk}"'
    if items:
        # The new ids ascend in the order the rows are inserted (one sequence, read
        # row by row): ordered by id, both the trail and the answer follow ``rows``.
        parts, beside_params = _written_by(items, f'"{pk}"')
        sql = (
            f"WITH written AS ({insert} RETURNING *), "
            f'{", ".join(parts)} SELECT "{pk}" FROM written ORDER BY "{pk}"'
        )
        params = [*params, *beside_params]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return [row[0] for row in cursor.fetchall()]


def update_rows(
    model: type[models.Model],
    names: Sequence[str],
    rows: Sequence[Mapping[str, Any]],
    *,
    trail: Trail | None = None,
    beside: Sequence[Beside] = (),
) -> int:
    """Set the fields ``names`` on the rows identified by each dict's ``id``.
    ``trail``: their historical rows (as updated), in the same statement (PostgreSQL);
    ``beside``: further rows written from them by the same statement (PostgreSQL)."""
    if not rows:
        return 0
    items = _beside(trail, beside)
    pk_field = model._meta.pk
    assert pk_field is not None
    fields = _fields(model, names)
    table = model._meta.db_table
    assignments = ", ".join(f'"{f.column}" = r."{f.column}"' for f in fields)
    source, params = _rows([pk_field, *fields], rows)
    pk = pk_field.column
    old = sorted({c for item in items for c in item.old})
    # The rows as they were, for ``old``: the same table joined again (read as it was
    # before the statement, as every table of its FROM).
    before = f' JOIN "{table}" AS old ON old."{pk}" = r."{pk}"' if old else ""
    sql = f'UPDATE "{table}" SET {assignments} FROM {source}{before} WHERE "{table}"."{pk}" = r."{pk}"'
    if items:
        returned = "".join(f', old."{c}" AS "old_{c}"' for c in old)
        parts, beside_params = _written_by(items, "ordinality")
        sql = (
            f'WITH written AS ({sql} RETURNING "{table}".*, r.ordinality{returned}), '
            f"{', '.join(parts)} SELECT count(*) FROM written"
        )
        params = [*params, *beside_params]
        return _count(sql, params)
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return int(cursor.rowcount)


def _count(sql: str, params: list[Any]) -> int:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return int(cursor.fetchone()[0])


def delete_ids(
    model: type[models.Model],
    ids: Sequence[int],
    *,
    trail: Trail | None = None,
    beside: Sequence[Beside] = (),
) -> int:
    """Delete rows by primary key in one statement, without the ORM's per-object
    collector (the callers record the audit trail themselves, set-based).
    ``trail``: their historical rows (as deleted), in the same statement (PostgreSQL),
    in the order of ``ids``; ``beside``: further rows written from them (as deleted)
    by the same statement (PostgreSQL)."""
    if not ids:
        return 0
    table = model._meta.db_table
    pk = model._meta.pk.column
    items = _beside(trail, beside)
    if items:
        parts, beside_params = _written_by(items, "ordinality")
        sql = (
            f'WITH written AS (DELETE FROM "{table}" USING unnest(%s::bigint[]) WITH ORDINALITY '
            f'AS r(id, ordinality) WHERE "{table}"."{pk}" = r.id RETURNING "{table}".*, r.ordinality), '
            f"{', '.join(parts)} SELECT count(*) FROM written"
        )
        return _count(sql, [_array(ids), *beside_params])
    if connection.vendor == "postgresql":
        sql = f'DELETE FROM "{table}" WHERE "{pk}" = ANY(%s)'
        params: list[Any] = [list(ids)]
    else:
        sql = f'DELETE FROM "{table}" WHERE "{pk}" IN (SELECT value FROM json_each(%s))'
        params = [json.dumps(list(ids))]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return int(cursor.rowcount)


__all__ = [
    "Beside",
    "InList",
    "Trail",
    "array_literal",
    "delete_ids",
    "id_list",
    "insert_rows",
    "rows_source",
    "text_list",
    "update_rows",
]
