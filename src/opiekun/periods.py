"""Period algebra on whole days, both ends inclusive; ``end=None`` is open-ended.

Pure functions of plain values, no Django: the overlap policy (caretakers/rules.py)
is built from these, and Hypothesis tests them without a database.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta
from functools import total_ordering

ONE_DAY = timedelta(days=1)


@total_ordering
@dataclass(frozen=True)
class Period:
    """``[start, end]`` in days; ``end is None`` means "until further notice".

    Ordered by start, then end, an open end sorting last (a generated ``order=True``
    would compare ``None`` with a date and fail).
    """

    start: date
    end: date | None = None

    def __post_init__(self) -> None:
        if self.end is not None and self.end < self.start:
            raise ValueError(f"period ends ({self.end}) before it starts ({self.start})")

    def _sort_key(self) -> tuple[date, bool, date]:
        return (self.start, self.end is None, self.end or self.start)

    def __lt__(self, other: object) -> bool:
        if not isinstance(other, Period):
            return NotImplemented
        return self._sort_key() < other._sort_key()

    @property
    def open_ended(self) -> bool:
        return self.end is None

    def contains_day(self, day: date) -> bool:
        return self.start <= day and (self.end is None or day <= self.end)

    def overlaps(self, other: Period) -> bool:
        """True when the two periods share at least one day."""
        return (self.end is None or other.start <= self.end) and (
            other.end is None or self.start <= other.end
        )

    def touches(self, other: Period) -> bool:
        """True when the periods share a day or one starts the day after the other ends."""
        return self.overlaps(other) or _adjacent(self, other) or _adjacent(other, self)

    def covers(self, other: Period) -> bool:
        """True when every day of ``other`` lies in ``self``."""
        if other.start < self.start:
            return False
        if self.end is None:
            return True
        return other.end is not None and other.end <= self.end

    def intersection(self, other: Period) -> Period | None:
        if not self.overlaps(other):
            return None
        return Period(max(self.start, other.start), _min_end(self.end, other.end))

    def subtract(self, other: Period) -> tuple[Period, ...]:
        """The days of ``self`` outside ``other``: zero, one or two periods, in order."""
        if not self.overlaps(other):
            return (self,)
        parts: list[Period] = []
        if self.start < other.start:
            parts.append(Period(self.start, other.start - ONE_DAY))
        # An end of date.max leaves nothing after it, even of an open-ended period.
        if other.end is not None and other.end < date.max and (self.end is None or other.end < self.end):
            parts.append(Period(other.end + ONE_DAY, self.end))
        return tuple(parts)

    def span(self, other: Period) -> Period:
        """The smallest period holding both (their union when they touch)."""
        return Period(min(self.start, other.start), _max_end(self.end, other.end))

    def days(self) -> int | None:
        """Number of days, or None when open-ended."""
        return None if self.end is None else (self.end - self.start).days + 1

    def __str__(self) -> str:
        return f"{self.start.isoformat()}..{self.end.isoformat() if self.end else ''}"


def _adjacent(first: Period, second: Period) -> bool:
    # Subtracting, not adding: ``date.max + 1 day`` would overflow.
    return first.end is not None and second.start - first.end == ONE_DAY


def _min_end(a: date | None, b: date | None) -> date | None:
    if a is None:
        return b
    if b is None:
        return a
    return min(a, b)


def _max_end(a: date | None, b: date | None) -> date | None:
    if a is None or b is None:
        return None
    return max(a, b)


def merge(periods: Iterable[Period]) -> list[Period]:
    """Normalise a set of periods: overlapping or adjacent ones become one, sorted."""
    result: list[Period] = []
    for period in sorted(periods):
        if result and result[-1].touches(period):
            result[-1] = result[-1].span(period)
        else:
            result.append(period)
    return result


def subtract_all(periods: Iterable[Period], removed: Period) -> list[Period]:
    """Every period with the days of ``removed`` taken out."""
    return [part for period in periods for part in period.subtract(removed)]


def touching_window(period: Period) -> Period:
    """The days a period overlaps or is adjacent to: one day wider on each side."""
    start = period.start - ONE_DAY if period.start > date.min else period.start
    end = None
    if period.end is not None:
        end = period.end + ONE_DAY if period.end < date.max else period.end
    return Period(start, end)
