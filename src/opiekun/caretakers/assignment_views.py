"""One assignment's dialogs: edit, end, delete.

Thin: selectors read, services write and decide; a service's PermissionDenied
answers 403 and an unknown or invisible id 404.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django import forms
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from opiekun.caretakers.forms import EditAssignmentForm, EndAssignmentForm
from opiekun.caretakers.models import CaretakerAssignment
from opiekun.caretakers.selectors import assignment_get
from opiekun.caretakers.services import assignment_delete, assignment_end, assignment_update
from opiekun.contractors.forms import add_service_errors
from opiekun.dates import format_date
from opiekun.operators.access import Access, contractor_access, require_assign


def _assignment(request: HttpRequest, pk: int) -> CaretakerAssignment:
    require_assign(request.user)
    try:
        assignment = assignment_get(viewer=request.user, assignment_id=pk)
    except CaretakerAssignment.DoesNotExist:
        raise Http404 from None
    if contractor_access(viewer=request.user, contractor_id=assignment.contractor_id) != Access.EDIT:
        raise PermissionDenied
    return assignment


def _done(request: HttpRequest, assignment: CaretakerAssignment) -> HttpResponse:
    """After a change: htmx reloads the tab; a plain form post is redirected to it."""
    url = reverse("contractors:caretakers", kwargs={"pk": assignment.contractor_id})
    if request.htmx:  # type: ignore[attr-defined]
        return HttpResponse(status=204, headers={"HX-Redirect": url})
    return redirect(url)


def _dialog(
    request: HttpRequest,
    assignment: CaretakerAssignment,
    form: forms.Form | None,
    action: str,
    title: str,
    write: Callable[[dict[str, Any]], None],
) -> HttpResponse:
    """The dialog of ``action``: on a valid post ``write`` the form's values (a
    service's ValidationError goes back onto the form), else the form again."""
    if request.method == "POST" and (form is None or form.is_valid()):
        try:
            write(form.cleaned_data if form is not None else {})
        except ValidationError as error:
            if form is None:
                raise
            add_service_errors(form, error)
        else:
            return _done(request, assignment)
    context = {
        "form": form,
        "assignment": assignment,
        "action": action,
        "title": title,
        "url": reverse(f"caretakers:{action}", kwargs={"pk": assignment.pk}),
    }
    return render(request, "caretakers/assignment_dialog.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def assignment_edit(request: HttpRequest, pk: int) -> HttpResponse:
    assignment = _assignment(request, pk)
    initial = {
        "operator_id": assignment.operator_id,
        "type": assignment.type,
        "role_id": assignment.role_id,
        "branch_id": assignment.branch_id,
        "date_from": format_date(assignment.date_from),
        "date_to": format_date(assignment.date_to),
        "priority": assignment.priority,
    }
    form = EditAssignmentForm(request.POST if request.method == "POST" else None, initial=initial)

    def update(values: dict[str, Any]) -> None:
        assignment_update(
            actor=request.user,
            assignment_id=pk,
            operator_id=values["operator_id"],
            type=values["type"],
            role_id=values["role_id"],
            branch_id=values["branch_id"],
            date_from=values["date_from"],
            date_to=values["date_to"] or None,
            priority=values["priority"] or 0,
        )

    return _dialog(request, assignment, form, "edit", _("Edit caretaker"), update)


@login_required
@require_http_methods(["GET", "POST"])
def assignment_end_view(request: HttpRequest, pk: int) -> HttpResponse:
    assignment = _assignment(request, pk)
    form = EndAssignmentForm(request.POST if request.method == "POST" else None, assignment=assignment)

    def end(values: dict[str, Any]) -> None:
        assignment_end(actor=request.user, assignment_id=pk, date_to=values["date_to"])

    return _dialog(request, assignment, form, "end", _("End caretaker"), end)


@login_required
@require_http_methods(["GET", "POST"])
def assignment_delete_view(request: HttpRequest, pk: int) -> HttpResponse:
    assignment = _assignment(request, pk)

    def delete(values: dict[str, Any]) -> None:
        assignment_delete(actor=request.user, assignment_id=pk)

    return _dialog(request, assignment, None, "delete", _("Delete caretaker"), delete)
