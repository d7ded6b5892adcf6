"""A contractor's assignments when the contractor itself is created or deleted."""

from __future__ import annotations

from typing import Any

from opiekun.audit import Reason
from opiekun.caretakers.models import CaretakerAssignment
from opiekun.caretakers.rules import AssignmentType
from opiekun.caretakers.selectors import default_role
from opiekun.caretakers.services.writer import AssignmentValues, ChangeSet, lock_contractors, write_changes
from opiekun.contractors.models import Contractor
from opiekun.dates import today
from opiekun.operators.access import operator_of
from opiekun.periods import Period


def assignments_for_new_contractor(*, actor: Any, contractor: Contractor) -> None:
    """The creator of a contractor becomes its main caretaker in the default role
    from today (a setting). A new contractor has nothing to collide with."""
    operator = operator_of(actor)
    role = default_role()
    if operator is None or role is None:
        return
    new = AssignmentValues(
        contractor.pk, operator.pk, AssignmentType.MAIN, role.pk, None, Period(today(), None)
    )
    write_changes(actor=actor, changes=ChangeSet(inserts=[new]), reason=Reason.CONTRACTOR_CREATE)


def assignments_delete_for_contractor(*, actor: Any, contractor: Contractor) -> None:
    """Remove every assignment of a contractor that is being deleted, on the record.
    The contractor's row is locked first, as every writer of its assignments does, so
    a concurrent bulk add waits for the deletion instead of deadlocking with it."""
    lock_contractors([contractor.pk])
    rows = list(CaretakerAssignment.objects.filter(contractor=contractor))
    write_changes(actor=actor, changes=ChangeSet(deletes=rows), reason=Reason.CONTRACTOR_DELETE)
