"""Bounded answers of Dodaj opiekuna (docs/api.md, "Warn about the change"): a WARN
preview or an applied change of any size is answered with totals by outcome and by
change kind, the first conflicts in full and one page of the per-contractor results,
never with every contractor's result. The API endpoint and the dialog call these.
"""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse, QueryDict
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.utils.translation import pgettext_lazy
from ninja import Field, Schema

from opiekun.caretakers.forms import AddCaretakerForm
from opiekun.caretakers.handover_labels import change_texts
from opiekun.caretakers.models import TYPE_LABELS
from opiekun.caretakers.rules import Change, ChangeKind, Slot
from opiekun.caretakers.selectors import default_role_id
from opiekun.caretakers.services import AddResult, ContractorResult, ResultWindow
from opiekun.caretakers.summaries import SummaryRow
from opiekun.caretakers.summary_views import OUTCOME_LABELS
from opiekun.dates import format_period
from opiekun.limits import MAX_SELECTION
from opiekun.operators.access import visible_contractors
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


def period_body(period: Period) -> dict[str, Any]:
    """A period as the API answers it (also the handover's answer)."""
    return {"date_from": period.start, "date_to": period.end}


def change_body(change: Change) -> dict[str, Any]:
    """A change of one assignment as the API answers it (also the handover's answer)."""
    return {
        "kind": change.kind.value,
        "assignment_id": change.assignment_id,
        "operator_id": change.operator_id,
        "type": change.type.value,
        "before": period_body(change.before) if change.before else None,
        "after": [period_body(p) for p in change.after],
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
            **period_body(slot.period),
            "operator_name": names.get(slot.operator_id, ""),
        }

    def item(r: Any) -> dict[str, Any]:
        return {
            "contractor_id": r.contractor_id,
            "outcome": r.outcome.value,
            "assignment_id": r.assignment_id,
            "changes": [change_body(c) for c in r.changes],
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


# --- the dialog ---------------------------------------------------------------------

CHANGE_LABELS = {
    ChangeKind.CREATED.value: pgettext_lazy("change of caretaker", "created"),
    ChangeKind.EXTENDED.value: pgettext_lazy("change of caretaker", "extended"),
    ChangeKind.ABSORBED.value: pgettext_lazy("change of caretaker", "absorbed"),
    ChangeKind.TRIMMED.value: pgettext_lazy("change of caretaker", "trimmed"),
    ChangeKind.SPLIT.value: pgettext_lazy("change of caretaker", "split"),
    ChangeKind.REMOVED.value: pgettext_lazy("change of caretaker", "removed"),
}
_REPLACING = {ChangeKind.TRIMMED, ChangeKind.SPLIT, ChangeKind.REMOVED}


def dialog_window(request: HttpRequest) -> tuple[ResultWindow, int | None]:
    """The window of the dialog's answer: no page of all results (the summary keeps
    them), the first conflicts; and ``warn_from``, the offset "show more" asks for
    (None: not a "show more" request)."""
    raw = request.POST.get("warn_from", "")
    # ASCII digits, few: str.isdigit also takes "²", which int() refuses (a 500, as
    # was int() of 5,000 digits).
    few = raw.isascii() and raw.isdigit() and len(raw) <= len(str(MAX_SELECTION))
    more = int(raw) if few and int(raw) <= MAX_SELECTION else None
    return ResultWindow(offset=0, limit=0, conflicts=DIALOG_SHOWN, conflicts_offset=more or 0), more


def _changes(request: HttpRequest, preview: AddResult) -> list[dict[str, Any]]:
    """Each change of a current caretaker among the kept conflicts: contractor, caretaker,
    period before and after (a query for the contractors, one for the names)."""
    kept = preview.first_conflicts
    contractors = visible_contractors(viewer=request.user).in_bulk([r.contractor_id for r in kept])
    operators = operator_names(c.operator_id for r in kept for c in r.changes)
    return [
        {
            "contractor": contractors.get(r.contractor_id),
            "operator": operators.get(change.operator_id, "?"),
            "type": str(TYPE_LABELS[change.type]),
            "kind": change.kind.value,
            "before": format_period(change.before),
            "after": ", ".join(format_period(p) for p in change.after) or _("(removed)"),
        }
        for r in kept
        for change in r.changes
        if change.kind in _REPLACING
    ]


def _more(preview: AddResult, start: int) -> int | None:
    """Where the next "show more" starts, if anything is left."""
    following = start + DIALOG_SHOWN
    return following if following < preview.conflicted else None


def warn_dialog(
    request: HttpRequest, context: dict[str, Any], preview: AddResult, *, stale: bool
) -> HttpResponse:
    """The WARN preview: the totals by outcome and by change, the changes of the first
    contractors that have a caretaker in the period, "show more" for the next ones."""
    form: AddCaretakerForm = context["form"]
    confirm = QueryDict(mutable=True)
    confirm.update(form.data)
    fields = [
        (k, v) for k in AddCaretakerForm.base_fields if k != "confirm_token" for v in confirm.getlist(k)
    ]
    outcomes = preview.counts()
    changes = preview.change_totals()
    return render(
        request,
        "caretakers/warn_dialog.html",
        {
            **context,
            "changes": _changes(request, preview),
            "more": _more(preview, 0),
            "stale": stale,
            "fields": fields,
            "confirm_token": preview.confirm_token,
            "affected": preview.conflicted,
            "total": preview.total,
            "outcome_counts": [(k, label, outcomes[k]) for k, label in OUTCOME_LABELS.items() if outcomes[k]],
            "change_counts": [(k, label, changes[k]) for k, label in CHANGE_LABELS.items() if changes[k]],
        },
    )


def warn_more(request: HttpRequest, preview: AddResult, start: int) -> HttpResponse:
    """The next rows of the preview's table ("show more"), and its next button."""
    return render(
        request,
        "caretakers/warn_rows.html",
        {"changes": _changes(request, preview), "more": _more(preview, start)},
    )


class SummaryRows:
    """Every applied result, kept as the summary's compact rows (not as results): for a
    contractor whose other caretakers lost days (REPLACE, a confirmed WARN), each such
    change with its period before and after; else the caretakers the change met."""

    def __init__(self) -> None:
        self._rows: list[tuple[int, str, tuple[Slot, ...], tuple[Change, ...]]] = []

    def add(self, result: ContractorResult) -> None:
        replacing = tuple(c for c in result.changes if c.kind in _REPLACING)
        self._rows.append((result.contractor_id, result.outcome.value, result.conflicts, replacing))

    def rows(self) -> list[SummaryRow]:
        ids = {s.operator_id for _, _, slots, _c in self._rows for s in slots}
        ids.update(c.operator_id for _, _, _s, changes in self._rows for c in changes)
        names = operator_names(ids)
        return [
            SummaryRow(contractor_id=cid, outcome=outcome, note=_note(slots, changes, names))
            for cid, outcome, slots, changes in self._rows
        ]


def _note(slots: tuple[Slot, ...], changes: tuple[Change, ...], names: dict[int, str]) -> str:
    if changes:  # what the other caretakers lost, before → after
        return "; ".join(change_texts(changes, (), names)[0])
    return "; ".join(change_texts((), slots, names)[1])
