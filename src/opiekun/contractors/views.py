"""Contractor screens: the list (Kontrahenci) and the contractor form. Thin: the
selectors read, the services write, the forms carry values."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from opiekun.caretakers.acting import ActingReason
from opiekun.caretakers.models import TYPE_LABELS
from opiekun.caretakers.resolving import resolved_today
from opiekun.caretakers.rules import AssignmentType
from opiekun.contractors.forms import (
    DEFAULT_PAGE_SIZE,
    PAGE_SIZES,
    SELECTION_FILTERS,
    ContractorFilterForm,
    ContractorForm,
    add_service_errors,
)
from opiekun.contractors.lookalikes import same_nip
from opiekun.contractors.models import Contractor
from opiekun.contractors.selectors import (
    CaretakersToday,
    caretakers_today,
    contractor_get,
    contractor_list,
    contractor_list_count,
    contractor_list_estimate,
    held_today,
)
from opiekun.contractors.services import EDITABLE_FIELDS, contractor_create, contractor_update
from opiekun.dates import format_date
from opiekun.operators.access import Access, can_assign, contractor_access, count_estimate_from
from opiekun.operators.selectors import operator_names
from opiekun.paging import EstimatingPaginator

# The user's choices for the list, kept in the session: rows per page, and whether
# the deputies column is shown.
LIST_PREFERENCES = "contractors.list"


def _preferences(request: HttpRequest, filters: ContractorFilterForm) -> dict[str, Any]:
    stored = request.session.get(LIST_PREFERENCES, {})
    prefs = {"page_size": DEFAULT_PAGE_SIZE, "deputies": False, **stored}
    filters.is_valid()  # cleaned_data then holds every valid field
    chosen = filters.cleaned_data.get("page_size")
    if chosen:
        prefs["page_size"] = chosen
    if request.GET.get("deputies") in ("0", "1"):
        prefs["deputies"] = request.GET["deputies"] == "1"
    if prefs != {"page_size": DEFAULT_PAGE_SIZE, "deputies": False, **stored}:  # only what the user chose
        request.session[LIST_PREFERENCES] = prefs
    return prefs


@login_required
def contractor_list_view(request: HttpRequest) -> HttpResponse:
    filters = ContractorFilterForm(request.GET)
    kwargs = filters.selector_kwargs()
    prefs = _preferences(request, filters)
    # An invalid filter shows its error and no contractors, never all of them.
    contractors = (
        contractor_list(viewer=request.user, **kwargs) if kwargs is not None else Contractor.objects.none()
    )
    size = prefs["page_size"]
    paginator = EstimatingPaginator(contractors, size, estimate_from=count_estimate_from(request.user))
    if kwargs is not None:  # read off the caretaker's assignments when that is exact
        filter_kwargs = {k: v for k, v in kwargs.items() if k != "ordering"}
        known = contractor_list_count(viewer=request.user, **filter_kwargs)
        if known is None:  # a million unfiltered: the planner's estimate, corrected as any
            known = contractor_list_estimate(viewer=request.user, **filter_kwargs)
            paginator.estimated = known is not None
        if known is not None:
            paginator.count = known
        elif kwargs.get("search") and not paginator.counts_with_page:
            # Counted or estimated: a search by name may sort its few matches.
            paginator.object_list = contractor_list(viewer=request.user, matches=paginator.count, **kwargs)
    page = paginator.get_page(request.GET.get("page"))
    rows = list(page.object_list)
    role = filters.column_role()
    caretakers = caretakers_today([c.pk for c in rows], role_id=role.pk if role else None)
    names = operator_names(o for ct in caretakers.values() for o in (ct.main, *ct.deputies))
    _add_acting(rows, role_id=role.pk if role else None)
    for c in rows:
        current = caretakers.get(c.pk) or CaretakersToday()
        c.main_caretaker_display = names.get(current.main or 0, "")
        c.deputies_display = ", ".join(names.get(o, "?") for o in current.deputies)
    if kwargs and kwargs.get("caretaker_id"):  # why each row is there: the caretaker's own rows
        _add_held(rows, kwargs["caretaker_id"], role_id=kwargs.get("role_id"))
    role_name = role.name if role else _("no default role")
    columns = [
        ("code", _("Code"), True),
        ("name", _("Name"), True),
        ("nip", _("NIP"), True),
        ("city", _("City"), True),
        ("caretaker", _("Main caretaker (%(role)s)") % {"role": role_name}, False),
    ]
    if prefs["deputies"]:
        columns.append(("deputies", _("Deputies (%(role)s)") % {"role": role_name}, False))
    errors = [
        f"{filters.fields[name].label}: {message}" if name in filters.fields else str(message)
        for name, messages in filters.errors.items()
        for message in messages
    ]
    return render(
        request,
        "contractors/list.html",
        {
            "filters": filters,
            "filter_errors": errors,
            "page": page,
            "estimated": paginator.estimated,
            "rows": rows,
            "sort": (kwargs or {}).get("ordering", "code"),
            "can_assign": can_assign(request.user),
            "columns": columns,
            "deputies": prefs["deputies"],
            "page_size": prefs["page_size"],
            "page_sizes": PAGE_SIZES,
            "keep": [(k, v) for k, v in request.GET.items() if k not in ("page", "page_size")],
            "selection_filters": [(k, request.GET.get(k, "")) for k in SELECTION_FILTERS],
            "selection_key": urlencode([(k, request.GET.get(k, "")) for k in SELECTION_FILTERS]),
        },
        status=200 if kwargs is not None else 400,  # a bad filter: its error, no contractors
    )


def _add_held(contractors: list[Any], operator_id: int, *, role_id: int | None) -> None:
    """``held_as``: how the caretaker filtered on cares for each listed contractor
    today ("Opiekun prawny · Zastępca"), with their name (``held_by``)."""
    held = held_today(operator_id, [c.pk for c in contractors], role_id=role_id)
    name = operator_names([operator_id]).get(operator_id, "")
    for contractor in contractors:
        contractor.held_by = name
        contractor.held_as = ", ".join(
            " · ".join(filter(None, (role, str(TYPE_LABELS[AssignmentType(kind)]), branch)))
            for role, kind, branch in held.get(contractor.pk, [])
        )


def _add_acting(contractors: Any, *, role_id: int | None) -> None:
    """Today's acting caretaker of each listed contractor (default role, or the role
    filtered on; no branch), with what the mark says: whom a deputy stands in for and
    until when, or until when the main caretaker is away. Three queries a page (a fourth
    while a deputy stands in past today: `resolve_scopes` reads the rows starting later)."""
    rows = list(contractors)
    answers = resolved_today([c.pk for c in rows], role_id=role_id)
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
            _warn_same_nip(request, contractor)
            return redirect("contractors:edit", pk=contractor.pk)
    return render(
        request,
        "contractors/form.html",
        {"form": form, "contractor": None, "editable": True, "tab": "general"},
    )


def _warn_same_nip(request: HttpRequest, contractor: Contractor) -> None:
    """Saved, but another contractor has the same NIP: say which (not an error)."""
    codes = same_nip(viewer=request.user, contractor=contractor)
    if codes:
        messages.warning(request, _("The same NIP is held by: %(codes)s.") % {"codes": ", ".join(codes)})


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
                _warn_same_nip(request, contractor_get(viewer=request.user, contractor_id=pk))
                return redirect("contractors:edit", pk=pk)
    if not editable:
        for field in form.fields.values():
            field.disabled = True
    return render(
        request,
        "contractors/form.html",
        {"form": form, "contractor": contractor, "editable": editable, "tab": "general"},
    )
