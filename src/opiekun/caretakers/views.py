"""Caretaker screens: the Dodaj opiekuna dialog (with the WARN confirmation and the
summary), the contractor's caretaker tab, and the edit / end / delete dialogs.

Thin: selectors read, services write and decide; a service's PermissionDenied
answers 403 and an unknown or invisible id 404.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.exceptions import NON_FIELD_ERRORS, PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_http_methods

from opiekun.bulk import id_list
from opiekun.caretakers.forms import AddCaretakerForm, EditAssignmentForm, EndAssignmentForm
from opiekun.caretakers.models import TYPE_LABELS, CaretakerAssignment
from opiekun.caretakers.rules import AssignmentType, ChangeKind
from opiekun.caretakers.selectors import (
    assignment_audit,
    assignment_get,
    branch_list,
    caretaker_history,
    caretaker_info,
    role_list,
)
from opiekun.caretakers.services import (
    AddResult,
    StaleConfirmation,
    assignment_delete,
    assignment_end,
    assignment_update,
    caretaker_add,
)
from opiekun.caretakers.summaries import SummaryRow, summary_save
from opiekun.caretakers.summary_views import summary_context
from opiekun.caretakers.timeline import AbsenceMark, Bar, timeline_list, timeline_svg
from opiekun.contractors.forms import add_service_errors, contractor_selection
from opiekun.contractors.views import visible_contractor
from opiekun.dates import format_date, format_period, today
from opiekun.operators.absences import AbsenceFilters, absence_list
from opiekun.operators.access import Access, can_assign, contractor_access, visible_contractors
from opiekun.operators.selectors import operator_names
from opiekun.periods import Period

TYPE_NAMES = TYPE_LABELS


def _require_assign(request: HttpRequest) -> None:
    if not can_assign(request.user):
        raise PermissionDenied


# --- Dodaj opiekuna ---------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def add_caretaker(request: HttpRequest) -> HttpResponse:
    """The dialog: the form, then either field errors, the WARN preview to confirm,
    or the summary of what was done. The list opens it by POST (``dialog=open``), so
    that a large selection of ticked ids fits; a GET works for a small one."""
    _require_assign(request)
    data = request.POST if request.method == "POST" else request.GET
    selection = contractor_selection(data, viewer=request.user)
    contractor_ids = selection.ids
    context: dict[str, Any] = {
        "selection": selection.fields,
        "selected": len(contractor_ids),
        "selection_error": selection.error,
        "selection_blocked": selection.blocked,
    }
    if request.method == "GET" or data.get("dialog") == "open":
        context["form"] = AddCaretakerForm()
        return render(request, "caretakers/add_dialog.html", context)

    form = AddCaretakerForm(request.POST)
    context["form"] = form
    if not form.is_valid() or selection.error:  # nothing is done on a selection in doubt
        return render(request, "caretakers/add_dialog.html", context)
    values = form.cleaned_data
    try:
        result = caretaker_add(
            actor=request.user,
            contractor_ids=contractor_ids,
            operator_id=values["operator_id"],
            date_from=values["date_from"],
            date_to=values["date_to"] or None,
            on_overlap=values["on_overlap"],
            type=values["type"],
            role_id=values["role_id"],
            branch_id=values["branch_id"],
            confirm_token=values["confirm_token"] or None,
            priority=values["priority"] or 0,
        )
    except ValidationError as error:
        add_service_errors(form, _named_selection_errors(request, error, contractor_ids))
        return render(request, "caretakers/add_dialog.html", context)
    except StaleConfirmation as stale:
        return _warn_dialog(request, context, stale.preview, stale=True)
    if not result.applied:
        return _warn_dialog(request, context, result, stale=False)
    return render(request, "caretakers/add_summary.html", {**context, **_summary(request, result)})


def _named_selection_errors(request: HttpRequest, error: ValidationError, ids: list[Any]) -> ValidationError:
    """The service names a refused selection by ids; the user knows contractors by code
    and name. Read-only contractors are named; the others (deleted meanwhile, never
    visible, not numbers) are counted, as telling more would tell what is hidden."""
    messages = dict(error.message_dict)
    selection = messages.pop("contractor_ids", None)
    if selection is None:
        return error
    numbers = {int(i) for i in ids if str(i).isdigit() and 0 < int(i) < 2**63}
    readable = {
        c.pk: c for c in visible_contractors(viewer=request.user).filter(pk__in=id_list(sorted(numbers)))
    }
    editable = set(
        visible_contractors(viewer=request.user, editable=True)
        .filter(pk__in=id_list(sorted(readable)))
        .values_list("pk", flat=True)
    )
    read_only = sorted((c for pk, c in readable.items() if pk not in editable), key=lambda c: c.code)
    unknown = len({str(i) for i in ids}) - len(readable)
    named: list[str] = []
    if read_only:
        shown = ", ".join(f"{c.code} {c.name}" for c in read_only[:10])
        if len(read_only) > 10:
            shown += f" (+{len(read_only) - 10})"
        named.append(_("You may only read these contractors: %(names)s") % {"names": shown})
    if unknown > 0:
        named.append(
            ngettext(
                "%(n)d selected contractor no longer exists or is not visible to you.",
                "%(n)d selected contractors no longer exist or are not visible to you.",
                unknown,
            )
            % {"n": unknown}
        )
    # Above the form, without the field's internal name (the selection is no field).
    messages[NON_FIELD_ERRORS] = [*messages.get(NON_FIELD_ERRORS, []), *(named or selection)]
    return ValidationError(messages)


def _names(request: HttpRequest, result: AddResult) -> tuple[dict[int, Any], dict[int, str]]:
    """Contractors and operator names the result mentions, in a query each."""
    ids = [r.contractor_id for r in result.results]
    contractors = {c.pk: c for c in visible_contractors(viewer=request.user).filter(pk__in=id_list(ids))}
    operator_ids = {c.operator_id for r in result.results for c in r.changes}
    operator_ids |= {s.operator_id for r in result.results for s in r.conflicts}
    return contractors, operator_names(operator_ids)


def _warn_dialog(
    request: HttpRequest, context: dict[str, Any], preview: AddResult, *, stale: bool
) -> HttpResponse:
    """Every change the confirmation would make: contractor, current caretaker, its
    period before and after."""
    contractors, operators = _names(request, preview)
    replacing = {ChangeKind.TRIMMED, ChangeKind.SPLIT, ChangeKind.REMOVED}
    changes = [
        {
            "contractor": contractors.get(r.contractor_id),
            "operator": operators.get(change.operator_id, "?"),
            "type": str(TYPE_NAMES[change.type]),
            "kind": change.kind.value,
            "before": format_period(change.before),
            "after": ", ".join(format_period(p) for p in change.after) or _("(removed)"),
        }
        for r in preview.results
        for change in r.changes
        if change.kind in replacing
    ]
    form: AddCaretakerForm = context["form"]
    confirm = QueryDict(mutable=True)
    confirm.update(form.data)
    confirm["confirm_token"] = preview.confirm_token or ""
    fields = [
        (k, v) for k in AddCaretakerForm.base_fields if k != "confirm_token" for v in confirm.getlist(k)
    ]
    return render(
        request,
        "caretakers/warn_dialog.html",
        {
            **context,
            "changes": changes,
            "stale": stale,
            "fields": fields,
            "confirm_token": preview.confirm_token,
            "affected": sum(1 for r in preview.results if r.conflicts),
        },
    )


def _summary(request: HttpRequest, result: AddResult) -> dict[str, Any]:
    """Every contractor's outcome, kept for paging, filtering and CSV (summary_views)."""
    operators = operator_names(s.operator_id for r in result.results for s in r.conflicts)
    rows = [
        SummaryRow(
            contractor_id=r.contractor_id,
            outcome=r.outcome.value,
            note="; ".join(
                f"{operators.get(s.operator_id, '?')} ({TYPE_NAMES[s.type]}, {format_period(s.period)})"
                for s in r.conflicts
            ),
        )
        for r in result.results
    ]
    return summary_context(request, summary_save(user=request.user, rows=rows), rows)


