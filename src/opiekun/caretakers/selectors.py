"""Reads on caretaker assignments (docs/semantics.md, "Reading"), through the viewer's visibility."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from django.core.exceptions import ValidationError
from django.db.models import F, OrderBy, QuerySet
from django.utils.translation import gettext as _

from opiekun.caretakers.acting import (
    Acting,
    ActingReason,
    Holder,
    ScopeDay,
    acting_on,
    holder_of,
    stand_in_ends,
)
from opiekun.caretakers.info_rows import contractor_pk, info_rows
from opiekun.caretakers.models import Branch, CaretakerAssignment, CaretakerRole
from opiekun.caretakers.rules import AssignmentType
from opiekun.contractors.models import Contractor
from opiekun.contractors.selectors import contractor_get
from opiekun.dates import today
from opiekun.operators.access import visible_contractors

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
# The orderings an index reads in order (`assignment_starts`, the primary key): any
# page of any list costs about the same. The others sort every row of the list.
ORDERINGS_BY_INDEX = frozenset({"date_from", "-date_from", "id", "-id"})


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
    One query (`caretakers.info_rows`): it is called per contractor by integrations."""
    day = on or today()
    contractor, every_row, absences = info_rows(viewer, contractor_pk(contractor_id), day)
    rows = [row for row in every_row if row.date_from <= day]  # the rows of the day; the rest start later
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
    asked = []
    for (role, branch), scope in scopes.items():
        main, deputies = holder_of(scope.main) if scope.main else None, [holder_of(d) for d in scope.deputies]
        acting = acting_on(main, deputies, absences, day)
        asked.append(
            (ScopeDay(contractor.pk, role, branch, day), [*([main] if main else []), *deputies], acting)
        )
    # A deputy's `until` from every row of the scope (those starting later: read above).
    later: dict[tuple[int, int, int | None], list[Holder]] = {}
    for row in every_row:
        later.setdefault((contractor.pk, row.role_id, row.branch_id), []).append(holder_of(row))
    ends = stand_in_ends(asked, absences, loaded=later, loaded_to=date.max)
    for scope, acting in zip(scopes.values(), ends, strict=True):
        scope.acting = acting
        holder = acting.holder
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
