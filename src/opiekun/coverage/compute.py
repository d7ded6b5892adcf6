"""Coverage as pure functions of plain values: the days a scope has no main caretaker,
the days it has no acting caretaker (`acting_gaps_of`: no main caretaker, or the main
caretaker absent and no deputy present to act, as `caretakers.acting.acting_on`
decides), the days a deputy acts for an absent main caretaker (`acting_periods_of`),
and the days a contractor has no caretaker at all. No Django.

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

from bisect import bisect_right
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
    """The rows of both derived tables for ``contractor_ids``, given all their assignments.

    Stored scopes: the default scope (default role, no branch) of every contractor,
    and every scope that has at least one assignment (main or deputy). A scope
    without any assignment is wholly a gap; only the default one is stored for it."""
    ids = set(contractor_ids)
    asleep = set(inactive)
    mains: dict[Scope, list[tuple[date, date, int | None]]] = defaultdict(list)
    anything: dict[int, list[tuple[date, date, int | None]]] = defaultdict(list)
    for a in assignments:
        if a.contractor_id not in ids:
            continue
        scope = (a.contractor_id, a.role_id, a.branch_id)
        periods = mains[scope]  # creates the scope: it has an assignment
        if a.main:
            periods.append((a.date_from, _end(a.date_to), a.operator_id))
        anything[a.contractor_id].append((a.date_from, _end(a.date_to), None))
    if default_role_id is not None:
        for contractor_id in ids:
            mains.setdefault((contractor_id, default_role_id, None), [])
    gaps = [
        Gap(c, role, branch, start, end, last, c not in asleep)
        for (c, role, branch), periods in mains.items()
        for start, end, last in _holes(periods)
    ]
    uncovered = [Uncovered(c, start, end) for c in ids for start, end, _ in _holes(anything.get(c, []))]
    return sorted(gaps, key=_gap_key), sorted(uncovered)


def _gap_key(gap: Gap) -> tuple[int, int, int, date]:
    return (gap.contractor_id, gap.role_id, gap.branch_id or 0, gap.date_from)


Absences = dict[int, list[tuple[date, date]]]  # operator id -> absent days (inclusive)


def _absent(absences: Absences, operator_id: int, day: date) -> bool:
    return any(start <= day <= end for start, end in absences.get(operator_id, ()))


def _acting_periods(facts: list[AssignmentFact], absences: Absences) -> list[tuple[date, date, int | None]]:
    """The days of one scope with an acting caretaker, as (start, end, who acts):
    the main caretaker when present, else the first present deputy in deputy order."""
    edges: set[date] = set()
    for fact in facts:
        edges.add(fact.date_from)
        end = _end(fact.date_to)
        if end != UNTIL_FURTHER_NOTICE:
            edges.add(end + ONE_DAY)
        for start, last in absences.get(fact.operator_id, ()):
            edges.add(start)
            if last != UNTIL_FURTHER_NOTICE:
                edges.add(last + ONE_DAY)
    deputies = sorted(
        (f for f in facts if not f.main), key=lambda f: (f.priority, f.date_from, f.assignment_id)
    )
    mains = [f for f in facts if f.main]
    starts = sorted(edges)
    acting: list[tuple[date, date, int | None]] = []
    for index, start in enumerate(starts):
        end = starts[index + 1] - ONE_DAY if index + 1 < len(starts) else UNTIL_FURTHER_NOTICE
        main = next((f for f in mains if f.date_from <= start <= _end(f.date_to)), None)
        if main is None:
            continue
        who: int | None = main.operator_id
        if _absent(absences, main.operator_id, start):
            who = next(
                (
                    d.operator_id
                    for d in deputies
                    if d.date_from <= start <= _end(d.date_to) and not _absent(absences, d.operator_id, start)
                ),
                None,
            )
        if who is not None:
            acting.append((start, end, who))
    return acting


def acting_gaps_of(
    *,
    contractor_ids: Iterable[int],
    assignments: Iterable[AssignmentFact],
    absences: Absences,
    default_role_id: int | None,
    inactive: Iterable[int] = (),
) -> list[Gap]:
    """Per scope, the periods with no acting caretaker ("consider absences"): the
    days with no main caretaker, and the days the main caretaker is absent and no
    deputy of the scope is present. Stored for the same scopes as `coverage_of`'s
    gaps; ``last_operator_id`` is who acted the day before (the main caretaker or
    the deputy standing in). A scope none of whose caretakers is absent during their
    own assignment there has exactly its main-caretaker gaps."""
    ids = set(contractor_ids)
    asleep = set(inactive)
    scopes: dict[Scope, list[AssignmentFact]] = defaultdict(list)
    for a in assignments:
        if a.contractor_id in ids:
            scopes[(a.contractor_id, a.role_id, a.branch_id)].append(a)
    if default_role_id is not None:
        for contractor_id in ids:
            scopes.setdefault((contractor_id, default_role_id, None), [])
    gaps: list[Gap] = []
    for (c, role, branch), facts in scopes.items():
        if any(
            start <= _end(f.date_to) and f.date_from <= end
            for f in facts
            for start, end in absences.get(f.operator_id, ())
        ):
            periods = _acting_periods(facts, absences)
        else:
            periods = [(f.date_from, _end(f.date_to), f.operator_id) for f in facts if f.main]
        gaps.extend(
            Gap(c, role, branch, start, end, last, c not in asleep) for start, end, last in _holes(periods)
        )
    return sorted(gaps, key=_gap_key)


class StandIn(NamedTuple):
    """Days ``[date_from, date_to]`` in which ``operator_id``, a deputy of the scope
    through its assignment ``assignment_id``, acts for the absent main caretaker
    ``stands_in_for_id`` (a row of `coverage.models.ActingPeriod`)."""

    contractor_id: int
    role_id: int
    branch_id: int | None
    assignment_id: int
    operator_id: int
    stands_in_for_id: int
    date_from: date
    date_to: date


def _absent_on(periods: list[tuple[date, date]], day: date) -> bool:
    """Whether ``day`` is in one of ``periods`` (one operator's absences: sorted, disjoint)."""
    index = bisect_right(periods, (day, UNTIL_FURTHER_NOTICE))
    return index > 0 and periods[index - 1][1] >= day


def _stand_ins(facts: list[AssignmentFact], absences: Absences) -> list[tuple[date, date, int, int, int]]:
    """One scope's days on which a deputy stands in, as maximal runs (first day, last
    day, deputy's assignment, deputy, absent main caretaker). The acting rule
    (`caretakers.acting_rules.acting_on`) on plain values, evaluated only on the days a
    main caretaker is away: on each such day the first deputy in force there (by
    priority, date_from, id) who is not away stands in; it changes only where a deputy's
    row or absence starts or ends."""
    order = sorted((f for f in facts if not f.main), key=lambda f: (f.priority, f.date_from, f.assignment_id))
    if not order:
        return []
    deputies = [
        (f.date_from, _end(f.date_to), f.assignment_id, f.operator_id, absences.get(f.operator_id, []))
        for f in order
    ]
    runs: list[tuple[date, date, int, int, int]] = []
    for main in facts:
        if not main.main:
            continue
        for away_from, away_to in absences.get(main.operator_id, ()):
            first, last = max(main.date_from, away_from), min(_end(main.date_to), away_to)
            if first > last:
                continue
            there = [d for d in deputies if d[0] <= last and first <= d[1]]
            if not there:
                continue
            edges = {first}
            for since, until, _, _, away in there:
                for start, end in ((since, until), *away):
                    if first < start <= last:
                        edges.add(start)
                    if first <= end < last:
                        edges.add(end + ONE_DAY)
            starts = sorted(edges)
            for index, start in enumerate(starts):
                end = starts[index + 1] - ONE_DAY if index + 1 < len(starts) else last
                for since, until, assignment_id, operator_id, away in there:
                    if since <= start <= until and not _absent_on(away, start):
                        runs.append((start, end, assignment_id, operator_id, main.operator_id))
                        break
    runs.sort()
    merged: list[tuple[date, date, int, int, int]] = []
    for run in runs:  # the same deputy for the same main across two absences or two rows
        last_day = merged[-1][1] if merged else UNTIL_FURTHER_NOTICE
        if last_day < UNTIL_FURTHER_NOTICE and merged[-1][2:] == run[2:] and last_day + ONE_DAY == run[0]:
            merged[-1] = (merged[-1][0], *run[1:])
        else:
            merged.append(run)
    return merged


def acting_periods_of(
    *, contractor_ids: Iterable[int], assignments: Iterable[AssignmentFact], absences: Absences
) -> list[StandIn]:
    """Per scope, the maximal periods in which one deputy's assignment acts for one
    absent main caretaker (`_stand_ins`). ``absences``: by operator, sorted and disjoint
    (as one operator's absences are). Clipped to a window, these are what
    `caretakers.acting_rules.acted_for_periods` gives for it (the tests compare both
    with the rule evaluated day by day)."""
    ids = set(contractor_ids)
    scopes: dict[Scope, list[AssignmentFact]] = defaultdict(list)
    for a in assignments:
        if a.contractor_id in ids:
            scopes[(a.contractor_id, a.role_id, a.branch_id)].append(a)
    found = [
        StandIn(c, role, branch, assignment_id, operator_id, main_id, start, end)
        for (c, role, branch), facts in scopes.items()
        for start, end, assignment_id, operator_id, main_id in _stand_ins(facts, absences)
    ]
    return sorted(found, key=_stand_in_key)


def _stand_in_key(row: StandIn) -> tuple[int, int, int, date, int]:
    return (row.contractor_id, row.role_id, row.branch_id or 0, row.date_from, row.assignment_id)
