"""What a writer is asked to write: an assignment's values, an update of an existing
row, and the change set of one write (`writer.write_changes` applies it)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace

from opiekun.caretakers.models import CaretakerAssignment
from opiekun.caretakers.rules import AssignmentType, Plan
from opiekun.periods import Period

VALUE_FIELDS = [
    "contractor_id",
    "operator_id",
    "type",
    "role_id",
    "branch_id",
    "date_from",
    "date_to",
    "priority",
]
STAMP_FIELDS = ["updated_by_id", "updated_at"]
INSERT_FIELDS = [*VALUE_FIELDS, "created_by_id", "created_at", *STAMP_FIELDS]


@dataclass(frozen=True)
class AssignmentValues:
    """An assignment's own values: who cares for which contractor, how, and when;
    ``priority`` orders the deputies standing in for an absent main (lower first)."""

    contractor_id: int
    operator_id: int
    type: AssignmentType
    role_id: int
    branch_id: int | None
    period: Period
    priority: int = 0

    @classmethod
    def of(cls, row: CaretakerAssignment) -> AssignmentValues:
        return cls(
            row.contractor_id,
            row.operator_id,
            AssignmentType(row.type),
            row.role_id,
            row.branch_id,
            row.period,
            row.priority,
        )

    def with_period(self, period: Period) -> AssignmentValues:
        return replace(self, period=period)


@dataclass(frozen=True)
class Update:
    """An existing row (as loaded, under the lock) and the values it is to have."""

    row: CaretakerAssignment
    new: AssignmentValues

    @property
    def shrinks(self) -> bool:
        """Only loses days: such an update can never meet a row the invariants refuse."""
        old = AssignmentValues.of(self.row)
        return self.new.with_period(old.period) == old and old.period.covers(self.new.period)


@dataclass
class ChangeSet:
    deletes: list[CaretakerAssignment] = field(default_factory=list)
    updates: list[Update] = field(default_factory=list)
    inserts: list[AssignmentValues] = field(default_factory=list)
    # Rows deleted earlier, put back as they were, ids included (cancelling a handover).
    restores: list[CaretakerAssignment] = field(default_factory=list)

    def __bool__(self) -> bool:
        return bool(self.deletes or self.updates or self.inserts or self.restores)

    def add_plan(
        self,
        plan: Plan,
        *,
        contractor_id: int,
        role_id: int,
        branch_id: int | None,
        rows: Mapping[int, CaretakerAssignment],
        priority: int = 0,
    ) -> list[int]:
        """Add what ``plan`` (one contractor's, in the scope ``role_id``/``branch_id``)
        writes; ``rows`` holds every existing row the plan names, by id. Returns the
        positions in `inserts` of the plan's rows that hold the proposal itself.

        A new row of the proposal gets ``priority``; the tail of a split row keeps the
        split row's; a row that grows (a merge) keeps its own."""
        self.deletes.extend(rows[i] for i in plan.deletes)
        for assignment_id, period in (*plan.shrinks, *plan.grows):
            row = rows[assignment_id]
            self.updates.append(Update(row, AssignmentValues.of(row).with_period(period)))
        positions = []
        for new in plan.inserts:
            if new.is_proposal:
                positions.append(len(self.inserts))
            source = rows.get(new.source_id) if new.source_id is not None else None
            self.inserts.append(
                AssignmentValues(
                    contractor_id,
                    new.operator_id,
                    new.type,
                    role_id,
                    branch_id,
                    new.period,
                    source.priority if source is not None else priority,
                )
            )
        return positions
