"""The derived rows of a set of contractors: their assignments read, their coverage
computed, a table made equal to what it must be. The pieces `coverage.services` and
`coverage.changed` share."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from typing import Any

from django.db import connection
from django.db.models import Model, QuerySet

from opiekun.bulk import id_list, insert_rows, rows_source
from opiekun.caretakers.models import CaretakerRole
from opiekun.caretakers.rules import AssignmentType
from opiekun.contractors.models import Contractor
from opiekun.coverage.acting import acting_of
from opiekun.coverage.acting_window import Window, acting_in_window
from opiekun.coverage.compute import Absences, AssignmentFact, Gap, Uncovered, coverage_of
from opiekun.coverage.models import ActingGap, ActingPeriod
from opiekun.coverage.stand_ins import StandIn
from opiekun.coverage.tables import GAP_FIELDS, STAND_IN_FIELDS, Coverage, tables_of
from opiekun.operators.models import Absence


def _absences_of(operator_ids: set[int]) -> Absences:
    found: Absences = {}
    if not operator_ids:
        return found
    rows = Absence.objects.filter(operator_id__in=id_list(sorted(operator_ids))).values_list(
        "operator_id", "date_from", "date_to"
    )
    for operator_id, start, end in rows.order_by("operator_id", "date_from"):
        found.setdefault(operator_id, []).append((start, end))
    return found


def _default_role_id() -> int | None:
    return CaretakerRole.objects.default().values_list("pk", flat=True).first()


def _read(contractors: QuerySet[Contractor]) -> tuple[list[int], list[int], list[AssignmentFact]]:
    """The ids of ``contractors``, the inactive ones, and their assignments: one read
    of them joined with their assignments."""
    ids: list[int] = []
    inactive: list[int] = []
    facts: list[AssignmentFact] = []
    main = AssignmentType.MAIN.value
    rows = contractors.order_by().values_list(
        "pk",
        "active",
        "assignments__role_id",
        "assignments__branch_id",
        "assignments__type",
        "assignments__operator_id",
        "assignments__date_from",
        "assignments__date_to",
        "assignments__priority",
        "assignments__id",
    )
    seen: set[int] = set()
    for pk, active, role_id, branch_id, kind, operator_id, start, end, priority, assignment_id in rows:
        if pk not in seen:
            seen.add(pk)
            ids.append(pk)
            if not active:
                inactive.append(pk)
        if role_id is not None:
            facts.append(
                AssignmentFact(
                    pk, role_id, branch_id, kind == main, operator_id, start, end, priority, assignment_id
                )
            )
    return ids, inactive, facts


def _coverage(
    ids: list[int],
    inactive: list[int],
    facts: list[AssignmentFact],
    default_role_id: int | None,
    absences: Absences,
    *,
    acting_only: bool = False,
) -> Coverage:
    gaps: list[Gap] = []
    uncovered: list[Uncovered] = []
    if not acting_only:
        gaps, uncovered = coverage_of(
            contractor_ids=ids, assignments=facts, default_role_id=default_role_id, inactive=inactive
        )
    acting, stand_ins = acting_of(
        contractor_ids=ids,
        assignments=facts,
        absences=absences,
        default_role_id=default_role_id,
        inactive=inactive,
    )
    return Coverage(gaps, uncovered, acting, stand_ins)


_tables = tables_of


def _make_equal(
    model: type[Model], fields: list[str], ids: list[int], wanted: Sequence[tuple[object, ...]]
) -> None:
    """Make ``model``'s rows of the contractors ``ids`` equal to ``wanted``, writing only
    the rows that differ: most writes (a handover, a deputy added, an edit of dates
    inside a covered stretch) leave most contractors' coverage as it was, and a row
    deleted and inserted again would pay for every index of the table twice."""
    # The rows are named tuples whose fields are ``fields``, in order: each is its own key.
    stored = model._default_manager.filter(contractor_id__in=id_list(ids))
    _write_differences(model, fields, stored.values_list("pk", *fields), wanted)


def _write_differences(
    model: type[Model],
    fields: list[str],
    stored: Iterable[Sequence[Any]],
    wanted: Sequence[tuple[object, ...]],
) -> None:
    """Delete the rows ``stored`` ((pk, *fields) each) that ``wanted`` lacks, and insert
    those of ``wanted`` that ``stored`` lacks."""
    missing = Counter(wanted)
    stale: list[int] = []
    for pk, *values in stored:
        key = tuple(values)
        if missing[key] > 0:
            missing[key] -= 1
        else:
            stale.append(pk)
    if stale:
        model._default_manager.filter(pk__in=id_list(stale)).delete()
    insert_rows(
        model,
        fields,
        [dict(zip(fields, key, strict=True)) for key, count in missing.items() for _ in range(count)],
    )


def refresh_acting_window(contractor_ids: list[int], window: Window) -> bool:
    """Make the acting gaps and periods of ``contractor_ids`` right after a change of
    absences whose days lie inside ``window`` (not on its first or last day), from the
    window's days alone (`acting_window.acting_in_window`): only the rows sharing a day
    with it are read, computed and compared. False, having written nothing, when the
    stored rows lack one the window's edges need (the caller then computes everything)."""
    first, last = window
    # ``in_list`` (= ANY): an IN over tens of thousands of ids was planned as 200 probed
    # one by one, the acting gaps of 40,000 contractors at a million read in 0.84 s
    # against 0.41 s scanned (docs/performance.md, "Saving an absence, one computation a
    # shape").
    ids, inactive, facts = _read(Contractor.objects.filter(pk__in_list=contractor_ids))
    tables = ((ActingGap, GAP_FIELDS), (ActingPeriod, STAND_IN_FIELDS))
    stored = [
        list(
            model._default_manager.filter(
                contractor_id__in_list=ids, date_to__gte=first, date_from__lte=last
            ).values_list("pk", *fields)
        )
        for model, fields in tables
    ]
    found = acting_in_window(
        contractor_ids=ids,
        assignments=facts,
        absences=_absences_of({f.operator_id for f in facts}),
        default_role_id=_default_role_id(),
        window=window,
        stored_gaps=[Gap(*row[1:]) for row in stored[0]],
        stored_stand_ins=[StandIn(*row[1:]) for row in stored[1]],
        inactive=inactive,
    )
    if found is None:
        return False
    _write_differences(ActingGap, GAP_FIELDS, stored[0], found[0])
    _write_differences(ActingPeriod, STAND_IN_FIELDS, stored[1], found[1])
    return True


