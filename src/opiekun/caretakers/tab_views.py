"""The contractor's caretaker tab (CRM → Opiekun kontrahenta): today's caretakers,
the timeline, the history and the audit of changes.

Thin: selectors read; an unknown or invisible contractor answers 404.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _

from opiekun.audit import Reason
from opiekun.caretakers.models import TYPE_LABELS as TYPE_NAMES
from opiekun.caretakers.models import CaretakerAssignment
from opiekun.caretakers.rules import AssignmentType
from opiekun.caretakers.selectors import (
    assignment_audit,
    branch_list,
    caretaker_history,
    caretaker_info,
    role_list,
)
from opiekun.caretakers.timeline import AbsenceMark, Bar, timeline_list, timeline_svg
from opiekun.contractors.views import visible_contractor
from opiekun.dates import format_period, today
from opiekun.operators.absences import AbsenceFilters, absence_list
from opiekun.operators.access import Access, can_assign, contractor_access
from opiekun.operators.selectors import operator_names
from opiekun.periods import Period


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
    absences = _absence_marks(request, history)
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
                absences=absences,
            )
            if bars
            else "",
            "timeline_list": timeline_list(bars, absences),
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
            **_reason(e.reason, reasons),
            "before": describe(e.before),
            "after": describe(e.after),
        }
        for e in entries
    ]


def _reason(recorded: str, named: dict[str, str]) -> dict[str, str]:
    """The trail's reason in words (``reason``), and the page it names (``reason_url``):
    ``handover:4`` is the handover no. 4 and links to it, ``handover_cancel:4`` its
    cancelling, ``import:plik.csv`` the import of that file (audit.reason)."""
    kind, _colon, detail = recorded.partition(":")
    if kind in (Reason.HANDOVER, Reason.HANDOVER_CANCEL) and detail.isdigit():
        text = _("handover no. %(id)s") if kind == Reason.HANDOVER else _("cancelling of handover no. %(id)s")
        url = reverse("handovers:detail", args=[int(detail)])
        return {"reason": text % {"id": detail}, "reason_url": url}
    if kind == Reason.IMPORT and detail:
        return {"reason": _("import of %(file)s") % {"file": detail}}
    return {"reason": named.get(recorded, recorded)}
