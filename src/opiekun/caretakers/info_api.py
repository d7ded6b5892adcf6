"""API: a contractor's caretakers on a day (caretaker info, for integration) and the
audit trail of its assignments (docs/semantics.md, docs/api.md)."""

from __future__ import annotations

import json
from datetime import date, datetime
from typing import Any, Literal

from django.http import HttpRequest, HttpResponse
from ninja import Field, Path, Query, Router, Schema

from opiekun.caretakers.acting_api import ActingOut, acting_body
from opiekun.caretakers.models import CaretakerAssignment
from opiekun.caretakers.selectors import (
    CaretakerInfo,
    assignment_audit,
    assignments_as_recorded,
    caretaker_info,
)
from opiekun.schemas import AssignmentFields, AssignmentOut, Day, Id, Moment, responses

router = Router()


class InfoQuery(Schema):
    on: Day | None = Field(None, description="Default: today.")
    role_id: Id | None = Field(None, description="Default: the default role.")
    branch_id: Id | None = Field(None, description="Default: no branch.")


def _info_acting(scope: Any) -> dict[str, Any] | None:
    row = scope.acting_assignment
    return acting_body(scope.acting, {row.operator_id: row.operator.display_name} if row else {})


def _acting_json(scope: Any) -> dict[str, Any] | None:
    body = _info_acting(scope)
    if body is not None and body["until"] is not None:
        body["until"] = body["until"].isoformat()
    return body


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
def contractor_caretaker_info(request: HttpRequest, id: Path[Id], filters: Query[InfoQuery]) -> HttpResponse:
    """For integration: the main caretaker and deputies of a contractor on a day, in a
    role and branch, and the caretakers of every role."""
    info = caretaker_info(
        viewer=request.user,
        contractor_id=id,
        on=filters.on,
        role_id=filters.role_id,
        branch_id=filters.branch_id,
    )
    return HttpResponse(json.dumps(info_body(info)), content_type="application/json; charset=utf-8")


def info_body(info: CaretakerInfo) -> dict[str, Any]:
    """`InfoOut` of ``info``, written directly: the same fields, values and order as
    the schema gives (tests/api/test_caretaker_info_json.py compares the two), without
    validating the answer through pydantic again, which cost more than the query it
    answers (docs/performance.md, "caretaker-info per call")."""
    return {
        "contractor_id": info.contractor.pk,
        "on": info.on.isoformat(),
        "main": _assignment_body(info.main),
        "deputies": [_assignment_body(d) for d in info.deputies],
        "acting": _acting_json(info),
        "reason": info.acting.reason.value,
        "by_role": [
            {
                "role_id": scope.role_id,
                "role_name": scope.role_name,
                "branch_id": scope.branch_id,
                "branch_name": scope.branch_name,
                "main": _assignment_body(scope.main),
                "deputies": [_assignment_body(d) for d in scope.deputies],
                "acting": _acting_json(scope),
                "reason": scope.acting.reason.value,
            }
            for scope in info.by_role
        ],
    }


def _assignment_body(row: CaretakerAssignment | None) -> dict[str, Any] | None:
    """`AssignmentOut` of ``row``."""
    if row is None:
        return None
    return {
        "id": row.pk,
        "contractor_id": row.contractor_id,
        "operator_id": row.operator_id,
        "type": str(row.type),
        "role_id": row.role_id,
        "branch_id": row.branch_id,
        "date_from": row.date_from.isoformat(),
        "date_to": None if row.date_to is None else row.date_to.isoformat(),
        "priority": row.priority,
        "contractor_code": str(row.contractor.code),
        "contractor_name": str(row.contractor.name),
        "operator_name": str(row.operator.display_name),
        "role_name": str(row.role.name),
        "branch_name": row.branch.name if row.branch is not None else None,
    }


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
