"""How many contractors each operator cares for on a day, as main and as deputy.

Counted over the contractors the viewer may see only (docs/semantics.md, "Visibility"): a count must not
reveal contractors that every list hides from the viewer.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from django.db.models import Count, Q

from opiekun.caretakers.rules import AssignmentType
from opiekun.dates import today
from opiekun.operators.access import visible_contractors
from opiekun.operators.models import Operator
from opiekun.operators.selectors import operator_list


@dataclass(frozen=True)
class Workload:
    operator: Operator
    main: int
    deputy: int

    @property
    def total(self) -> int:
        return self.main + self.deputy


def operator_workload(*, viewer: Any, on: date | None = None) -> list[Workload]:
    """Every operator with the number of distinct visible contractors they are main
    and deputy caretaker of on ``on`` (default today), in one grouped query."""
    day = on or today()
    current = Q(assignments__date_from__lte=day) & (
        Q(assignments__date_to__isnull=True) | Q(assignments__date_to__gte=day)
    )
    visible = visible_contractors(viewer=viewer)
    if visible.query.has_filters() or visible.query.is_empty():
        # Only a viewer who sees everything is spared the semi-join.
        current &= Q(assignments__contractor__in=visible.values("pk"))
    counted = operator_list().annotate(
        main_count=Count(
            "assignments__contractor",
            filter=current & Q(assignments__type=AssignmentType.MAIN.value),
            distinct=True,
        ),
        deputy_count=Count(
            "assignments__contractor",
            filter=current & Q(assignments__type=AssignmentType.DEPUTY.value),
            distinct=True,
        ),
    )
    return [Workload(op, op.main_count, op.deputy_count) for op in counted]
