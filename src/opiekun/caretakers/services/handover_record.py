"""A confirmed handover written: its record, every plan through the writer with the
handover's id as the audit reason, and each row's state before and after (what
cancelling compares and puts back)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING, Any

from django.core.serializers.json import DjangoJSONEncoder
from django.db import connection
from django.db.models import Field
from django.utils import timezone

from opiekun import audit
from opiekun.audit import Reason
from opiekun.bulk import Beside, array_literal, insert_rows
from opiekun.caretakers.handover_rules import ContractorPlan
from opiekun.caretakers.models import CaretakerAssignment, Handover, HandoverChange, HandoverTarget
from opiekun.caretakers.rules import AssignmentType
from opiekun.caretakers.services.changes import StoredAssignment
from opiekun.caretakers.services.handover_inputs import HandoverRequest
from opiekun.caretakers.services.writer import (
    AssignmentRow,
    AssignmentValues,
    ChangeSet,
    KnownRows,
    Update,
    write_changes,
)
from opiekun.periods import ONE_DAY

if TYPE_CHECKING:
    from opiekun.caretakers.services.handover import HandoverPreview


def record_handover(actor: Any, request: HandoverRequest, preview: HandoverPreview) -> Handover:
    handover = Handover.objects.create(
        from_operator=request.source,
        date=request.day,
        distribution=request.distribution,
        types=[t.value for t in request.types],
        role_ids=list(request.role_ids) if request.role_ids is not None else None,
        branch_ids=list(request.branch_ids) if request.branch_ids is not None else None,
        contractor_ids=list(request.contractor_ids) if request.contractor_ids is not None else None,
        on_overlap=request.policy.value,
        contractors=preview.contractors,
        assignments=preview.assignments,
        skipped=preview.skipped,
        created_at=timezone.now(),
        created_by=actor if getattr(actor, "pk", None) else None,
    )
    HandoverTarget.objects.bulk_create(
        HandoverTarget(
            handover=handover,
            operator_id=t.operator_id,
            position=position,
            contractors=t.contractors,
            assignments=t.assignments,
        )
        for position, t in enumerate(preview.targets)
    )
    return handover


_TYPES = {t.value: t for t in AssignmentType}
_ENCODER = DjangoJSONEncoder(sort_keys=True)  # what `HandoverChange.encode` writes, built once


def _encode(state: dict[str, Any] | None) -> str:
    """`HandoverChange.encode`, the same text, without building an encoder per row."""
    return "" if state is None else _ENCODER.encode(state)


def snapshot(row: StoredAssignment) -> dict[str, Any]:
    """What a handover records of a row: its tracked values and when it was created."""
    state = audit.snapshot(row, CaretakerAssignment)
    state["created_at"] = row.created_at
    return state


_INTEGERS = {"AutoField", "BigAutoField", "BigIntegerField", "ForeignKey", "IntegerField"}
_INTEGERS |= {"PositiveIntegerField", "PositiveSmallIntegerField", "SmallIntegerField"}


def _value_sql(field: Any, expr: str) -> str:
    """A column's value as `_encode` writes it (`DjangoJSONEncoder`), as SQL text."""
    kind = field.get_internal_type()
    if kind in _INTEGERS:
        text = f"{expr}::text"
    elif kind == "DateField":
        text = f"'\"' || to_char({expr}, 'YYYY-MM-DD') || '\"'"
    elif kind == "DateTimeField":  # to the millisecond (truncated), in UTC, as "…Z"
        utc = f"({expr} AT TIME ZONE 'UTC')"
        fraction = f"CASE WHEN date_trunc('second', {expr}) = {expr} THEN '' ELSE to_char({utc}, '.MS') END"
        text = f"'\"' || to_char({utc}, 'YYYY-MM-DD\"T\"HH24:MI:SS') || {fraction} || 'Z\"'"
    elif kind == "CharField":  # the assignment's type: plain ASCII words (a check constraint)
        text = f"to_json({expr})::text"
    else:
        raise NotImplementedError(f"no SQL encoding of a {kind}")
    return f"coalesce({text}, 'null')" if field.null else text


def _field(name: str) -> Field[Any, Any]:
    field = CaretakerAssignment._meta.get_field(name)
    assert isinstance(field, Field)
    return field


def _state_sql(alias: str, prefix: str = "", created: bool = True) -> str:
    """A row's state as `snapshot` records it, as the very text `_encode` writes (keys
    sorted, `DjangoJSONEncoder`'s values), built by PostgreSQL. ``prefix``: the
    columns' prefix (``old_``: the row before an update); ``created``: whether its
    creation is recorded (not for a row the handover inserts, as in `write_handover`)."""
    parts = []
    for n, name in enumerate(sorted([*audit.tracked_names(CaretakerAssignment), "created_at"])):
        field = _field(name)
        value = _value_sql(field, f'{alias}."{prefix}{field.column}"')
        if name == "created_at" and not created:
            value = "'null'"
        parts.append(f"'{', ' if n else ''}\"{name}\": ' || {value}")
    return "'{' || " + " || ".join(parts) + " || '}'"


