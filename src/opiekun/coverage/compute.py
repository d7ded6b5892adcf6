"""Coverage as pure functions of plain values: the days a scope has no main caretaker,
and the days a contractor has no caretaker at all. No Django. The days nobody acts (no
main caretaker, or the main caretaker absent and no deputy present to act):
`coverage.acting`; the days a deputy acts for an absent main caretaker: `coverage.stand_ins`.

The derived tables (`coverage.models`) hold exactly what these functions return for
the current assignments; the writer refreshes them for the contractors it touched,
`coverage_recompute` computes them for every contractor, and the tests compare both
with a day-by-day oracle.

An unbounded end is stored as a sentinel day (`SINCE_ALWAYS`, `UNTIL_FURTHER_NOTICE`)
rather than NULL, so that "uncovered on day d" is one index range
(``date_to >= d AND date_from <= d``) on both engines. Selectors turn the open end
back into ``None``.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from datetime import date, timedelta
from typing import NamedTuple

SINCE_ALWAYS = date(1, 1, 1)
UNTIL_FURTHER_NOTICE = date(9999, 12, 31)
ONE_DAY = timedelta(days=1)

Scope = tuple[int, int, int | None]  # (contractor_id, role_id, branch_id)


class AssignmentFact(NamedTuple):
    """What coverage needs to know of one assignment (a tuple: a refresh makes one per
    assignment of every contractor it touches)."""

    contractor_id: int
    role_id: int
    branch_id: int | None
    main: bool
    operator_id: int
    date_from: date
    date_to: date | None
    priority: int = 0  # orders the deputies: who acts first (then date_from, then id)
    assignment_id: int = 0


class Gap(NamedTuple):
    """Days ``[date_from, date_to]`` of a scope with no main caretaker.
    ``last_operator_id``: the main caretaker of the day before (None when the gap
    opens the scope's history)."""

    contractor_id: int
    role_id: int
    branch_id: int | None
    date_from: date
    date_to: date
    last_operator_id: int | None
    active: bool = True  # the contractor's own flag, stored beside the gap


class Uncovered(NamedTuple):
    """Days ``[date_from, date_to]`` a contractor has no caretaker, main or deputy, in any scope."""

    contractor_id: int
    date_from: date
    date_to: date
    active: bool = True  # the contractor's own flag, stored beside the period (as a gap's)


def _holes(periods: Iterable[tuple[date, date, int | None]]) -> list[tuple[date, date, int | None]]:
    """The complement of ``periods`` (start, end, who) within all time; each hole
    names who held the day before it (None for a hole at the start)."""
    holes = []
    cursor: date | None = SINCE_ALWAYS  # the first day not yet known to be covered
    last: int | None = None
    for start, end, who in sorted(periods, key=lambda p: (p[0], p[1])):
        if cursor is None:
            break
        if start > cursor:
            holes.append((cursor, start - ONE_DAY, last))
        if end >= cursor:
            cursor = None if end == UNTIL_FURTHER_NOTICE else end + ONE_DAY
            last = who
    if cursor is not None:
        holes.append((cursor, UNTIL_FURTHER_NOTICE, last))
    return holes


def _end(value: date | None) -> date:
    return UNTIL_FURTHER_NOTICE if value is None else value


def coverage_of(
    *,
    contractor_ids: Iterable[int],
    assignments: Iterable[AssignmentFact],
    default_role_id: int | None,
    inactive: Iterable[int] = (),
) -> tuple[list[Gap], list[Uncovered]]:
    """The rows of both derived tables for ``contractor_ids``, given all their assignments
    (`main_gaps_of`, `uncovered_of`)."""
    facts = assignments if isinstance(assignments, list | tuple) else list(assignments)
    ids, asleep = set(contractor_ids), set(inactive)
    return (
        main_gaps_of(contractor_ids=ids, assignments=facts, default_role_id=default_role_id, inactive=asleep),
        uncovered_of(contractor_ids=ids, assignments=facts, inactive=asleep),
    )


def main_gaps_of(
    *,
    contractor_ids: Iterable[int],
    assignments: Iterable[AssignmentFact],
    default_role_id: int | None,
    inactive: Iterable[int] = (),
) -> list[Gap]:
    """The gap rows of `coverage_of` alone.

    Stored scopes: the default scope (default role, no branch) of every contractor,
    and every scope that has at least one assignment (main or deputy). A scope
    without any assignment is wholly a gap; only the default one is stored for it."""
    ids = set(contractor_ids)
    asleep = set(inactive)
    mains: dict[Scope, list[tuple[date, date, int | None]]] = defaultdict(list)
    for a in assignments:
        if a.contractor_id not in ids:
            continue
        periods = mains[(a.contractor_id, a.role_id, a.branch_id)]  # creates the scope: it has an assignment
        if a.main:
            periods.append((a.date_from, _end(a.date_to), a.operator_id))
    if default_role_id is not None:
        for contractor_id in ids:
            mains.setdefault((contractor_id, default_role_id, None), [])
    gaps = [
        Gap(c, role, branch, start, end, last, c not in asleep)
        for (c, role, branch), periods in mains.items()
        for start, end, last in _holes(periods)
    ]
    return sorted(gaps, key=_gap_key)


def uncovered_of(
    *, contractor_ids: Iterable[int], assignments: Iterable[AssignmentFact], inactive: Iterable[int] = ()
) -> list[Uncovered]:
    """The uncovered rows of `coverage_of` alone (the days no assignment of any scope holds)."""
    ids = set(contractor_ids)
    asleep = set(inactive)
    anything: dict[int, list[tuple[date, date, int | None]]] = defaultdict(list)
    for a in assignments:
        if a.contractor_id in ids:
            anything[a.contractor_id].append((a.date_from, _end(a.date_to), None))
    return sorted(
        Uncovered(c, start, end, c not in asleep)
        for c in ids
        for start, end, _ in _holes(anything.get(c, []))
    )


def _gap_key(gap: Gap) -> tuple[int, int, int, date]:
    return (gap.contractor_id, gap.role_id, gap.branch_id or 0, gap.date_from)


Absences = dict[int, list[tuple[date, date]]]  # operator id -> absent days (inclusive), sorted and disjoint
