"""Kontrahenci wg opiekuna, "acted for": the periods in which a deputy acted for an
absent main caretaker (docs/semantics.md, "Absences and the acting caretaker"), from
the acting rule evaluated wherever anything changes. Public through `caretakers.acting`.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date
from typing import Any

from opiekun.bulk import id_list
from opiekun.caretakers.acting_rules import Holder, acted_for_periods
from opiekun.caretakers.models import CaretakerAssignment
from opiekun.caretakers.resolving import absences_of
from opiekun.caretakers.rules import TYPE_OF, AssignmentType
from opiekun.operators.access import visible_contractor_filter
from opiekun.operators.models import Absence
from opiekun.periods import Period


@dataclass(frozen=True)
class ActedFor:
    """A period in which ``operator_id``, a deputy, acted for the absent main caretaker
    ``stands_in_for`` of a scope."""

    contractor_id: int
    role_id: int
    branch_id: int | None
    assignment_id: int  # the deputy's assignment
    operator_id: int
    stands_in_for: int
    period: Period


def acted_for(
    *, viewer: Any, operator_id: int, date_from: date | None = None, date_to: date | None = None
) -> list[ActedFor]:
    """Kontrahenci wg opiekuna, "acted for": the periods in ``[date_from, date_to]``
    (either end open) in which the operator acted for an absent main caretaker, on
    contractors the viewer may see; by start, then contractor. Four queries; one when
    no other operator is away in the period (a deputy acts only for an absent main)."""
    if not _others_away(operator_id, date_from, date_to):
        return []
    deputy_rows = CaretakerAssignment.objects.filter(
        operator_id=operator_id, type=AssignmentType.DEPUTY.value
    ).overlapping(date_from, date_to)
    visible = visible_contractor_filter(viewer=viewer)
    if visible is not None:
        deputy_rows = deputy_rows.filter(visible)
    # Unordered: a set is made of it, and on PostgreSQL the operator's period index holds
    # every column read here (caretakers/0009), so no table page is visited.
    scopes = set(deputy_rows.order_by().values_list("contractor_id", "role_id", "branch_id"))
    if not scopes:
        return []
    rows = (
        CaretakerAssignment.objects.filter(contractor_id__in=id_list(sorted({s[0] for s in scopes})))
        .overlapping(date_from, date_to)
        .values_list(
            "id",
            "contractor_id",
            "role_id",
            "branch_id",
            "operator_id",
            "type",
            "date_from",
            "date_to",
            "priority",
        )
    )
    by_scope: dict[tuple[int, int, int | None], list[Holder]] = defaultdict(list)
    for pk, contractor_id, role_id, branch_id, holder_operator, kind, start, end, priority in rows:
        if (contractor_id, role_id, branch_id) in scopes:
            holder = Holder(pk, holder_operator, TYPE_OF[kind], Period(start, end), priority)
            by_scope[(contractor_id, role_id, branch_id)].append(holder)
    absences = absences_of(
        {h.operator_id for hs in by_scope.values() for h in hs}, since=date_from or date.min, until=date_to
    )
    found: list[ActedFor] = []
    window = Period(date_from or date.min, date_to or date.max)
    for scope, holders in by_scope.items():
        for period, acting in acted_for_periods(holders, absences, operator_id, window):
            assert acting.holder is not None and acting.stands_in_for is not None
            found.append(
                ActedFor(*scope, acting.holder.assignment_id, operator_id, acting.stands_in_for, period)
            )
    found.sort(key=lambda a: (a.period.start, a.contractor_id, a.role_id, a.assignment_id))
    return found


def _others_away(operator_id: int, date_from: date | None, date_to: date | None) -> bool:
    away = Absence.objects.exclude(operator_id=operator_id)
    if date_from is not None:
        away = away.filter(date_to__gte=date_from)
    if date_to is not None:
        away = away.filter(date_from__lte=date_to)
    return away.exists()
