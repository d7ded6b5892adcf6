"""A confirmed handover written: its record, every plan through the writer with the
handover's id as the audit reason, and each row's state before and after (what
cancelling compares and puts back)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.core.serializers.json import DjangoJSONEncoder
from django.utils import timezone

from opiekun import audit
from opiekun.audit import Reason
from opiekun.bulk import insert_rows
from opiekun.caretakers.handover_rules import ContractorPlan
from opiekun.caretakers.models import CaretakerAssignment, Handover, HandoverChange, HandoverTarget
from opiekun.caretakers.rules import AssignmentType
from opiekun.caretakers.services.changes import StoredAssignment
from opiekun.caretakers.services.handover_inputs import HandoverRequest
from opiekun.caretakers.services.writer import (
    AssignmentRow,
    AssignmentValues,
    ChangeSet,
    Update,
    write_changes,
)

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


def write_handover(
    actor: Any, handover: Handover, plans: list[ContractorPlan], rows: dict[int, AssignmentRow]
) -> None:
    """Every plan at once through the writer; then each row's before and after."""
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
    before = {r.pk: snapshot(r) for r in (*changes.deletes, *(u.row for u in changes.updates))}
    inserted = write_changes(actor=actor, changes=changes, reason=audit.reason(Reason.HANDOVER, handover.pk))
    # The after-states from memory, not reloaded: the writer has set the updated rows'
    # values and stamps, and an inserted row is its values, its id and its author.
    after = {u.row.pk: snapshot(u.row) for u in changes.updates}
    author = getattr(actor, "pk", None)
    for pk, values in zip(inserted, changes.inserts, strict=True):
        row = AssignmentRow(
            pk,
            values.contractor_id,
            values.operator_id,
            values.type.value,
            values.role_id,
            values.branch_id,
            values.period.start,
            values.period.end,
            values.priority,
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
