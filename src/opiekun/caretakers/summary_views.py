"""The summary after Dodaj opiekuna: every contractor with its outcome and a link to
it, filtered by outcome, a page at a time, and the whole list as CSV.

The outcomes are kept by `summaries` (the change itself is done by then); these views
only read them back, for the user who made the change.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from opiekun.caretakers.exports import csv_pieces
from opiekun.caretakers.rules import Outcome
from opiekun.caretakers.summaries import SummaryRow, summary_load
from opiekun.dates import today
from opiekun.operators.access import visible_contractors

PAGE_SIZE = 50
OUTCOME_LABELS = {
    Outcome.ADDED.value: _("Added"),
    Outcome.MERGED.value: _("Merged"),
    Outcome.UNCHANGED.value: _("Unchanged"),
    Outcome.REPLACED.value: _("Replaced"),
    Outcome.SKIPPED.value: _("Skipped"),
}


def _chosen(request: HttpRequest) -> str:
    outcome = request.GET.get("outcome", "")
    return outcome if outcome in OUTCOME_LABELS else ""


def summary_context(request: HttpRequest, token: str, rows: list[SummaryRow]) -> dict[str, Any]:
    """What the summary dialog shows: the counts (each a filter), one page of the
    contractors with the chosen outcome, and where to get them all as CSV."""
    outcome = _chosen(request)
    counts = {key: 0 for key in OUTCOME_LABELS}
    for row in rows:
        counts[row.outcome] = counts.get(row.outcome, 0) + 1
    shown = [r for r in rows if r.outcome == outcome] if outcome else rows
    page = Paginator(shown, PAGE_SIZE).get_page(request.GET.get("page"))
    contractors = visible_contractors(viewer=request.user).in_bulk([r.contractor_id for r in page])
    return {
        "token": token,
        "outcome": outcome,
        "counts": [(key, label, counts[key]) for key, label in OUTCOME_LABELS.items()],
        "total": len(rows),
        "page": page,
        "rows": [
            {
                "contractor": contractors.get(r.contractor_id),
                "contractor_id": r.contractor_id,
                "url": reverse("contractors:caretakers", args=[r.contractor_id]),
                "outcome": r.outcome,
                "label": OUTCOME_LABELS.get(r.outcome, r.outcome),
                "note": r.note,
            }
            for r in page
        ],
    }


def _rows(request: HttpRequest, token: str) -> list[SummaryRow]:
    rows = summary_load(user=request.user, token=token)
    if rows is None:
        raise Http404
    return rows


@login_required
def summary_page(request: HttpRequest, token: str) -> HttpResponse:
    """Another page or outcome of the summary, in the same dialog."""
    rows = _rows(request, token)
    return render(request, "caretakers/add_summary.html", summary_context(request, token, rows))


@login_required
def summary_csv(request: HttpRequest, token: str) -> StreamingHttpResponse:
    """The summary's contractors with the chosen outcome (all by default) as CSV."""
    rows = _rows(request, token)
    outcome = _chosen(request)
    shown = [r for r in rows if r.outcome == outcome] if outcome else rows
    contractors = visible_contractors(viewer=request.user).in_bulk([r.contractor_id for r in shown])

    def values() -> Any:
        yield [
            str(_("Contractor code")),
            str(_("Contractor name")),
            str(_("Outcome")),
            str(_("Other caretakers in the period")),
        ]
        for r in shown:
            contractor = contractors.get(r.contractor_id)
            yield [
                contractor.code if contractor else r.contractor_id,
                contractor.name if contractor else "",
                str(OUTCOME_LABELS.get(r.outcome, r.outcome)),
                r.note,
            ]

    response = StreamingHttpResponse(csv_pieces(values()), content_type="text/csv; charset=utf-8")
    name = f"podsumowanie-{today().isoformat()}{'-' + outcome if outcome else ''}.csv"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response
