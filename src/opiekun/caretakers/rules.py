"""The overlap policy of "Dodaj opiekuna" (docs/semantics.md, "Dodaj opiekuna") as a pure decision.

`decide` takes the assignments that already exist in the new assignment's scope
(one contractor, role and branch) and returns the plan of changes. It knows
nothing of Django or the database: services load the slots, call `decide` for every
contractor of a selection (`decide_each`: the same for a whole selection at once), and
write all the plans at once.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum
from typing import NamedTuple

from opiekun.periods import Period


class AssignmentType(StrEnum):
    MAIN = "main"
    DEPUTY = "deputy"


# A type read from the database, by its value: a dictionary lookup, where
# `AssignmentType(value)` costs the enum's call machinery (a tenth of a 10,000-contractor
# KEEP's Python time).
TYPE_OF: dict[str, AssignmentType] = {t.value: t for t in AssignmentType}


class OverlapPolicy(StrEnum):
    KEEP = "keep"
    WARN = "warn"
    REPLACE = "replace"


class Outcome(StrEnum):
    ADDED = "added"
    MERGED = "merged"
    UNCHANGED = "unchanged"
    REPLACED = "replaced"
    SKIPPED = "skipped"


class ChangeKind(StrEnum):
    CREATED = "created"  # the new assignment, as a new row
    EXTENDED = "extended"  # the same operator's row grown to hold the new period
    ABSORBED = "absorbed"  # another row of the same operator and type, merged away
    TRIMMED = "trimmed"  # a conflicting row that lost days at one end
    SPLIT = "split"  # a conflicting row that lost days in the middle: two rows now
    REMOVED = "removed"  # a conflicting row that lay wholly inside the new period


class Slot(NamedTuple):
    """An existing assignment in the scope, as plain values (a named tuple: a
    selection's KEEP builds one per conflict, at a quarter of a frozen dataclass's cost)."""

    id: int
    operator_id: int
    type: AssignmentType
    period: Period


@dataclass(frozen=True)
class Proposal:
    """The assignment to add."""

    operator_id: int
    type: AssignmentType
    period: Period


class Change(NamedTuple):
    """One change a plan makes, for its answer (a named tuple, as `Slot`: a REPLACE of a
    selection builds two per contractor)."""

    kind: ChangeKind
    assignment_id: int | None  # None for a row that does not exist yet
    operator_id: int
    type: AssignmentType
    before: Period | None
    after: tuple[Period, ...]


class NewRow(NamedTuple):
    """A row a plan inserts (a named tuple, as `Change`)."""

    operator_id: int
    type: AssignmentType
    period: Period
    is_proposal: bool  # the added assignment itself, not the tail of a split
    source_id: int | None = None  # the tail of a split: the row it was split from


class Plan(NamedTuple):
    """What to write for one contractor. Apply in this order, which never breaks an
    invariant between two statements: deletes, shrinks, grows, inserts. A named tuple,
    as `Slot`: a KEEP of a selection builds one per skipped contractor."""

    outcome: Outcome
    conflicts: tuple[Slot, ...] = ()
    changes: tuple[Change, ...] = ()
    deletes: tuple[int, ...] = ()
    shrinks: tuple[tuple[int, Period], ...] = ()
    grows: tuple[tuple[int, Period], ...] = ()
    inserts: tuple[NewRow, ...] = ()
    # The existing row that holds the proposal afterwards; None when it is inserted
    # (or nothing is written).
    holder_id: int | None = None

    @property
    def writes(self) -> bool:
        return bool(self.deletes or self.shrinks or self.grows or self.inserts)

    @property
    def rows_named(self) -> set[int]:
        """The existing rows the plan changes, or copies (a split row's tail keeps its
        priority): all its writer needs to be given of them."""
        named = {*self.deletes, *(pk for pk, _period in (*self.shrinks, *self.grows))}
        named.update(new.source_id for new in self.inserts if new.source_id is not None)
        return named


def is_conflict(existing: Slot, proposal: Proposal) -> bool:
    """A different operator's main while the proposal is main, or the same operator
    with the other type, sharing at least one day."""
    if not existing.period.overlaps(proposal.period):
        return False
    if existing.operator_id == proposal.operator_id:
        return existing.type != proposal.type
    return existing.type == AssignmentType.MAIN and proposal.type == AssignmentType.MAIN


def is_mergeable(existing: Slot, proposal: Proposal) -> bool:
    """The same operator and type, overlapping or adjacent: not a change of caretaker."""
    return (
        existing.operator_id == proposal.operator_id
        and existing.type == proposal.type
        and existing.period.touches(proposal.period)
    )


def decide(existing: Iterable[Slot], proposal: Proposal, policy: OverlapPolicy) -> Plan:
    """The plan for adding ``proposal`` to a scope holding ``existing``.

    WARN plans exactly what REPLACE would; whether to ask for confirmation first is
    the caller's business (`Plan.conflicts` says whether there is anything to confirm).
    """
    slots = sorted(existing, key=lambda s: (s.period, s.id))
    conflicts = tuple(s for s in slots if is_conflict(s, proposal))
    if conflicts and policy == OverlapPolicy.KEEP:
        return Plan(outcome=Outcome.SKIPPED, conflicts=conflicts)

    changes: list[Change] = []
    deletes: list[int] = []
    shrinks: list[tuple[int, Period]] = []
    inserts: list[NewRow] = []
    cut_conflicts(conflicts, proposal.period, changes, deletes, shrinks, inserts)

    same = [s for s in slots if is_mergeable(s, proposal)]
    union = proposal.period
    for slot in same:
        union = union.span(slot.period)

    grows: list[tuple[int, Period]] = []
    holder_id: int | None = None
    unchanged = False
    if not same:
        inserts.insert(0, NewRow(proposal.operator_id, proposal.type, proposal.period, True))
        changes.insert(
            0, Change(ChangeKind.CREATED, None, proposal.operator_id, proposal.type, None, (union,))
        )
    else:
        holder, absorbed = same[0], same[1:]
        holder_id = holder.id
        unchanged = not absorbed and holder.period == union
        if not unchanged:
            grows.append((holder.id, union))
            changes.insert(
                0,
                Change(
                    ChangeKind.EXTENDED,
                    holder.id,
                    holder.operator_id,
                    holder.type,
                    holder.period,
                    (union,),
                ),
            )
        for slot in absorbed:
            deletes.append(slot.id)
            changes.append(Change(ChangeKind.ABSORBED, slot.id, slot.operator_id, slot.type, slot.period, ()))

    if conflicts:
        outcome = Outcome.REPLACED
    elif unchanged:
        outcome = Outcome.UNCHANGED
    elif same:
        outcome = Outcome.MERGED
    else:
        outcome = Outcome.ADDED
    return Plan(
        outcome=outcome,
        conflicts=conflicts,
        changes=tuple(changes),
        deletes=tuple(deletes),
        shrinks=tuple(shrinks),
        grows=tuple(grows),
        inserts=tuple(inserts),
        holder_id=holder_id,
    )


def cut_conflicts(
    conflicts: Iterable[Slot],
    period: Period,
    changes: list[Change],
    deletes: list[int],
    shrinks: list[tuple[int, Period]],
    inserts: list[NewRow],
) -> None:
    """What REPLACE does to each of ``conflicts``: it loses the days of ``period``,
    removed, trimmed or split (its tail a new row keeping its id as the source)."""
    for slot in conflicts:
        parts = slot.period.subtract(period)
        if not parts:
            kind = ChangeKind.REMOVED
            deletes.append(slot.id)
        else:
            kind = ChangeKind.TRIMMED if len(parts) == 1 else ChangeKind.SPLIT
            shrinks.append((slot.id, parts[0]))
            inserts.extend(NewRow(slot.operator_id, slot.type, tail, False, slot.id) for tail in parts[1:])
        changes.append(Change(kind, slot.id, slot.operator_id, slot.type, slot.period, parts))
