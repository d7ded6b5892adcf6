"""Nadchodzące zmiany: the page, and the top bar's badge. Thin: the form reads the
filters, the selector reads."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from opiekun.notices.forms import UpcomingFilterForm
from opiekun.notices.selectors import label_rows, upcoming_count, upcoming_rows
from opiekun.operators.selectors import operator_names

PAGE_SIZE = 100


@login_required
def upcoming(request: HttpRequest) -> HttpResponse:
    form = UpcomingFilterForm(request.GET or None, viewer=request.user)
    page, filters = None, None
    if not form.is_bound or form.is_valid():
        if not form.is_bound:
            form = UpcomingFilterForm({}, viewer=request.user)
            form.is_valid()
        filters = form.filters()
        page = Paginator(upcoming_rows(viewer=request.user, filters=filters), PAGE_SIZE).get_page(
            request.GET.get("page")
        )
        rows = list(page.object_list)
        names = operator_names(
            [row["operator_id"] for row in rows]
            + [row["stands_in_for"] for row in rows if row["kind"] == "acting"]
        )
        label_rows(rows, names)
    return render(
        request,
        "notices/upcoming.html",
        {"form": form, "page": page, "filters": filters},
        status=200 if page is not None else 400,
    )


def badge(request: HttpRequest) -> HttpResponse:
    """The top bar's badge, the user's own upcoming changes, loaded after the page
    (base.html): every page would otherwise wait for its count queries. Nothing when
    there are none, or when the session has ended (no login page swapped into the bar)."""
    count = upcoming_count(viewer=request.user) if request.user.is_authenticated else 0
    return render(request, "notices/badge.html", {"count": count})
