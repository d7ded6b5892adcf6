"""Przekazanie klientów screens: the wizard (what → to whom and when → preview →
confirm) in a dialog opened from Operatorzy, the list of handovers, a handover's
page, and its cancelling. Thin: the service decides and writes."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse, QueryDict
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from opiekun.bulk import id_list
from opiekun.caretakers.handover_forms import (
    STEP_ONE,
    STEPS,
    WHAT,
    WHOM,
    HandoverFilterForm,
    HandoverForm,
)
from opiekun.caretakers.handover_labels import outcome_labels, plan_texts
from opiekun.caretakers.handover_rules import ContractorPlan
from opiekun.caretakers.handover_selectors import (
    contractors_of_changes,
    handover_changes,
    handover_get,
    handover_list,
)
from opiekun.caretakers.models import TYPE_LABELS, Handover, HandoverChange
from opiekun.caretakers.rules import AssignmentType, OverlapPolicy
from opiekun.caretakers.selectors import branch_list, role_list
from opiekun.caretakers.services import (
    HandoverResult,
    StaleHandover,
    handover_create,
)
from opiekun.contractors.forms import add_service_errors
from opiekun.dates import format_date, format_period, parse_date, today
from opiekun.operators.access import (
    can_assign,
    require_assign,
    visible_contractors,
)
from opiekun.operators.selectors import operator_names
from opiekun.periods import Period

SHOWN = 200  # contractors listed in the wizard's preview
CHANGES_PAGE = 100  # changed assignments a page on a handover's page


# --- the wizard ---------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def handover_wizard(request: HttpRequest) -> HttpResponse:
    require_assign(request.user)
    if request.method == "GET":
        initial = {"from_operator_id": request.GET.get("from_operator_id") or None, "step": "what"}
        return _step(request, HandoverForm(initial=initial, viewer=request.user), "what")
    form = HandoverForm(_with_defaults(request.POST), viewer=request.user)
    sent = request.POST.get("step")
    sent = sent if sent in STEPS else "what"
    back = "back" in request.POST
    valid = form.is_valid()
    if back and sent != "preview":  # back to step one: what was chosen, no demands
        return _step(request, form, "what")
    # Every later step stands on step one: a hand-made request that skips it (or
    # carries a wrong operator in its hidden fields) gets step one's errors at once.
    if _step_one_wrong(form):
        return _step(request, form, "what")
    if not valid or back or sent == "what":
        return _step(request, form, "whom")
    if _require(form, ("to_operator_ids", "date")):
        return _step(request, form, "whom")
    token = form.cleaned_data["confirm_token"] if sent == "preview" else None
    try:
        result = handover_create(actor=request.user, confirm_token=token or None, **form.service_arguments())
    except ValidationError as error:
        fields = error.message_dict if hasattr(error, "error_dict") else {}
        add_service_errors(form, _onto_form(error))
        return _step(
            request, form, "what" if any(f in WHAT or f == "contractor_ids" for f in fields) else "whom"
        )
    except StaleHandover as stale:
        return _preview(request, form, stale.result, stale=True)
    if not result.applied:
        return _preview(request, form, result, stale=False)
    assert result.handover is not None
    return render(request, "handovers/done.html", {"handover": result.handover, "preview": result.preview})


def _with_defaults(data: QueryDict) -> QueryDict:
    """Step one does not send the fields of step two: they start, as in an unbound form,
    from today and "warn" (a date the user cleared is sent empty, and stays an error)."""
    data = data.copy()
    if "date" not in data:
        data["date"] = format_date(today())
    if "on_overlap" not in data:
        data["on_overlap"] = OverlapPolicy.WARN.value
    return data


def _step_one_wrong(form: HandoverForm) -> bool:
    """Step one's fields: every wrong or missing one marked; True when there is one."""
    missing = _require(form, STEP_ONE)
    return missing or any(f in form.errors for f in WHAT)


def _require(form: HandoverForm, names: tuple[str, ...]) -> bool:
    """Mark the step's required fields; True when one is empty."""
    missing = [n for n in names if n not in form.errors and form.cleaned_data.get(n) in (None, "", [])]
    for name in missing:
        form.add_error(name, _("This field is required."))
    return bool(missing)


def _onto_form(error: ValidationError) -> ValidationError:
    """The service's ``contractor_ids`` is the form's list of codes."""
    if not hasattr(error, "error_dict"):
        return error
    return ValidationError(
        {("contractor_codes" if k == "contractor_ids" else k): v for k, v in error.message_dict.items()}
    )


def _step(request: HttpRequest, form: HandoverForm, step: str) -> HttpResponse:
    """The form of step "what" or "whom" (a preview is shown only with its result)."""
    step = step if step == "what" else "whom"
    fields = WHAT if step == "what" else WHOM
    return render(
        request,
        "handovers/wizard.html",
        {
            "form": form,
            "step": step,
            "visible": [form[n] for n in fields],
            "hidden": form.hidden_values(except_=fields) if form.is_bound else [],
        },
    )


