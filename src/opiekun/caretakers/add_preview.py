"""Bounded answers of Dodaj opiekuna (docs/api.md, "Warn about the change"): a WARN
preview or an applied change of any size is answered with totals by outcome and by
change kind, the first conflicts in full and one page of the per-contractor results,
never with every contractor's result. The API endpoint and the dialog call these.
"""

from __future__ import annotations

from typing import Any

from ninja import Field, Schema

from opiekun.caretakers.rules import Change, Slot
from opiekun.caretakers.selectors import default_role_id
from opiekun.caretakers.services import AddResult, ResultWindow
from opiekun.operators.selectors import operator_names
from opiekun.periods import Period

RESULTS_LIMIT = 1_000  # the most per-contractor results in one answer (the default page)
FIRST_CONFLICTS = 50  # contractors with a conflict answered in full in `first_conflicts`
DIALOG_SHOWN = 50  # changes of caretaker the dialog lists at once ("show more" for the next)


class TotalsOut(Schema):
    outcomes: dict[str, int] = Field(description="Contractors by outcome (the same as `counts`).")
    changes: dict[str, int] = Field(description="Changes by kind, over every contractor.")


def api_window(offset: int, limit: int) -> ResultWindow:
    return ResultWindow(offset=offset, limit=limit, conflicts=FIRST_CONFLICTS)


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


def add_body(
    result: AddResult, *, role_id: int | None, branch_id: int | None, limit: int, detail: str | None
) -> dict[str, Any]:
    """The answer as JSON: what every contractor's result sums to, and the results the
    window kept; conflicts carry the request's scope and operator names (one query)."""
    kept = (*result.results, *result.first_conflicts)
    names = operator_names(s.operator_id for r in kept for s in r.conflicts)
    role = role_id if role_id is not None else default_role_id()

    def conflict(contractor_id: int, slot: Slot) -> dict[str, Any]:
        return {
            "id": slot.id,
            "contractor_id": contractor_id,
            "operator_id": slot.operator_id,
            "type": slot.type.value,
            "role_id": role,
            "branch_id": branch_id,
            **_period(slot.period),
            "operator_name": names.get(slot.operator_id, ""),
        }

    def item(r: Any) -> dict[str, Any]:
        return {
            "contractor_id": r.contractor_id,
            "outcome": r.outcome.value,
            "assignment_id": r.assignment_id,
            "changes": [_change(c) for c in r.changes],
            "conflicts": [conflict(r.contractor_id, s) for s in r.conflicts],
        }

    counts = result.counts()
    return {
        "applied": result.applied,
        "confirm_token": result.confirm_token,
        "detail": detail,
        "counts": counts,
        "totals": {"outcomes": counts, "changes": result.change_totals()},
        "conflicted": result.conflicted,
        "first_conflicts": [item(r) for r in result.first_conflicts],
        "results_count": result.total,
        "results_offset": result.offset,
        "results_limit": limit,
        "results": [item(r) for r in result.results],
    }
