"""API: caretaker assignments — Kontrahenci wg opiekuna (the list), one assignment's
detail, edit and delete (docs/semantics.md, docs/api.md)."""

from __future__ import annotations

from typing import Any, Literal

from django.http import HttpRequest
from ninja import Field, Path, Query, Router, Schema, Status

from opiekun.caretakers.models import CaretakerAssignment
from opiekun.caretakers.rules import AssignmentType
from opiekun.caretakers.selectors import (
    ORDERINGS_BY_INDEX,
    AssignmentFilters,
    assignment_get,
    assignment_list,
)
from opiekun.caretakers.services import assignment_delete, assignment_update
from opiekun.operators.access import can_assign
from opiekun.schemas import (
    DEFAULT_PAGE_SIZE,
    AssignmentOut,
    Day,
    Id,
    Page,
    Paged,
    PageSize,
    Patch,
    check_query_period,
    omissible,
    paginate,
    responses,
)

router = Router()

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
    check_query_period(filters.date_from, filters.date_to)
    items = assignment_list(
        viewer=request.user,
        filters=AssignmentFilters(**filters.model_dump(exclude={"page", "page_size"})),
    )
    # Sorted whole (operator, contractor, …): the page's ids first, even on page 1.
    whole = 0 if filters.ordering not in ORDERINGS_BY_INDEX else None
    return paginate(request, items, page=filters.page, page_size=filters.page_size, ids_first_from=whole)


@router.get("/caretakers/{id}", response=responses({200: AssignmentOut}, 401, 404))
def caretaker_detail(request: HttpRequest, id: Path[Id]) -> CaretakerAssignment:
    """One assignment; 404 if it does not exist or its contractor is not visible."""
    return assignment_get(viewer=request.user, assignment_id=id)


class AssignmentPatch(Patch):
    """Only the fields sent are changed; `date_to: null` makes it open-ended."""

    operator_id: Id = omissible()
    type: AssignmentType = omissible()
    role_id: Id = omissible()
    branch_id: Id | None = None
    date_from: Day = omissible()
    date_to: Day | None = None
    priority: int = omissible(ge=-32768, le=32767)


def _visible_first(request: HttpRequest, assignment_id: int) -> None:
    """Without the permission to assign, the service refuses every write with 403 before
    looking the row up; an assignment the caller may not see is still 404 (docs/api.md,
    "Status codes"). With the permission, the service itself answers 404 for it."""
    if not can_assign(request.user):
        assignment_get(viewer=request.user, assignment_id=assignment_id)


@router.patch("/caretakers/{id}", response=responses({200: AssignmentOut}, 401, 403, 404, 422))
def caretaker_change(request: HttpRequest, id: Path[Id], payload: AssignmentPatch) -> CaretakerAssignment:
    """Change the fields sent. 404 for an assignment the caller may not see, whatever
    their permissions; 403 for a visible one without the permission to assign."""
    _visible_first(request, id)
    changes = {name: getattr(payload, name) for name in payload.model_fields_set}
    row = assignment_update(actor=request.user, assignment_id=id, **changes)
    visible = assignment_list(viewer=request.user, filters=AssignmentFilters())
    return visible.filter(pk=row.pk).first() or row


@router.delete("/caretakers/{id}", response=responses({204: None}, 401, 403, 404))
def caretaker_remove(request: HttpRequest, id: Path[Id]) -> Status[None]:
    """Delete an assignment (audited). 404 for one the caller may not see, whatever their
    permissions; 403 for a visible one without the permission to assign."""
    _visible_first(request, id)
    assignment_delete(actor=request.user, assignment_id=id)
    return Status(204, None)
