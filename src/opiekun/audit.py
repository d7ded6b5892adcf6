"""The audit trail (django-simple-history tables), written set-based for bulk paths.

Single-object writes through the ORM are recorded by simple-history itself; bulk
writes go through `record`, which inserts every historical row in one statement.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Mapping, Sequence
from datetime import datetime
from enum import StrEnum
from functools import cache
from operator import attrgetter, itemgetter
from typing import Any

from django.db import connection, models

from opiekun.bulk import Trail, insert_rows

CREATED, CHANGED, DELETED = "+", "~", "-"


class Reason(StrEnum):
    """Why a row of the trail was written: the service that wrote it. A later detail
    (a handover's id, an import file's name) follows after a colon, see `reason`."""

    CARETAKER_ADD = "caretaker_add"
    ASSIGNMENT_UPDATE = "assignment_update"
    ASSIGNMENT_DELETE = "assignment_delete"
    CONTRACTOR_CREATE = "contractor_create"
    CONTRACTOR_UPDATE = "contractor_update"
    CONTRACTOR_DELETE = "contractor_delete"
    HANDOVER = "handover"
    HANDOVER_CANCEL = "handover_cancel"
    IMPORT = "import"


def reason(kind: Reason, detail: object = None) -> str:
    """The reason recorded in the trail: ``kind``, or ``kind:detail``."""
    return str(kind) if detail is None else f"{kind}:{detail}"


@cache
def _tracked_fields(model: type[models.Model]) -> list[Any]:
    # Cached: ``model.history`` builds a new manager class on every access, which cost
    # more than the whole database write when paid once per row of a bulk change.
    history_model = model.history.model  # type: ignore[attr-defined]
    return [f for f in history_model._meta.concrete_fields if not f.name.startswith("history_")]


@cache
def _tracked_names(model: type[models.Model]) -> tuple[str, ...]:
    return tuple(f.attname for f in _tracked_fields(model))


def tracked_names(model: type[models.Model]) -> tuple[str, ...]:
    """The attribute names of the columns the trail copies from a row of ``model``."""
    return _tracked_names(model)


@cache
def _getter(model: type[models.Model]) -> Callable[[Any], tuple[Any, ...]]:
    """The tracked values of a row as a tuple, in the order of `_tracked_names`."""
    names = _tracked_names(model)
    get = attrgetter(*names)
    return get if len(names) > 1 else lambda row: (get(row),)


def trail(
    model: type[models.Model], *, history_type: str, user: Any, when: datetime, reason: str
) -> Trail | None:
    """The historical rows of a bulk write of ``model``, for `opiekun.bulk` to write in
    the same statement as the rows themselves, from the rows as written (PostgreSQL):
    the same rows as `record` writes, without sending every row a second time. None on
    SQLite (no data-modifying ``WITH``): there the caller calls `record`, or `copy`."""
    if connection.vendor != "postgresql":
        return None
    history_model = model.history.model  # type: ignore[attr-defined]
    return Trail(
        history_model._meta.db_table,
        tuple(f.column for f in _tracked_fields(model)),
        {
            "history_date": when,
            "history_type": history_type,
            "history_user_id": getattr(user, "pk", None),
            "history_change_reason": reason,
        },
    )


def snapshot(instance: Any, model: type[models.Model] | None = None) -> dict[str, Any]:
    """The tracked values of a row, keyed by attribute name: a model instance, or
    (with its ``model``) any object with the same attributes."""
    kind: type[models.Model] = type(instance) if model is None else model
    return dict(zip(_tracked_names(kind), _getter(kind)(instance), strict=True))


def record(
    model: type[models.Model],
    rows: Iterable[Mapping[str, Any]],
    *,
    history_type: str,
    user: Any,
    when: datetime,
    reason: str,
) -> None:
    """Append one historical row per snapshot in ``rows`` (state after the change;
    for deletions, the state that was deleted)."""
    rows = list(rows)
    if not rows:
        return
    names = _tracked_names(model)
    pick: Callable[[Mapping[str, Any]], tuple[Any, ...]] = itemgetter(*names)
    if len(names) == 1:
        pick = (lambda get: lambda row: (get(row),))(pick)
    user_id = getattr(user, "pk", None)
    extra = {
        "history_date": when,
        "history_type": history_type,
        "history_user_id": user_id,
        "history_change_reason": reason,
    }
    history_rows = [{**dict(zip(names, pick(row), strict=True)), **extra} for row in rows]
    insert_rows(
        model.history.model,  # type: ignore[attr-defined]
        [*names, "history_date", "history_type", "history_user_id", "history_change_reason"],
        history_rows,
    )


def copy(
    model: type[models.Model],
    ids: Sequence[int],
    *,
    history_type: str,
    user: Any,
    when: datetime,
    reason: str,
) -> None:
    """Where there is no `trail` (SQLite: no data-modifying ``WITH``): append the
    historical rows of ``model``'s rows ``ids`` as they are now (right after they were inserted or updated,
    right before they are deleted), in the order of ``ids``, copied by the database in
    one statement: the rows `record` writes from their snapshots, without sending every
    row from Python a second time (docs/performance.md, "SQLite's bulk writes,
    2026-11-29 (lite)")."""
    if not ids:
        return
    history_model = model.history.model  # type: ignore[attr-defined]
    meta = history_model._meta
    values = {
        "history_date": when,
        "history_type": history_type,
        "history_user_id": getattr(user, "pk", None),
        "history_change_reason": reason,
    }
    tracked = [f.column for f in _tracked_fields(model)]
    names = ", ".join(f'"{c}"' for c in (*tracked, *values))
    copied = ", ".join(f't."{c}"' for c in tracked)
    marks = ", ".join("%s" for _ in values)
    table, pk = model._meta.db_table, model._meta.pk.column
    listed: object
    if connection.vendor == "postgresql":  # where a caller has no `trail` (its writes have)
        source, listed = "unnest(%s::bigint[]) WITH ORDINALITY AS r(value, key)", list(ids)
    else:
        source, listed = "json_each(%s) AS r", json.dumps(list(ids))
    sql = (
        f'INSERT INTO "{meta.db_table}" ({names}) SELECT {copied}, {marks} '
        f'FROM {source} JOIN "{table}" AS t ON t."{pk}" = r.value ORDER BY r.key'
    )
    params = [meta.get_field(name).get_db_prep_value(value, connection) for name, value in values.items()]
    with connection.cursor() as cursor:
        cursor.execute(sql, [*params, listed])