@dataclass(frozen=True)
class _Changes:
    """The record of the rows one statement of the writer wrote (PostgreSQL), written
    by that statement (`opiekun.bulk.Beside`): deleted rows as they were, updated rows
    before (the table joined again) and after, inserted rows after."""

    handover_id: int
    kind: str  # audit.DELETED, CHANGED or CREATED
    contractors: tuple[int, ...]  # each contractor's target: ``targets`` at the same position
    targets: tuple[int, ...]  # one: every contractor's

    @property
    def old(self) -> tuple[str, ...]:
        if self.kind != audit.CHANGED:
            return ()
        names = [*audit.tracked_names(CaretakerAssignment), "created_at"]
        return tuple(_field(n).column for n in names)

    def insert(self, source: str, order: str) -> tuple[str, list[Any]]:
        before = {audit.DELETED: _state_sql("w"), audit.CHANGED: _state_sql("w", "old_")}.get(self.kind, "''")
        after = {audit.CHANGED: _state_sql("w"), audit.CREATED: _state_sql("w", created=False)}.get(
            self.kind, "''"
        )
        table = HandoverChange._meta.db_table
        insert = (
            f'INSERT INTO "{table}" (handover_id, assignment_id, contractor_id, target_id, before, after)'
        )
        # In no particular order (the record is read by contractor and row): sorting
        # the states' text would cost more than writing it.
        if len(self.targets) == 1:
            sql = f"{insert} SELECT %s, w.id, w.contractor_id, %s, {before}, {after} FROM {source} w"
            return sql, [self.handover_id, self.targets[0]]
        sql = (
            f"{insert} SELECT %s, w.id, w.contractor_id, t.target_id, {before}, {after} FROM {source} w "
            "LEFT JOIN unnest(%s::bigint[], %s::bigint[]) AS t(contractor_id, target_id) "
            "ON t.contractor_id = w.contractor_id"
        )
        return sql, [self.handover_id, array_literal(self.contractors), array_literal(self.targets)]


def write_handover(
    actor: Any, handover: Handover, plans: list[ContractorPlan], rows: dict[int, AssignmentRow]
) -> None:
    """Every plan at once through the writer; then each row's before and after.

    PostgreSQL: the record is written by the writer's own statements, from the rows as
    they wrote them (no state built in Python); SQLite: from the rows in memory."""
    changes = ChangeSet()
    target_of: dict[int, int] = {}
    for plan in plans:
        target_of[plan.contractor_id] = plan.target_id
        changes.deletes.extend(rows[i] for i in plan.deletes)
        for i, period in plan.updates:
            r = rows[i]
            new = AssignmentValues(
                r.contractor_id, r.operator_id, _TYPES[r.type], r.role_id, r.branch_id, period, r.priority
            )
            changes.updates.append(Update(r, new))
        changes.inserts.extend(
            AssignmentValues(n.contractor_id, n.operator_id, n.type, n.role_id, n.branch_id, n.period)
            for n in plan.inserts
        )
    reason = audit.reason(Reason.HANDOVER, handover.pk)
    # Every row of the handed contractors that reaches D - 1 or later (`handover._load`):
    # the Operatorzy page's steps take them instead of reading them again.
    since = handover.date - ONE_DAY if handover.date > date.min else handover.date
    known = KnownRows(rows.values(), target_of.keys(), since)
    if connection.vendor == "postgresql":
        targets = set(target_of.values())
        contractors: tuple[int, ...]
        if len(targets) == 1:
            contractors, to = (), tuple(targets)
        else:
            contractors, to = tuple(target_of), tuple(target_of.values())

        def beside(kind: str) -> Sequence[Beside]:
            return [_Changes(handover.pk, kind, contractors, to)]

        write_changes(actor=actor, changes=changes, reason=reason, beside=beside, known=known)
        return
    before = {r.pk: snapshot(r) for r in (*changes.deletes, *(u.row for u in changes.updates))}
    inserted = write_changes(actor=actor, changes=changes, reason=reason, known=known)
    # The after-states from memory, not reloaded: the writer has set the updated rows'
    # values and stamps, and an inserted row is its values, its id and its author.
    after = {u.row.pk: snapshot(u.row) for u in changes.updates}
    author = getattr(actor, "pk", None)
    for pk, values in zip(inserted, changes.inserts, strict=True):
        row = AssignmentRow(
            pk,
            *values.flat(),  # in the order AssignmentRow takes them
            author,
            author,
            None,  # not recorded for a row the handover created: cancelling deletes it
        )
        after[pk] = snapshot(row)
    records = [
        {
            "handover_id": handover.pk,
            "assignment_id": pk,
            "contractor_id": state["contractor_id"],
            "target_id": target_of.get(state["contractor_id"]),
            "before": _encode(before.get(pk)),
            "after": _encode(after.get(pk)),
        }
        for pk, state in [*before.items(), *((pk, after[pk]) for pk in inserted)]
    ]
    insert_rows(
        HandoverChange,
        ["handover_id", "assignment_id", "contractor_id", "target_id", "before", "after"],
        records,
    )
