"""API: Przekazanie klientów — preview, confirm, list, detail, cancel (docs/api.md,
"Handovers"; the rules in docs/semantics.md, "Handover")."""

from __future__ import annotations

import datetime
from typing import Any, Literal

from django.http import HttpRequest
from ninja import Field, Path, Query, Router, Schema, Status

from opiekun.caretakers.add_preview import change_body, period_body
from opiekun.caretakers.api import ChangeOut, ConflictOut
from opiekun.caretakers.handover_rules import ContractorPlan
from opiekun.caretakers.handover_selectors import handover_get, handover_list, hide_unseen_contractors
from opiekun.caretakers.models import Handover, HandoverState
from opiekun.caretakers.rules import AssignmentType, OverlapPolicy
from opiekun.caretakers.services import (
    CancelRefused,
    HandoverPreview,
    HandoverResult,
    StaleHandover,
    handover_cancel,
    handover_create,
)
from opiekun.dates import today
from opiekun.operators.access import can_assign
from opiekun.operators.selectors import operator_names
from opiekun.schemas import (
    DEFAULT_PAGE_SIZE,
    Day,
    Id,
    Input,
    Page,
    Paged,
    PageSize,
    Text,
    check_query_operator,
    paginate,
    responses,
)

router = Router(tags=["handovers"])


class HandoverIn(Input):
    from_operator_id: Id = Field(description="The operator who hands over.")
    to_operator_ids: list[Id] = Field(max_length=100, description="One target, or several (distribution).")
    distribution: Literal["even"] = Field("even", description="Used when several targets.")
    date: Day = Field(description="D, the first day the targets care for the contractors.")
    types: list[AssignmentType] | None = Field(None, max_length=2, description="Default: both.")
    role_ids: list[Id] | None = Field(None, max_length=1000, description="null: every role.")
    branch_ids: list[Id] | None = Field(None, max_length=1000, description="null: every branch and none.")
    contractor_ids: list[Id] | None = Field(
        None, max_length=100_000, description="null: every contractor the source cares for."
    )
    on_overlap: OverlapPolicy = OverlapPolicy.WARN
    confirm_token: Text | None = Field(None, max_length=500, description="From the preview, to apply it.")


class TargetOut(Schema):
    operator_id: int
    contractors: int
    assignments: int


class HandoverResultOut(Schema):
    contractor_id: int
    to_operator_id: int
    outcome: str
    changes: list[ChangeOut]
    conflicts: list[ConflictOut]


class PreviewOut(Schema):
    contractors: int = Field(description="Contractors handed over (skipped ones not counted).")
    assignments: int = Field(description="The source's assignments handed over.")
    skipped: int = Field(description="Contractors skipped under on_overlap=keep.")
    conflicted: int = Field(description="Contractors where a recipient meets a conflict.")
    targets: list[TargetOut]
    results: list[HandoverResultOut] = Field(description="By contractor code; the first 1,000.")
    results_total: int = Field(description="How many results there are in all.")


class PreviewAnswer(Schema):
    applied: bool
    confirm_token: str | None
    preview: PreviewOut


class StaleAnswer(Schema):
    detail: str
    confirm_token: str
    preview: PreviewOut


class HandoverOut(Schema):
    id: int
    from_operator_id: int
    to_operator_ids: list[int]
    date: datetime.date
    state: HandoverState
    contractors: int
    assignments: int
    created_by: int | None
    created_at: datetime.datetime
    skipped: int
    distribution: str
    types: list[str]
    role_ids: list[int] | None
    branch_ids: list[int] | None
    contractor_ids: list[int] | None
    on_overlap: str
    targets: list[TargetOut]
    cancelled_at: datetime.datetime | None
    cancelled_by: int | None

    @staticmethod
    def resolve_to_operator_ids(obj: Handover) -> list[int]:
        return [t.operator_id for t in obj.targets.all()]

    @staticmethod
    def resolve_contractor_ids(obj: Handover) -> list[int] | None:
        return getattr(obj, "shown_contractor_ids", obj.contractor_ids)

    @staticmethod
    def resolve_state(obj: Handover) -> str:
        return obj.state_on(today()).value

    @staticmethod
    def resolve_created_by(obj: Handover) -> int | None:
        return obj.created_by_id

    @staticmethod
    def resolve_cancelled_by(obj: Handover) -> int | None:
        return obj.cancelled_by_id

    @staticmethod
    def resolve_targets(obj: Handover) -> list[dict[str, int]]:
        return [
            {"operator_id": t.operator_id, "contractors": t.contractors, "assignments": t.assignments}
            for t in obj.targets.all()
        ]


