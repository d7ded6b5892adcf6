"""API: coverage gaps (Klienci bez opiekuna), GET /api/v1/coverage-gaps."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.core.exceptions import ValidationError
from django.http import HttpRequest
from ninja import Field, Query, Router, Schema
from ninja.errors import ValidationError as RequestValidationError

from opiekun.coverage.selectors import GapFilters, gap_list, open_end, window_of
from opiekun.schemas import DEFAULT_PAGE_SIZE, Day, Id, Page, Paged, PageSize, paginate, responses

router = Router(tags=["coverage"])


class GapQuery(Schema):
    on: Day | None = Field(None, description="One day; or give date_from / date_to.")
    date_from: Day | None = Field(None, description="The window's first day (default: today).")
    date_to: Day | None = Field(
        None, description="The window's last day (default: date_from open-ended; neither: today + 90 days)."
    )
    role_id: Id | None = Field(None, description="Default: the default role.")
    branch_id: Id | None = Field(None, description="Default: no branch.")
    consider_absences: bool = Field(
        False,
        description="Gaps of the acting caretaker: also the days the main caretaker is absent "
        "and no deputy is present to stand in.",
    )
    last_operator_id: Id | None = Field(None, description="Only gaps after this operator's care.")
    page: Page = 1
    page_size: PageSize = DEFAULT_PAGE_SIZE


class GapOut(Schema):
    contractor_id: int
    role_id: int
    branch_id: int | None
    date_from: date
    date_to: date | None
    last_operator_id: int | None


def _query_errors(error: ValidationError) -> RequestValidationError:
    return RequestValidationError(
        [
            {"loc": ["query", name], "type": "value_error", "msg": str(message)}
            for name, messages in error.message_dict.items()
            for message in messages
        ]
    )


@router.get("/coverage-gaps", response=responses({200: Paged[GapOut]}, 401, 422))
def coverage_gaps(request: HttpRequest, filters: Query[GapQuery]) -> dict[str, Any]:
    """Periods without a main caretaker (with `consider_absences`: without an acting one)
    of the visible active contractors, in a role
    (default role) and branch (none), inside a window (default today … today + 90
    days, or one day `on`), clipped to it; `date_to` is null when the clipped gap has
    no end (an open gap in an open window). `count` is the number of gaps."""
    try:
        window = window_of(on=filters.on, date_from=filters.date_from, date_to=filters.date_to)
        items = gap_list(
            viewer=request.user,
            filters=GapFilters(
                window=window,
                role_id=filters.role_id,
                branch_id=filters.branch_id,
                last_operator_id=filters.last_operator_id,
                consider_absences=filters.consider_absences,
            ),
        )
        page = paginate(request, items, page=filters.page, page_size=filters.page_size)
    except ValidationError as error:
        raise _query_errors(error) from error
    page["results"] = [
        {
            "contractor_id": c.contractor_pk,
            "role_id": c.gap_role_id,
            "branch_id": c.gap_branch_id,
            "date_from": c.gap_from,
            "date_to": open_end(c.gap_to),
            "last_operator_id": c.gap_last_operator_id,
        }
        for c in page["results"]
    ]
    return page
