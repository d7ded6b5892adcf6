"""API: caretaker assignments, "Dodaj opiekuna", Kontrahenci wg opiekuna, caretaker
info, the audit trail, and the role and branch dictionaries (docs/semantics.md, docs/api.md)."""

from __future__ import annotations

import json
from datetime import date, datetime
from typing import Any, Literal

from django.http import HttpRequest, HttpResponse
from ninja import Field, Path, Query, Router, Schema, Status
from ninja.errors import ValidationError as RequestValidationError
from pydantic import BaseModel, ConfigDict

from opiekun.caretakers.acting import (
    Acting,
    Holder,
    ResolveItem,
    acted_for,
    resolve,
    unknown_dictionary_ids,
)
from opiekun.caretakers.models import Branch, CaretakerAssignment, CaretakerRole
from opiekun.caretakers.rules import AssignmentType, Change, OverlapPolicy, Slot
from opiekun.caretakers.selectors import (
    AssignmentFilters,
    assignment_audit,
    assignment_get,
    assignment_list,
    assignments_as_recorded,
    branch_list,
    caretaker_info,
    default_role_id,
    role_list,
)
from opiekun.caretakers.services import (
    AddResult,
    StaleConfirmation,
    assignment_delete,
    assignment_update,
    branch_save,
    caretaker_add,
    role_save,
)
from opiekun.limits import MAX_SELECTION
from opiekun.operators.selectors import operator_names
from opiekun.periods import Period
from opiekun.schemas import (
    DEFAULT_PAGE_SIZE,
    AssignmentFields,
    AssignmentOut,
    Day,
    Id,
    Input,
    Moment,
    Page,
    Paged,
    PageSize,
    Text,
    omissible,
    paginate,
    responses,
)

router = Router(tags=["caretakers"])

AssignmentOrdering = Literal[
    "date_from",
    "-date_from",
    "date_to",
    "-date_to",
    "contractor",
    "-contractor",
    "operator",
    "-operator",
    "type",
    "-type",
    "role",
    "-role",
    "id",
    "-id",
]


# --- dictionaries -----------------------------------------------------------------


class RoleOut(Schema):
    id: int
    name: str
    is_default: bool
    active: bool


class RoleIn(Input):
    name: Text = Field(min_length=1, max_length=100)
    is_default: bool = Field(False, description="Takes the default from the current one.")
    active: bool = True


class BranchOut(Schema):
    id: int
    code: str
    name: str
    active: bool


class BranchIn(Input):
    code: Text = Field(min_length=1, max_length=20)
    name: Text = Field(min_length=1, max_length=100)
    active: bool = True


class DictionaryQuery(Schema):
    active: bool | None = None
    page: Page = 1
    page_size: PageSize = DEFAULT_PAGE_SIZE


@router.get("/roles", tags=["dictionaries"], response=responses({200: Paged[RoleOut]}, 401, 422))
def roles(request: HttpRequest, filters: Query[DictionaryQuery]) -> dict[str, Any]:
    items = role_list(active=filters.active)
    return paginate(request, items, page=filters.page, page_size=filters.page_size)


@router.post("/roles", tags=["dictionaries"], response=responses({201: RoleOut}, 401, 403, 422))
def role_new(request: HttpRequest, payload: RoleIn) -> Status[CaretakerRole]:
    """Needs the permission to manage dictionaries."""
    return Status(201, role_save(actor=request.user, **payload.model_dump()))


@router.get("/branches", tags=["dictionaries"], response=responses({200: Paged[BranchOut]}, 401, 422))
def branches(request: HttpRequest, filters: Query[DictionaryQuery]) -> dict[str, Any]:
    items = branch_list(active=filters.active)
    return paginate(request, items, page=filters.page, page_size=filters.page_size)


@router.post("/branches", tags=["dictionaries"], response=responses({201: BranchOut}, 401, 403, 422))
def branch_new(request: HttpRequest, payload: BranchIn) -> Status[Branch]:
    """Needs the permission to manage dictionaries."""
    return Status(201, branch_save(actor=request.user, **payload.model_dump()))


# --- Dodaj opiekuna ---------------------------------------------------------------


