"""Cancelling a handover: every row it wrote put back as it was before, if none of
them changed since (docs/semantics.md, "Handover"). One action, audited as
``handover_cancel:<id>``."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Field
from django.utils import timezone
from django.utils.translation import gettext as _

from opiekun import audit
from opiekun.audit import Reason
from opiekun.bulk import id_list
from opiekun.caretakers.handover_cancel_rules import Recorded, Refusal, plan_cancel
from opiekun.caretakers.handover_rules import Row
from opiekun.caretakers.handover_selectors import handover_get
from opiekun.caretakers.models import CaretakerAssignment, Handover, HandoverChange
from opiekun.caretakers.rules import AssignmentType
from opiekun.caretakers.services.inputs import FieldErrors, report_unchangeable
from opiekun.caretakers.services.writer import (
    AssignmentValues,
    ChangeSet,
    Update,
    lock_contractors,
    write_changes,
)
from opiekun.contractors.models import Contractor
from opiekun.messages import NOT_EDITABLE
from opiekun.operators.access import require_assign
from opiekun.periods import Period


class CancelRefused(Exception):
    """The handover cannot be cancelled; ``changed`` names the rows in the way."""

    def __init__(self, message: str, changed: tuple[int, ...] = ()) -> None:
        super().__init__(message)
        self.changed = changed


@transaction.atomic
def handover_cancel(*, actor: Any, handover_id: object) -> Handover:
    """Undo a handover exactly. Raises DoesNotExist for a handover the actor may not
    see, PermissionDenied without the right to change its contractors, CancelRefused
    when it was cancelled already or a row it wrote changed since."""
    require_assign(actor)
    visible = handover_get(viewer=actor, handover_id=handover_id)
    handover = Handover.objects.select_for_update().get(pk=visible.pk)  # one cancel at a time
    if handover.cancelled_at is not None:
        raise CancelRefused(_("This handover has already been cancelled."))
    records = list(HandoverChange.objects.filter(handover=handover).order_by("id"))
    contractor_ids = sorted({r.contractor_id for r in records})
    existing = list(
        Contractor.objects.filter(pk__in=id_list(contractor_ids)).order_by("pk").values_list("pk", flat=True)
    )
    lock_contractors(existing)
    gone = set(contractor_ids) - set(existing)
    if gone:  # a contractor deleted since: its rows cannot come back
        raise CancelRefused(
            _("Contractors the handover changed have been deleted; it cannot be cancelled."),
            tuple(sorted(r.assignment_id for r in records if r.contractor_id in gone)),
        )
    if report_unchangeable(FieldErrors(), actor, existing):
        raise PermissionDenied(str(NOT_EDITABLE))
    current = {r.pk: r for r in CaretakerAssignment.objects.filter(contractor_id__in=id_list(contractor_ids))}
    recorded = [Recorded(r.assignment_id, _row(r.before), _row(r.after), _priority(r.after)) for r in records]
    plan = plan_cancel(
        recorded, [_current(r) for r in current.values()], {pk: r.priority for pk, r in current.items()}
    )
    if isinstance(plan, Refusal):
        raise CancelRefused(
            _("Caretakers changed since the handover; it cannot be cancelled. Changed assignments: %(ids)s.")
            % {"ids": ", ".join(map(str, plan.changed[:20])) + (" …" if len(plan.changed) > 20 else "")},
            plan.changed,
        )
    befores = {r.assignment_id: HandoverChange.decode(r.before) for r in records}
    changes = ChangeSet(
        deletes=[current[i] for i in plan.deletes],
        updates=[
            Update(current[r.id], AssignmentValues.of(current[r.id]).with_period(r.period))
            for r in plan.updates
        ],
        restores=[_instance(befores[r.id]) for r in plan.restores],
    )
    write_changes(actor=actor, changes=changes, reason=audit.reason(Reason.HANDOVER_CANCEL, handover.pk))
    handover.cancelled_at = timezone.now()
    handover.cancelled_by = actor if getattr(actor, "pk", None) else None
    handover.save(update_fields=["cancelled_at", "cancelled_by"])
    return handover


def _current(r: CaretakerAssignment) -> Row:
    return Row(r.pk, r.contractor_id, r.operator_id, AssignmentType(r.type), r.role_id, r.branch_id, r.period)


def _value(name: str, value: Any) -> Any:
    field = CaretakerAssignment._meta.get_field(name)
    assert isinstance(field, Field)
    return field.to_python(value)


def _row(text: str) -> Row | None:
    state = HandoverChange.decode(text)
    if state is None:
        return None
    return Row(
        state["id"],
        state["contractor_id"],
        state["operator_id"],
        AssignmentType(state["type"]),
        state["role_id"],
        state["branch_id"],
        Period(_value("date_from", state["date_from"]), _value("date_to", state["date_to"])),
    )


def _priority(text: str) -> int | None:
    """The priority a row was left with (None: deleted, or recorded without one)."""
    state = HandoverChange.decode(text)
    return None if state is None or state.get("priority") is None else int(state["priority"])


def _instance(state: dict[str, Any] | None) -> CaretakerAssignment:
    """A deleted row as it was, id and creation included."""
    assert state is not None
    row = CaretakerAssignment()
    for name, value in state.items():
        setattr(row, name, _value(name, value))
    return row
