"""The rows of Dodaj opiekuna's scope (one role and branch) that touch the new period,
of a chunk of contractors: as a queryset (`scope_rows`, the WARN preview's state) and
as plain values read by a cursor (`scope_values`, the rows the write decides from)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Any

from django.db import connection
from django.db.models import F, Q, TextField
from django.db.models.functions import Cast

from opiekun.bulk import id_list
from opiekun.caretakers.models import CaretakerAssignment
from opiekun.caretakers.rules import TYPE_OF, AssignmentType, Proposal
from opiekun.caretakers.rules_each import Row
from opiekun.caretakers.services.changes import AssignmentRow
from opiekun.periods import Period, touching_window

# id, contractor, operator, type (as stored), role, branch, period, priority, created by, updated by
Values = tuple[int, int, int, str, int, int | None, Period, int, int | None, int | None]


def scope_filter(role_id: int, branch_id: int | None, *, role: str = "role_id") -> Q:
    """The rows of one scope's role and branch (a null branch is a scope of its own);
    ``role``: the name the role is filtered by (a field or an alias of it)."""
    return Q(**{role: role_id}) & (Q(branch__isnull=True) if branch_id is None else Q(branch_id=branch_id))


def scope_rows(role_id: int, branch_id: int | None, period: Period, ids: Sequence[int]) -> Any:
    """The rows of the scope that touch ``period``, of the contractors ``ids``, by id.

    On SQLite the role is filtered as an expression (``role_id + 0``, the same rows),
    which no index can search: its planner would otherwise search the scope's index
    (contractor, role, branch, first day) and look up in the table, for its last day,
    every row of the scope that started before the window's end, its whole past; so it
    searches (contractor, first day, last day), whose last day rules the past out in
    the index (docs/performance.md, "SQLite KEEP, second round")."""
    window = touching_window(period)
    rows = CaretakerAssignment.objects.filter(contractor_id__in=id_list(ids))
    role = "role_id"
    if connection.vendor == "sqlite":
        rows, role = rows.alias(role_unindexed=F("role_id") + 0), "role_unindexed"
    return (
        rows.filter(scope_filter(role_id, branch_id, role=role))
        .overlapping(window.start, window.end)
        .order_by("id")
    )


def decisive(proposal: Proposal) -> Q:
    """The rows `rules.decide` may take for a conflict with ``proposal`` or a merge
    with it (`rules.is_conflict`, `rules.is_mergeable`): every row of its operator, and
    when it is a main the other operators' mains. No other row changes a plan."""
    same = Q(operator_id=proposal.operator_id)
    return same | Q(type=AssignmentType.MAIN.value) if proposal.type == AssignmentType.MAIN else same


def scope_values(
    role_id: int,
    branch_id: int | None,
    period: Period,
    ids: Sequence[int],
    *,
    proposal: Proposal | None = None,
) -> list[Values]:
    """`scope_rows` as plain values (``proposal``: its `decisive` rows alone, the
    others read for nothing), in no particular order (`rules_each.decide_each` needs
    none; sorting them by id cost SQLite a quarter of the read): the statement is the
    queryset's own, run by a cursor, so that no model's converters run. On SQLite the
    days are read as text (a cast has no declared type, so no converter runs) and
    parsed here. Rows of the same days share one `Period` (a selection's rows hold few
    distinct periods; a `Period` costs ~2 us)."""
    found, periods = _read(scope_rows(role_id, branch_id, period, ids), proposal, STORED)
    return [
        (pk, cid, operator_id, kind, role, branch, periods[start, end], priority, created_by, updated_by)
        for pk, cid, operator_id, kind, role, branch, start, end, priority, created_by, updated_by in found
    ]


def scope_slots(
    role_id: int, branch_id: int | None, period: Period, ids: Sequence[int], *, proposal: Proposal
) -> list[Row]:
    """`scope_values` of the columns `rules_each.decide_each` reads alone, as its rows (id,
    contractor, operator, type, period): under KEEP few plans write, and the rest of
    their rows is read by `stored_by_id` for those alone (the other five columns of
    9,500 rows cost SQLite's fetch and the tuples about 5 ms)."""
    found, periods = _read(scope_rows(role_id, branch_id, period, ids), proposal, SLOT)
    type_of = TYPE_OF
    return [
        (pk, cid, other, type_of[kind], periods[start, end]) for pk, cid, other, kind, start, end in found
    ]


def stored_by_id(pks: set[int]) -> dict[int, AssignmentRow]:
    """The rows ``pks`` as `stored_row` makes them of `scope_values`, by id (none read for none)."""
    if not pks:
        return {}
    found, periods = _read(CaretakerAssignment.objects.filter(pk__in=id_list(sorted(pks))), None, STORED)
    return {v[0]: stored_row((*v[:6], periods[v[6], v[7]], *v[8:])) for v in found}


# The columns `scope_values` reads (its days as `Period`), and those `scope_slots` reads.
STORED: tuple[str, ...] = ("id", "contractor_id", "operator_id", "type", "role_id", "branch_id")
STORED += ("date_from", "date_to", "priority", "created_by_id", "updated_by_id")
SLOT = ("id", "contractor_id", "operator_id", "type", "date_from", "date_to")


def _read(
    selected: Any, proposal: Proposal | None, columns: tuple[str, ...]
) -> tuple[list[Any], dict[tuple[Any, Any], Period]]:
    """The ``columns`` of the rows ``selected`` (a queryset; ``proposal``: its `decisive`
    rows alone), read by a cursor (the queryset's own statement: no converter runs; on
    SQLite the days read as text), and the `Period` of each pair of days read, by the
    pair: rows of the same days share one (a selection's rows hold few distinct
    periods; a `Period` costs ~2 us)."""
    text = connection.vendor != "postgresql"
    if proposal is not None:
        selected = selected.filter(decisive(proposal))
    named: list[Any] = [Cast(c, TextField()) if text and c in DAYS else c for c in columns]
    query = selected.order_by().values_list(*named).query
    sql, params = query.get_compiler(connection=connection).as_sql()
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        found: list[Any] = cursor.fetchall()
    first, last = columns.index("date_from"), columns.index("date_to")
    parse = date.fromisoformat
    periods: dict[tuple[Any, Any], Period] = {}
    for start, end in {(row[first], row[last]) for row in found}:
        if text:
            periods[start, end] = Period(parse(start), None if end is None else parse(end))
        else:
            periods[start, end] = Period(start, end)
    return found, periods


DAYS = ("date_from", "date_to")


def stored_row(v: Values) -> AssignmentRow:
    """A loaded row as the writer takes it (all it needs but ``created_at``)."""
    pk, cid, operator_id, kind, role_id, branch_id, period, priority, created_by, updated_by = v
    return AssignmentRow(
        pk,
        cid,
        operator_id,
        kind,
        role_id,
        branch_id,
        period.start,
        period.end,
        priority,
        created_by,
        updated_by,
    )
