"""Template helpers: the UI's date format and query-string building."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from django import template
from django.http import QueryDict
from django.utils import timezone
from django.utils.formats import number_format

from opiekun.dates import format_date
from opiekun.operators.access import can_assign

register = template.Library()


@register.filter
def day(value: date | None) -> str:
    """A date as office staff write it: dd.mm.rrrr in Polish, YYYY-MM-DD in English."""
    return format_date(value)


@register.filter
def grouped(value: int) -> str:
    """A number with the language's thousands separator (``1 300 000``, ``1,300,000``):
    how an estimate reads as a round figure."""
    return number_format(value, force_grouping=True)


@register.filter
def moment(value: datetime | None) -> str:
    """A point in time in the user's date format and local time: ``28.11.2026 21:05``."""
    if not value:
        return ""
    local = timezone.localtime(value)
    return f"{format_date(local.date())} {local:%H:%M}"


@register.simple_tag(takes_context=True)
def query(context: Any, **changes: Any) -> str:
    """The current query string with some parameters replaced (None drops one)."""
    params: QueryDict = context["request"].GET.copy()
    for key, value in changes.items():
        params.pop(key, None)
        if value is not None and value != "":
            params[key] = str(value)
    encoded = params.urlencode()
    return f"?{encoded}" if encoded else "?"


@register.simple_tag(name="date_placeholder")
def date_hint() -> str:
    """How a date field is filled in the user's language: ``dd.mm.rrrr``, ``YYYY-MM-DD``."""
    from opiekun.dates import date_placeholder

    return date_placeholder()


@register.simple_tag
def today_iso() -> str:
    from opiekun.dates import today

    return today().isoformat()


@register.filter
def may_assign(user: Any) -> bool:
    """Whether ``user`` may change caretakers: the menu leaves out what they may not open."""
    return can_assign(user)
