"""Editing one assignment: change its values, end it, delete it. The same invariants as
adding; a change that would break one is refused, naming the assignment it meets."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import NON_FIELD_ERRORS, PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from opiekun.audit import Reason
from opiekun.caretakers.models import CaretakerAssignment, type_label
from opiekun.caretakers.rules import AssignmentType, Proposal, Slot, is_conflict
from opiekun.caretakers.services.add import scope_filter
from opiekun.caretakers.services.inputs import (
    FieldErrors,
    check_branch,
    check_choice,
    check_operator,
    check_period,
    check_priority,
    check_role,
)
from opiekun.caretakers.services.writer import (
    AssignmentValues,
    ChangeSet,
    Update,
    lock_contractors,
    write_changes,
)
from opiekun.dates import format_period
from opiekun.ids import to_id
from opiekun.messages import COLLISION, FIELD_REQUIRED, NOT_EDITABLE
from opiekun.operators.access import require_assign, visible_contractors


class _Unset:
    def __repr__(self) -> str:
        return "UNSET"


UNSET: Any = _Unset()  # "leave this field as it is"


def _locked_assignment(actor: Any, assignment_id: object) -> CaretakerAssignment:
    """The assignment, its contractor locked; DoesNotExist when unknown or not visible,
    PermissionDenied when the actor may only read it. The right is checked under the
    lock, so a right lost while waiting for it is a right the actor does not have."""
    pk = to_id(assignment_id)
    if pk is None:
        raise CaretakerAssignment.DoesNotExist
    contractor_id = CaretakerAssignment.objects.filter(pk=pk).values_list("contractor_id", flat=True).first()
    if contractor_id is None:
        raise CaretakerAssignment.DoesNotExist
    lock_contractors([contractor_id])
    if not visible_contractors(viewer=actor).filter(pk=contractor_id).exists():
        raise CaretakerAssignment.DoesNotExist
    if not visible_contractors(viewer=actor, editable=True).filter(pk=contractor_id).exists():
        raise PermissionDenied(str(NOT_EDITABLE))
    row = CaretakerAssignment.objects.filter(pk=pk, contractor_id=contractor_id).first()
    if row is None:  # deleted while we waited for the lock
        raise CaretakerAssignment.DoesNotExist
    return row


@transaction.atomic
def assignment_update(
    *,
    actor: Any,
    assignment_id: object,
    operator_id: object = UNSET,
    type: object = UNSET,
    role_id: object = UNSET,
    branch_id: object = UNSET,
    date_from: object = UNSET,
    date_to: object = UNSET,
    priority: object = UNSET,
) -> CaretakerAssignment:
    """Change one assignment. A change that would break an invariant is refused,
    naming the assignment it would collide with."""
    require_assign(actor)
    row = _locked_assignment(actor, assignment_id)
    errors = FieldErrors()
    operator = check_operator(errors, operator_id) if operator_id is not UNSET else row.operator
    kind = (
        check_choice(errors, "type", type, AssignmentType) if type is not UNSET else AssignmentType(row.type)
    )
    role = check_role(errors, role_id) if role_id is not UNSET else row.role
    if role_id is None:  # an explicit null is not "the default role" when editing
        errors.add("role_id", str(FIELD_REQUIRED))
    branch = check_branch(errors, branch_id) if branch_id is not UNSET else row.branch
    period = check_period(
        errors,
        row.date_from if date_from is UNSET else date_from,
        row.date_to if date_to is UNSET else date_to,
    )
    rank = check_priority(errors, priority) if priority is not UNSET else row.priority
    errors.raise_if_any()
    assert operator is not None and role is not None and period is not None and kind is not None
    assert rank is not None

    new = AssignmentValues(
        row.contractor_id, operator.pk, kind, role.pk, branch.pk if branch else None, period, rank
    )
    _refuse_collision(row, new)
    if new == AssignmentValues.of(row):
        return row  # nothing changes: nothing to write, nothing to record
    write_changes(actor=actor, changes=ChangeSet(updates=[Update(row, new)]), reason=Reason.ASSIGNMENT_UPDATE)
    row.refresh_from_db()
    return row


def _refuse_collision(row: CaretakerAssignment, new: AssignmentValues) -> None:
    others = (
        CaretakerAssignment.objects.filter(
            scope_filter(new.role_id, new.branch_id), contractor_id=row.contractor_id
        )
        .exclude(pk=row.pk)
        .overlapping(new.period.start, new.period.end)
        .select_related("operator__user")
        .order_by("date_from", "id")
    )
    proposal = Proposal(new.operator_id, new.type, new.period)
    for other in others:
        slot = Slot(other.pk, other.operator_id, AssignmentType(other.type), other.period)
        if is_conflict(slot, proposal) or other.operator_id == new.operator_id:
            # The other row's id rides along (`COLLISION`): the API gives it to a client.
            message = ValidationError(
                _("Collides with the assignment of %(operator)s (%(type)s, %(period)s)."),
                code=COLLISION,
                params={
                    "operator": other.operator.display_name,
                    "type": type_label(other.type),
                    "period": format_period(other.period),
                    "assignment_id": other.pk,
                },
            )
            raise ValidationError({NON_FIELD_ERRORS: [message]})


def assignment_end(*, actor: Any, assignment_id: object, date_to: object) -> CaretakerAssignment:
    """Set the last day of an assignment (Data do)."""
    if date_to is None or date_to == "":
        raise ValidationError({"date_to": [str(FIELD_REQUIRED)]})
    return assignment_update(actor=actor, assignment_id=assignment_id, date_to=date_to)


@transaction.atomic
def assignment_delete(*, actor: Any, assignment_id: object) -> None:
    require_assign(actor)
    row = _locked_assignment(actor, assignment_id)
    write_changes(actor=actor, changes=ChangeSet(deletes=[row]), reason=Reason.ASSIGNMENT_DELETE)
