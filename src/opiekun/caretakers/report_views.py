"""Kontrahenci wg opiekuna (DESIGN §4): the report screen and its CSV / XLSX export.

Thin: `ReportFilterForm` checks the query string, `assignment_list` reads through the
viewer's visibility, `exports` writes the file. The export takes the very filters and
sorting of the screen, over all pages. Past ``EXPORT_BACKGROUND_ROWS`` rows the file is
written in the background (`export_jobs`) and the browser follows its progress.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from opiekun.caretakers.export_jobs import REPORTS, export_job_get, export_job_start
from opiekun.caretakers.exports import (
    ASSIGNMENTS_REPORT,
    XLSX_CONTENT_TYPE,
    ExportFormat,
    export_response,
)
from opiekun.caretakers.report_forms import ReportFilterForm
from opiekun.caretakers.selectors import assignment_list
from opiekun.dates import today
from opiekun.operators.selectors import operator_of

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


def _more_than(rows: QuerySet[Any], limit: int) -> bool:
    """Whether the query has more than ``limit`` rows, reading at most ``limit + 1``."""
    return rows.order_by()[: limit + 1].count() > limit


@login_required
def by_caretaker_export(request: HttpRequest, fmt: str) -> HttpResponseBase:
    """The current view as a file; bad filters answer 400 with the screen and its errors.
    A large one is handed to a background job and the answer is its progress page."""
    form = ReportFilterForm(request.GET, viewer=request.user)
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
