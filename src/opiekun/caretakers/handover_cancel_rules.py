"""Cancelling a handover as a pure plan: every row the handover wrote is put back
as it was, if none changed since and nothing added since stands in the way (no
Django; tests/caretakers/test_handover_rules.py checks it with Hypothesis)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from opiekun.caretakers.handover_rules import Row, Scope
from opiekun.caretakers.rules import AssignmentType


@dataclass(frozen=True)
class Recorded:
    """One row a handover changed: its state before (None: the handover inserted it)
    and after (None: the handover deleted it); ``after_priority``, the deputies' order
    it left the row with (None: not recorded)."""

    assignment_id: int
    before: Row | None
    after: Row | None
    after_priority: int | None = None


@dataclass(frozen=True)
class Restore:
    """What cancelling writes: the inserted rows deleted, the changed rows put back,
    the deleted rows inserted again with their ids."""

    deletes: tuple[int, ...] = ()
    updates: tuple[Row, ...] = ()
    restores: tuple[Row, ...] = ()


@dataclass(frozen=True)
class Refusal:
    """Rows that changed since the handover (or would collide with the restored state)."""

    changed: tuple[int, ...]


def plan_cancel(
    recorded: Sequence[Recorded], current: Iterable[Row], priorities: Mapping[int, int] | None = None
) -> Restore | Refusal:
    """Undo a handover if every row it wrote is still as it left it. ``current`` holds
    every row of the scopes the handover touched, ``priorities`` their priority by id
    (a row given another priority since has changed too). The restored scopes are
    checked against the invariants: a row added since that would collide refuses too."""
    now = {r.id: r for r in current}
    priority = priorities or {}
    changed = [
        rec.assignment_id
        for rec in recorded
        if now.get(rec.assignment_id) != rec.after
        or (
            rec.after_priority is not None
            and rec.assignment_id in priority
            and priority[rec.assignment_id] != rec.after_priority
        )
    ]
    if changed:
        return Refusal(tuple(sorted(changed)))
    mine = {rec.assignment_id for rec in recorded}
    restored = [r for r in now.values() if r.id not in mine] + [rec.before for rec in recorded if rec.before]
    blocking = {i for i in collisions(restored) if i not in mine}
    if blocking:
        return Refusal(tuple(sorted(blocking)))
    return Restore(
        deletes=tuple(sorted(rec.assignment_id for rec in recorded if rec.before is None)),
        updates=tuple(rec.before for rec in recorded if rec.before and rec.after),
        restores=tuple(rec.before for rec in recorded if rec.before and rec.after is None),
    )


def collisions(rows: Iterable[Row]) -> set[int]:
    """Ids of rows that break invariant 2 or 3 together (two mains, or one operator
    twice, sharing a day in one scope)."""
    by_scope: dict[Scope, list[Row]] = defaultdict(list)
    for row in rows:
        by_scope[row.scope].append(row)
    bad: set[int] = set()
    for scope_rows in by_scope.values():
        for i, a in enumerate(scope_rows):
            for b in scope_rows[i + 1 :]:
                both_main = a.type == b.type == AssignmentType.MAIN
                if (both_main or a.operator_id == b.operator_id) and a.period.overlaps(b.period):
                    bad.update((a.id, b.id))
    return bad
