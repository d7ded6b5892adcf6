"""The acting caretaker's rule (docs/semantics.md, "Absences and the acting caretaker").

For a scope (contractor, role, branch) on day d: the main caretaker, unless absent
on d; then the first deputy of the scope on d who is not absent (deputies ordered by
priority, then date_from, then id); else nobody. A scope without a main caretaker
on d has nobody acting: deputies stand in for a main caretaker, not for no one.

Pure functions of plain values, no Django: `caretakers.acting` loads what they need
set-based, and every screen, report and API endpoint goes through it.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import date, timedelta
from enum import StrEnum

from opiekun.caretakers.rules import AssignmentType
from opiekun.periods import Period, merge

ONE_DAY = timedelta(days=1)


class ActingReason(StrEnum):
    MAIN = "main"  # the main caretaker acts: present on d
    MAIN_ABSENT = "main_absent"  # the main caretaker is absent; a deputy stands in
    NONE = "none"  # nobody acts: no main on d, or the main and every deputy absent


@dataclass(frozen=True)
class Holder:
    """An assignment as plain values: who holds the scope, how, when, in which order."""

    assignment_id: int
    operator_id: int
    type: AssignmentType
    period: Period
    priority: int = 0

    @property
    def deputy_order(self) -> tuple[int, date, int]:
        return (self.priority, self.period.start, self.assignment_id)


@dataclass(frozen=True)
class Acting:
    holder: Holder | None  # the acting caretaker's assignment, or None
    reason: ActingReason
    stands_in_for: int | None = None  # the absent main caretaker's operator id
    # When the main caretaker is absent on d: the last day of that absence (absences
    # that follow one another without a gap count as one).
    main_absent_until: date | None = None
    # A deputy standing in: their last day of it, as far as the scope's rows of d tell
    # (`_stands_in_until`).
    deputy_until: date | None = None

    @property
    def until(self) -> date | None:
        """How long the deputy stands in (None unless a deputy does)."""
        return self.deputy_until if self.reason == ActingReason.MAIN_ABSENT else None


def absent_until(periods: Sequence[Period], day: date) -> date | None:
    """The last day of the absence covering ``day`` and of every absence that follows
    it without a gap; None when ``day`` is not a day of absence. ``periods`` are one
    operator's absences (they never overlap), in any order."""
    end: date | None = None
    for period in sorted(periods):
        if end is None:
            if period.contains_day(day):
                end = period.end
        elif period.start - end == ONE_DAY:
            end = period.end
        elif period.start > end:
            break
    return end


def acting_on(
    main: Holder | None,
    deputies: Iterable[Holder],
    absences: Mapping[int, Sequence[Period]],
    day: date,
) -> Acting:
    """Who acts for a scope on ``day``. ``main`` and ``deputies`` are the scope's
    assignments in force on ``day``; ``absences`` the operators' absences by operator
    id (those of operators not in it are present)."""

    def absent(operator_id: int) -> bool:
        return any(p.contains_day(day) for p in absences.get(operator_id, ()))

    if main is None:
        return Acting(None, ActingReason.NONE)
    if not absent(main.operator_id):
        return Acting(main, ActingReason.MAIN)
    until = absent_until(absences.get(main.operator_id, ()), day)
    ahead: list[Holder] = []  # the deputies before this one, absent on d
    for deputy in sorted(deputies, key=lambda d: d.deputy_order):
        if not absent(deputy.operator_id):
            last = _stands_in_until(main, deputy, ahead, absences, day, until)
            return Acting(deputy, ActingReason.MAIN_ABSENT, main.operator_id, until, last)
        ahead.append(deputy)
    return Acting(None, ActingReason.NONE, None, until)


def _stands_in_until(
    main: Holder,
    deputy: Holder,
    ahead: Sequence[Holder],
    absences: Mapping[int, Sequence[Period]],
    day: date,
    main_back: date | None,
) -> date | None:
    """The deputy's last day of standing in from ``day``: the earliest of the end of the
    main caretaker's absence, of the main's or the deputy's assignment, the day before
    the deputy's next absence, and the last day away of a deputy ahead of them who comes
    back to the scope. It was the end of the main's absence alone: a deputy whose row
    (or the main's) ended sooner was shown standing in past it. A row of the scope that
    starts later is not among the rows of ``day``: `with_later_rows` adds what they change."""
    ends = [e for e in (main_back, main.period.end, deputy.period.end) if e is not None]
    ends += [p.start - ONE_DAY for p in absences.get(deputy.operator_id, ()) if p.start > day]
    for other in ahead:
        back = absent_until(absences.get(other.operator_id, ()), day)
        if back is not None and (other.period.end is None or other.period.end > back):
            ends.append(back)
    return min(ends, default=None)


