"""The days a deputy stands in for an absent main caretaker (`acting_periods_of`), the
rows of `coverage.models.ActingPeriod`, as pure functions of plain values. No Django.

The acting rule (`caretakers.acting_rules.acting_on`) evaluated only on the days a main
caretaker is away and only where a deputy's row or absence starts or ends;
tests/coverage/test_untouched.py compares it with `acting_on` day by day.
"""

from __future__ import annotations

from bisect import bisect_right
from collections import Counter, defaultdict
from collections.abc import Iterable
from datetime import date
from typing import NamedTuple

from opiekun.coverage.compute import ONE_DAY, UNTIL_FURTHER_NOTICE, Absences, AssignmentFact, Scope, _end


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


def stand_ins_may_change(
    *, before: Iterable[AssignmentFact], after: Iterable[AssignmentFact], absences: Absences
) -> set[int]:
    """The contractors whose acting periods may differ between their assignments
    ``before`` a write and ``after`` it (``absences``: by operator, sorted and disjoint,
    of every operator of both). Every other contractor's periods provably stay: in none
    of its scopes is a main caretaker in force on a day the write touched (a day of a
    row it removed or added there) away on that day. Then on those days no deputy
    stands in, before or after; on the other days the scope's rows in force and their
    operators' absences are the same, so who stands in for whom is too, and so are the
    maximal runs (`acting_periods_of`). A write where nobody is away (most of them)
    computes nothing here; tests/coverage/test_stand_ins_skip.py checks it against
    `acting_periods_of` before and after."""
    if not absences:
        return set()
    before, after = list(before), list(after)
    # Only a contractor with a main caretaker who is ever away can have acting periods.
    candidates = {f.contractor_id for f in (*before, *after) if f.main and f.operator_id in absences}
    if not candidates:
        return set()
    scopes: dict[Scope, tuple[list[AssignmentFact], list[AssignmentFact]]] = defaultdict(lambda: ([], []))
    for side, facts in enumerate((before, after)):
        for f in facts:
            if f.contractor_id in candidates:
                scopes[(f.contractor_id, f.role_id, f.branch_id)][side].append(f)
    changing: set[int] = set()
    for (contractor_id, _, _), (was, now) in scopes.items():
        if contractor_id in changing:
            continue
        old, new = Counter(was), Counter(now)
        written = [(f.date_from, _end(f.date_to)) for f in (*(old - new).elements(), *(new - old).elements())]
        if not written:
            continue
        for main in {f for f in (*was, *now) if f.main and f.operator_id in absences}:
            since, until = main.date_from, _end(main.date_to)
            away = absences[main.operator_id]
            if any(_away_within(away, max(since, start), min(until, end)) for start, end in written):
                changing.add(contractor_id)
                break
    return changing


def _away_within(periods: list[tuple[date, date]], first: date, last: date) -> bool:
    """Whether one of ``periods`` (sorted, disjoint) shares a day with ``first``…``last``
    (none if that is empty)."""
    if first > last:
        return False
    index = bisect_right(periods, (last, UNTIL_FURTHER_NOTICE))
    return index > 0 and periods[index - 1][1] >= first
