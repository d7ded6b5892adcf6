"""Kontrahenci wg opiekuna (docs/semantics.md, "Reading"): the report screen and its CSV / XLSX export.

Thin: `ReportFilterForm` checks the query string, `assignment_list` reads through the
viewer's visibility, `exports` writes the file. The export takes the very filters and
sorting of the screen, over all pages.
"""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from opiekun.caretakers.exports import ASSIGNMENT_COLUMNS, ExportFormat, export_response
from opiekun.caretakers.report_forms import ReportFilterForm
from opiekun.caretakers.selectors import assignment_list
from opiekun.dates import today
from opiekun.operators.access import operator_of

PAGE_SIZE = 50
SORTABLE = [
    ("contractor", _("Contractor")),
    ("operator", _("Operator")),
    ("type", _("Type")),
    ("role", _("Role")),
    ("date_from", _("Date from")),
    ("date_to", _("Date to")),
]


def _page(request: HttpRequest, form: ReportFilterForm, status: int = 200) -> HttpResponse:
    page, sort = None, ""
    if form.is_valid():
        filters = form.filters()
        rows = assignment_list(viewer=request.user, filters=filters)
        page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
        sort = filters.ordering
    return render(
        request,
        "reports/by_caretaker.html",
        {
            "form": form,
            "page": page,
            "sort": sort,
            "columns": SORTABLE,
        },
        status=status,
    )


@login_required
def by_caretaker(request: HttpRequest) -> HttpResponse:
    """Opened without filters, the report shows the viewer's own contractors, with
    that filter in the address so that sorting, paging and export keep it."""
    if not request.GET:
        own = operator_of(request.user)
        if own is not None:
            return redirect(f"{reverse('reports:by_caretaker')}?operator={own.pk}")
    return _page(request, ReportFilterForm(request.GET, viewer=request.user))


@login_required
def by_caretaker_export(request: HttpRequest, fmt: str) -> HttpResponseBase:
    """The current view as a file; bad filters answer 400 with the screen and its errors."""
    form = ReportFilterForm(request.GET, viewer=request.user)
    if not form.is_valid():
        return _page(request, form, status=400)
    return export_response(
        assignment_list(viewer=request.user, filters=form.filters()),
        ASSIGNMENT_COLUMNS,
        fmt=ExportFormat(fmt),
        filename=f"kontrahenci-wg-opiekuna-{today().isoformat()}",
    )
