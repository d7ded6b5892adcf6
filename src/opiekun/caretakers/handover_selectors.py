"""Reads of handovers (Przekazanie klientów), through the viewer's visibility: an
operator who sees only their own contractors sees a handover only if it touched a
contractor they may see."""

from __future__ import annotations

from typing import Any

from django.db.models import Exists, OuterRef, Q, QuerySet

from opiekun.caretakers.models import Handover, HandoverChange, HandoverState, HandoverTarget
from opiekun.contractors.models import Contractor
from opiekun.dates import today
from opiekun.ids import to_id
from opiekun.operators.access import visible_contractor_filter, visible_contractors


def _visible(viewer: Any) -> QuerySet[Handover]:
    qs = Handover.objects.all()
    visible = visible_contractors(viewer=viewer)
    if visible.query.has_filters():
        touched = HandoverChange.objects.filter(
            handover=OuterRef("pk"), contractor_id__in=visible.values("pk")
        )
        qs = qs.filter(Exists(touched))
    return qs


def handover_list(
    *, viewer: Any, operator_id: int | None = None, state: str | None = None
) -> QuerySet[Handover]:
    """Newest first. ``operator_id``: handovers from or to that operator; ``state``:
    planned, in force (on today) or cancelled."""
    qs = _visible(viewer)
    if operator_id is not None:
        to_them = HandoverTarget.objects.filter(handover=OuterRef("pk"), operator_id=operator_id)
        qs = qs.filter(Q(from_operator_id=operator_id) | Q(Exists(to_them)))
    if state == HandoverState.CANCELLED:
        qs = qs.filter(cancelled_at__isnull=False)
    elif state == HandoverState.PLANNED:
        qs = qs.filter(cancelled_at__isnull=True, date__gt=today())
    elif state == HandoverState.IN_FORCE:
        qs = qs.filter(cancelled_at__isnull=True, date__lte=today())
    return (
        qs.select_related("from_operator__user", "created_by", "cancelled_by")
        .prefetch_related("targets__operator__user")
        .order_by("-created_at", "-id")
    )


def handover_get(*, viewer: Any, handover_id: object) -> Handover:
    """One visible handover; DoesNotExist otherwise."""
    pk = to_id(handover_id)
    if pk is None:
        raise Handover.DoesNotExist
    return handover_list(viewer=viewer).get(pk=pk)


def hide_unseen_contractors(*, viewer: Any, handovers: list[Handover]) -> list[Handover]:
    """For a viewer who may not see every contractor, each handover's ``contractor_ids``
    (the contractors its request named) as ``shown_contractor_ids``, cut to those the
    viewer may see — an id of a contractor one may not see is listed nowhere — in one
    query for all of them. The totals stay the record's, as on the handover's page."""
    visible = visible_contractors(viewer=viewer)
    named = {pk for h in handovers for pk in h.contractor_ids or ()}
    if not named or not visible.query.has_filters():
        return handovers
    seen = set(visible.filter(pk__in=sorted(named)).values_list("pk", flat=True))
    for handover in handovers:
        if handover.contractor_ids is not None:
            handover.shown_contractor_ids = [pk for pk in handover.contractor_ids if pk in seen]  # type: ignore[attr-defined]
    return handovers


def handover_changes(*, handover: Handover, viewer: Any = None) -> QuerySet[HandoverChange]:
    """The rows a handover wrote, by contractor; read after `handover_get`. With
    ``viewer``, only those of the contractors the viewer may see."""
    changes = handover.changes.order_by("contractor_id", "assignment_id")
    visible = visible_contractor_filter(viewer=viewer) if viewer is not None else None
    return changes.filter(visible) if visible is not None else changes


def contractors_of_changes(changes: list[HandoverChange]) -> dict[int, Contractor]:
    """The contractors of some of a handover's rows (already read for a viewer who may
    see them), by id."""
    return Contractor.objects.in_bulk(sorted({c.contractor_id for c in changes}))
