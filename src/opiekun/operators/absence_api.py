"""API: absences of operators (docs/semantics.md, "Absences and the acting caretaker")."""

from __future__ import annotations

from datetime import date
from typing import Any, Literal

from django.http import HttpRequest
from ninja import Field, Path, Query, Router, Schema, Status
from ninja.errors import ValidationError as RequestValidationError

from opiekun.operators.absences import (
    AbsenceFilters,
    absence_create,
    absence_delete,
    absence_get,
    absence_list,
    absence_update,
)
from opiekun.operators.models import Absence
from opiekun.schemas import (
    DEFAULT_PAGE_SIZE,
    Day,
    Id,
    Input,
    Page,
    Paged,
    PageSize,
    Patch,
    Text,
    check_query_operator,
    check_query_period,
    omissible,
    paginate,
    responses,
)

router = Router(tags=["absences"])

Kind = Literal["vacation", "sick_leave", "business_trip", "other"]


class AbsenceOut(Schema):
    id: int
    operator_id: int
    date_from: date
    date_to: date
    kind: str
    note: str


class AbsenceQuery(Schema):
    operator_id: Id | None = None
    date_from: Day | None = Field(None, description="Absences that end on or after this day.")
    date_to: Day | None = Field(None, description="Absences that start on or before this day.")
    page: Page = 1
    page_size: PageSize = DEFAULT_PAGE_SIZE


class AbsenceIn(Input):
    operator_id: Id
    date_from: Day
    date_to: Day = Field(description="The last day of absence (inclusive).")
    kind: Kind = "vacation"
    note: Text = Field("", max_length=500)


class AbsencePatch(Patch):
    """Only the fields sent are changed."""

    operator_id: Id = omissible()
    date_from: Day = omissible()
    date_to: Day = omissible()
    kind: Kind = omissible()
    note: Text = omissible(max_length=500)


@router.get("/absences", response=responses({200: Paged[AbsenceOut]}, 401, 422))
def absences(request: HttpRequest, filters: Query[AbsenceQuery]) -> dict[str, Any]:
    """The absences the caller may see, by start; `date_from`/`date_to` keep those
    sharing a day with the period."""
    check_query_period(filters.date_from, filters.date_to)
    check_query_operator("operator_id", filters.operator_id)
    items = absence_list(
        viewer=request.user,
        filters=AbsenceFilters(
            operator_id=filters.operator_id, date_from=filters.date_from, date_to=filters.date_to
        ),
    )
    return paginate(request, items, page=filters.page, page_size=filters.page_size)


@router.post("/absences", response=responses({201: AbsenceOut}, 401, 403, 422))
def absence_new(request: HttpRequest, payload: AbsenceIn) -> Status[Absence]:
    """Record an absence: your own, or anyone's with the permission to manage absences.
    An absence overlapping another of the same operator is refused (422)."""
    return Status(201, absence_create(actor=request.user, **payload.model_dump()))


@router.get("/absences/{id}", response=responses({200: AbsenceOut}, 401, 404))
def absence_detail(request: HttpRequest, id: Path[Id]) -> Absence:
    return absence_get(viewer=request.user, absence_id=id)


@router.patch("/absences/{id}", response=responses({200: AbsenceOut}, 401, 403, 404, 422))
def absence_change(request: HttpRequest, id: Path[Id], payload: AbsencePatch) -> Absence:
    changes = {name: getattr(payload, name) for name in payload.model_fields_set}
    for name in ("operator_id", "date_from", "date_to", "kind", "note"):
        if name in changes and changes[name] is None:
            raise RequestValidationError(
                [{"loc": ["body", name], "type": "value_error", "msg": "This field may not be null."}]
            )
    return absence_update(actor=request.user, absence_id=id, **changes)


@router.delete("/absences/{id}", response=responses({204: None}, 401, 403, 404))
def absence_remove(request: HttpRequest, id: Path[Id]) -> Status[None]:
    absence_delete(actor=request.user, absence_id=id)
    return Status(204, None)
