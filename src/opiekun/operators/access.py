"""Who may see and change which contractors, and who may do what (docs/semantics.md,
"Visibility").

Every list, search, export, detail page and API endpoint goes through
`visible_contractors` / `contractor_access`; a rule that cannot be evaluated
(no operator profile, an inactive operator or user) denies.
"""

from __future__ import annotations

from datetime import date
from enum import StrEnum
from typing import Any

from django.db.models import Q, QuerySet

from opiekun.caretakers.models import CaretakerAssignment
from opiekun.contractors.models import Contractor
from opiekun.coverage.models import UncoveredPeriod
from opiekun.dates import today
from opiekun.operators.models import Operator, UnassignedAccess, Visibility


class Access(StrEnum):
    EDIT = "edit"
    READ = "read"
    NONE = "none"


def is_administrator(user: Any) -> bool:
    """An active superuser: may do everything. An inactive one may do nothing."""
    return bool(getattr(user, "is_superuser", False) and getattr(user, "is_active", False))


def operator_of(user: Any) -> Operator | None:
    """The active operator behind an active user, or None."""
    if user is None or not getattr(user, "is_authenticated", False) or not user.is_active:
        return None
    try:
        operator = user.operator
    except Operator.DoesNotExist:
        return None
    return operator if operator.active else None


def _sees_all(user: Any) -> bool:
    if is_administrator(user):
        return True
    operator = operator_of(user)
    return operator is not None and operator.visibility == Visibility.ALL


def _own_filter(operator: Operator, *, editable: bool, day: date, only: int | None = None) -> Q:
    """The own-only operator's visible (or editable) contractors; ``only``: of these,
    the one contractor (a check of one contractor reads its own rows, not the sets)."""
    # The contractors with an assignment of the operator today (main or deputy, any
    # scope): one range of the operator's index, not a probe per contractor.
    theirs = CaretakerAssignment.objects.on(day).filter(operator=operator).order_by()
    nobody = UncoveredPeriod.objects.filter(date_from__lte=day, date_to__gte=day).order_by()
    if only is not None:
        theirs = theirs.filter(contractor_id=only)
        nobody = nobody.filter(contractor_id=only)
    allowed = [UnassignedAccess.ALLOWED]
    if not editable:
        allowed.append(UnassignedAccess.READ_ONLY)
    if operator.unassigned_access in allowed:
        # "No caretaker today" (main or deputy, in any scope) is read from the derived
        # table of uncovered periods, kept by the assignments' writer: one index range.
        # The visible set is one IN over the UNION of the two ranges, so the count
        # visits only the visible contractors instead of testing every contractor
        # against an OR of two sets (docs/performance.md, "The own-only list").
        return Q(pk__in=theirs.values("contractor_id").union(nobody.values("contractor_id")))
    return Q(pk__in=theirs.values("contractor_id"))


def visible_contractors(*, viewer: Any, editable: bool = False) -> QuerySet[Contractor]:
    """The contractors ``viewer`` may see (or, with ``editable``, change)."""
    return _visible(viewer, editable=editable)


def _visible(viewer: Any, *, editable: bool, only: int | None = None) -> QuerySet[Contractor]:
    qs = Contractor.objects.all()
    if _sees_all(viewer):
        return qs
    operator = operator_of(viewer)
    if operator is None:
        return qs.none()
    return qs.filter(_own_filter(operator, editable=editable, day=today(), only=only))


def contractor_access(*, viewer: Any, contractor_id: int) -> Access:
    if _visible(viewer, editable=True, only=contractor_id).filter(pk=contractor_id).exists():
        return Access.EDIT
    if _visible(viewer, editable=False, only=contractor_id).filter(pk=contractor_id).exists():
        return Access.READ
    return Access.NONE


def can_assign(user: Any) -> bool:
    """The separate permission to add, change and remove caretakers."""
    if is_administrator(user):
        return True
    operator = operator_of(user)
    return operator is not None and operator.can_assign


def can_manage_dictionaries(user: Any) -> bool:
    if is_administrator(user):
        return True
    operator = operator_of(user)
    return operator is not None and operator.can_manage_dictionaries
