"""The dictionaries: caretaker roles and company branches — lists for everyone,
add and edit for those with the permission to manage dictionaries.

Without it the lists are read-only and every add / edit URL answers 403, GET or
POST: the service would refuse the write anyway (`role_save` / `branch_save`
check the permission themselves); the view refuses before showing a form that
could not be saved.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Model
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from opiekun.caretakers import selectors
from opiekun.caretakers.dictionary_forms import BranchForm, RoleForm
from opiekun.caretakers.models import Branch, CaretakerRole
from opiekun.caretakers.services import branch_save, role_save
from opiekun.contractors.forms import add_service_errors
from opiekun.operators.access import can_manage_dictionaries


@login_required
def role_list(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "dictionaries/roles.html",
        {
            "roles": selectors.role_list(),
            "editable": can_manage_dictionaries(request.user),
        },
    )


@login_required
def branch_list(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "dictionaries/branches.html",
        {
            "branches": selectors.branch_list(),
            "editable": can_manage_dictionaries(request.user),
        },
    )


def _edit(
    request: HttpRequest,
    *,
    form_class: type[forms.Form],
    instance: Model | None,
    fields: tuple[str, ...],
    save: Callable[..., Model],
    list_url: str,
    title: str,
) -> HttpResponse:
    """The add / edit form of one dictionary entry, saved through its service."""
    if not can_manage_dictionaries(request.user):
        raise PermissionDenied
    initial = {name: getattr(instance, name) for name in fields} if instance else None
    form = form_class(request.POST if request.method == "POST" else None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            saved = save(**form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("Saved: %(name)s.") % {"name": saved})
            return redirect(list_url)
    return render(
        request,
        "dictionaries/form.html",
        {
            "form": form,
            "title": title,
            "list_url": list_url,
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def role_edit(request: HttpRequest, pk: int | None = None) -> HttpResponse:
    role = get_object_or_404(CaretakerRole, pk=pk) if pk is not None else None

    def save(**data: Any) -> CaretakerRole:
        return role_save(actor=request.user, role_id=pk, **data)

    return _edit(
        request,
        form_class=RoleForm,
        instance=role,
        fields=("name", "is_default", "active"),
        save=save,
        list_url="dictionaries:roles",
        title=_("Edit role %(name)s") % {"name": role.name} if role else _("New caretaker role"),
    )


@login_required
@require_http_methods(["GET", "POST"])
def branch_edit(request: HttpRequest, pk: int | None = None) -> HttpResponse:
    branch = get_object_or_404(Branch, pk=pk) if pk is not None else None

    def save(**data: Any) -> Branch:
        return branch_save(actor=request.user, branch_id=pk, **data)

    return _edit(
        request,
        form_class=BranchForm,
        instance=branch,
        fields=("code", "name", "active"),
        save=save,
        list_url="dictionaries:branches",
        title=(_("Edit branch %(code)s") % {"code": branch.code} if branch else _("New company branch")),
    )