class AddIn(Input):
    contractor_ids: list[Id] = Field(
        max_length=MAX_SELECTION, description=f"At most {MAX_SELECTION:,} contractors in one call."
    )
    operator_id: Id
    date_from: Day
    date_to: Day | None = None
    on_overlap: OverlapPolicy = OverlapPolicy.WARN
    type: AssignmentType = AssignmentType.MAIN
    role_id: Id | None = Field(None, description="Default: the default role.")
    branch_id: Id | None = None
    confirm_token: Text | None = Field(
        None, max_length=500, description="From a WARN preview (409), to apply it."
    )
    priority: int = Field(
        0,
        ge=-32768,
        le=32767,
        description="Deputies: lower stands in first. A merge keeps the existing row's priority.",
    )


class PeriodOut(Schema):
    date_from: date
    date_to: date | None


class ChangeOut(Schema):
    kind: str
    assignment_id: int | None
    operator_id: int
    type: str
    before: PeriodOut | None
    after: list[PeriodOut]


class ConflictOut(AssignmentFields):
    """An existing assignment in the scope that the new one conflicts with, as it was
    before the call."""

    operator_name: str


class ContractorResultOut(Schema):
    contractor_id: int
    outcome: str
    assignment_id: int | None
    changes: list[ChangeOut]
    conflicts: list[ConflictOut]


class AddOut(Schema):
    applied: bool
    confirm_token: str | None
    detail: str | None
    counts: dict[str, int]
    results: list[ContractorResultOut]


def _period(period: Period) -> dict[str, Any]:
    return {"date_from": period.start, "date_to": period.end}


def _change(change: Change) -> dict[str, Any]:
    return {
        "kind": change.kind.value,
        "assignment_id": change.assignment_id,
        "operator_id": change.operator_id,
        "type": change.type.value,
        "before": _period(change.before) if change.before else None,
        "after": [_period(p) for p in change.after],
    }


def _add_body(result: AddResult, payload: AddIn, detail: str | None) -> dict[str, Any]:
    """The result as JSON; conflicts carry the scope of the request and operator names
    (one query for all of them)."""
    slots = [s for r in result.results for s in r.conflicts]
    names = operator_names(s.operator_id for s in slots)
    role_id = payload.role_id if payload.role_id is not None else default_role_id()

    def conflict(contractor_id: int, slot: Slot) -> dict[str, Any]:
        return {
            "id": slot.id,
            "contractor_id": contractor_id,
            "operator_id": slot.operator_id,
            "type": slot.type.value,
            "role_id": role_id,
            "branch_id": payload.branch_id,
            **_period(slot.period),
            "operator_name": names.get(slot.operator_id, ""),
        }

    return {
        "applied": result.applied,
        "confirm_token": result.confirm_token,
        "detail": detail,
        "counts": result.counts(),
        "results": [
            {
                "contractor_id": r.contractor_id,
                "outcome": r.outcome.value,
                "assignment_id": r.assignment_id,
                "changes": [_change(c) for c in r.changes],
                "conflicts": [conflict(r.contractor_id, s) for s in r.conflicts],
            }
            for r in result.results
        ],
    }


@router.post("/caretakers/add", response=responses({200: AddOut, 409: AddOut}, 401, 403, 422))
def caretakers_add(request: HttpRequest, payload: AddIn) -> Status[dict[str, Any]]:
    """Dodaj opiekuna: add a caretaker to many contractors at once, all or none.

    With `on_overlap=warn` and conflicts, nothing is written: 409 returns the preview
    and a `confirm_token`; repeat the same call with it to apply. A token whose
    preview no longer matches the data is refused (409 with `detail` and a fresh
    preview and token)."""
    data = payload.model_dump(exclude={"confirm_token"})
    try:
        result = caretaker_add(actor=request.user, confirm_token=payload.confirm_token, **data)
    except StaleConfirmation as stale:
        return Status(409, _add_body(stale.preview, payload, str(stale)))
    if not result.applied:
        message = "Nothing was written: confirm with confirm_token to apply this preview."
        return Status(409, _add_body(result, payload, message))
    return Status(200, _add_body(result, payload, None))


# --- resolve in bulk, acted for ----------------------------------------------------

MAX_RESOLVE = 10_000


class ResolveItemIn(BaseModel):
    """A plain pydantic model, not a ninja Schema: the Schema's per-object wrapping
    cost more than everything else of a 10,000-item call (docs/performance.md)."""

    model_config = ConfigDict(extra="forbid")

    contractor_id: Id
    on: Day
    role_id: Id | None = Field(None, description="Default: the default role.")
    branch_id: Id | None = Field(None, description="Default: no branch.")


class ResolveIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    items: list[ResolveItemIn] = Field(min_length=1, max_length=MAX_RESOLVE)


