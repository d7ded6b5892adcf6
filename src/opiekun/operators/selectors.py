"""Reads of operators. Who may see what is in `opiekun.operators.access`."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.db.models import Q, QuerySet
from django.utils import timezone

from opiekun.operators.models import ApiToken, Operator


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
