"""API: a contractor's caretakers on a day (caretaker info, for integration) and the
audit trail of its assignments (docs/semantics.md, docs/api.md)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any, Literal

from django.http import HttpRequest
from ninja import Field, Path, Query, Router, Schema

from opiekun.caretakers.acting_api import ActingOut, acting_body
from opiekun.caretakers.selectors import assignment_audit, assignments_as_recorded, caretaker_info
from opiekun.schemas import AssignmentFields, AssignmentOut, Day, Id, Moment, responses

router = Router()


class InfoQuery(Schema):
    on: Day | None = Field(None, description="Default: today.")
    role_id: Id | None = Field(None, description="Default: the default role.")
    branch_id: Id | None = Field(None, description="Default: no branch.")


def _info_acting(scope: Any) -> dict[str, Any] | None:
    row = scope.acting_assignment
    return acting_body(scope.acting, {row.operator_id: row.operator.display_name} if row else {})


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
