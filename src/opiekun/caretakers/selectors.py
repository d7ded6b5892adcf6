"""Reads on caretaker assignments (docs/semantics.md, "Reading"), through the viewer's visibility."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import connections, router
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.models import F, Model, OrderBy, QuerySet
from django.utils.translation import gettext as _

from opiekun import joined
from opiekun.caretakers.acting import Acting, ActingReason, acting_on, holder_of
from opiekun.caretakers.models import Branch, CaretakerAssignment, CaretakerRole
from opiekun.caretakers.rules import AssignmentType
from opiekun.contractors.models import Contractor
from opiekun.contractors.selectors import contractor_get
from opiekun.dates import today
from opiekun.operators.access import visible_contractors
from opiekun.operators.models import Absence, Operator
from opiekun.periods import Period

ORDERINGS: dict[str, tuple[str | OrderBy, ...]] = {
    "date_from": ("date_from", "id"),
    "-date_from": ("-date_from", "-id"),
    # An open end (null) is the latest end, on SQLite as on PostgreSQL.
    "date_to": (F("date_to").asc(nulls_last=True), "id"),
    "-date_to": (F("date_to").desc(nulls_first=True), "-id"),
    "contractor": ("contractor__code", "date_from", "id"),
    "-contractor": ("-contractor__code", "-date_from", "-id"),
    "operator": ("operator__user__last_name", "operator__user__username", "date_from", "id"),
    "-operator": ("-operator__user__last_name", "-operator__user__username", "-date_from", "-id"),
    "type": ("type", "date_from", "id"),
    "-type": ("-type", "-date_from", "-id"),
    "role": ("role__name", "date_from", "id"),
    "-role": ("-role__name", "-date_from", "-id"),
    "id": ("id",),
    "-id": ("-id",),
}


@dataclass(frozen=True)
class AssignmentFilters:
    contractor_id: int | None = None
    operator_id: int | None = None
    date_from: date | None = None  # the period [date_from, date_to]; either end open
    date_to: date | None = None
    on: date | None = None
    type: AssignmentType | None = None
    role_id: int | None = None
    branch_id: int | None = None
    ordering: str = "-date_from"


def assignment_list(*, viewer: Any, filters: AssignmentFilters) -> QuerySet[CaretakerAssignment]:
    """Kontrahenci wg opiekuna: assignments sharing a day with the period, of
    contractors the viewer may see, with the assignment's own dates."""
    qs = CaretakerAssignment.objects.overlapping(filters.date_from, filters.date_to)
    visible = visible_contractors(viewer=viewer)
    if visible.query.has_filters():
        # Only a restricted viewer pays for the visibility subquery: for one who sees
        # all, "contractor in every contractor" was a join over the whole table.
        qs = qs.filter(contractor__in=visible.values("pk"))
    if filters.on is not None:
        qs = qs.on(filters.on)
    if filters.contractor_id is not None:
        qs = qs.filter(contractor_id=filters.contractor_id)
    if filters.operator_id is not None:
        qs = qs.filter(operator_id=filters.operator_id)
    if filters.type is not None:
        qs = qs.filter(type=filters.type.value)
    if filters.role_id is not None:
        qs = qs.filter(role_id=filters.role_id)
    if filters.branch_id is not None:
        qs = qs.filter(branch_id=filters.branch_id)
    return qs.select_related("contractor", "operator__user", "role", "branch").order_by(
        *ORDERINGS.get(filters.ordering, ORDERINGS["-date_from"])
    )


def assignment_get(*, viewer: Any, assignment_id: object) -> CaretakerAssignment:
    """One assignment of a visible contractor; DoesNotExist otherwise."""
    try:
        pk = int(assignment_id)  # type: ignore[call-overload]
    except (TypeError, ValueError, OverflowError):
        raise CaretakerAssignment.DoesNotExist from None
    return assignment_list(viewer=viewer, filters=AssignmentFilters()).get(pk=pk)


