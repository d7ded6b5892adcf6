"""Nieobecności: the list of absences with filters, a month calendar per operator,
and the add / edit / delete forms. Thin: `operators.absences` reads and writes."""

from __future__ import annotations

import calendar
from datetime import date, timedelta
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from opiekun.contractors.forms import add_service_errors
from opiekun.dates import format_date, today
from opiekun.ids import to_id
from opiekun.operators.absence_forms import AbsenceFilterForm, AbsenceForm
from opiekun.operators.absences import (
    AbsenceFilters,
    absence_create,
    absence_delete,
    absence_get,
    absence_list,
    absence_update,
    can_manage_absences,
    may_edit_absences_of,
)
from opiekun.operators.access import operator_of
from opiekun.operators.models import Absence
from opiekun.operators.selectors import operator_list

PAGE_SIZE = 50


@login_required
def absence_list_view(request: HttpRequest) -> HttpResponse:
    form = AbsenceFilterForm(request.GET)
    page = None
    if form.is_valid():
        data = form.cleaned_data
        rows = absence_list(
            viewer=request.user,
            filters=AbsenceFilters(
                operator_id=data["operator"],
                date_from=data["date_from"],
                date_to=data["date_to"],
                kind=data["kind"] or None,
            ),
        )
        page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
        for absence in page.object_list:
            absence.editable = may_edit_absences_of(request.user, absence.operator_id)
    own = operator_of(request.user)
    return render(
        request,
        "operators/absences.html",
        {
            "form": form,
            "page": page,
            "may_add": own is not None or can_manage_absences(request.user),
            "own": own,
        },
        status=200 if page is not None else 400,  # bad filters: the messages, no list
    )


def _month(text: str) -> date | None:
    """The first day of the month ``YYYY-MM`` (empty: this month); None if it is not one."""
    if not text:
        day = today()
        return date(day.year, day.month, 1)
    try:
        year, month = (int(part) for part in text.split("-"))
        if not 1 < year < 9999:  # the months around it must exist too
            raise ValueError(text)
        return date(year, month, 1)
    except (ValueError, TypeError):
        return None


@login_required
def absence_calendar_view(request: HttpRequest) -> HttpResponse:
    """One operator's month: every day, the absent ones marked with their kind."""
    own = operator_of(request.user)
    operators = list(operator_list(active=True))
    errors = []  # a bad month or operator: said, answered 400, this month or the default shown
    asked = request.GET.get("operator", "")
    chosen = own.pk if own and not asked else (to_id(asked) or 0)
    operator = next((o for o in operators if o.pk == chosen), None)
    if asked and operator is None:
        errors.append(_("Unknown operator %(id)s.") % {"id": asked})
    operator = operator or next((o for o in operators if own and o.pk == own.pk), None)
    operator = operator or (operators[0] if operators else None)
    first = _month(request.GET.get("month", ""))
    if first is None:
        errors.append(_("Enter the month as YYYY-MM."))
        first = _month("")
        assert first is not None
    last = date(first.year, first.month, calendar.monthrange(first.year, first.month)[1])
    absences = (
        list(
            absence_list(
                viewer=request.user,
                filters=AbsenceFilters(operator_id=operator.pk, date_from=first, date_to=last),
            )
        )
        if operator
        else []
    )
    weeks: list[list[dict[str, Any] | None]] = []
    week: list[dict[str, Any] | None] = [None] * first.weekday()
    day = first
    while day <= last:
        absence = next((a for a in absences if a.date_from <= day <= a.date_to), None)
        week.append({"day": day, "absence": absence, "today": day == today(), "weekend": day.weekday() >= 5})
        if len(week) == 7:
            weeks.append(week)
            week = []
        day += timedelta(days=1)
    if week:
        weeks.append(week + [None] * (7 - len(week)))
    previous = first - timedelta(days=1)
    following = last + timedelta(days=1)
    return render(
        request,
        "operators/absence_calendar.html",
        {
            "operators": operators,
            "operator": operator,
            "month": first,
            "weeks": weeks,
            "absences": absences,
            "previous": f"{previous.year}-{previous.month:02d}",
            "next": f"{following.year}-{following.month:02d}",
            "weekdays": [_("Mon"), _("Tue"), _("Wed"), _("Thu"), _("Fri"), _("Sat"), _("Sun")],
            "errors": errors,
        },
        status=400 if errors else 200,
    )


def _editable_absence(request: HttpRequest, pk: int) -> Absence:
    try:
        absence = absence_get(viewer=request.user, absence_id=pk)
    except Absence.DoesNotExist:
        raise Http404 from None
    if not may_edit_absences_of(request.user, absence.operator_id):
        raise PermissionDenied
    return absence


@login_required
@require_http_methods(["GET", "POST"])
def absence_create_view(request: HttpRequest) -> HttpResponse:
    if operator_of(request.user) is None and not can_manage_absences(request.user):
        raise PermissionDenied
    form = AbsenceForm(request.POST or None, actor=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            absence_create(actor=request.user, **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("The absence was saved."))
            return redirect("absences:list")
    return render(request, "operators/absence_form.html", {"form": form, "absence": None})


@login_required
@require_http_methods(["GET", "POST"])
def absence_edit_view(request: HttpRequest, pk: int) -> HttpResponse:
    absence = _editable_absence(request, pk)
    initial = {
        "operator_id": absence.operator_id,
        "date_from": format_date(absence.date_from),
        "date_to": format_date(absence.date_to),
        "kind": absence.kind,
        "note": absence.note,
    }
    form = AbsenceForm(
        request.POST if request.method == "POST" else None, initial=initial, actor=request.user
    )
    if request.method == "POST" and form.is_valid():
        try:
            absence_update(actor=request.user, absence_id=pk, **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("The absence was saved."))
            return redirect("absences:list")
    return render(request, "operators/absence_form.html", {"form": form, "absence": absence})


@login_required
@require_http_methods(["GET", "POST"])
def absence_delete_view(request: HttpRequest, pk: int) -> HttpResponse:
    absence = _editable_absence(request, pk)
    if request.method == "POST":
        absence_delete(actor=request.user, absence_id=pk)
        messages.success(request, _("The absence was deleted."))
        return redirect("absences:list")
    return render(request, "operators/absence_delete.html", {"absence": absence})