class ResolvedAssignmentOut(Schema):
    id: int
    operator_id: int
    operator_name: str
    type: str
    date_from: date
    date_to: date | None
    priority: int
    absent: bool = Field(description="The operator is absent on the day.")


class ResolvedOut(Schema):
    contractor_id: int
    on: date
    role_id: int
    branch_id: int | None
    main: ResolvedAssignmentOut | None
    deputies: list[ResolvedAssignmentOut] = Field(description="By priority, then date_from, then id.")
    acting: ActingOut | None
    reason: Literal["main", "main_absent", "none"]


class NotFoundOut(Schema):
    contractor_id: int
    on: date
    error: Literal["not_found"]


class ResolveOut(Schema):
    results: list[ResolvedOut | NotFoundOut]


@router.post("/caretakers/resolve", response=responses({200: ResolveOut}, 401, 422))
def caretakers_resolve(request: HttpRequest, payload: ResolveIn) -> HttpResponse:
    """For integrations (documents, commissions, routing): the main caretaker, the
    deputies and the acting caretaker of 1 to 10,000 `{contractor_id, on, role_id?,
    branch_id?}` items, answered in the order asked, in a fixed number of queries.
    An item whose contractor the caller may not see (or that does not exist) gets
    `{contractor_id, on, error: "not_found"}`."""
    items = payload.items
    unknown_roles, unknown_branches = unknown_dictionary_ids(
        (i.role_id for i in items if i.role_id is not None),
        (i.branch_id for i in items if i.branch_id is not None),
    )
    errors = [
        {"loc": ["body", "items", n, name], "type": "value_error", "msg": f"Unknown {label} {value}."}
        for n, item in enumerate(items)
        for name, label, value, unknown in (
            ("role_id", "role", item.role_id, unknown_roles),
            ("branch_id", "branch", item.branch_id, unknown_branches),
        )
        if value is not None and value in unknown
    ]
    if errors:
        raise RequestValidationError(errors)
    answers = resolve(
        viewer=request.user,
        items=[ResolveItem(i.contractor_id, i.on, i.role_id, i.branch_id) for i in items],
    )
    names = operator_names(
        h.operator_id
        for answer in answers
        if answer is not None
        for h in (answer[1].main, *answer[1].deputies)
        if h is not None
    )

    def assignment(holder: Holder | None, absent: frozenset[int]) -> dict[str, Any] | None:
        if holder is None:
            return None
        return {
            "id": holder.assignment_id,
            "operator_id": holder.operator_id,
            "operator_name": names.get(holder.operator_id, ""),
            "type": holder.type.value,
            "date_from": holder.period.start,
            "date_to": holder.period.end,
            "priority": holder.priority,
            "absent": holder.operator_id in absent,
        }

    results: list[dict[str, Any]] = []
    for item, answer in zip(items, answers, strict=True):
        if answer is None:
            results.append({"contractor_id": item.contractor_id, "on": item.on, "error": "not_found"})
            continue
        scope, found = answer
        results.append(
            {
                "contractor_id": item.contractor_id,
                "on": item.on,
                "role_id": scope.role_id,
                "branch_id": scope.branch_id,
                "main": assignment(found.main, found.absent),
                "deputies": [assignment(d, found.absent) for d in found.deputies],
                "acting": _acting(found.acting, names),
                "reason": found.acting.reason.value,
            }
        )
    # Written directly: validating 10,000 answers against the documented schema again
    # cost seconds; the shapes above are the schema's, and a test checks them.
    return HttpResponse(json.dumps({"results": results}, default=_json_date), content_type="application/json")


def _json_date(value: object) -> str:
    if isinstance(value, date):
        return value.isoformat()
    raise TypeError(f"not JSON: {value!r}")


class ActedForQuery(Schema):
    operator_id: Id = Field(description="The deputy.")
    date_from: Day | None = Field(None, description="Period start (either end open).")
    date_to: Day | None = Field(None, description="Period end (inclusive).")
    page: Page = 1
    page_size: PageSize = DEFAULT_PAGE_SIZE


class ActedForOut(Schema):
    contractor_id: int
    role_id: int
    branch_id: int | None
    assignment_id: int = Field(description="The deputy's assignment.")
    operator_id: int
    stands_in_for: int = Field(description="The absent main caretaker's operator id.")
    date_from: date
    date_to: date


class _Listed:
    """A computed list, paged like a query set."""

    def __init__(self, items: list[Any]) -> None:
        self.items = items

    def count(self) -> int:
        return len(self.items)

    def __getitem__(self, index: slice) -> list[Any]:
        return self.items[index]


