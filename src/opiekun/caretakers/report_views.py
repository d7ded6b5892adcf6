"""Kontrahenci wg opiekuna (docs/semantics.md, "Reading"): the report screen and its CSV / XLSX export.

Thin: `ReportFilterForm` checks the query string, `assignment_list` reads through the
viewer's visibility, `exports` writes the file. The export takes the very filters and
sorting of the screen, over all pages.
"""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse, HttpResponseBase, JsonResponse
from django.shortcuts import render
from django.utils.translation import gettext_lazy as _

from opiekun.caretakers.exports import ASSIGNMENT_COLUMNS, ExportFormat, export_response
from opiekun.caretakers.report_forms import ReportFilterForm
from opiekun.caretakers.selectors import assignment_list
from opiekun.contractors.selectors import contractor_list
from opiekun.dates import today

PAGE_SIZE = 50
SUGGESTIONS = 10
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
    asked = bool(request.GET)
    if asked and form.is_valid():
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
            "asked": asked,
        },
        status=status,
    )


@login_required
def by_caretaker(request: HttpRequest) -> HttpResponse:
    """Opened without filters, the report shows the empty filters and asks for one:
    no filter is chosen for the user (the operator starts empty, "Wyczyść" comes
    back here)."""
    return _page(request, ReportFilterForm(request.GET or None, viewer=request.user))


@login_required
def contractor_suggestions(request: HttpRequest) -> JsonResponse:
    """The contractor filter's autocomplete: up to 10 contractors the viewer may see
    whose code, name or NIP contains ``q`` (the contractors list's search)."""
    text = request.GET.get("q", "").strip()[:100]
    if not text or "\x00" in text:  # no database takes a NUL in a string
        return JsonResponse({"results": []})
    rows = contractor_list(viewer=request.user, search=text).order_by("code").values("code", "name", "nip")
    return JsonResponse({"results": list(rows[:SUGGESTIONS])})


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