def caretaker_history(*, viewer: Any, contractor_id: object) -> QuerySet[CaretakerAssignment]:
    """Every assignment of a contractor, newest first."""
    contractor = contractor_get(viewer=viewer, contractor_id=contractor_id)
    return assignment_list(viewer=viewer, filters=AssignmentFilters(contractor_id=contractor.pk)).order_by(
        "-date_from", "-id"
    )


@dataclass
class ScopeCaretakers:
    role_id: int
    role_name: str
    branch_id: int | None
    branch_name: str | None
    main: CaretakerAssignment | None = None
    deputies: list[CaretakerAssignment] = field(default_factory=list)  # by priority, date_from, id
    acting: Acting = field(default_factory=lambda: Acting(None, ActingReason.NONE))
    acting_assignment: CaretakerAssignment | None = None


@dataclass
class CaretakerInfo:
    contractor: Contractor
    on: date
    main: CaretakerAssignment | None  # in the default role (or the asked role) and branch
    deputies: list[CaretakerAssignment]
    by_role: list[ScopeCaretakers]
    acting: Acting = field(default_factory=lambda: Acting(None, ActingReason.NONE))
    acting_assignment: CaretakerAssignment | None = None

    @property
    def reason(self) -> str:
        return self.acting.reason.value


def caretaker_info(
    *,
    viewer: Any,
    contractor_id: object,
    on: date | None = None,
    role_id: int | None = None,
    branch_id: int | None = None,
) -> CaretakerInfo:
    """For integration: a contractor's main caretaker and deputies on a day, in the
    given role (default: the default role) and branch (default: no branch), and
    every scope's caretakers, each with its acting caretaker (`caretakers.acting`).
    One query (`_info_rows`): it is called per contractor by integrations."""
    day = on or today()
    contractor, rows, absences = _info_rows(viewer, _contractor_pk(contractor_id), day)
    _require_known(role_id, branch_id)  # after: a contractor not seen is 404 whatever else is asked
    scopes: dict[tuple[int, int | None], ScopeCaretakers] = {}
    for row in rows:
        key = (row.role_id, row.branch_id)
        scope = scopes.setdefault(
            key,
            ScopeCaretakers(
                row.role_id, row.role.name, row.branch_id, row.branch.name if row.branch else None
            ),
        )
        if row.type == AssignmentType.MAIN:
            scope.main = row
        else:
            scope.deputies.append(row)
    by_id = {row.pk: row for row in rows}
    for scope in scopes.values():
        scope.acting = acting_on(
            holder_of(scope.main) if scope.main else None,
            [holder_of(d) for d in scope.deputies],
            absences,
            day,
        )
        holder = scope.acting.holder
        scope.acting_assignment = by_id[holder.assignment_id] if holder else None
    if role_id is None:
        # The default role's scope, if the contractor has caretakers in it (the rows
        # carry their role: no query for the default role itself).
        role_id = next((row.role_id for row in rows if row.role.is_default), None)
    wanted = scopes.get((role_id, branch_id)) if role_id is not None else None
    return CaretakerInfo(
        contractor=contractor,
        on=day,
        main=wanted.main if wanted else None,
        deputies=wanted.deputies if wanted else [],
        by_role=list(scopes.values()),
        acting=wanted.acting if wanted else Acting(None, ActingReason.NONE),
        acting_assignment=wanted.acting_assignment if wanted else None,
    )


_BIGINT = 2**63


def _contractor_pk(contractor_id: object) -> int:
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
        f"LEFT JOIN {table['a']} a ON a.contractor_id = c.id "
        "AND a.date_from <= %s AND (a.date_to IS NULL OR a.date_to >= %s) "
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


