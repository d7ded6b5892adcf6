"""Klienci bez opiekuna: the report screen and its CSV / XLSX export. Thin: the form
checks the query string, `gap_list` reads through the viewer's visibility, the
export helpers write the file (the very filters and sorting of the screen)."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import render
from django.utils.translation import gettext_lazy as _

from opiekun.caretakers.exports import ExportFormat, export_response
from opiekun.coverage.exports import ACTING_GAPS_REPORT, GAPS_REPORT
from opiekun.coverage.forms import GapFilterForm
from opiekun.coverage.selectors import gap_list, gaps_today_count
from opiekun.dates import today
from opiekun.operators.selectors import operator_names

PAGE_SIZE = 50
SORTABLE = [
    ("contractor", _("Contractor")),
    ("date_from", _("Without a main caretaker from")),
    ("date_to", _("until")),
    ("last_operator", _("Cared for last by")),
]
# Absences considered, a gap may have its main caretaker (absent): the columns say so.
ACTING_SORTABLE = [
    (key, _("Without an acting caretaker from") if key == "date_from" else label) for key, label in SORTABLE
]


def _page(request: HttpRequest, form: GapFilterForm) -> HttpResponse:
    """The screen; bad filters answer 400 with the messages on their fields and no rows,
    as Nadchodzące zmiany does (never the report with a filter dropped)."""
    page, sort, window, acting = None, "", None, False
    if form.is_valid():
        filters = form.filters()
        page = Paginator(gap_list(viewer=request.user, filters=filters), PAGE_SIZE).get_page(
            request.GET.get("page")
        )
        names = operator_names(c.gap_last_operator_id for c in page.object_list)
        for c in page.object_list:
            c.gap_last_operator_display = names.get(c.gap_last_operator_id, "")
        sort, window, acting = filters.ordering, filters.window, filters.consider_absences
    columns = ACTING_SORTABLE if acting else SORTABLE
    return render(
        request,
        "coverage/gaps.html",
        {"form": form, "page": page, "sort": sort, "window": window, "columns": columns, "acting": acting},
        status=200 if page is not None else 400,
    )


@login_required
def gaps(request: HttpRequest) -> HttpResponse:
    return _page(request, GapFilterForm(request.GET))


@login_required
def gaps_export(request: HttpRequest, fmt: str) -> HttpResponseBase:
    """The current view as a file; bad filters answer 400 with the screen and its errors."""
    form = GapFilterForm(request.GET)
    if not form.is_valid():
        return _page(request, form)
    filters = form.filters()
    report = ACTING_GAPS_REPORT if filters.consider_absences else GAPS_REPORT
    return export_response(
        gap_list(viewer=request.user, filters=filters, with_names=True),
        report,
        fmt=ExportFormat(fmt),
        filename=f"{report.filename}-{today().isoformat()}",
    )


def today_link(request: HttpRequest) -> HttpResponse:
    """ "Bez opiekuna: N" on the contractors list, loaded after the list
    (contractors/list.html): the list does not wait for the count. Nothing once the
    session has ended."""
    if not request.user.is_authenticated:
        return HttpResponse("")
    count = gaps_today_count(viewer=request.user)
    return render(request, "coverage/today_link.html", {"count": count, "day": today()})
