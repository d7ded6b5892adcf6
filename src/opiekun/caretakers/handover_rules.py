"""Przekazanie klientów (portfolio handover) as a pure plan: which of the source
operator's rows hand which days to whom, and what that does to every row of their
scopes. Plain values in, plain values out: no Django, so Hypothesis can check the
whole of it (tests/caretakers/test_handover_rules.py). The exact rules are in
docs/semantics.md, "Handover"; the service (caretakers/services/handover.py) loads,
calls `plan_contractor` per contractor and writes every plan at once (several targets
share by `handover_distribution`; the common case is `handover_plain`)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date
from enum import StrEnum

from opiekun.caretakers.rules import (
    AssignmentType,
    Change,
    ChangeKind,
    Outcome,
    OverlapPolicy,
    Proposal,
    Slot,
    decide,
)
from opiekun.periods import ONE_DAY, Period

Scope = tuple[int, int, int | None]  # (contractor, role, branch)


class HandoverKind(StrEnum):
    """What happens to one of the source operator's rows."""

    CUT = "cut"  # it started before D: it ends on D−1 now
    MOVED = "moved"  # it started on or after D: the whole row leaves the source


@dataclass(frozen=True)
class Row:
    """An assignment as plain values."""

    id: int
    contractor_id: int
    operator_id: int
    type: AssignmentType
    role_id: int
    branch_id: int | None
    period: Period

    @property
    def scope(self) -> Scope:
        return (self.contractor_id, self.role_id, self.branch_id)


@dataclass(frozen=True)
class SourceChange:
    """A source row losing its days from D; the same fields as `rules.Change`."""

    kind: HandoverKind
    assignment_id: int
    operator_id: int
    type: AssignmentType
    before: Period
    after: tuple[Period, ...]


@dataclass(frozen=True)
class Selection:
    """Which of the source operator's rows are handed over. ``None``: no limit."""

    types: frozenset[AssignmentType] = frozenset(AssignmentType)
    role_ids: frozenset[int] | None = None
    branch_ids: frozenset[int] | None = None  # a row without a branch matches only None
    contractor_ids: frozenset[int] | None = None

    def matches(self, row: Row) -> bool:
        return (
            row.type in self.types
            and (self.role_ids is None or row.role_id in self.role_ids)
            and (self.branch_ids is None or row.branch_id in self.branch_ids)
            and (self.contractor_ids is None or row.contractor_id in self.contractor_ids)
        )


def handed_rows(rows: Iterable[Row], *, source_id: int, day: date, selection: Selection) -> list[Row]:
    """The source's rows that hand days over: matching, and covering a day ≥ ``day``."""
    return [
        r
        for r in rows
        if r.operator_id == source_id
        and (r.period.end is None or r.period.end >= day)
        and selection.matches(r)
    ]


@dataclass(frozen=True)
class NewAssignment:
    """A row the handover inserts, with its scope."""

    contractor_id: int
    operator_id: int
    type: AssignmentType
    role_id: int
    branch_id: int | None
    period: Period


@dataclass(frozen=True)
class ContractorPlan:
    """Everything one contractor's handover writes (nothing when skipped)."""

    contractor_id: int
    target_id: int
    outcome: Outcome
    handed: int  # the source's rows handed over (0 when skipped)
    changes: tuple[Change | SourceChange, ...] = ()
    conflicts: tuple[Row, ...] = ()  # as they were before the handover
    deletes: tuple[int, ...] = ()
    updates: tuple[tuple[int, Period], ...] = ()  # (existing row, its new period)
    inserts: tuple[NewAssignment, ...] = ()

    @property
    def skipped(self) -> bool:
        return self.outcome == Outcome.SKIPPED


@dataclass
class _Scope:
    """One scope's rows while the plan is built; new rows get negative ids."""

    rows: dict[int, Row]
    origin: dict[int, int] = field(default_factory=dict)  # a new row's existing ancestor
    next_id: int = -1

    def slots(self) -> list[Slot]:
        return [Slot(r.id, r.operator_id, r.type, r.period) for r in self.rows.values()]

    def set_period(self, row_id: int, period: Period) -> None:
        r = self.rows[row_id]  # built directly: dataclasses.replace costs more than the plan
        self.rows[row_id] = Row(r.id, r.contractor_id, r.operator_id, r.type, r.role_id, r.branch_id, period)

    def add(
        self, template: Row, operator_id: int, kind: AssignmentType, period: Period, origin: int | None
    ) -> None:
        t = template
        new = Row(self.next_id, t.contractor_id, operator_id, kind, t.role_id, t.branch_id, period)
        self.rows[new.id] = new
        if origin is not None:
            self.origin[new.id] = self.origin.get(origin, origin)
        self.next_id -= 1