def with_later_rows(
    acting: Acting,
    rows: Iterable[Holder],
    later: Iterable[Holder],
    absences: Mapping[int, Sequence[Period]],
    day: date,
) -> Acting:
    """`acting_on`'s answer for ``day`` from the scope's ``rows`` in force on it, with a
    deputy's `until` made the last day of the same stand-in (the same deputy's row for
    the same absent main) as `acting_periods` finds it from every row of the scope:
    ``later`` are its rows that start after ``day``. A deputy ahead whose row starts
    later takes over on its first day present, which the rows of ``day`` cannot tell
    (``until`` was then late); the main's next row of the same operator, still away,
    continues the stand-in. The stand-in ends by the end of the main's absence at the
    latest, so the rows starting after that change nothing."""
    last = acting.main_absent_until
    if acting.reason != ActingReason.MAIN_ABSENT or last is None:
        return acting
    starting = [h for h in later if day < h.period.start <= last]
    if not starting:
        return acting
    window = Period(day, last)
    (period, found), *_ = acting_periods([*rows, *starting], absences, window)
    assert (found.holder, found.stands_in_for) == (acting.holder, acting.stands_in_for)
    return replace(acting, deputy_until=period.end)


def acting_periods(
    holders: Iterable[Holder], absences: Mapping[int, Sequence[Period]], window: Period
) -> list[tuple[Period, Acting]]:
    """Who acted for one scope on each day of ``window`` (bounded), as maximal periods
    of one acting caretaker and reason, from `acting_on` evaluated wherever anything
    changes (an assignment or an absence of one of its holders starts or ends; the
    other operators' absences change nothing here)."""
    assert window.end is not None, "the window must be bounded"
    rows = list(holders)
    edges = {window.start}
    theirs = [p for operator_id in {h.operator_id for h in rows} for p in absences.get(operator_id, ())]
    for period in [h.period for h in rows] + theirs:
        edges.add(period.start)
        if period.end is not None and period.end < date.max:
            edges.add(period.end + ONE_DAY)
    starts = sorted(d for d in edges if window.start <= d <= window.end)
    result: list[tuple[Period, Acting]] = []
    for index, start in enumerate(starts):
        end = starts[index + 1] - ONE_DAY if index + 1 < len(starts) else window.end
        on = [h for h in rows if h.period.contains_day(start)]
        main = next((h for h in on if h.type == AssignmentType.MAIN), None)
        acting = acting_on(main, [h for h in on if h.type == AssignmentType.DEPUTY], absences, start)
        key = (acting.holder, acting.reason, acting.stands_in_for)
        if result and (result[-1][1].holder, result[-1][1].reason, result[-1][1].stands_in_for) == key:
            result[-1] = (Period(result[-1][0].start, end), result[-1][1])
        else:
            result.append((Period(start, end), acting))
    return result


def _intersect(first: list[Period], second: list[Period]) -> list[Period]:
    """The days in both of two normalised sets of periods (see `periods.merge`), normalised."""
    result = []
    for a in first:
        for b in second:
            both = a.intersection(b)
            if both is not None:
                result.append(both)
    return sorted(result)


def acted_for_periods(
    holders: Iterable[Holder],
    absences: Mapping[int, Sequence[Period]],
    operator_id: int,
    window: Period,
) -> list[tuple[Period, Acting]]:
    """The periods of `acting_periods` in ``window`` (bounded) in which ``operator_id``,
    a deputy of the scope, acted for an absent main caretaker; evaluated only on the
    days that can hold one — a main caretaker absent, the operator a deputy (a run of
    such days is never adjacent to another, so no period of `acting_periods` crosses
    from one to the next)."""
    assert window.end is not None, "the window must be bounded"
    rows = list(holders)
    mine = merge(h.period for h in rows if h.type == AssignmentType.DEPUTY and h.operator_id == operator_id)
    main_away = merge(
        both
        for h in rows
        if h.type == AssignmentType.MAIN
        for away in absences.get(h.operator_id, ())
        if (both := h.period.intersection(away)) is not None
    )
    found: list[tuple[Period, Acting]] = []
    for days in _intersect(_intersect(mine, main_away), [window]):
        # only the rows on those days can act or stand in on them
        for period, acting in acting_periods([h for h in rows if h.period.overlaps(days)], absences, days):
            if (
                acting.reason == ActingReason.MAIN_ABSENT
                and acting.holder is not None
                and acting.holder.operator_id == operator_id
            ):
                found.append((period, acting))
    return found
