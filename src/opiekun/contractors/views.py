"""Contractor screens: the list (Kontrahenci) and the contractor form. Thin: the
selectors read, the services write, the forms carry values."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from opiekun.caretakers.acting import ActingReason, ScopeDay, resolve_scopes
from opiekun.caretakers.selectors import default_role_id
from opiekun.contractors.forms import ContractorFilterForm, ContractorForm, add_service_errors
from opiekun.contractors.models import Contractor
from opiekun.contractors.selectors import contractor_get, contractor_list
from opiekun.contractors.services import EDITABLE_FIELDS, contractor_create, contractor_update
from opiekun.dates import format_date, today
from opiekun.operators.access import Access, can_assign, contractor_access
from opiekun.operators.selectors import operator_names

PAGE_SIZE = 50


@login_required
def contractor_list_view(request: HttpRequest) -> HttpResponse:
    filters = ContractorFilterForm(request.GET)
    kwargs = filters.selector_kwargs()
    contractors = contractor_list(viewer=request.user, **kwargs)
    page = Paginator(contractors, PAGE_SIZE).get_page(request.GET.get("page"))
    _add_acting(page.object_list, role_id=kwargs["role_id"])
    return render(
        request,
        "contractors/list.html",
        {
            "filters": filters,
            "page": page,
            "sort": kwargs["ordering"],
            "can_assign": can_assign(request.user),
            "columns": [
                ("code", _("Code")),
                ("name", _("Name")),
                ("nip", _("NIP")),
                ("city", _("City")),
                ("caretaker", _("Caretaker")),
            ],
        },
    )


def _add_acting(contractors: Any, *, role_id: int | None) -> None:
    """Today's acting caretaker of each listed contractor (default role, or the role
    filtered on; no branch), with what the mark says: whom a deputy stands in for and
    until when, or until when the main caretaker is away. Three queries a page."""
    day = today()
    role = role_id or default_role_id()
    rows = list(contractors)
    answers = resolve_scopes([ScopeDay(c.pk, role, None, day) for c in rows]) if role else []
    names = operator_names(h.operator_id for a in answers for h in (a.main, a.acting.holder) if h is not None)
    for contractor, answer in zip(rows, answers, strict=True):
        acting, main = answer.acting, answer.main
        contractor.acting_name = names.get(acting.holder.operator_id, "") if acting.holder else ""
        contractor.acting_mark = ""
        if acting.reason == ActingReason.MAIN_ABSENT and main is not None:
            contractor.acting_mark = _("acts for %(name)s until %(date)s") % {
                "name": names.get(main.operator_id, ""),
                "date": format_date(acting.until),
            }
        elif main is not None and acting.holder is None:
            contractor.acting_name = names.get(main.operator_id, "")
            contractor.acting_mark = _("absent until %(date)s") % {
                "date": format_date(acting.main_absent_until)
            }
    for contractor in rows[len(answers) :]:
        contractor.acting_name, contractor.acting_mark = "", ""


@login_required
def contractor_create_view(request: HttpRequest) -> HttpResponse:
    form = ContractorForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            contractor = contractor_create(actor=request.user, **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("Contractor %(code)s was created.") % {"code": contractor.code})
            return redirect("contractors:edit", pk=contractor.pk)
    return render(
        request,
        "contractors/form.html",
        {"form": form, "contractor": None, "editable": True, "tab": "general"},
    )


def visible_contractor(request: HttpRequest, pk: int) -> Contractor:
    """The contractor if the user may see it; a 404 otherwise (never a hint that it exists)."""
    try:
        return contractor_get(viewer=request.user, contractor_id=pk)
    except Contractor.DoesNotExist:
        raise Http404 from None


@login_required
def contractor_edit_view(request: HttpRequest, pk: int) -> HttpResponse:
    contractor = visible_contractor(request, pk)
    editable = contractor_access(viewer=request.user, contractor_id=pk) == Access.EDIT
    initial = {name: getattr(contractor, name) for name in EDITABLE_FIELDS}
    form = ContractorForm(request.POST if request.method == "POST" else None, initial=initial)
    if request.method == "POST":
        if not editable:
            raise PermissionDenied
        if form.is_valid():
            try:
                contractor_update(actor=request.user, contractor_id=pk, **form.cleaned_data)
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                messages.success(request, _("Changes saved."))
                return redirect("contractors:edit", pk=pk)
    if not editable:
        for field in form.fields.values():
            field.disabled = True
    return render(
        request,
        "contractors/form.html",
        {"form": form, "contractor": contractor, "editable": editable, "tab": "general"},
    )