# --- the contractor's caretaker tab -----------------------------------------------


@login_required
def contractor_caretakers(request: HttpRequest, pk: int) -> HttpResponse:
    """CRM → Opiekun kontrahenta: today's caretakers, the timeline, the history and
    the audit of changes."""
    contractor = visible_contractor(request, pk)
    editable = contractor_access(viewer=request.user, contractor_id=pk) == Access.EDIT
    info = caretaker_info(viewer=request.user, contractor_id=pk)
    history = list(caretaker_history(viewer=request.user, contractor_id=pk))
    bars = [
        Bar(
            lane=f"{a.role.name}{' · ' + a.branch.code if a.branch else ''} · "
            f"{TYPE_NAMES[AssignmentType(a.type)]}",
            start=a.date_from,
            end=a.date_to,
            label=a.operator.display_name,
            deputy=a.type == AssignmentType.DEPUTY,
            operator_id=a.operator_id,
        )
        for a in sorted(history, key=lambda a: (a.role.name, a.branch_id or 0, a.type != AssignmentType.MAIN))
    ]
    return render(
        request,
        "caretakers/contractor_tab.html",
        {
            "contractor": contractor,
            "editable": editable,
            "actions": editable and can_assign(request.user),
            "tab": "caretakers",
            "info": info,
            "history": history,
            "today": today(),
            "timeline": timeline_svg(
                bars,
                today=today(),
                title=_("Caretakers of %(name)s") % {"name": contractor.name},
                described_by="timeline-list",
                absences=_absence_marks(request, history),
            )
            if bars
            else "",
            "timeline_list": timeline_list(bars),
            "audit": _audit_rows(request, pk),
        },
    )