class AppliedAnswer(Schema):
    applied: bool
    handover: HandoverOut


class CancelRefusedOut(Schema):
    detail: str
    changed: list[int] = Field(description="Assignments changed since the handover, or in the way.")


class HandoverQuery(Schema):
    operator_id: Id | None = Field(None, description="Handovers from or to this operator.")
    state: HandoverState | None = None
    page: Page = 1
    page_size: PageSize = DEFAULT_PAGE_SIZE


def _preview(preview: HandoverPreview) -> dict[str, Any]:
    conflicts = [row for plan in preview.results for row in plan.conflicts]
    names = operator_names(row.operator_id for row in conflicts)

    def result(plan: ContractorPlan) -> dict[str, Any]:
        return {
            "contractor_id": plan.contractor_id,
            "to_operator_id": plan.target_id,
            "outcome": plan.outcome.value,
            "changes": [change_body(c) for c in plan.changes],  # type: ignore[arg-type]
            "conflicts": [
                {
                    "id": row.id,
                    "contractor_id": row.contractor_id,
                    "operator_id": row.operator_id,
                    "type": row.type.value,
                    "role_id": row.role_id,
                    "branch_id": row.branch_id,
                    **period_body(row.period),
                    "operator_name": names.get(row.operator_id, ""),
                }
                for row in plan.conflicts
            ],
        }

    return {
        "contractors": preview.contractors,
        "assignments": preview.assignments,
        "skipped": preview.skipped,
        "conflicted": preview.conflicted,
        "targets": [vars(t) for t in preview.targets],
        "results": [result(plan) for plan in preview.results],
        "results_total": preview.results_total,
    }


@router.post(
    "/handovers",
    response=responses({200: PreviewAnswer, 201: AppliedAnswer, 409: StaleAnswer}, 401, 403, 422),
)
def handover_new(request: HttpRequest, payload: HandoverIn) -> Status[dict[str, Any]]:
    """Przekazanie klientów. Without `confirm_token`: the preview (nothing written)
    and a token. With the token: the handover is applied as previewed (201); if
    anything involved changed since, 409 with a fresh preview and token."""
    data = payload.model_dump(exclude={"confirm_token"})
    try:
        result: HandoverResult = handover_create(
            actor=request.user, confirm_token=payload.confirm_token, **data
        )
    except StaleHandover as stale:
        body = {
            "detail": str(stale),
            "confirm_token": stale.result.confirm_token,
            "preview": _preview(stale.result.preview),
        }
        return Status(409, body)
    if not result.applied:
        return Status(
            200,
            {"applied": False, "confirm_token": result.confirm_token, "preview": _preview(result.preview)},
        )
    assert result.handover is not None
    return Status(201, {"applied": True, "handover": _shown(request, result.handover)})


@router.get("/handovers", response=responses({200: Paged[HandoverOut]}, 401, 422))
def handovers(request: HttpRequest, filters: Query[HandoverQuery]) -> dict[str, Any]:
    """Handovers, newest first; an operator who sees only their own contractors sees
    the handovers that touched one of them."""
    check_query_operator("operator_id", filters.operator_id)
    items = handover_list(viewer=request.user, operator_id=filters.operator_id, state=filters.state)
    page = paginate(request, items, page=filters.page, page_size=filters.page_size)
    hide_unseen_contractors(viewer=request.user, handovers=page["results"])
    return page


@router.get("/handovers/{id}", response=responses({200: HandoverOut}, 401, 404))
def handover_detail(request: HttpRequest, id: Path[Id]) -> Handover:
    return _shown(request, handover_get(viewer=request.user, handover_id=id))


@router.post(
    "/handovers/{id}/cancel",
    response=responses({200: HandoverOut, 409: CancelRefusedOut}, 401, 403, 404),
)
def handover_undo(request: HttpRequest, id: Path[Id]) -> Status[Any]:
    """Cancel a handover: every row it wrote is put back, if none changed since;
    otherwise 409 naming the assignments in the way. 404 for a handover the caller
    may not see, whatever their permissions; 403 for a visible one without the
    permission to assign."""
    if not can_assign(request.user):
        handover_get(viewer=request.user, handover_id=id)
    try:
        handover = handover_cancel(actor=request.user, handover_id=id)
    except CancelRefused as refused:
        return Status(409, {"detail": str(refused), "changed": list(refused.changed)})
    return Status(200, _shown(request, handover_get(viewer=request.user, handover_id=handover.pk)))


def _shown(request: HttpRequest, handover: Handover) -> Handover:
    return hide_unseen_contractors(viewer=request.user, handovers=[handover])[0]