@router.get("/caretakers/acted-for", response=responses({200: Paged[ActedForOut]}, 401, 422))
def caretakers_acted_for(request: HttpRequest, filters: Query[ActedForQuery]) -> dict[str, Any]:
    """Kontrahenci wg opiekuna, "acted for": the periods in which the operator, a
    deputy, acted for an absent main caretaker, on contractors the caller may see."""
    if filters.date_from and filters.date_to and filters.date_to < filters.date_from:
        raise RequestValidationError(
            [
                {
                    "loc": ["query", "date_to"],
                    "type": "value_error",
                    "msg": "Date to cannot be earlier than date from.",
                }
            ]
        )
    found = acted_for(
        viewer=request.user,
        operator_id=filters.operator_id,
        date_from=filters.date_from,
        date_to=filters.date_to,
    )
    rows = [
        {
            "contractor_id": a.contractor_id,
            "role_id": a.role_id,
            "branch_id": a.branch_id,
            "assignment_id": a.assignment_id,
            "operator_id": a.operator_id,
            "stands_in_for": a.stands_in_for,
            "date_from": a.period.start,
            "date_to": a.period.end,
        }
        for a in found
    ]
    return paginate(request, _Listed(rows), page=filters.page, page_size=filters.page_size)  # type: ignore[arg-type]


# --- assignments ------------------------------------------------------------------


class AssignmentQuery(Schema):
    contractor_id: Id | None = None
    operator_id: Id | None = None
    date_from: Day | None = Field(None, description="Period start: assignments sharing a day.")
    date_to: Day | None = Field(None, description="Period end (inclusive).")
    on: Day | None = Field(None, description="Only assignments in force on this day.")
    type: AssignmentType | None = None
    role_id: Id | None = None
    branch_id: Id | None = None
    ordering: AssignmentOrdering = "-date_from"
    page: Page = 1
    page_size: PageSize = DEFAULT_PAGE_SIZE


@router.get("/caretakers", response=responses({200: Paged[AssignmentOut]}, 401, 422))
def caretakers(request: HttpRequest, filters: Query[AssignmentQuery]) -> dict[str, Any]:
    """Kontrahenci wg opiekuna: the assignments of visible contractors, with their own
    dates, that share a day with `[date_from, date_to]` (either end open)."""
    if filters.date_from and filters.date_to and filters.date_to < filters.date_from:
        raise RequestValidationError(
            [
                {
                    "loc": ["query", "date_to"],
                    "type": "value_error",
                    "msg": "Date to cannot be earlier than date from.",
                }
            ]
        )
    items = assignment_list(
        viewer=request.user,
        filters=AssignmentFilters(**filters.model_dump(exclude={"page", "page_size"})),
    )
    return paginate(request, items, page=filters.page, page_size=filters.page_size)


@router.get("/caretakers/{id}", response=responses({200: AssignmentOut}, 401, 404))
def caretaker_detail(request: HttpRequest, id: Path[Id]) -> CaretakerAssignment:
    return assignment_get(viewer=request.user, assignment_id=id)


class AssignmentPatch(Input):
    """Only the fields sent are changed; `date_to: null` makes it open-ended."""

    operator_id: Id = omissible()
    type: AssignmentType = omissible()
    role_id: Id = omissible()
    branch_id: Id | None = None
    date_from: Day = omissible()
    date_to: Day | None = None
    priority: int = omissible(ge=-32768, le=32767)


@router.patch("/caretakers/{id}", response=responses({200: AssignmentOut}, 401, 403, 404, 422))
def caretaker_change(request: HttpRequest, id: Path[Id], payload: AssignmentPatch) -> CaretakerAssignment:
    changes = {name: getattr(payload, name) for name in payload.model_fields_set}
    row = assignment_update(actor=request.user, assignment_id=id, **changes)
    visible = assignment_list(viewer=request.user, filters=AssignmentFilters())
    return visible.filter(pk=row.pk).first() or row


@router.delete("/caretakers/{id}", response=responses({204: None}, 401, 403, 404))
def caretaker_remove(request: HttpRequest, id: Path[Id]) -> Status[None]:
    assignment_delete(actor=request.user, assignment_id=id)
    return Status(204, None)


# --- per contractor ---------------------------------------------------------------


class InfoQuery(Schema):
    on: Day | None = Field(None, description="Default: today.")
    role_id: Id | None = Field(None, description="Default: the default role.")
    branch_id: Id | None = Field(None, description="Default: no branch.")


