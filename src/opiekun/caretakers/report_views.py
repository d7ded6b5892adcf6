"""Kontrahenci wg opiekuna (docs/semantics.md, "Reading"): the report screen and its CSV / XLSX export.

Thin: `ReportFilterForm` checks the query string, `assignment_list` reads through the
viewer's visibility, `exports` writes the file. The export takes the very filters and
sorting of the screen, over all pages. Past ``EXPORT_BACKGROUND_ROWS`` rows the file is
written in the background (`export_jobs`) and the browser follows its progress.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.paginator import Page, Paginator
from django.db.models import QuerySet
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, HttpResponseBase, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.formats import number_format
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from opiekun.bulk import id_list
from opiekun.caretakers.acting import ActedFor, acted_for_rows
from opiekun.caretakers.export_jobs import REPORTS, export_job_get, export_job_start
from opiekun.caretakers.exports import (
    ASSIGNMENTS_REPORT,
    XLSX_CONTENT_TYPE,
    ExportFormat,
    export_response,
)
from opiekun.caretakers.report_forms import DEFAULT_SORT, ReportFilterForm
from opiekun.caretakers.selectors import ORDERINGS_BY_INDEX, assignment_list, branch_list, role_list
from opiekun.contractors.selectors import contractor_list
from opiekun.dates import today
from opiekun.operators.access import count_estimate_from, visible_contractors
from opiekun.operators.selectors import operator_names
from opiekun.paging import EstimatingPaginator

PAGE_SIZE = 50
# A list longer than this is not sorted by a column no index reads in order (operator,
# contractor, type, role, last day): that sort reads and orders every row, seconds at
# a million (docs/semantics.md, "Counts of long lists").
SORT_UP_TO = 100_000
SUGGESTIONS = 10
SORTABLE = [
    ("contractor", _("Contractor")),
    ("operator", _("Operator")),
    ("type", _("Type")),
    ("role", _("Role")),
    ("date_from", _("Date from")),
    ("date_to", _("Date to")),
]


def _acted_for_page(request: HttpRequest, form: ReportFilterForm) -> Page[Any]:
    """The page asked for of the periods the chosen operator acted for an absent main
    caretaker (a query for the count, one for the page), its rows with the names a
    reader needs (a query for each kind of name)."""
    data = form.cleaned_data
    periods = acted_for_rows(
        viewer=request.user,
        operator_id=data["operator"],
        date_from=data["date_from"],
        date_to=data["date_to"],
    )
    page: Page[Any] = Paginator(periods, PAGE_SIZE).get_page(request.GET.get("page"))
    found: list[ActedFor] = list(page.object_list)
    contractors = {
        c.pk: c
        for c in visible_contractors(viewer=request.user).filter(
            pk__in=id_list([a.contractor_id for a in found])
        )
    }
    names = operator_names({a.operator_id for a in found} | {a.stands_in_for for a in found})
    roles = {r.pk: r.name for r in role_list()}
    branches = {b.pk: b.name for b in branch_list()}
    page.object_list = [
        {
            "contractor": contractors.get(a.contractor_id),
            "operator": names.get(a.operator_id, ""),
            "stands_in_for": names.get(a.stands_in_for, ""),
            "role": roles.get(a.role_id, ""),
            "branch": branches.get(a.branch_id, "") if a.branch_id else "",
            "date_from": a.period.start,
            "date_to": a.period.end,
        }
        for a in found
    ]
    return page


def _unsorted(ordering: str, paginator: EstimatingPaginator) -> str:
    """Why a list is not sorted as asked: too long to sort by that column."""
    values = {
        "column": dict(SORTABLE)[ordering.removeprefix("-")],
        "limit": number_format(SORT_UP_TO, force_grouping=True),
        "total": number_format(paginator.count, force_grouping=True),
    }
    if paginator.estimated:
        message = gettext(
            "Sorting by “%(column)s” is offered for lists of up to %(limit)s assignments, and this one "
            "holds about %(total)s, so it is shown newest first. Narrow the filter (an operator, a "
            "contractor, a role) to sort it by that column."
        )
    else:
        message = gettext(
            "Sorting by “%(column)s” is offered for lists of up to %(limit)s assignments, and this one "
            "holds %(total)s, so it is shown newest first. Narrow the filter (an operator, a "
            "contractor, a role) to sort it by that column."
        )
    return message % values


def _page(request: HttpRequest, form: ReportFilterForm, status: int = 200) -> HttpResponse:
    page: Any = None
    sort, acting, estimated, unsorted = "", False, False, ""
    asked = bool(request.GET)
    if asked and form.is_valid() and form.acted_for:
        acting = True
        page = _acted_for_page(request, form)
    elif asked and form.is_valid():
        filters = form.filters()
        rows = assignment_list(viewer=request.user, filters=filters)
        paginator = EstimatingPaginator(rows, PAGE_SIZE, estimate_from=count_estimate_from(request.user))
        if filters.ordering not in ORDERINGS_BY_INDEX and paginator.count > SORT_UP_TO:
            unsorted = _unsorted(filters.ordering, paginator)
            filters = replace(filters, ordering=DEFAULT_SORT)
            paginator.object_list = assignment_list(viewer=request.user, filters=filters)
        if filters.ordering not in ORDERINGS_BY_INDEX:  # sorted whole: join only the page's rows
            paginator.ids_first_from = 0
        page = paginator.get_page(request.GET.get("page"))
        sort, estimated = filters.ordering, paginator.estimated
    return render(
        request,
        "reports/by_caretaker.html",
        {
            "form": form,
            "page": page,
            "sort": sort,
            "columns": SORTABLE,
            "asked": asked,
            "acted_for": acting,
            "estimated": estimated,
            "unsorted": unsorted,
        },
        status=400 if asked and not form.is_valid() else status,  # as every screen answers a bad filter
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


def _more_than(rows: QuerySet[Any], limit: int) -> bool:
    """Whether the query has more than ``limit`` rows, reading at most ``limit + 1``."""
    return rows.order_by()[: limit + 1].count() > limit


@login_required
def by_caretaker_export(request: HttpRequest, fmt: str) -> HttpResponseBase:
    """The current view as a file; bad filters answer 400 with the screen and its errors.
    A large one is handed to a background job and the answer is its progress page."""
    form = ReportFilterForm(request.GET, viewer=request.user)
    if form.is_valid() and form.acted_for:
        form.add_error("mode", gettext("The export holds assignments; show them to export."))
    if not form.is_valid():
        return _page(request, form, status=400)
    rows = assignment_list(viewer=request.user, filters=form.filters())
    export_format = ExportFormat(fmt)
    filename = f"kontrahenci-wg-opiekuna-{today().isoformat()}"
    if _more_than(rows, settings.EXPORT_BACKGROUND_ROWS[export_format.value]):
        job = export_job_start(
            user=request.user, report="by_caretaker", query=request.GET, fmt=export_format, filename=filename
        )
        return redirect("reports:export_job", job_id=job.id)
    return export_response(rows, ASSIGNMENTS_REPORT, fmt=export_format, filename=filename)


@login_required
def export_job(request: HttpRequest, job_id: str) -> HttpResponse:
    """A background export's progress, then its download; only for who started it."""
    job = export_job_get(user=request.user, job_id=job_id)
    if job is None:
        raise Http404
    back = reverse("reports:by_caretaker") + (f"?{job.query}" if job.query else "")
    return render(
        request,
        "reports/export_job.html",
        {"job": job, "title": REPORTS[job.report][0].title, "back": back},
    )


@login_required
def export_job_download(request: HttpRequest, job_id: str) -> FileResponse:
    job = export_job_get(user=request.user, job_id=job_id)
    if job is None or not job.done:
        raise Http404
    content_type = XLSX_CONTENT_TYPE if job.format == ExportFormat.XLSX else "text/csv; charset=utf-8"
    return FileResponse(
        job.file.open("rb"), as_attachment=True, filename=job.download_name, content_type=content_type
    )
