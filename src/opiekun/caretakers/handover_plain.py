"""The handover's common case as a pure plan (see `handover_rules.plan_contractor`,
which calls it first): no Django, tests/caretakers/test_handover_rules.py compares it
with the general plan on random worlds."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date

from opiekun.caretakers.handover_rules import (
    ContractorPlan,
    HandoverKind,
    NewAssignment,
    Row,
    SourceChange,
)
from opiekun.caretakers.rules import AssignmentType, Change, ChangeKind, Outcome
from opiekun.periods import ONE_DAY, Period


def plan_plain(
    contractor_id: int, row: Row, scope_rows: Iterable[Row], target_id: int, day: date
) -> ContractorPlan | None:
    """The common case, without the general machinery: one handed row, and nothing in
    its scope that the target's new row would meet (no conflict, nothing to merge with).
    The plan is then what `plan_contractor(plain=False)` makes of it: the row cut at ``day − 1`` (or
    removed, when it starts on or after ``day``) and the target's row inserted, an
    addition. None when the case is not this one (tests/caretakers/test_handover_rules.py
    compares the two on random worlds)."""
    given = Period(max(row.period.start, day), row.period.end)
    kind, scope = row.type, row.scope
    both_main = kind == AssignmentType.MAIN
    cut = row.period.start < day
    for other in scope_rows:
        if other.id == row.id:  # what is left of it ends on ``day − 1``: it touches only its own
            if cut and row.operator_id == target_id:
                return None
            continue
        if other.scope != scope:
            continue
        if other.operator_id == target_id:
            if other.period.touches(given):  # a conflict (the other type) or a merge (the same)
                return None
        elif both_main and other.type == AssignmentType.MAIN and other.period.overlaps(given):
            return None
    change = Change(ChangeKind.CREATED, None, target_id, kind, None, (given,))
    new = NewAssignment(row.contractor_id, target_id, kind, row.role_id, row.branch_id, given)
    if cut:
        kept = Period(row.period.start, day - ONE_DAY)
        source = SourceChange(HandoverKind.CUT, row.id, row.operator_id, kind, row.period, (kept,))
        return ContractorPlan(
            contractor_id,
            target_id,
            Outcome.ADDED,
            1,
            (source, change),
            updates=((row.id, kept),),
            inserts=(new,),
        )
    source = SourceChange(HandoverKind.MOVED, row.id, row.operator_id, kind, row.period, ())
    return ContractorPlan(
        contractor_id, target_id, Outcome.ADDED, 1, (source, change), deletes=(row.id,), inserts=(new,)
    )
