"""API: the caretakers router, and on it "Dodaj opiekuna" (docs/semantics.md, docs/api.md).

The router joins the parts, in the order of their paths (a fixed path before
``/caretakers/{id}``, which would take it): the role and branch dictionaries
(`dictionary_api`), Dodaj opiekuna (here), resolve in bulk and acted for
(`acting_api`), the assignments (`assignment_api`), caretaker info and the audit
trail (`info_api`)."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.http import HttpRequest
from ninja import Field, Router, Schema, Status

from opiekun.caretakers import acting_api, assignment_api, dictionary_api, info_api
from opiekun.caretakers.add_preview import FIRST_CONFLICTS, RESULTS_LIMIT, TotalsOut, add_body, api_window
from opiekun.caretakers.rules import AssignmentType, OverlapPolicy
from opiekun.caretakers.services import AddResult, StaleConfirmation, caretaker_add
from opiekun.limits import MAX_SELECTION
from opiekun.schemas import AssignmentFields, Day, Id, Input, Text, responses

router = Router(tags=["caretakers"])
adding = Router()  # Dodaj opiekuna, one of the parts joined below

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
    results_offset: int = Field(0, ge=0, le=MAX_SELECTION, description="The first result to answer.")
    results_limit: int = Field(
        RESULTS_LIMIT, ge=0, le=RESULTS_LIMIT, description="How many results to answer (a page)."
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
    detail: str | None = Field(
        description="Why a confirmation was refused as stale (409); null on a preview to confirm and on 200."
    )
    counts: dict[str, int]
    totals: TotalsOut
    conflicted: int = Field(description="Contractors whose new caretaker meets a conflict.")
    first_conflicts: list[ContractorResultOut] = Field(
        description=f"The first {FIRST_CONFLICTS} of them, in full."
    )
    results_count: int = Field(description="Results in all; `results` is the page asked for.")
    results_offset: int
    results_limit: int
    results: list[ContractorResultOut]


def _add_body(result: AddResult, payload: AddIn, detail: str | None) -> dict[str, Any]:
    return add_body(
        result,
        role_id=payload.role_id,
        branch_id=payload.branch_id,
        limit=payload.results_limit,
        detail=detail,
    )


@adding.post("/caretakers/add", response=responses({200: AddOut, 409: AddOut}, 401, 403, 422))
def caretakers_add(request: HttpRequest, payload: AddIn) -> Status[dict[str, Any]]:
    """Dodaj opiekuna: add a caretaker to many contractors at once, all or none.

    With `on_overlap=warn` and conflicts, nothing is written: 409 returns the preview
    and a `confirm_token` (`detail` null); repeat the same call with it to apply. A
    token whose preview no longer matches the data is refused (409 with `detail` and a
    fresh preview and token): `detail` tells the two 409s apart."""
    data = payload.model_dump(exclude={"confirm_token", "results_offset", "results_limit"})
    window = api_window(payload.results_offset, payload.results_limit)
    try:
        result = caretaker_add(actor=request.user, confirm_token=payload.confirm_token, window=window, **data)
    except StaleConfirmation as stale:
        return Status(409, _add_body(stale.preview, payload, str(stale)))
    if not result.applied:  # the preview to confirm; `detail` only for a stale token (docs/api.md)
        return Status(409, _add_body(result, payload, None))
    return Status(200, _add_body(result, payload, None))


@adding.post("/caretakers/add/preview", response=responses({200: AddOut}, 401, 403, 422))
def caretakers_add_preview(request: HttpRequest, payload: AddIn) -> Status[dict[str, Any]]:
    """What `POST /caretakers/add` with the same body would do, a page of results at a
    time (`results_offset`, `results_limit`); writes nothing, whatever `on_overlap` and
    the conflicts. For `warn`, its `confirm_token` confirms as the add's own does."""
    data = payload.model_dump(exclude={"confirm_token", "results_offset", "results_limit"})
    window = api_window(payload.results_offset, payload.results_limit)
    result = caretaker_add(
        actor=request.user, confirm_token=payload.confirm_token, window=window, preview_only=True, **data
    )
    return Status(200, _add_body(result, payload, None))


def _keep_operation_ids(part: Router) -> Router:
    """The parts were one module once; their OpenAPI operation ids stay the ones
    clients know (the default joins the module's name and the function's)."""
    for view in part.path_operations.values():
        for operation in view.operations:
            name = operation.view_func.__name__
            operation.operation_id = operation.operation_id or f"opiekun_caretakers_api_{name}"
    return part


for _part in (dictionary_api.router, adding, acting_api.router, assignment_api.router, info_api.router):
    router.add_router("", _keep_operation_ids(_part))
