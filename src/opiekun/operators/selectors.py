"""Who may see and change which contractors (DESIGN §5).

Every list, search, export, detail page and API endpoint goes through
`visible_contractors` / `contractor_access`; a rule that cannot be evaluated
(no operator profile, an inactive operator) denies.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from enum import StrEnum
from typing import Any

from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils import timezone

from opiekun.caretakers.models import CaretakerAssignment
from opiekun.contractors.models import Contractor
from opiekun.dates import today
from opiekun.operators.models import ApiToken, Operator, UnassignedAccess, Visibility


class Access(StrEnum):
    EDIT = "edit"
    READ = "read"
    NONE = "none"


def operator_of(user: Any) -> Operator | None:
    """The active operator behind a user, or None."""
    if user is None or not getattr(user, "is_authenticated", False) or not user.is_active:
        return None
    try:
        operator = user.operator
    except Operator.DoesNotExist:
        return None
    return operator if operator.active else None


def _sees_all(user: Any) -> bool:
    if getattr(user, "is_superuser", False) and user.is_active:
        return True
    operator = operator_of(user)
    return operator is not None and operator.visibility == Visibility.ALL


def _own_filter(operator: Operator, *, editable: bool, day: date) -> Q:
    current = CaretakerAssignment.objects.on(day).filter(contractor=OuterRef("pk"))
    mine = Exists(current.filter(operator=operator))
    allowed = [UnassignedAccess.ALLOWED]
    if not editable:
        allowed.append(UnassignedAccess.READ_ONLY)
    if operator.unassigned_access in allowed:
        return Q(mine) | ~Q(Exists(current))
    return Q(mine)


def visible_contractors(*, viewer: Any, editable: bool = False) -> QuerySet[Contractor]:
    """The contractors ``viewer`` may see (or, with ``editable``, change)."""
    qs = Contractor.objects.all()
    if _sees_all(viewer):
        return qs
    operator = operator_of(viewer)
    if operator is None:
        return qs.none()
    return qs.filter(_own_filter(operator, editable=editable, day=today()))


def contractor_access(*, viewer: Any, contractor_id: int) -> Access:
    if visible_contractors(viewer=viewer, editable=True).filter(pk=contractor_id).exists():
        return Access.EDIT
    if visible_contractors(viewer=viewer).filter(pk=contractor_id).exists():
        return Access.READ
    return Access.NONE


def can_assign(user: Any) -> bool:
    """The separate permission to add, change and remove caretakers."""
    if getattr(user, "is_superuser", False) and user.is_active:
        return True
    operator = operator_of(user)
    return operator is not None and operator.can_assign


def can_manage_dictionaries(user: Any) -> bool:
    if getattr(user, "is_superuser", False) and user.is_active:
        return True
    operator = operator_of(user)
    return operator is not None and operator.can_manage_dictionaries


def operator_list(*, active: bool | None = None) -> QuerySet[Operator]:
    qs = Operator.objects.select_related("user")
    if active is not None:
        # Active means both the profile and the user; inactive is either one off.
        usable = Q(active=True, user__is_active=True)
        qs = qs.filter(usable if active else ~usable)
    return qs.order_by("user__last_name", "user__first_name", "user__username")


def operator_names(ids: Iterable[int | None]) -> dict[int, str]:
    """Display names of the given operators, in one query."""
    wanted = {i for i in ids if i}
    if not wanted:
        return {}
    return {o.pk: o.display_name for o in operator_list().filter(pk__in=wanted)}


def token_list(*, user: Any, live: bool | None = None) -> QuerySet[ApiToken]:
    """A user's own API tokens, newest first; ``live`` keeps only the usable ones (not
    revoked, not expired) or, False, only the others."""
    qs = ApiToken.objects.filter(user=user)
    if live is not None:
        usable = Q(revoked_at__isnull=True, expires_at__gt=timezone.now())
        qs = qs.filter(usable if live else ~usable)
    return qs.order_by("-created_at", "-id")