def plan_contractor(
    *,
    contractor_id: int,
    handed: Sequence[Row],
    scope_rows: Iterable[Row],
    target_id: int,
    day: date,
    policy: OverlapPolicy,
    plain: bool = True,
) -> ContractorPlan:
    """The handover of one contractor's ``handed`` rows (the source's, from
    `handed_rows`) to ``target_id`` from ``day``. ``scope_rows`` holds every row of
    the handed rows' scopes that overlaps or touches ``[day − 1, …)`` (the handed
    rows included).

    Per scope: first every handed row loses its days from ``day`` (cut at ``day − 1``,
    or removed when it starts on or after ``day``); then, in date order, the target
    receives each handed row's days as §3 adds them (`rules.decide`, merging with the
    target's own rows; conflicts go by ``policy``, WARN planning what REPLACE does).
    Under KEEP one conflict anywhere skips the whole contractor: the source keeps all.
    ``plain=False``: without the common case's shortcut (the tests compare the two)."""
    if plain and len(handed) == 1:  # the common case: `handover_plain` (which imports this module)
        from opiekun.caretakers.handover_plain import plan_plain

        if (shortcut := plan_plain(contractor_id, handed[0], scope_rows, target_id, day)) is not None:
            return shortcut
    by_scope: dict[Scope, list[Row]] = defaultdict(list)
    for row in handed:
        by_scope[row.scope].append(row)
    initial: dict[Scope, dict[int, Row]] = {scope: {} for scope in by_scope}
    for row in scope_rows:
        if row.scope in initial:
            initial[row.scope][row.id] = row
    for row in handed:  # the handed rows always belong to their own scope
        initial[row.scope][row.id] = row

    changes: list[Change | SourceChange] = []
    conflicts: dict[int, Row] = {}
    outcomes: list[Outcome] = []
    states: dict[Scope, _Scope] = {}
    scopes = list(by_scope.items())
    if len(scopes) > 1:  # (most contractors hand over one row: nothing to sort)
        scopes.sort(key=lambda item: (item[0][1], item[0][2] or 0))
    for scope, rows in scopes:
        state = _Scope(dict(initial[scope]))
        states[scope] = state
        if len(rows) > 1:
            rows = sorted(rows, key=lambda r: (*_order(r.period), r.id))
        for row in rows:
            if row.period.start < day:
                kept = Period(row.period.start, day - ONE_DAY)
                state.set_period(row.id, kept)
                changes.append(
                    SourceChange(HandoverKind.CUT, row.id, row.operator_id, row.type, row.period, (kept,))
                )
            else:
                del state.rows[row.id]
                changes.append(
                    SourceChange(HandoverKind.MOVED, row.id, row.operator_id, row.type, row.period, ())
                )
        for row in rows:
            given = Period(max(row.period.start, day), row.period.end)
            plan = decide(state.slots(), Proposal(target_id, row.type, given), OverlapPolicy.REPLACE)
            outcomes.append(plan.outcome)
            for slot in plan.conflicts:
                ancestor = state.origin.get(slot.id, slot.id)
                conflicts.setdefault(ancestor, initial[scope][ancestor])
            for row_id in plan.deletes:
                del state.rows[row_id]
            for row_id, period in (*plan.shrinks, *plan.grows):
                state.set_period(row_id, period)
            for new in plan.inserts:
                origin = None if new.is_proposal else _split_origin(plan.changes, new)
                state.add(row, new.operator_id, new.type, new.period, origin)
            changes.extend(_public(c) for c in plan.changes)

    ordered_conflicts = tuple(
        sorted(conflicts.values(), key=lambda r: (r.role_id, r.branch_id or 0, *_order(r.period), r.id))
    )
    if ordered_conflicts and policy == OverlapPolicy.KEEP:
        return ContractorPlan(contractor_id, target_id, Outcome.SKIPPED, 0, conflicts=ordered_conflicts)

    deletes: list[int] = []
    updates: list[tuple[int, Period]] = []
    inserts: list[NewAssignment] = []
    for scope, state in states.items():
        before = initial[scope]
        after = state.rows
        deletes.extend(sorted(i for i in before if i not in after))
        # A row whose period was never set is the very object it was before.
        updates.extend(
            sorted(
                (i, r.period)
                for i, r in after.items()
                if i > 0 and r is not before[i] and r.period != before[i].period
            )
        )
        created = [r for r in after.values() if r.id < 0]
        if len(created) > 1:
            created.sort(key=lambda r: (*_order(r.period), -r.id))
        inserts.extend(
            NewAssignment(r.contractor_id, r.operator_id, r.type, r.role_id, r.branch_id, r.period)
            for r in created
        )
    return ContractorPlan(
        contractor_id,
        target_id,
        _outcome(outcomes),
        len(handed),
        tuple(changes),
        ordered_conflicts,
        tuple(deletes),
        tuple(updates),
        tuple(inserts),
    )


def _order(period: Period) -> tuple[date, bool, date]:
    """Periods by start, then end, an open end last (as `Period` orders them, faster)."""
    return (period.start, period.end is None, period.end or period.start)


def _split_origin(changes: Sequence[Change], new: object) -> int | None:
    """The row a split's tail came from: the split change of the same operator and type."""
    for change in changes:
        if (
            change.kind == ChangeKind.SPLIT
            and change.operator_id == getattr(new, "operator_id", None)
            and change.type == getattr(new, "type", None)
            and getattr(new, "period", None) in change.after
        ):
            return change.assignment_id
    return None


def _public(change: Change) -> Change:
    """A change as the caller reads it: a row the plan itself created has no id yet."""
    if change.assignment_id is not None and change.assignment_id < 0:
        return change._replace(assignment_id=None)
    return change


def _outcome(outcomes: Sequence[Outcome]) -> Outcome:
    """One contractor's outcome on the target's side: replaced if any part met a
    conflict, merged if any joined the target's own rows, added if any was new."""
    ranked = (Outcome.REPLACED, Outcome.MERGED, Outcome.ADDED)
    return next((candidate for candidate in ranked if candidate in outcomes), Outcome.UNCHANGED)
