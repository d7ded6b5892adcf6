"""Coverage as pure functions of plain values: the days a scope has no main caretaker,
the days it has no acting caretaker (`acting_gaps_of`: no main caretaker, or the main
caretaker absent and no deputy present to act, as `caretakers.acting.acting_on`
decides), and the days a contractor has no caretaker at all. No Django.

Both derived tables (`coverage.models`) hold exactly what these functions return for
the current assignments; the writer refreshes them for the contractors it touched,
`coverage_recompute` computes them for every contractor, and the tests compare both
with a day-by-day oracle.

An unbounded end is stored as a sentinel day (`SINCE_ALWAYS`, `UNTIL_FURTHER_NOTICE`)
rather than NULL, so that "uncovered on day d" is one index range
(``date_to >= d AND date_from <= d``) on both engines. Selectors turn the open end
back into ``None``.
"""

from __future__ import annotations

from bisect import bisect_left
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
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


# --- Writes that provably leave a table as it was ----------------------------------


@dataclass(frozen=True)
class Untouched:
    """The contractors whose rows of each derived table a write leaves exactly as they were."""

    gaps: frozenset[int]
    uncovered: frozenset[int]
    acting: frozenset[int]


def _merged(periods: Iterable[tuple[date, date]]) -> list[tuple[date, date]]:
    """The union of ``periods`` as maximal, sorted, disjoint periods (touching ones joined)."""
    merged: list[tuple[date, date]] = []
    for start, end in sorted(periods):
        if merged and (merged[-1][1] == UNTIL_FURTHER_NOTICE or start <= merged[-1][1] + ONE_DAY):
            if end > merged[-1][1]:
                merged[-1] = (merged[-1][0], end)
        else:
            merged.append((start, end))
    return merged


def _days(facts: Iterable[AssignmentFact]) -> list[tuple[date, date]]:
    return _merged((f.date_from, _end(f.date_to)) for f in facts)


def _holder(mains: list[AssignmentFact], day: date) -> int | None:
    return next((f.operator_id for f in mains if f.date_from <= day <= _end(f.date_to)), None)


def _same_mains(removed: list[AssignmentFact], added: list[AssignmentFact]) -> bool:
    """Whether a scope's main gaps stay as they are when its main rows ``removed`` are
    replaced by ``added`` (whatever its other rows): the mains cover the same days, and
    on the last day of each stretch they cover (after which a gap may open, naming who
    cared last) the same operator is main. Mains of one scope never overlap (§2), so on
    those days the removed rows were the main caretakers, and the added ones are."""
    covered = _days(removed)
    if covered != _days(added):
        return False
    return all(
        _holder(removed, last) == _holder(added, last) for _, last in covered if last != UNTIL_FURTHER_NOTICE
    )


def _away(periods: list[tuple[date, date]], start: date, end: date) -> bool:
    """Whether any of ``periods`` (sorted, disjoint) shares a day with ``start``…``end``."""
    index = bisect_left(periods, (start, start))
    if index > 0 and periods[index - 1][1] >= start:
        return True
    return index < len(periods) and periods[index][0] <= end


def _main_acts(removed: list[AssignmentFact], added: list[AssignmentFact], absences: Absences) -> bool:
    """For a scope whose main gaps stay (`_same_mains`) and whose deputies are not
    written: whether its acting gaps stay too. Where the main caretaker stays the same
    operator, so does who acts. Where it changes, both operators must be present, so
    that each acts in turn; and on the day after such a stretch (still covered by a main,
    as the stretches of the mains end alike) that main must be present too, so that no
    acting gap starts there naming a different operator as the one who acted last."""
    for old in removed:
        for new in added:
            if old.operator_id == new.operator_id:
                continue
            start, end = max(old.date_from, new.date_from), min(_end(old.date_to), _end(new.date_to))
            if start > end:
                continue
            if _away(absences.get(old.operator_id, []), start, end):
                return False
            if _away(absences.get(new.operator_id, []), start, end):
                return False
            if end == UNTIL_FURTHER_NOTICE:
                continue
            after = end + ONE_DAY
            for holder in (_holder(removed, after), _holder(added, after)):
                if holder is None or _away(absences.get(holder, []), after, after):
                    return False
    return True


def untouched_by(
    *, removed: Iterable[AssignmentFact], added: Iterable[AssignmentFact], absences: Absences
) -> Untouched:
    """The contractors of a write whose derived rows provably stay as they were, when the
    write replaces the assignments ``removed`` (as they were) by ``added`` (as they are)
    and leaves every other assignment alone. ``absences``: every absence sharing a day
    with any removed or added row (of any operator). Contractors with no removed or
    added row are not named: the caller knows nothing of them.

    - **uncovered**: the contractor's removed and added rows cover the same days;
    - **gaps**: the same scopes keep at least one row, and in each scope the removed
      and added mains cover the same days, with the same main caretaker on the last day
      of each stretch (`_same_mains`) — the split of a main by a newcomer's period
      inside it, a handover of an open-ended main;
    - **acting**: as for gaps, and either no deputy is among the rows and in each
      scope the acting caretaker provably stays where the main one does not change
      and is the main one where it does (`_main_acts`), or nobody at all is away on
      any day of the rows (then the acting caretaker is the main one on those days,
      before and after; elsewhere nothing changed).

    Sufficient conditions, not necessary ones: a contractor not named is recomputed."""
    rows: dict[int, tuple[list[AssignmentFact], list[AssignmentFact]]] = defaultdict(lambda: ([], []))
    for fact in removed:
        rows[fact.contractor_id][0].append(fact)
    for fact in added:
        rows[fact.contractor_id][1].append(fact)
    anyone = _merged(period for periods in absences.values() for period in periods)
    gaps: set[int] = set()
    uncovered: set[int] = set()
    acting: set[int] = set()
    for contractor_id, (before, after) in rows.items():
        if _days(before) == _days(after):
            uncovered.add(contractor_id)
        scopes = {(f.role_id, f.branch_id) for f in before}
        if scopes != {(f.role_id, f.branch_id) for f in after}:
            continue
        if not all(
            _same_mains(
                [f for f in before if f.main and (f.role_id, f.branch_id) == scope],
                [f for f in after if f.main and (f.role_id, f.branch_id) == scope],
            )
            for scope in scopes
        ):
            continue
        gaps.add(contractor_id)
        facts = before + after
        if all(f.main for f in facts):
            present = all(
                _main_acts(
                    [f for f in before if (f.role_id, f.branch_id) == scope],
                    [f for f in after if (f.role_id, f.branch_id) == scope],
                    absences,
                )
                for scope in scopes
            )
        else:
            present = not any(_away(anyone, f.date_from, _end(f.date_to)) for f in facts)
        if present:
            acting.add(contractor_id)
    return Untouched(frozenset(gaps), frozenset(uncovered), frozenset(acting))
