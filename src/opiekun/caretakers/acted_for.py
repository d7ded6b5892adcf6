"""Kontrahenci wg opiekuna, "acted for": the periods in which a deputy acted for an
absent main caretaker (docs/semantics.md, "Absences and the acting caretaker"). Read
from the acting periods the writers keep (`coverage.models.ActingPeriod`, the acting
rule of `caretakers.acting_rules` over all time), clipped to the period asked for: one
query for a page, one for the count. Public through `caretakers.acting`.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from typing import Any, overload

from django.db.models import DateField, QuerySet, Value
from django.db.models.functions import Greatest

from opiekun.coverage.compute import SINCE_ALWAYS, UNTIL_FURTHER_NOTICE
from opiekun.coverage.models import ActingPeriod
from opiekun.operators.access import visible_contractor_filter
from opiekun.periods import Period

COLUMNS = ("contractor_id", "role_id", "branch_id", "assignment_id", "operator_id", "stands_in_for_id")


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


class ActedForRows:
    """The periods of `acted_for_rows`, paged like a query set: ``count()`` is one query,
    a slice one more (by start, then contractor, role and the deputy's assignment)."""

    def __init__(self, rows: QuerySet[ActingPeriod], first: date, last: date) -> None:
        self._rows = rows
        self._first = first
        self._last = last

    def count(self) -> int:
        return self._rows.count()

    def __len__(self) -> int:
        return self.count()

    def _read(self, rows: QuerySet[ActingPeriod]) -> list[ActedFor]:
        return [
            ActedFor(
                contractor_id,
                role_id,
                branch_id,
                assignment_id,
                operator_id,
                stands_in_for,
                Period(max(start, self._first), min(end, self._last)),
            )
            for contractor_id, role_id, branch_id, assignment_id, operator_id, stands_in_for, start, end in (
                rows.values_list(*COLUMNS, "date_from", "date_to")
            )
        ]

    @overload
    def __getitem__(self, index: int) -> ActedFor: ...
    @overload
    def __getitem__(self, index: slice) -> list[ActedFor]: ...
    def __getitem__(self, index: int | slice) -> ActedFor | list[ActedFor]:
        if isinstance(index, slice):
            return self._read(self._rows[index])
        return self._read(self._rows[index : index + 1])[0]

    def __iter__(self) -> Iterator[ActedFor]:
        return iter(self._read(self._rows))


def acted_for_rows(
    *, viewer: Any, operator_id: int, date_from: date | None = None, date_to: date | None = None
) -> ActedForRows:
    """Kontrahenci wg opiekuna, "acted for": the periods in ``[date_from, date_to]``
    (either end open) in which the operator acted for an absent main caretaker, on
    contractors the viewer may see, each clipped to that window; by start, then
    contractor, role and assignment. Read a page at a time (``acting_period_operator``
    finds the operator's periods overlapping the window)."""
    first = date_from or SINCE_ALWAYS
    last = date_to or UNTIL_FURTHER_NOTICE
    rows = ActingPeriod.objects.filter(operator_id=operator_id, date_to__gte=first, date_from__lte=last)
    visible = visible_contractor_filter(viewer=viewer)
    if visible is not None:
        rows = rows.filter(visible)
    ordered = rows.annotate(first_day=Greatest("date_from", Value(first, output_field=DateField()))).order_by(
        "first_day", "contractor_id", "role_id", "assignment_id"
    )
    return ActedForRows(ordered, first, last)


def acted_for(
    *, viewer: Any, operator_id: int, date_from: date | None = None, date_to: date | None = None
) -> list[ActedFor]:
    """Every period of `acted_for_rows`, read at once."""
    return list(acted_for_rows(viewer=viewer, operator_id=operator_id, date_from=date_from, date_to=date_to))
