"""The stored assignments that the steps' writes start from (`workload_write`), read
in one statement: those of the touched (contractor, operator, type) triples and, when
some operators see only their own contractors (``viewers``), every row of the touched
contractors that one of them has a row of (what the pair steps need)."""

from __future__ import annotations

import json
from collections.abc import Collection, Iterable, Sequence
from datetime import date
from typing import Any, TypeVar

from django.db import connection

from opiekun.caretakers.models import CaretakerAssignment
from opiekun.operators.workload_steps import FIELDS, Interval

TABLE = CaretakerAssignment._meta.db_table
Triple = tuple[int, int, str]
Row = TypeVar("Row", bound=tuple[Any, ...])


def read_rows(
    triples: Sequence[Triple], viewers: Collection[int], cared: Collection[int] = ()
) -> list[Interval]:
    """The stored assignments of ``triples`` (contractor, operator, type), and every
    stored assignment of their contractors that one of ``viewers`` has a row of (or
    will have: ``cared``, the contractors of the change's rows of a viewer).

    With ``viewers``, every row of the contractors is read (one index range per
    contractor, instead of one per triple, a probe for the viewers' contractors and a
    second read of theirs) and those of no viewer's contractor nor wanted triple are
    dropped here."""
    if not triples:
        return []
    if connection.vendor == "postgresql":
        rows = _postgresql(triples, bool(viewers))
    else:
        rows = _sqlite(triples, bool(viewers))
    kept = kept_rows(rows, triples, viewers, cared)
    if connection.vendor == "postgresql":
        # The last day a date can be is as good as an open end (`workload_steps.as_interval`).
        return [(c, o, k, start, None if end == date.max else end) for c, o, k, start, end in kept]
    day = date.fromisoformat  # only the kept rows' days parsed
    return [
        (c, o, k, day(start), None if end is None or end == "9999-12-31" else day(end))
        for c, o, k, start, end in kept
    ]


def kept_rows(
    rows: Iterable[Row], triples: Iterable[Triple], viewers: Collection[int], cared: Collection[int]
) -> Iterable[Row]:
    """Of ``rows`` (contractor, operator, type first), those the steps start from: the
    rows of ``triples``, and with ``viewers`` every row of a contractor one of them has
    a row of (among ``rows``, or ``cared``)."""
    wanted = set(triples)
    if not viewers:
        return (row for row in rows if row[:3] in wanted)
    rows = list(rows)
    whole = set(cared)
    whole.update(row[0] for row in rows if row[1] in viewers)
    return (row for row in rows if row[0] in whole or row[:3] in wanted)


def _postgresql(triples: Sequence[Triple], whole: bool) -> list[tuple[Any, ...]]:
    with connection.cursor() as cursor:
        if whole:
            cursor.execute(
                f"SELECT {', '.join(FIELDS)} FROM {TABLE} WHERE contractor_id = ANY(%s::bigint[])",
                [_ints(sorted({t[0] for t in triples}))],
            )
        else:
            contractors, operators, kinds = (list(c) for c in zip(*sorted(triples), strict=True))
            cursor.execute(
                f"SELECT {', '.join(f'a.{name}' for name in FIELDS)} FROM {TABLE} a "
                "JOIN unnest(%s::bigint[], %s::bigint[], %s::varchar[]) AS t(c, o, k) "
                "ON a.contractor_id = t.c AND a.operator_id = t.o AND a.type = t.k",
                # As the text of arrays: the driver would adapt twenty thousand values one by one.
                [_ints(contractors), _ints(operators), "{" + ",".join(kinds) + "}"],
            )
        rows: list[tuple[Any, ...]] = cursor.fetchall()
    return rows


def _sqlite(triples: Sequence[Triple], whole: bool) -> list[tuple[Any, ...]]:
    """Every row of the contractors (of the operators, when they are few and not
    ``whole``), read by a plain cursor with the days as text (an expression has no
    declared type: no converter runs; the ORM converted every day of every row read)."""
    sql = (
        "SELECT contractor_id, operator_id, type, date_from || '', date_to || '' "
        f"FROM {TABLE} WHERE contractor_id IN (SELECT value FROM json_each(%s))"
    )
    params = [json.dumps(sorted({t[0] for t in triples}))]
    operators = sorted({t[1] for t in triples})
    if not whole and len(operators) < 100:
        sql += " AND operator_id IN (SELECT value FROM json_each(%s))"
        params.append(json.dumps(operators))
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        rows: list[tuple[Any, ...]] = cursor.fetchall()
    return rows


def _ints(values: Iterable[int]) -> str:
    return "{" + ",".join(map(str, values)) + "}"
