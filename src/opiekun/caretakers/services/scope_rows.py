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
from opiekun.caretakers.rules import AssignmentType, Proposal
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
    others read for nothing), in no particular order (`rules.decide_each` needs
    none; sorting them by id cost SQLite a quarter of the read): the statement is the
    queryset's own, run by a cursor, so that no model's converters run. On SQLite the
    days are read as text (a cast has no declared type, so no converter runs) and
    parsed here. Rows of the same days share one `Period` (a selection's rows hold few
    distinct periods; a `Period` costs ~2 us)."""
    text = connection.vendor != "postgresql"
    days: tuple[Any, Any] = ("date_from", "date_to")
    if text:
        days = (Cast("date_from", TextField()), Cast("date_to", TextField()))
    selected = scope_rows(role_id, branch_id, period, ids)
    if proposal is not None:
        selected = selected.filter(decisive(proposal))
    query = (
        selected.order_by()
        .values_list(
            "id",
            "contractor_id",
            "operator_id",
            "type",
            "role_id",
            "branch_id",
            *days,
            "priority",
            "created_by_id",
            "updated_by_id",
        )
        .query
    )
    sql, params = query.get_compiler(connection=connection).as_sql()
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        found: list[Any] = cursor.fetchall()
    periods: dict[tuple[Any, Any], Period] = {}
    parse = date.fromisoformat
    rows: list[Values] = []
    for pk, cid, operator_id, kind, role, branch, start, end, priority, created_by, updated_by in found:
        days_of = periods.get((start, end))
        if days_of is None:
            if text:
                days_of = Period(parse(start), None if end is None else parse(end))
            else:
                days_of = Period(start, end)
            periods[(start, end)] = days_of
        rows.append((pk, cid, operator_id, kind, role, branch, days_of, priority, created_by, updated_by))
    return rows


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
