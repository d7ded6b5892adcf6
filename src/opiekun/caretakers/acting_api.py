"""API: who acts for a contractor — the main caretaker, the deputies and the acting
caretaker of many items at once (resolve), and the periods a deputy acted for an absent
main caretaker (docs/semantics.md, "Absences and the acting caretaker"; docs/api.md)."""

from __future__ import annotations

from datetime import date
from typing import Any, Literal

from django.http import HttpRequest, HttpResponse
from ninja import Field, Query, Router, Schema
from pydantic import BaseModel, ConfigDict

from opiekun.caretakers.acting import (
    Acting,
    acted_for_rows,
)
from opiekun.caretakers.resolve_api import resolve_response
from opiekun.schemas import (
    DEFAULT_PAGE_SIZE,
    Day,
    Id,
    Page,
    Paged,
    PageSize,
    check_query_operator,
    check_query_period,
    paginate,
    responses,
)

router = Router()

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
    return resolve_response(viewer=request.user, items=payload.items)


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


@router.get("/caretakers/acted-for", response=responses({200: Paged[ActedForOut]}, 401, 422))
def caretakers_acted_for(request: HttpRequest, filters: Query[ActedForQuery]) -> dict[str, Any]:
    """Kontrahenci wg opiekuna, "acted for": the periods in which the operator, a
    deputy, acted for an absent main caretaker, on contractors the caller may see."""
    check_query_period(filters.date_from, filters.date_to)
    check_query_operator("operator_id", filters.operator_id)
    found = acted_for_rows(
        viewer=request.user,
        operator_id=filters.operator_id,
        date_from=filters.date_from,
        date_to=filters.date_to,
    )
    page = paginate(request, found, page=filters.page, page_size=filters.page_size)  # type: ignore[arg-type]
    page["results"] = [
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
        for a in page["results"]
    ]
    return page


class ActingOut(Schema):
    """Who acts for the scope on the day (docs/semantics.md, "Absences and the acting
    caretaker")."""

    operator_id: int
    operator_name: str
    assignment_id: int
    type: str = Field(description="main, or deputy when standing in for an absent main caretaker")
    stands_in_for: int | None = Field(description="The absent main caretaker's operator id.")
    until: date | None = Field(description="A deputy standing in: the last day of the stand-in.")


def acting_body(acting: Acting, names: dict[int, str]) -> dict[str, Any] | None:
    """The acting caretaker as `ActingOut` (resolve and caretaker info); None when
    nobody acts."""
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