def _info_rows(
    viewer: Any, pk: int, day: date
) -> tuple[Contractor, list[CaretakerAssignment], dict[int, list[Period]]]:
    """The contractor (if the viewer may see it; DoesNotExist otherwise), its
    assignments in force on ``day`` with their operator, user, role and branch (by
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
    rows = joined.fetch(connection, found, sql.replace("{visibility}", visibility), [on, on, on, pk, *extra])
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


def _require_known(role_id: int | None, branch_id: int | None) -> None:
    """An unknown role or branch asked for by id is a mistake to report, not an empty
    answer that looks like "no caretaker"."""
    errors: dict[str, list[str]] = {}
    if role_id is not None and not CaretakerRole.objects.filter(pk=role_id).exists():
        errors["role_id"] = [_("Unknown role %(id)s.") % {"id": role_id}]
    if branch_id is not None and not Branch.objects.filter(pk=branch_id).exists():
        errors["branch_id"] = [_("Unknown branch %(id)s.") % {"id": branch_id}]
    if errors:
        raise ValidationError(errors)


@dataclass(frozen=True)
class AuditEntry:
    when: datetime
    user: str | None  # the login
    action: str  # created / changed / deleted
    reason: str
    assignment_id: int
    before: dict[str, Any] | None
    after: dict[str, Any] | None
    user_name: str | None = None  # the full name, as the screen shows who changed what


_AUDITED = ("operator_id", "type", "role_id", "branch_id", "date_from", "date_to")
_ACTIONS = {"+": "created", "~": "changed", "-": "deleted"}


def assignment_audit(*, viewer: Any, contractor_id: object) -> list[AuditEntry]:
    """Who changed which assignment of the contractor when, before and after;
    bulk changes included, newest first."""
    contractor = contractor_get(viewer=viewer, contractor_id=contractor_id)
    history = (
        CaretakerAssignment.history.filter(contractor_id=contractor.pk)
        .select_related("history_user")
        .order_by("id", "history_date", "history_id")
    )
    entries: list[AuditEntry] = []
    previous: dict[int, dict[str, Any]] = {}
    for record in history:
        state = {name: getattr(record, name) for name in _AUDITED}
        before = previous.get(record.id)
        after = None if record.history_type == "-" else state
        if record.history_type == "-":
            before = state
        entries.append(
            AuditEntry(
                when=record.history_date,
                user=record.history_user.get_username() if record.history_user else None,
                user_name=(record.history_user.get_full_name() or record.history_user.get_username())
                if record.history_user
                else None,
                action=_ACTIONS.get(record.history_type, record.history_type),
                reason=record.history_change_reason or "",
                assignment_id=record.id,
                before=before,
                after=after,
            )
        )
        previous[record.id] = state
    entries.sort(key=lambda e: (e.when, e.assignment_id), reverse=True)
    return entries


def assignments_as_recorded(*, viewer: Any, contractor_id: object, at: datetime) -> list[Any]:
    """The contractor's assignments as the database held them at time ``at``."""
    contractor = contractor_get(viewer=viewer, contractor_id=contractor_id)
    records = CaretakerAssignment.history.filter(contractor_id=contractor.pk, history_date__lte=at).order_by(
        "id", "-history_date", "-history_id"
    )
    latest: dict[int, Any] = {}
    for record in records:
        latest.setdefault(record.id, record)
    return sorted(
        (r for r in latest.values() if r.history_type != "-"),
        key=lambda r: (r.date_from, r.id),
    )


def role_list(*, active: bool | None = None) -> QuerySet[CaretakerRole]:
    """The caretaker roles dictionary, by name."""
    qs = CaretakerRole.objects.order_by("name", "id")
    return qs if active is None else qs.filter(active=active)


def branch_list(*, active: bool | None = None) -> QuerySet[Branch]:
    """The company branches dictionary, by code."""
    qs = Branch.objects.order_by("code", "id")
    return qs if active is None else qs.filter(active=active)


def default_role() -> CaretakerRole | None:
    return CaretakerRole.objects.default().first()


def default_role_id() -> int | None:
    return CaretakerRole.objects.default().values_list("pk", flat=True).first()
