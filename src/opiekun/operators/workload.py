"""How many contractors each operator cares for on a day, as main and as deputy.

Counted over the contractors the viewer may see only (docs/semantics.md, "Visibility"): a count must not
reveal contractors that every list hides from the viewer. For a viewer who sees every
contractor, the counts are read from the steps the writers keep (`workload_steps`);
for an own-only viewer on today, from the steps per pair of operators
(`workload_pairs`); for anyone else, counted from the day's assignments of their
visible contractors.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from django.db import connection
from django.db.models import BooleanField, Count, Q, QuerySet
from django.db.models.expressions import RawSQL

from opiekun.caretakers.models import CaretakerAssignment
from opiekun.caretakers.rules import AssignmentType
from opiekun.dates import today
from opiekun.operators.access import operator_of, own_contractor_sets, visible_contractors
from opiekun.operators.models import Operator
from opiekun.operators.selectors import operator_list
from opiekun.operators.workload_pairs import workload_pair_counts
from opiekun.operators.workload_steps import workload_counts


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
    and deputy caretaker of on ``on`` (default today): the operators, then one grouped
    query (an operator with none counts 0)."""
    day = on or today()
    visible = visible_contractors(viewer=viewer)
    operator = operator_of(viewer)
    if not (visible.query.has_filters() or visible.query.is_empty()):
        counted = workload_counts(on=day)  # sees every contractor: the sums of the steps up to the day
    elif operator is not None and day == today():
        # Own-only, today: their contractors of today (those with nobody today have no
        # caretaker to count) shared with each operator, the sums of the pair steps.
        counted = workload_pair_counts(viewer_id=operator.pk, on=day)
    else:
        counted = counted_directly(day, viewer, visible)
    return [Workload(op, *counted.get(op.pk, (0, 0))) for op in operator_list()]


def counted_directly(day: date, viewer: Any, visible: QuerySet[Any]) -> dict[int, tuple[int, int]]:
    """Per operator, the distinct contractors of ``visible`` (what ``viewer`` sees) they
    are main and deputy caretaker of on ``day``, counted from the assignments in force
    that day (the day's filter applied before the grouping, so that only those rows are
    counted): what the kept steps must give, and the page's count where none are kept."""
    current = CaretakerAssignment.objects.filter(date_from__lte=day).filter(
        Q(date_to__isnull=True) | Q(date_to__gte=day)
    )
    sets = own_contractor_sets(viewer=viewer)
    if sets is not None and connection.vendor == "postgresql":
        theirs, nobody = sets
        # The contractors with nobody today have no assignment today: they count on other days only.
        wanted = theirs if nobody is None or day == today() else theirs.union(nobody, all=True)
        current = current.filter(_any_of(wanted))
    else:
        current = current.filter(contractor__in=visible.values("pk"))
    return {
        operator_id: (main, deputy)
        for operator_id, main, deputy in current.order_by()
        .values("operator_id")
        .annotate(
            main=Count("contractor_id", filter=Q(type=AssignmentType.MAIN.value), distinct=True),
            deputy=Count("contractor_id", filter=Q(type=AssignmentType.DEPUTY.value), distinct=True),
        )
        .values_list("operator_id", "main", "deputy")
    }


def _any_of(ids: QuerySet[Any]) -> RawSQL:
    """``contractor_id = ANY(ARRAY(ids))`` (PostgreSQL): the ids gathered once, then
    looked up in the contractor index of the assignments; as ``IN (ids)`` PostgreSQL
    hashed them and read every assignment in force, 0.6-2 s at a million contractors
    (docs/performance.md, "Operatorzy: the counts as steps")."""
    sql, params = ids.query.sql_with_params()
    column = f'"{CaretakerAssignment._meta.db_table}"."contractor_id"'
    return RawSQL(f"{column} = ANY(ARRAY({sql}))", params, output_field=BooleanField())
