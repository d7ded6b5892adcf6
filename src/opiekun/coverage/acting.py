"""Per scope, the days nobody acts (`acting_gaps_of`, the rows of
`coverage.models.ActingGap`) and the days a deputy stands in (the rows of
`coverage.models.ActingPeriod`), in one pass (`acting_of`), as pure functions of plain
values. No Django.

Somebody acts on a day when the main caretaker is in force and present, or when a
deputy stands in for them (`stand_ins._stand_ins`: the acting rule,
`caretakers.acting_rules.acting_on`, evaluated only where a main caretaker is away). So
the acting gaps are the holes of those two kinds of days together, each naming who acted
the day before: no day is evaluated one by one, and a scope whose main caretakers are
never away during their own rows has exactly its main-caretaker gaps.
tests/coverage/test_acting_gaps.py compares the gaps with `acting_on` day by day.
"""

from __future__ import annotations

from bisect import bisect_left
from collections import defaultdict
from collections.abc import Iterable
from datetime import date

from opiekun.coverage.compute import ONE_DAY, Absences, AssignmentFact, Gap, Scope, _end, _gap_key, _holes
from opiekun.coverage.stand_ins import StandIn, _stand_in_key, _stand_ins


def _present(since: date, until: date, away: list[tuple[date, date]]) -> list[tuple[date, date]]:
    """The days of ``since``…``until`` outside ``away`` (one operator's absences: sorted,
    disjoint), as maximal runs."""
    runs: list[tuple[date, date]] = []
    cursor = since
    index = bisect_left(away, (since, since))
    if index > 0 and away[index - 1][1] >= since:
        index -= 1  # an absence that began before ``since`` and reaches into it
    for start, end in away[index:]:
        if start > until:
            break
        if start > cursor:
            runs.append((cursor, start - ONE_DAY))
        if end >= until:
            return runs
        cursor = max(cursor, end + ONE_DAY)
    runs.append((cursor, until))
    return runs


def _scope(
    facts: list[AssignmentFact], absences: Absences
) -> tuple[list[tuple[date, date, int | None]], list[tuple[date, date, int, int, int]]]:
    """One scope's days with somebody acting, as (first day, last day, who acts), and its
    stand-ins (`stand_ins._stand_ins`)."""
    mains = [f for f in facts if f.main]
    acting: list[tuple[date, date, int | None]] = []
    away_somewhere = False
    for main in mains:
        since, until = main.date_from, _end(main.date_to)
        runs = _present(since, until, absences.get(main.operator_id, []))
        if runs != [(since, until)]:
            away_somewhere = True
        acting.extend((start, end, main.operator_id) for start, end in runs)
    if not away_somewhere:
        return acting, []
    stand_ins = _stand_ins(facts, absences)
    acting.extend((start, end, deputy) for start, end, _, deputy, _ in stand_ins)
    return acting, stand_ins


Shape = tuple[tuple[bool, int, date, date, int, int], ...]
Runs = list[tuple[date, date, int | None]]  # (first day, last day, who)
Placed = list[tuple[date, date, int, int, int]]  # stand-ins naming their assignment by place


def _shape(facts: list[AssignmentFact], window: tuple[date, date] | None) -> tuple[Shape, list[int]]:
    """What `_scope` reads of a scope's ``facts`` (clipped to ``window``, those outside it
    left out), with each assignment's id replaced by its place in the deputies' order
    (priority, date_from, id: the order `_stand_ins` keeps; clipped, two may start on
    one day, and keep the order of their own days); and the ids in that order.
    Scopes of one shape act alike, whoever their contractor: a week's absence of a
    caretaker of 26,666 contractors at a million computes 106 shapes for 27,347 scopes
    (docs/performance.md, "Saving an absence, one computation a shape")."""
    shape = []
    ids: list[int] = []
    for f in sorted(facts, key=lambda f: (f.priority, f.date_from, f.assignment_id)):
        since, until = f.date_from, _end(f.date_to)
        if window is not None:
            since, until = max(since, window[0]), min(until, window[1])
            if since > until:
                continue
        shape.append((f.main, f.operator_id, since, until, f.priority, len(ids)))
        ids.append(f.assignment_id)
    return tuple(shape), ids


def _of_shape(shape: Shape, absences: Absences, window: tuple[date, date]) -> tuple[Runs, Placed]:
    """`_scope` of a shape: its holes sharing a day with ``window`` (`_holes`) and its
    stand-ins, each naming its assignment by its place."""
    facts = [
        AssignmentFact(0, 0, None, main, operator_id, since, until, priority, place)
        for main, operator_id, since, until, priority, place in shape
    ]
    acting, stand_ins = _scope(facts, absences)
    first, last = window
    return [hole for hole in _holes(acting) if hole[1] >= first and hole[0] <= last], stand_ins


def acting_of(
    *,
    contractor_ids: Iterable[int],
    assignments: Iterable[AssignmentFact],
    absences: Absences,
    default_role_id: int | None,
    inactive: Iterable[int] = (),
    window: tuple[date, date] | None = None,
) -> tuple[list[Gap], list[StandIn]]:
    """The acting gaps (`acting_gaps_of`) and the stand-ins
    (`stand_ins.acting_periods_of`) of ``contractor_ids``, given all their assignments and
    their operators' absences (by operator, sorted and disjoint, as one operator's
    absences are). ``window`` (first and last day): only the rows sharing a day with it,
    as `acting_window.acting_in_window` asks (the absences clipped to it): the
    assignments are clipped to it too, the rows reaching past it end at its edges (or
    at the ends of time), and each shape of scope (`_shape`) is computed once."""
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
    found: list[StandIn] = []
    known: dict[Shape, tuple[Runs, Placed]] = {}
    for (c, role, branch), facts in scopes.items():
        if window is None:
            acting, stand_ins = _scope(facts, absences)
            holes = _holes(acting)
        else:
            shape, assignment_ids = _shape(facts, window)
            computed = known.get(shape)
            if computed is None:
                computed = known[shape] = _of_shape(shape, absences, window)
            holes = computed[0]
            stand_ins = [(start, end, assignment_ids[place], o, m) for start, end, place, o, m in computed[1]]
        active = c not in asleep
        gaps.extend(Gap(c, role, branch, start, end, last, active) for start, end, last in holes)
        found.extend(
            StandIn(c, role, branch, assignment_id, operator_id, main_id, start, end)
            for start, end, assignment_id, operator_id, main_id in stand_ins
        )
    return sorted(gaps, key=_gap_key), sorted(found, key=_stand_in_key)


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
    deputy of the scope is present. Stored for the same scopes as `compute.coverage_of`'s
    gaps; ``last_operator_id`` is who acted the day before (the main caretaker or
    the deputy standing in). A scope none of whose main caretakers is absent during
    their own assignment there has exactly its main-caretaker gaps."""
    gaps, _ = acting_of(
        contractor_ids=contractor_ids,
        assignments=assignments,
        absences=absences,
        default_role_id=default_role_id,
        inactive=inactive,
    )
    return gaps