def delete_rows(model: type[Model], fields: list[str], rows: Sequence[tuple[object, ...]]) -> None:
    """Delete ``model``'s rows equal to ``rows`` (tuples of ``fields``; NULL matches
    NULL), in one statement, unread: rows a write replaces that the table is known to
    hold (`coverage.changed.refresh_changed`)."""
    if rows:
        _by_values(model, fields, len(fields), rows)


def update_rows_by(
    model: type[Model], fields: list[str], key: int, rows: Sequence[tuple[object, ...]]
) -> None:
    """Set, in one statement, the fields after the first ``key`` of ``fields`` on the
    row of ``model`` whose first ``key`` fields hold those of each of ``rows`` (tuples
    of ``fields``; NULL matches NULL), unread: a stored row the table is known to hold,
    which the key names alone (`coverage.changed.refresh_changed`). Only the fields
    given are set: SQLite rewrites the index entries of every column set, changed or not."""
    if rows:
        _by_values(model, fields, key, rows, update=True)


def _by_values(
    model: type[Model],
    fields: list[str],
    key: int,
    rows: Sequence[tuple[object, ...]],
    *,
    update: bool = False,
) -> None:
    table, pk = model._meta.db_table, model._meta.pk.column
    same = "IS NOT DISTINCT FROM" if connection.vendor == "postgresql" else "IS"
    named: list[Any] = [model._meta.get_field(name) for name in fields]
    columns = [field.column for field in named]
    matched = " AND ".join(
        f'"{table}"."{field.column}" {same if field.null else "="} r."{field.column}"'
        for field in named[:key]
    )
    source, params = rows_source(model, fields, [dict(zip(fields, row, strict=True)) for row in rows])
    if update:
        values = ", ".join(f'"{column}" = r."{column}"' for column in columns[key:])
        sql = f'UPDATE "{table}" SET {values} FROM {source} WHERE {matched}'
    else:
        held = f'SELECT "{table}"."{pk}" FROM "{table}" JOIN {source} ON {matched}'
        sql = f'DELETE FROM "{table}" WHERE "{pk}" IN ({held})'
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
