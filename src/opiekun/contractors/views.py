"""Contractor screens: the list (Kontrahenci) and the contractor form. Thin: the
selectors read, the services write, the forms carry values."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from opiekun.contractors.forms import ContractorFilterForm, ContractorForm, add_service_errors
from opiekun.contractors.models import Contractor
from opiekun.contractors.selectors import contractor_get, contractor_list
from opiekun.contractors.services import EDITABLE_FIELDS, contractor_create, contractor_update
from opiekun.operators.access import Access, can_assign, contractor_access
from opiekun.operators.selectors import operator_names

PAGE_SIZE = 50


@login_required
def contractor_list_view(request: HttpRequest) -> HttpResponse:
    filters = ContractorFilterForm(request.GET)
    kwargs = filters.selector_kwargs()
    contractors = contractor_list(viewer=request.user, **kwargs)
    page = Paginator(contractors, PAGE_SIZE).get_page(request.GET.get("page"))
    names = operator_names(c.main_caretaker_id for c in page.object_list)
    for c in page.object_list:
        c.main_caretaker_display = names.get(c.main_caretaker_id, "")
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
                ("caretaker", _("Main caretaker")),
            ],
        },
    )


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
