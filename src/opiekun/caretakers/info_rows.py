"""caretaker-info's one query (docs/performance.md, "caretaker-info per call"): a
contractor through the viewer's visibility, its assignments of a day and those that
start later (a deputy's "until" may depend on them) with their
operator, user, role and branch, and those operators' absences from the day on — as
model instances, as `select_related` reads them. `caretakers.selectors.caretaker_info`
builds the answer from them."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.contrib.auth import get_user_model
from django.db import connections, router
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.models import Model

from opiekun import joined
from opiekun.caretakers.models import Branch, CaretakerAssignment, CaretakerRole
from opiekun.contractors.models import Contractor
from opiekun.operators.access import visible_contractors
from opiekun.operators.models import Absence, Operator
from opiekun.periods import Period

_BIGINT = 2**63


def contractor_pk(contractor_id: object) -> int:
    """The id as `contractor_get` reads it; one no database can hold names nothing."""
    try:
        pk: int = int(contractor_id)  # type: ignore[call-overload]
    except (TypeError, ValueError, OverflowError):
        raise Contractor.DoesNotExist from None
    if not -_BIGINT <= pk < _BIGINT:
        raise Contractor.DoesNotExist
    return pk


def _info_query(connection: BaseDatabaseWrapper) -> tuple[joined.Columns, str]:
    """The SELECT list (from the models' fields) and the query's text, the visibility
    condition left open as ``{visibility}``."""
    tables: list[tuple[type[Model], str]] = [
        (Contractor, "c"),
        (CaretakerAssignment, "a"),
        (Operator, "o"),
        (get_user_model(), "u"),
        (CaretakerRole, "r"),
        (Branch, "b"),
    ]
    absence = Absence._meta
    found = joined.columns(
        connection, tables, [(absence.get_field("date_from"), "ab"), (absence.get_field("date_to"), "ab")]
    )
    table = {alias: connection.ops.quote_name(model._meta.db_table) for model, alias in tables}
    # Every join a LEFT JOIN: a visible contractor without caretakers on the day is
    # one row of nulls after its own columns. One row per assignment and absence of
    # its operator ending on or after the day (few: absences are weeks, planned
    # months ahead); an assignment's rows are consecutive (ordered by its id).
    sql = (
        f"SELECT {found.sql} FROM {table['c']} c "
        f"LEFT JOIN {table['a']} a ON a.contractor_id = c.id AND (a.date_to IS NULL OR a.date_to >= %s) "
        f"LEFT JOIN {table['o']} o ON o.id = a.operator_id "
        f"LEFT JOIN {table['u']} u ON u.id = o.user_id "
        f"LEFT JOIN {table['r']} r ON r.id = a.role_id "
        f"LEFT JOIN {table['b']} b ON b.id = a.branch_id "
        f"LEFT JOIN {connection.ops.quote_name(absence.db_table)} ab "
        "ON ab.operator_id = a.operator_id AND ab.date_to >= %s "
        "WHERE c.id = %s{visibility} "
        # The scopes by role name and branch code, main before deputies, deputies by
        # priority, date_from, id; then the absences by start.
        "ORDER BY r.name, b.code, a.type DESC, a.priority, a.date_from, a.id, ab.date_from"
    )
    return found, sql


_info_queries = joined.PerConnection(_info_query)


def info_rows(
    viewer: Any, pk: int, day: date
) -> tuple[Contractor, list[CaretakerAssignment], dict[int, list[Period]]]:
    """The contractor (if the viewer may see it; DoesNotExist otherwise), its
    assignments in force on ``day`` or later with their operator, user, role and branch (by
    role name, branch code, main first, then priority, date_from, id), and the
    absences of their operators that end on or after ``day`` (`absences_of`'s
    answer) — in one query. An unrestricted viewer's is a primary-key lookup joined
    to the contractor's assignments of the day; a restricted viewer's adds
    `visible_contractors` as a condition on the id."""
    visible = visible_contractors(viewer=viewer)
    if visible.query.is_empty():
        raise Contractor.DoesNotExist
    alias = router.db_for_read(CaretakerAssignment)
    connection = connections[alias]
    found, sql = _info_queries(connection)
    visibility, extra = "", ()
    if visible.query.has_filters():
        sub_sql, extra = visible.filter(pk=pk).values("pk").query.get_compiler(using=alias).as_sql()
        visibility = f" AND c.id IN ({sub_sql})"
    on = connection.ops.adapt_datefield_value(day)
    rows = joined.fetch(connection, found, sql.replace("{visibility}", visibility), [on, on, pk, *extra])
    if not rows:
        raise Contractor.DoesNotExist
    return _info_objects(alias, found.spans, rows)


def _info_objects(
    alias: str, spans: tuple[joined.Span, ...], rows: list[list[Any]]
) -> tuple[Contractor, list[CaretakerAssignment], dict[int, list[Period]]]:
    """`_info_rows`' rows as the ORM's `select_related` would build them."""
    contractor_span, assignment_span, operator_span, user_span, role_span, branch_span = spans

    def build(span: joined.Span, values: list[Any]) -> Any:
        return span.build(alias, values)

    contractor: Contractor = build(contractor_span, rows[0])
    operators: dict[int, Operator] = {}
    roles: dict[int, CaretakerRole] = {}
    branches: dict[int | None, Branch | None] = {None: None}
    assignments: list[CaretakerAssignment] = []
    absences: dict[int, dict[date, Period]] = {}
    first = assignment_span.start
    row: CaretakerAssignment | None = None
    for values in rows:
        if values[first] is None:  # no assignment on the day
            continue
        if row is None or row.pk != values[first]:
            row = build(assignment_span, values)
            _CONTRACTOR.set_cached_value(row, contractor)
            operator = operators.get(row.operator_id)
            if operator is None:
                operator = operators[row.operator_id] = build(operator_span, values)
                _USER.set_cached_value(operator, build(user_span, values))
            _OPERATOR.set_cached_value(row, operator)
            role = roles.get(row.role_id)
            if role is None:
                role = roles[row.role_id] = build(role_span, values)
            _ROLE.set_cached_value(row, role)
            if row.branch_id not in branches:
                branches[row.branch_id] = build(branch_span, values)
            _BRANCH.set_cached_value(row, branches[row.branch_id])
            assignments.append(row)
        absent_from, absent_to = values[-2], values[-1]
        if absent_from is not None:
            absences.setdefault(row.operator_id, {})[absent_from] = Period(absent_from, absent_to)
    return (
        contractor,
        assignments,
        {operator_id: [found[d] for d in sorted(found)] for operator_id, found in absences.items()},
    )


_CONTRACTOR = CaretakerAssignment._meta.get_field("contractor")
_OPERATOR = CaretakerAssignment._meta.get_field("operator")
_ROLE = CaretakerAssignment._meta.get_field("role")
_BRANCH = CaretakerAssignment._meta.get_field("branch")
_USER = Operator._meta.get_field("user")