class ActingOut(Schema):
    """Who acts for the scope on the day (docs/semantics.md, "Absences and the acting
    caretaker")."""

    operator_id: int
    operator_name: str
    assignment_id: int
    type: str = Field(description="main, or deputy when standing in for an absent main caretaker")
    stands_in_for: int | None = Field(description="The absent main caretaker's operator id.")
    until: date | None = Field(description="A deputy standing in: the last day of the main's absence.")


def _acting(acting: Acting, names: dict[int, str]) -> dict[str, Any] | None:
    holder = acting.holder
    if holder is None:
        return None
    return {
        "operator_id": holder.operator_id,
        "operator_name": names.get(holder.operator_id, ""),
        "assignment_id": holder.assignment_id,
        "type": holder.type.value,
        "stands_in_for": acting.stands_in_for,
        "until": acting.until,
    }


def _info_acting(scope: Any) -> dict[str, Any] | None:
    row = scope.acting_assignment
    return _acting(scope.acting, {row.operator_id: row.operator.display_name} if row else {})


class ScopeOut(Schema):
    role_id: int
    role_name: str
    branch_id: int | None
    branch_name: str | None
    main: AssignmentOut | None
    deputies: list[AssignmentOut] = Field(description="By priority, then date_from, then id.")
    acting: ActingOut | None
    reason: Literal["main", "main_absent", "none"]

    @staticmethod
    def resolve_acting(obj: Any) -> dict[str, Any] | None:
        return _info_acting(obj)

    @staticmethod
    def resolve_reason(obj: Any) -> str:
        return str(obj.acting.reason.value)


class InfoOut(Schema):
    contractor_id: int
    on: date
    main: AssignmentOut | None
    deputies: list[AssignmentOut] = Field(description="By priority, then date_from, then id.")
    acting: ActingOut | None = Field(description="For the asked role and branch; null when nobody acts.")
    reason: Literal["main", "main_absent", "none"]
    by_role: list[ScopeOut]

    @staticmethod
    def resolve_contractor_id(obj: Any) -> int:
        return int(obj.contractor.pk)

    @staticmethod
    def resolve_acting(obj: Any) -> dict[str, Any] | None:
        return _info_acting(obj)


@router.get(
    "/contractors/{id}/caretaker-info",
    tags=["contractors"],
    response=responses({200: InfoOut}, 401, 404, 422),
)
def contractor_caretaker_info(request: HttpRequest, id: Path[Id], filters: Query[InfoQuery]) -> Any:
    """For integration: the main caretaker and deputies of a contractor on a day, in a
    role and branch, and the caretakers of every role."""
    return caretaker_info(
        viewer=request.user,
        contractor_id=id,
        on=filters.on,
        role_id=filters.role_id,
        branch_id=filters.branch_id,
    )


class StateOut(Schema):
    operator_id: int
    type: str
    role_id: int
    branch_id: int | None
    date_from: date
    date_to: date | None


class AuditEntryOut(Schema):
    when: datetime
    user: str | None
    action: str
    reason: str
    assignment_id: int
    before: StateOut | None
    after: StateOut | None


class RecordedOut(AssignmentFields):
    """An assignment as the audit trail recorded it."""

    priority: int


class AuditOut(Schema):
    contractor_id: int
    at: datetime | None = Field(description="The moment asked for, if any.")
    entries: list[AuditEntryOut] = Field(description="Newest first; up to `at` if given.")
    assignments: list[RecordedOut] | None = Field(
        description="With `at`: the assignments as the database held them then."
    )


class AuditQuery(Schema):
    at: Moment | None = Field(None, description="ISO date-time; naive means Europe/Warsaw.")


@router.get(
    "/contractors/{id}/caretaker-audit",
    tags=["contractors"],
    response=responses({200: AuditOut}, 401, 404, 422),
)
def contractor_caretaker_audit(
    request: HttpRequest, id: Path[Id], filters: Query[AuditQuery]
) -> dict[str, Any]:
    """Who changed which caretaker of the contractor, when, before and after — bulk
    changes included, never capped."""
    entries = assignment_audit(viewer=request.user, contractor_id=id)
    recorded = None
    if filters.at is not None:
        at = filters.at
        entries = [e for e in entries if e.when <= at]
        recorded = assignments_as_recorded(viewer=request.user, contractor_id=id, at=at)
    return {"contractor_id": id, "at": filters.at, "entries": entries, "assignments": recorded}