def _preview(
    request: HttpRequest, form: HandoverForm, result: HandoverResult, *, stale: bool
) -> HttpResponse:
    preview = result.preview
    plans = list(preview.results[:SHOWN])
    contractors = {
        c.pk: c
        for c in visible_contractors(viewer=request.user).filter(
            pk__in=id_list([p.contractor_id for p in plans])
        )
    }
    ids = {t.operator_id for t in preview.targets} | {c.operator_id for p in plans for c in p.changes}
    ids |= {r.operator_id for p in plans for r in p.conflicts}
    names = operator_names(ids)
    return render(
        request,
        "handovers/wizard.html",
        {
            "form": form,
            "step": "preview",
            "hidden": form.hidden_values(except_=()),
            "stale": stale,
            "confirm_token": result.confirm_token,
            "preview": preview,
            "targets": [(names.get(t.operator_id, "?"), t) for t in preview.targets],
            "rows": [_result_row(p, contractors, names) for p in plans],
            "more": preview.results_total - len(plans),
        },
    )


def _result_row(plan: ContractorPlan, contractors: dict[int, Any], names: dict[int, str]) -> dict[str, Any]:
    changes, conflicts = plan_texts(plan, names)
    return {
        "contractor": contractors.get(plan.contractor_id),
        "target": names.get(plan.target_id, "?"),
        "outcome": plan.outcome.value,
        "outcome_label": outcome_labels()[plan.outcome],
        "changes": changes,
        "conflicts": conflicts,
    }


# --- list, page, cancel ------------------------------------------------------------


@login_required
def handover_list_view(request: HttpRequest) -> HttpResponse:
    """Bad filters answer 400 with the messages on their fields and no list (never
    every handover with the filter dropped)."""
    filters = HandoverFilterForm(request.GET)
    page = None
    if filters.is_valid():
        data = filters.cleaned_data
        items = handover_list(
            viewer=request.user, operator_id=data.get("operator"), state=data.get("state") or None
        )
        page = Paginator(items, 50).get_page(request.GET.get("page"))
        for handover in page.object_list:
            handover.current_state = handover.state_on(today())
    return render(
        request,
        "handovers/list.html",
        {"filters": filters, "page": page, "today": today(), "can_assign": can_assign(request.user)},
        status=200 if page is not None else 400,
    )


def visible_handover(request: HttpRequest, pk: int) -> Handover:
    try:
        return handover_get(viewer=request.user, handover_id=pk)
    except Handover.DoesNotExist:
        raise Http404 from None


@login_required
def handover_detail_view(request: HttpRequest, pk: int) -> HttpResponse:
    handover = visible_handover(request, pk)
    handover.current_state = handover.state_on(today())  # type: ignore[attr-defined]
    # An own-only viewer sees the rows of their contractors only.
    changes = handover_changes(handover=handover, viewer=request.user)
    page = Paginator(changes, CHANGES_PAGE).get_page(request.GET.get("page"))
    records = list(page.object_list)
    contractors = contractors_of_changes(records)
    states = [(r, HandoverChange.decode(r.before), HandoverChange.decode(r.after)) for r in records]
    names = operator_names(s["operator_id"] for _record, *pair in states for s in pair if s)
    roles = {r.pk: r.name for r in role_list()}
    branches = {b.pk: b.code for b in branch_list()}

    def describe(state: dict[str, Any] | None) -> str:
        if not state:
            return "—"
        period = Period(_day(state["date_from"]), _day(state["date_to"]))
        kind = TYPE_LABELS[AssignmentType(state["type"])]
        where = roles.get(state["role_id"], "?") + (
            f" · {branches.get(state['branch_id'], '?')}" if state["branch_id"] else ""
        )
        return f"{names.get(state['operator_id'], '?')} ({kind}, {where}) {format_period(period)}"

    rows = [
        {
            "record": r,
            "contractor": contractors.get(r.contractor_id),
            "before": describe(b),
            "after": describe(a),
        }
        for r, b, a in states
    ]
    return render(
        request,
        "handovers/detail.html",
        {
            "handover": handover,
            "rows": rows,
            "page": page,
            "roles": [roles.get(i, "?") for i in handover.role_ids or []],
            "branches": [branches.get(i, "?") for i in handover.branch_ids or []],
            "types": [TYPE_LABELS[t] for t in AssignmentType if t in handover.type_list],
            "can_cancel": can_assign(request.user) and handover.cancelled_at is None,
        },
    )


def _day(value: str | None) -> Any:
    return parse_date(value) if value else None