def _absence_marks(request: HttpRequest, history: list[CaretakerAssignment]) -> list[AbsenceMark]:
    """The absences of the contractor's caretakers, drawn where they overlap their
    bars (one query; the viewer sees them, as they see the contractor)."""
    if not history:
        return []
    first = min(a.date_from for a in history)
    absences = absence_list(viewer=request.user, filters=AbsenceFilters(date_from=first)).filter(
        operator_id__in={a.operator_id for a in history}
    )
    return [AbsenceMark(a.operator_id, a.date_from, a.date_to, a.get_kind_display()) for a in absences]


def _audit_rows(request: HttpRequest, pk: int) -> list[dict[str, Any]]:
    entries = assignment_audit(viewer=request.user, contractor_id=pk)
    states = [s for e in entries for s in (e.before, e.after) if s]
    operators = operator_names(s["operator_id"] for s in states)
    roles = {r.pk: r.name for r in role_list()}
    branches = {b.pk: b.code for b in branch_list()}
    actions = {"created": _("created"), "changed": _("changed"), "deleted": _("deleted")}
    reasons = {
        "caretaker_add": _("Add caretaker"),
        "assignment_update": _("Edit caretaker"),
        "assignment_delete": _("Delete caretaker"),
        "contractor_create": _("New contractor"),
        "contractor_delete": _("Contractor deleted"),
    }

    def describe(state: dict[str, Any] | None) -> str:
        if not state:
            return ""
        parts = [
            operators.get(state["operator_id"], "?"),
            str(TYPE_NAMES.get(AssignmentType(state["type"]), state["type"])),
            roles.get(state["role_id"], "?"),
        ]
        if state["branch_id"]:
            parts.append(branches.get(state["branch_id"], "?"))
        parts.append(format_period(Period(state["date_from"], state["date_to"])))
        return ", ".join(parts)

    return [
        {
            "entry": e,
            "action": actions.get(e.action, e.action),
            "reason": reasons.get(e.reason, e.reason),
            "before": describe(e.before),
            "after": describe(e.after),
        }
        for e in entries
    ]


# --- one assignment: edit, end, delete ---------------------------------------------


def _assignment(request: HttpRequest, pk: int) -> CaretakerAssignment:
    _require_assign(request)
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
    if request.method == "POST" and form.is_valid():
        values = form.cleaned_data
        try:
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
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            return _done(request, assignment)
    return render(
        request,
        "caretakers/assignment_dialog.html",
        {
            "form": form,
            "assignment": assignment,
            "action": "edit",
            "title": _("Edit caretaker"),
            "url": reverse("caretakers:edit", kwargs={"pk": pk}),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def assignment_end_view(request: HttpRequest, pk: int) -> HttpResponse:
    assignment = _assignment(request, pk)
    form = EndAssignmentForm(request.POST if request.method == "POST" else None, assignment=assignment)
    if request.method == "POST" and form.is_valid():
        try:
            assignment_end(actor=request.user, assignment_id=pk, date_to=form.cleaned_data["date_to"])
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            return _done(request, assignment)
    return render(
        request,
        "caretakers/assignment_dialog.html",
        {
            "form": form,
            "assignment": assignment,
            "action": "end",
            "title": _("End caretaker"),
            "url": reverse("caretakers:end", kwargs={"pk": pk}),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def assignment_delete_view(request: HttpRequest, pk: int) -> HttpResponse:
    assignment = _assignment(request, pk)
    if request.method == "POST":
        assignment_delete(actor=request.user, assignment_id=pk)
        return _done(request, assignment)
    return render(
        request,
        "caretakers/assignment_dialog.html",
        {
            "form": None,
            "assignment": assignment,
            "action": "delete",
            "title": _("Delete caretaker"),
            "url": reverse("caretakers:delete", kwargs={"pk": pk}),
        },
    )
