"""What one write of assignments changes (`coverage_delta`), which
`coverage.services.coverage_refresh` compares to decide which contractors' derived
rows it can leave alone (`coverage.untouched`)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from opiekun.caretakers.rules import AssignmentType
from opiekun.coverage.compute import UNTIL_FURTHER_NOTICE, Absences, AssignmentFact
from opiekun.operators.models import Absence

if TYPE_CHECKING:
    from opiekun.caretakers.services.changes import ChangeSet, StoredAssignment


@dataclass(frozen=True)
class Delta:
    """What one write does to the assignments: the rows it removes or changes, as they
    were, and the rows it adds or changes, as they will be."""

    removed: list[AssignmentFact]
    added: list[AssignmentFact]


def coverage_delta(changes: ChangeSet) -> Delta:
    """The `Delta` of ``changes``. Call it before applying them: an update rewrites its
    row in place."""
    main = AssignmentType.MAIN.value

    # The rows as they were carry their priority and id: the acting gaps order the
    # deputies by them, and `untouched.before_write` rebuilds the state before the write.
    def stored(r: StoredAssignment) -> AssignmentFact:
        return AssignmentFact(
            r.contractor_id,
            r.role_id,
            r.branch_id,
            r.type == main,
            r.operator_id,
            r.date_from,
            r.date_to,
            r.priority,
            r.pk,
        )

    removed = [stored(r) for r in (*changes.deletes, *(u.row for u in changes.updates))]
    added = [
        AssignmentFact(
            v.contractor_id,
            v.role_id,
            v.branch_id,
            v.type == main,
            v.operator_id,
            v.period.start,
            v.period.end,
            v.priority,
        )
        for v in (*changes.inserts, *(u.new for u in changes.updates))
    ]
    added.extend(stored(r) for r in changes.restores)
    return Delta(removed, added)


def absences_during(delta: Delta) -> Absences:
    """Every absence sharing a day with a row of ``delta``, of any operator."""
    facts = [*delta.removed, *delta.added]
    if not facts:
        return {}
    first = min(f.date_from for f in facts)
    last = max(f.date_to or UNTIL_FURTHER_NOTICE for f in facts)
    found: Absences = {}
    rows = Absence.objects.filter(date_to__gte=first, date_from__lte=last).values_list(
        "operator_id", "date_from", "date_to"
    )
    for operator_id, start, end in rows.order_by("operator_id", "date_from"):
        found.setdefault(operator_id, []).append((start, end))
    return found
