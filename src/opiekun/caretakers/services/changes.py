"""What a writer is asked to write: an assignment's values, an update of an existing
row, and the change set of one write (`writer.write_changes` applies it)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime

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
    def of(cls, row: StoredAssignment) -> AssignmentValues:
        return cls(
            row.contractor_id,
            row.operator_id,
            _TYPES[row.type],
            row.role_id,
            row.branch_id,
            row.period,
            row.priority,
        )

    def flat(self) -> tuple[int, int, str, int, int | None, date, date | None, int]:
        """The values in the order of `VALUE_FIELDS` (the type as stored, a plain string)."""
        return (
            self.contractor_id,
            self.operator_id,
            self.type.value,
            self.role_id,
            self.branch_id,
            self.period.start,
            self.period.end,
            self.priority,
        )

    def with_period(self, period: Period) -> AssignmentValues:
        # Built directly: `dataclasses.replace` costs several times more, once per row
        # of a bulk change.
        return AssignmentValues(
            self.contractor_id,
            self.operator_id,
            self.type,
            self.role_id,
            self.branch_id,
            period,
            self.priority,
        )


_TYPES: dict[str, AssignmentType] = {t.value: t for t in AssignmentType}  # a member is its value too


class AssignmentRow:
    """An existing assignment as plain values, for writes of many rows: what the writer
    reads and sets of a loaded row (every column the audit trail tracks, and the
    stamps), without the cost of a model instance (reading ten thousand rows as
    instances cost more than planning them). ``updated_at`` may be None when the
    loader did not read it: the writer sets it on every row it changes."""

    __slots__ = (
        "branch_id",
        "contractor_id",
        "created_at",
        "created_by_id",
        "date_from",
        "date_to",
        "id",
        "operator_id",
        "priority",
        "role_id",
        "type",
        "updated_at",
        "updated_by_id",
    )

    def __init__(
        self,
        id: int,
        contractor_id: int,
        operator_id: int,
        type: str,
        role_id: int,
        branch_id: int | None,
        date_from: date,
        date_to: date | None,
        priority: int,
        created_by_id: int | None,
        updated_by_id: int | None,
        created_at: datetime | None = None,
        updated_at: datetime | None = None,
    ) -> None:
        self.id, self.contractor_id, self.operator_id, self.type = id, contractor_id, operator_id, type
        self.role_id, self.branch_id, self.date_from, self.date_to = role_id, branch_id, date_from, date_to
        self.priority, self.created_by_id, self.updated_by_id = priority, created_by_id, updated_by_id
        self.created_at, self.updated_at = created_at, updated_at

    # The columns `AssignmentRow(*values)` takes, in order, for ``values_list(*LOADED)``.
    LOADED = (
        "id",
        "contractor_id",
        "operator_id",
        "type",
        "role_id",
        "branch_id",
        "date_from",
        "date_to",
        "priority",
        "created_by_id",
        "updated_by_id",
        "created_at",
    )

    @property
    def pk(self) -> int:
        return self.id

    @property
    def period(self) -> Period:
        return Period(self.date_from, self.date_to)

    def __repr__(self) -> str:
        return (
            f"AssignmentRow({', '.join(f'{n}={getattr(self, n)!r}' for n in (*self.LOADED, 'updated_at'))})"
        )


# A row the writer changes: a model instance, or the same columns as plain values.
StoredAssignment = CaretakerAssignment | AssignmentRow


@dataclass(frozen=True)
class Update:
    """An existing row (as loaded, under the lock) and the values it is to have."""

    row: StoredAssignment
    new: AssignmentValues

    @property
    def shrinks(self) -> bool:
        """Only loses days: such an update can never meet a row the invariants refuse."""
        row, new = self.row, self.new
        return (
            new.contractor_id == row.contractor_id
            and new.operator_id == row.operator_id
            and new.type == row.type
            and new.role_id == row.role_id
            and new.branch_id == row.branch_id
            and new.priority == row.priority
            and row.period.covers(new.period)
        )


@dataclass(init=False)
class ChangeSet:
    deletes: list[StoredAssignment]
    updates: list[Update]
    inserts: list[AssignmentValues]
    # Rows deleted earlier, put back as they were, ids included (cancelling a handover).
    restores: list[StoredAssignment]

    def __init__(
        self,
        *,
        deletes: Iterable[StoredAssignment] = (),
        updates: Iterable[Update] = (),
        inserts: Iterable[AssignmentValues] = (),
        restores: Iterable[StoredAssignment] = (),
    ) -> None:
        # Any iterables (a list of model instances included), kept as lists of their own.
        self.deletes, self.updates = list(deletes), list(updates)
        self.inserts, self.restores = list(inserts), list(restores)

    def __bool__(self) -> bool:
        return bool(self.deletes or self.updates or self.inserts or self.restores)

    def add_plan(
        self,
        plan: Plan,
        *,
        contractor_id: int,
        role_id: int,
        branch_id: int | None,
        rows: Mapping[int, StoredAssignment],
        priority: int = 0,
    ) -> list[int]:
        """Add what ``plan`` (one contractor's, in the scope ``role_id``/``branch_id``)
        writes; ``rows`` holds every existing row the plan names, by id. Returns the
        positions in `inserts` of the plan's rows that hold the proposal itself.

        A new row of the proposal gets ``priority``; the tail of a split row keeps the
        split row's; a row that grows (a merge) keeps its own."""
        self.deletes.extend(rows[i] for i in plan.deletes)
        for assignment_id, period in (*plan.shrinks, *plan.grows):
            row = rows[assignment_id]  # `AssignmentValues.of(row).with_period(period)`, built once
            new_values = AssignmentValues(
                row.contractor_id,
                row.operator_id,
                _TYPES[row.type],
                row.role_id,
                row.branch_id,
                period,
                row.priority,
            )
            self.updates.append(Update(row, new_values))
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
