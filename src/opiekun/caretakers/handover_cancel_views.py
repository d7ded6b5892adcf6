"""Cancelling a handover from its page: a dialog that confirms, or says why the
cancel is refused and lists the contractors whose caretakers changed since."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from opiekun.bulk import id_list
from opiekun.caretakers.handover_selectors import handover_changes
from opiekun.caretakers.handover_views import SHOWN, visible_handover
from opiekun.caretakers.models import Handover
from opiekun.caretakers.services import CancelRefused, handover_cancel
from opiekun.operators.access import require_assign, visible_contractors


@login_required
@require_http_methods(["GET", "POST"])
def handover_cancel_view(request: HttpRequest, pk: int) -> HttpResponse:
    require_assign(request.user)
    handover = visible_handover(request, pk)
    context: dict[str, Any] = {"handover": handover}
    if request.method == "POST":
        try:
            handover_cancel(actor=request.user, handover_id=pk)
        except CancelRefused as refused:
            changed = _changed_contractors(request, handover, refused.changed)
            context.update(error=str(refused), changed=changed)
        except ValidationError as error:
            context["error"] = " ".join(error.message_dict.get(NON_FIELD_ERRORS, error.messages))
        else:
            messages.success(request, _("Handover #%(id)s was cancelled.") % {"id": pk})
            url = reverse("handovers:detail", kwargs={"pk": pk})
            if request.htmx:  # type: ignore[attr-defined]
                return HttpResponse(status=204, headers={"HX-Redirect": url})
            return redirect(url)
    return render(request, "handovers/cancel_dialog.html", context)


def _changed_contractors(request: HttpRequest, handover: Handover, changed: tuple[int, ...]) -> list[Any]:
    """The contractors (those the user may see) of the assignments in the way of a cancel."""
    records = handover_changes(handover=handover).filter(assignment_id__in=id_list(changed))
    ids = records.values("contractor_id")
    return list(visible_contractors(viewer=request.user).filter(pk__in=ids).order_by("code")[:SHOWN])
