"""Writes that provably leave a derived table as it was (`untouched_by`), so that
`coverage.services.coverage_refresh` need not read nor compare those contractors' rows;
and, for the contractors it must read, the state before the write (`before_write`) and
what the write changes in a table (`rows_changed`: the rows to delete and to insert),
so that it need not read the rows stored for a contractor whose state before it knows.
Pure: no Django. `tests/coverage/test_untouched.py` checks it against `compute`."""

from __future__ import annotations

from bisect import bisect_left
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from opiekun.coverage.acting import acting_gaps_of
from opiekun.coverage.compute import (
    ONE_DAY,
    UNTIL_FURTHER_NOTICE,
    Absences,
    AssignmentFact,
    Gap,
    _end,
    main_gaps_of,
)


@dataclass(frozen=True)
class Untouched:
    """The contractors whose rows of each derived table a write leaves exactly as they
    were. ``acting`` holds for the acting gaps and for the acting periods alike (both
    read the same assignments and absences): where it holds, on every day of the rows
    written either the acting caretaker is the main one before and after, so no deputy
    stands in there, or the main caretaker stays the same operator and the deputies
    are not written, so who stands in for whom stays too."""

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
    return covered == _days(added) and _same_holders(removed, added, covered)


def _same_holders(
    removed: list[AssignmentFact], added: list[AssignmentFact], covered: list[tuple[date, date]]
) -> bool:
    """The rest of `_same_mains`, for mains that cover the same days ``covered``: the
    same operator is main on the last day of each stretch."""
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
            # With nobody away (most writes) no `_away` can hold: not asked.
            if absences and (
                _away(absences.get(old.operator_id, []), start, end)
                or _away(absences.get(new.operator_id, []), start, end)
            ):
                return False
            if end == UNTIL_FURTHER_NOTICE:
                continue
            after = end + ONE_DAY
            for holder in (_holder(removed, after), _holder(added, after)):
                if holder is None or (absences and _away(absences.get(holder, []), after, after)):
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
      before and after; elsewhere nothing changed). The same holds for the acting
      periods (a deputy standing in for an absent main caretaker, `ActingPeriod`),
      which store neither the main caretaker's assignment nor who acted the day before.

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
        days = _days(before)
        same_days = days == _days(after)
        if same_days:
            uncovered.add(contractor_id)
        scopes = {(f.role_id, f.branch_id) for f in before}
        if scopes != {(f.role_id, f.branch_id) for f in after}:
            continue
        facts = before + after
        mains_only = all(f.main for f in facts)
        if len(scopes) == 1 and mains_only:
            # One scope, mains alone (a bulk change of main caretakers, most often): the
            # scope's mains are the contractor's rows, whose days are known already.
            if not (same_days and _same_holders(before, after, days)):
                continue
        elif not all(
            _same_mains(
                [f for f in before if f.main and (f.role_id, f.branch_id) == scope],
                [f for f in after if f.main and (f.role_id, f.branch_id) == scope],
            )
            for scope in scopes
        ):
            continue
        gaps.add(contractor_id)
        if mains_only and len(scopes) == 1:
            present = _main_acts(before, after, absences)
        elif mains_only:
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


def _written(fact: AssignmentFact) -> tuple[object, ...]:
    """What identifies an assignment written by a write among the rows of its contractor
    (its id is not known before it is inserted): every value but priority and id. One
    operator's rows of one scope never overlap (§2), so no two rows share it."""
    return fact[:7]


def before_write(
    after: Iterable[AssignmentFact], *, removed: Iterable[AssignmentFact], added: Iterable[AssignmentFact]
) -> list[AssignmentFact] | None:
    """The assignments as they were before a write that replaced ``removed`` (as they
    were, with their priorities and ids) by ``added`` (as they are), given ``after``:
    every assignment of the contractors concerned as it is now. None when a row of
    ``added`` is not in ``after`` (the caller cannot tell the state before)."""
    pending = Counter(_written(f) for f in added)
    before: list[AssignmentFact] = []
    for fact in after:
        key = _written(fact)
        if pending[key] > 0:
            pending[key] -= 1
        else:
            before.append(fact)
    if any(count > 0 for count in pending.values()):
        return None
    before.extend(removed)
    return before


def rows_changed(
    contractor_ids: Iterable[int], before: Sequence[Any], after: Sequence[Any], *, unknown: Iterable[int] = ()
) -> tuple[list[int], list[Any], list[Any]]:
    """A derived table's rows (``contractor_id`` first) as they were (``before``, which
    the table holds) and as they must be (``after``), of the contractors
    ``contractor_ids``: the contractors whose stored rows must be read and compared
    (those ``unknown``: the table may not hold their rows as they were), and for the
    others the rows to delete (held, no longer wanted) and to insert (wanted, not held),
    so that neither their stored rows are read nor those that stay written (a
    contractor whose rows stay is in none). No table holds a row twice (its rows of a
    scope never overlap), so the rows are compared as sets."""
    wanted = set(contractor_ids)
    compare = sorted(wanted.intersection(unknown))
    skip = set(compare)
    was, now = set(before), set(after)
    deletes = [row for row in was - now if row[0] in wanted and row[0] not in skip]
    inserts = [row for row in now - was if row[0] in wanted and row[0] not in skip]
    return compare, deletes, inserts


def gaps_in(
    scopes: set[tuple[int, int, int | None]],
    *,
    contractor_ids: Sequence[int],
    assignments: Iterable[AssignmentFact],
    absences: Absences,
    default_role_id: int | None,
    inactive: Iterable[int] = (),
    acting_only: bool = False,
) -> tuple[list[Gap], list[Gap]]:
    """The rows of both gap tables (`compute.coverage_of`, `acting.acting_gaps_of`:
    main, acting) in the scopes ``scopes`` (contractor, role, branch) alone: what a
    write of those scopes may change there (``acting_only``: the acting gaps alone)."""
    part = [f for f in assignments if (f.contractor_id, f.role_id, f.branch_id) in scopes]
    asleep = list(inactive)
    # The default scope is stored even without an assignment: asked for only where it
    # is one of ``scopes``.
    with_default = [c for c in contractor_ids if (c, default_role_id, None) in scopes]
    others = [c for c in contractor_ids if (c, default_role_id, None) not in scopes]
    # Nobody of these rows away: in every scope the main caretaker acts, so the acting
    # gaps are the main gaps (`acting_gaps_of` finds the same, scope by scope).
    present = not acting_only and not any(f.operator_id in absences for f in part)
    main_gaps: list[Gap] = []
    acting_gaps: list[Gap] = []
    for ids, default in ((with_default, default_role_id), (others, None)):
        if not ids:
            continue
        if not acting_only:
            main = main_gaps_of(
                contractor_ids=ids, assignments=part, default_role_id=default, inactive=asleep
            )
            main_gaps += main
            if present:
                acting_gaps += main
                continue
        acting_gaps += acting_gaps_of(
            contractor_ids=ids, assignments=part, absences=absences, default_role_id=default, inactive=asleep
        )
    return main_gaps, acting_gaps
