"""The plans of a whole selection (`decide_each`): exactly the plans `rules.decide`
gives each contractor from its own rows, from fewer objects, the common cases without
it (a KEEP that skips, a REPLACE with nothing to merge). Pure, as `rules`:
tests/caretakers/test_rules.py compares the two on random scopes."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from opiekun.caretakers.rules import (
    AssignmentType,
    Outcome,
    OverlapPolicy,
    Plan,
    Proposal,
    Slot,
    cut_conflicts,
    decide,
)
from opiekun.periods import Period

# A row of the scope as `decide_each` takes it: id, contractor id, operator id, type, period.
Row = tuple[int, int, int, AssignmentType, Period]


def decide_each(
    contractor_ids: Sequence[int], rows: Iterable[Row], proposal: Proposal, policy: OverlapPolicy
) -> dict[int, Plan]:
    """`decide` for every contractor of ``contractor_ids`` (in that order), given the rows
    of all of them in the scope: exactly the plans `decide` gives each from its own rows,
    from fewer objects. A contractor with no rows gets the one plan of an empty scope
    (plans are immutable: it is shared). Under KEEP a contractor with a conflicting row
    is skipped with its conflicts in `decide`'s order, found without a slot of its other
    rows; only the others are decided in full (tests/caretakers/test_rules.py compares
    this with `decide` on random scopes)."""
    if policy == OverlapPolicy.KEEP:
        return _keep_each(contractor_ids, rows, proposal)
    mine: dict[int, list[Row]] = {}
    for row in rows:
        if row[1] in mine:
            mine[row[1]].append(row)
        else:
            mine[row[1]] = [row]
    empty = decide((), proposal, policy)
    plans: dict[int, Plan] = {}
    for cid in contractor_ids:
        found = mine.get(cid)
        if not found:
            plans[cid] = empty
        else:
            plans[cid] = _replacing(found, proposal, empty) or decide(
                [Slot(r[0], r[2], r[3], r[4]) for r in found], proposal, policy
            )
    return plans


def _replacing(found: list[Row], proposal: Proposal, empty: Plan) -> Plan | None:
    """`decide` under REPLACE (and WARN, which plans the same) for a contractor none of
    whose rows merges with the proposal (the most common case: a new caretaker over
    another's main), built from ``empty``'s shared first change and new row; None for
    one with a row to merge (then `decide` plans it)."""
    operator_id, kind, period = proposal.operator_id, proposal.type, proposal.period
    start, end, main = period.start, period.end, kind == AssignmentType.MAIN
    conflicts: list[Slot] = []
    for pk, _cid, other, other_kind, days in found:
        if other == operator_id and other_kind == kind and days.touches(period):
            return None  # a merge: `decide`'s
        # `is_conflict`, inlined (as in `_keep_each`).
        if (
            (days.end is None or start <= days.end)
            and (end is None or days.start <= end)
            and (other_kind != kind if other == operator_id else main and other_kind == AssignmentType.MAIN)
        ):
            conflicts.append(Slot(pk, other, other_kind, days))
    if not conflicts:
        return empty
    if len(conflicts) > 1:
        conflicts.sort(key=_slot_order)
    changes, inserts = list(empty.changes), list(empty.inserts)
    deletes: list[int] = []
    shrinks: list[tuple[int, Period]] = []
    cut_conflicts(conflicts, period, changes, deletes, shrinks, inserts)
    return Plan(
        Outcome.REPLACED,
        tuple(conflicts),
        tuple(changes),
        tuple(deletes),
        tuple(shrinks),
        (),
        tuple(inserts),
        None,
    )


def _keep_each(contractor_ids: Sequence[int], rows: Iterable[Row], proposal: Proposal) -> dict[int, Plan]:
    """`decide_each` under KEEP: one pass over the rows sorts each into its contractor's
    conflicts (as slots, made by the tuple's own constructor, what `_make` calls: a
    named tuple's ``__new__`` is a Python call) or its other rows; then a contractor
    with a conflict is skipped, the others decided in full. No comprehension per
    contractor (each is a call: they were half of this step's time)."""
    operator_id, kind, period = proposal.operator_id, proposal.type, proposal.period
    start, end, main = period.start, period.end, kind == AssignmentType.MAIN
    new, main_kind = tuple.__new__, AssignmentType.MAIN
    conflicting: dict[int, list[Slot]] = {}
    others: dict[int, list[Row]] = {}
    for row in rows:
        pk, cid, other, other_kind, days = row
        # `is_conflict`, inlined: a row sharing a day with the proposal, of the same
        # operator and the other type, or another operator's main when the proposal is main.
        if (
            (days.end is None or start <= days.end)
            and (end is None or days.start <= end)
            and (other_kind != kind if other == operator_id else main and other_kind == main_kind)
        ):
            slot = new(Slot, (pk, other, other_kind, days))
            if cid in conflicting:
                conflicting[cid].append(slot)
            else:
                conflicting[cid] = [slot]
        elif cid in others:
            others[cid].append(row)
        else:
            others[cid] = [row]
    empty = decide((), proposal, OverlapPolicy.KEEP)
    skipped, rest = (Outcome.SKIPPED,), Plan(Outcome.SKIPPED)[2:]
    plans: dict[int, Plan] = {}
    for cid in contractor_ids:
        if cid in conflicting:
            conflicts = conflicting[cid]
            if len(conflicts) > 1:
                conflicts.sort(key=_slot_order)
            plans[cid] = new(Plan, (*skipped, tuple(conflicts), *rest))
        elif cid in others:
            plans[cid] = decide(
                [Slot(r[0], r[2], r[3], r[4]) for r in others[cid]], proposal, OverlapPolicy.KEEP
            )
        else:
            plans[cid] = empty
    return plans


def _slot_order(slot: Slot) -> tuple[Period, int]:
    return (slot.period, slot.id)
