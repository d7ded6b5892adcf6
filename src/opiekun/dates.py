"""The one place that knows what "today" is and how dates are read and written.

Reading (``parse_date``) accepts, in any language, what people type:

- ``YYYY-MM-DD`` (ISO, also ``2026-1-1``): a four-digit year first;
- day, month, year in that order, separated by ``.``, ``-`` or spaces, with one- or
  two-digit day and month and a two- or four-digit year: ``01.01.2026``,
  ``1.1.2026``, ``1.01.26``, ``1 1 2026``, ``1. 1. 2026``, ``01-01-2026``.
  A two-digit year ``yy`` is ``20yy``.

Refused: a slash (``01/02/2026`` reads differently in Poland and in the US), a
missing year, a year of one or three digits, digits without separators, a date
with a time.

Writing (``format_date``, ``format_period``) follows the active language: Polish
``dd.mm.rrrr``, English ``YYYY-MM-DD``.
"""

from __future__ import annotations

import re
from datetime import date, datetime
from typing import TYPE_CHECKING

from django.utils import timezone
from django.utils.translation import get_language

if TYPE_CHECKING:
    from opiekun.periods import Period

_ISO = re.compile(r"(\d{4})-(\d{1,2})-(\d{1,2})", re.ASCII)
_DAY_FIRST = re.compile(r"(\d{1,2})(?:\s*[.-]\s*|\s+)(\d{1,2})(?:\s*[.-]\s*|\s+)(\d{4}|\d{2})\.?", re.ASCII)


def today() -> date:
    """Today in the configured time zone (Europe/Warsaw by default), not the server's UTC."""
    return timezone.localdate()


def parse_date(value: object) -> date:
    """A date from a date or from the text forms above; ValueError otherwise."""
    if isinstance(value, datetime):
        raise ValueError("expected a date without a time")
    if isinstance(value, date):
        return value
    if isinstance(value, str):
        text = value.strip()
        digits = text[:4] + text[5:7] + text[8:]
        # isascii: str.isdigit and int() also take other scripts' digits ("١٢٣٤"), which
        # the patterns below (re.ASCII) refuse.
        if len(text) == 10 and text[4] == text[7] == "-" and digits.isascii() and digits.isdigit():
            return _date(int(text[:4]), int(text[5:7]), int(text[8:]), value)  # the common case, quickly
        if match := _ISO.fullmatch(text):
            year, month, day = (int(part) for part in match.groups())
            return _date(year, month, day, value)
        if match := _DAY_FIRST.fullmatch(text):
            day, month, year = (int(part) for part in match.groups())
            if len(match.group(3)) == 2:
                year += 2000
            return _date(year, month, day, value)
    raise ValueError(f"not a date: {value!r}; expected YYYY-MM-DD or dd.mm.rrrr")


def _date(year: int, month: int, day: int, value: object) -> date:
    try:
        return date(year, month, day)
    except ValueError:
        raise ValueError(f"not a date: {value!r}") from None


def _polish() -> bool:
    return (get_language() or "pl").startswith("pl")


def format_date(value: date | None) -> str:
    """A date as the user writes it: ``dd.mm.rrrr`` in Polish, ``YYYY-MM-DD`` in English."""
    if not value:
        return ""
    if _polish():
        return polish_date(value)
    return value.isoformat()


def polish_date(value: date) -> str:
    """``dd.mm.rrrr`` with the year in four digits (``01.01.0001``), so that it reads back:
    ``strftime("%Y")`` writes year 1 as ``1``, which ``parse_date`` refuses."""
    return f"{value.day:02d}.{value.month:02d}.{value.year:04d}"


def format_period(period: Period | None) -> str:
    """``01.12.2026 – 31.03.2027``; an open end is ``…``; no period is ``—``."""
    if period is None:
        return "—"
    return f"{format_date(period.start)} – {format_date(period.end) if period.end else '…'}"


def date_placeholder() -> str:
    """The hint shown in an empty date field, in the format of ``format_date``."""
    return "dd.mm.rrrr" if _polish() else "YYYY-MM-DD"
