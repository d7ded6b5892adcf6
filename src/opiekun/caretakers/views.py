"""Caretaker screens: the Dodaj opiekuna dialog, with the WARN confirmation and the
summary. The contractor's caretaker tab is in `tab_views`, the edit / end / delete
dialogs in `assignment_views`.

Thin: selectors read, services write and decide; a service's PermissionDenied
answers 403 and an unknown or invisible id 404.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_http_methods

from opiekun.bulk import id_list
from opiekun.caretakers.add_preview import SummaryRows, dialog_window, warn_dialog, warn_more
from opiekun.caretakers.forms import AddCaretakerForm
from opiekun.caretakers.models import TYPE_LABELS
from opiekun.caretakers.services import (
    StaleConfirmation,
    caretaker_add,
)
from opiekun.caretakers.summaries import summary_save
from opiekun.caretakers.summary_views import summary_context
from opiekun.contractors.forms import add_service_errors, contractor_selection
from opiekun.ids import to_id
from opiekun.operators.access import require_assign, visible_contractors

TYPE_NAMES = TYPE_LABELS


# --- Dodaj opiekuna ---------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def add_caretaker(request: HttpRequest) -> HttpResponse:
    """The dialog: the form, then either field errors, the WARN preview to confirm,
    or the summary of what was done. The list opens it by POST (``dialog=open``), so
    that a large selection of ticked ids fits; a GET works for a small one."""
    require_assign(request.user)
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
    window, more = dialog_window(request)
    summary = SummaryRows()
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
            window=window,
            on_result=summary.add,
            preview_only=more is not None,  # "show more" of a preview never writes
        )
    except ValidationError as error:
        add_service_errors(form, _named_selection_errors(request, error, contractor_ids))
        return render(request, "caretakers/add_dialog.html", context)
    except StaleConfirmation as stale:
        return warn_dialog(request, context, stale.preview, stale=True)
    if more is not None:
        return warn_more(request, result, more)
    if not result.applied:
        return warn_dialog(request, context, result, stale=False)
    return render(request, "caretakers/add_summary.html", {**context, **_summary(request, summary)})


def _named_selection_errors(request: HttpRequest, error: ValidationError, ids: list[Any]) -> ValidationError:
    """The service names a refused selection by ids; the user knows contractors by code
    and name. Read-only contractors are named; the others (deleted meanwhile, never
    visible, not numbers) are counted, as telling more would tell what is hidden."""
    messages = dict(error.message_dict)
    selection = messages.pop("contractor_ids", None)
    if selection is None:
        return error
    numbers = {number for number in map(to_id, ids) if number is not None}
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


def _summary(request: HttpRequest, summary: SummaryRows) -> dict[str, Any]:
    """Every contractor's outcome, kept for paging, filtering and CSV (summary_views)."""
    rows = summary.rows()
    return summary_context(request, summary_save(user=request.user, rows=rows), rows)
