"""The one place that knows what "today" is and how dates are written."""

from __future__ import annotations

from datetime import date, datetime

from django.utils import timezone
from django.utils.translation import get_language

from opiekun.periods import Period

INPUT_FORMATS = ("%Y-%m-%d", "%d.%m.%Y")


def today() -> date:
    """Today in the configured time zone (Europe/Warsaw by default), not the server's UTC."""
    return timezone.localdate()


def parse_date(value: object) -> date:
    """A date from a date, ``YYYY-MM-DD`` or ``dd.mm.rrrr``; ValueError otherwise."""
    if isinstance(value, datetime):
        raise ValueError("expected a date without a time")
    if isinstance(value, date):
        return value
    if isinstance(value, str):
        text = value.strip()
        if len(text) == 10 and text[4] == text[7] == "-" and (text[:4] + text[5:7] + text[8:]).isdigit():
            return date.fromisoformat(text)  # YYYY-MM-DD, the common case, without strptime's cost
        for fmt in INPUT_FORMATS:
            try:
                return datetime.strptime(text, fmt).date()
            except ValueError:
                continue
    raise ValueError(f"not a date: {value!r}; expected YYYY-MM-DD or dd.mm.rrrr")


def format_date(value: date | None) -> str:
    """A date as office staff write it: dd.mm.rrrr in Polish, YYYY-MM-DD in English."""
    if value is None:
        return ""
    if (get_language() or "pl").startswith("pl"):
        return value.strftime("%d.%m.%Y")
    return value.isoformat()


def format_period(period: Period) -> str:
    """``01.12.2026 – 31.03.2027``; an open end is written as "…"."""
    end = format_date(period.end) if period.end else "…"
    return f"{format_date(period.start)} – {end}"
