"""Reads of operators. Who may see what is in `opiekun.operators.access`."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.db.models import Q, QuerySet
from django.utils import timezone

from opiekun.operators.models import ApiToken, Operator, display_name, sorted_name


def operator_list(*, active: bool | None = None) -> QuerySet[Operator]:
    qs = Operator.objects.select_related("user")
    if active is not None:
        # Active means both the profile and the user; inactive is either one off.
        usable = Q(active=True, user__is_active=True)
        qs = qs.filter(usable if active else ~usable)
    return qs.order_by("user__last_name", "user__first_name", "user__username")


# What a name is made of: read as values, not as operators and users (a page names
# dozens of operators; building the models cost more than the query).
NAME_PARTS = ("user__first_name", "user__last_name", "user__username")


def operator_names(ids: Iterable[int | None]) -> dict[int, str]:
    """Display names of the given operators, in one query."""
    wanted = {i for i in ids if i}
    if not wanted:
        return {}
    rows = Operator.objects.filter(pk__in=wanted).values_list("pk", *NAME_PARTS)
    return {pk: display_name(*parts) for pk, *parts in rows}


def operator_choices(
    *, active: bool | None = None, by_surname: bool = False, inactive_mark: str = ""
) -> list[tuple[int, str]]:
    """(id, name) of `operator_list`'s operators, in its order, for a form's select:
    "Imię Nazwisko", or "Nazwisko Imię" ``by_surname``; an operator whose profile is
    inactive is "name (``inactive_mark``)" when a mark is given."""
    name = sorted_name if by_surname else display_name
    rows = operator_list(active=active).values_list("pk", "active", *NAME_PARTS)
    return [
        (pk, name(*parts) if is_active or not inactive_mark else f"{name(*parts)} ({inactive_mark})")
        for pk, is_active, *parts in rows
    ]


def token_list(*, user: Any, live: bool | None = None) -> QuerySet[ApiToken]:
    """A user's own API tokens, newest first; ``live`` keeps only the usable ones (not
    revoked, not expired) or, False, only the others."""
    qs = ApiToken.objects.filter(user=user)
    if live is not None:
        usable = Q(revoked_at__isnull=True, expires_at__gt=timezone.now())
        qs = qs.filter(usable if live else ~usable)
    return qs.order_by("-created_at", "-id")
