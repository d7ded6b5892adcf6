"""Template helpers: the UI's date format and query-string building."""

from __future__ import annotations

from datetime import date
from typing import Any

from django import template
from django.http import QueryDict

from opiekun.dates import format_date

register = template.Library()


@register.filter
def day(value: date | None) -> str:
    """A date as office staff write it: dd.mm.rrrr in Polish, YYYY-MM-DD in English."""
    return format_date(value)


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
