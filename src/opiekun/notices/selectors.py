"""Upcoming changes (Nadchodzące zmiany): what changes for an operator in the next
days, through the viewer's visibility.

Today's kinds: ``starts`` (an assignment's first day) and ``ends`` (its last day),
within today … today + N days. The contract has room for three more kinds, which
arrive with their features: ``handover_in`` / ``handover_out`` (a portfolio handed
to or from the operator on its effective date) and ``acting`` (the operator will act
for a colleague's contractors during an absence). Each is one more queryset of the
same shape added to `_sources` — the seam — and nothing else changes: the page, the
API and the digest read `upcoming_changes` only.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db.models import CharField, F, IntegerField, QuerySet, Value
from django.utils.translation import gettext as _

from opiekun.caretakers.models import CaretakerAssignment
from opiekun.dates import today
from opiekun.operators.access import is_administrator, operator_of, visible_contractors
from opiekun.operators.models import Visibility

DEFAULT_DAYS = 14
MAX_DAYS = 366
KINDS = ("starts", "ends", "handover_in", "handover_out", "acting")
FIELDS = (
    "kind",
    "day",
    "contractor_id",
    "operator_id",
    "assignment_id",
    "handover_id",
    "contractor_code",
    "contractor_name",
)


@dataclass(frozen=True)
class UpcomingFilters:
    days: int = DEFAULT_DAYS
    operator_id: int | None = None  # None: the viewer's own (a manager: everyone's)
    start: date | None = None  # None: today


def is_manager(viewer: Any) -> bool:
    """A manager sees every contractor, and so everyone's upcoming changes."""
    if is_administrator(viewer):
        return True
    operator = operator_of(viewer)
    return operator is not None and operator.visibility == Visibility.ALL


def whose(viewer: Any, operator_id: int | None) -> int | None:
    """The operator whose changes the viewer asks for (None: everyone's, managers
    only). Others may ask only for their own."""
    if is_manager(viewer):
        return operator_id
    own = operator_of(viewer)
    if own is None:
        raise PermissionDenied(_("Only operators have upcoming changes."))
    if operator_id is not None and operator_id != own.pk:
        raise PermissionDenied(_("You may see only your own upcoming changes."))
    return own.pk


def _assignment_changes(rows: QuerySet[CaretakerAssignment], first: date, last: date) -> list[QuerySet[Any]]:
    def shaped(kind: str, field: str) -> QuerySet[Any]:
        return (
            rows.filter(**{f"{field}__gte": first, f"{field}__lte": last})
            .annotate(
                kind=Value(kind, output_field=CharField()),
                day=F(field),
                assignment_id=F("id"),
                handover_id=Value(None, output_field=IntegerField()),
                contractor_code=F("contractor__code"),
                contractor_name=F("contractor__name"),
            )
            .values(*FIELDS)
            .order_by()
        )

    return [shaped("starts", "date_from"), shaped("ends", "date_to")]


# The seam: handovers and acting add their querysets here (same FIELDS).
_sources: list[Callable[[QuerySet[CaretakerAssignment], date, date], list[QuerySet[Any]]]] = [
    _assignment_changes
]


def upcoming_changes(*, viewer: Any, filters: UpcomingFilters) -> QuerySet[Any]:
    """Rows (dicts of FIELDS) of the changes within ``start`` … ``start + days``, by
    day, then kind, then contractor code; for the operator `whose` names."""
    operator_id = whose(viewer, filters.operator_id)
    first = filters.start or today()
    last = first + timedelta(days=filters.days)
    rows = CaretakerAssignment.objects.all()
    visible = visible_contractors(viewer=viewer)
    if visible.query.has_filters():
        rows = rows.filter(contractor__in=visible.values("pk"))
    if operator_id is not None:
        rows = rows.filter(operator_id=operator_id)
    parts = [qs for source in _sources for qs in source(rows, first, last)]
    combined = parts[0].union(*parts[1:], all=True) if len(parts) > 1 else parts[0]
    return combined.order_by("day", "kind", "contractor_code", "assignment_id")


def upcoming_count(*, viewer: Any) -> int:
    """The top bar's badge: the viewer's own upcoming changes (what their digest says)."""
    own = operator_of(viewer)
    if own is None:
        return 0
    return upcoming_changes(viewer=viewer, filters=UpcomingFilters(operator_id=own.pk)).count()


def upcoming_for_operator(
    *, operator_user: Any, start: date, days: int = DEFAULT_DAYS
) -> list[dict[str, Any]]:
    """An operator's own changes as they themselves may see them (the digest)."""
    own = operator_of(operator_user)
    if own is None:
        return []
    return list(
        upcoming_changes(
            viewer=operator_user, filters=UpcomingFilters(days=days, operator_id=own.pk, start=start)
        )
    )
