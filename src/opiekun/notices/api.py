"""API: upcoming changes (Nadchodzące zmiany), GET /api/v1/upcoming-changes."""

from __future__ import annotations

from datetime import date
from typing import Any, Literal, cast

from django.http import HttpRequest
from ninja import Field, Query, Router, Schema

from opiekun.notices.selectors import DEFAULT_DAYS, MAX_DAYS, UpcomingFilters, upcoming_rows
from opiekun.schemas import (
    DEFAULT_PAGE_SIZE,
    Id,
    Page,
    Paged,
    PageSize,
    check_query_operator,
    paginate,
    responses,
)

router = Router(tags=["notices"])


class UpcomingQuery(Schema):
    days: int = Field(DEFAULT_DAYS, ge=0, le=MAX_DAYS, description="From today to today + days.")
    operator_id: Id | None = Field(
        None, description="Whose changes: a manager's default is everyone's; others see only their own."
    )
    page: Page = 1
    page_size: PageSize = DEFAULT_PAGE_SIZE


class UpcomingOut(Schema):
    kind: Literal["starts", "ends", "handover_in", "handover_out", "acting"]
    date: date
    contractor_id: int
    operator_id: int
    assignment_id: int | None
    handover_id: int | None


@router.get("/upcoming-changes", response=responses({200: Paged[UpcomingOut]}, 401, 403, 422))
def upcoming(request: HttpRequest, filters: Query[UpcomingQuery]) -> dict[str, Any]:
    """What changes for the operator within the next `days` days, by day: assignments
    starting or ending, handovers to and from them, contractors they will act for
    during a colleague's absence."""
    check_query_operator("operator_id", filters.operator_id)
    items = upcoming_rows(
        viewer=request.user, filters=UpcomingFilters(days=filters.days, operator_id=filters.operator_id)
    )
    # Paged like a query set: a count, then one slice (notices/selectors.py).
    page = paginate(request, cast(Any, items), page=filters.page, page_size=filters.page_size)
    page["results"] = [{**row, "date": row["day"]} for row in page["results"]]
    return page
