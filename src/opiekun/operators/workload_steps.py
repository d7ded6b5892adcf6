"""The Operatorzy page's counts kept as steps (`WorkloadStep`, docs/architecture.md,
"Workload steps").

For each operator and type (main, deputy) and each contractor, the operator's
assignments of that type on that contractor (any role, any branch) are merged into
periods, so that a contractor counts once; each merged period is a step of +1 on its
first day and of -1 on the day after its last (none for an open end). The table holds
the sum of those steps per (operator, type, day), never zero; the number of distinct
contractors an operator cares for as a type on day D is the sum of their steps up to
D (`workload_counts`): a few thousand small rows instead of the 1.4 million
assignments in force on a day.

Kept in step by every write of assignments:

- the one writer, `caretakers.services.writer.write_changes`, calls
  `workload_write.workload_steps_apply` with its change set before it writes it (and,
  from the handover, the rows it has read under the lock, `workload_write.KnownRows`):
  the touched (contractor, operator, type) periods are taken from those rows where they
  suffice, else read once for these steps and the pair steps (`workload_pairs`)
  together, the change set applied to them in Python, and the difference of their
  steps upserted in one statement (`steps_table.add_to_steps`: in key order, so
  concurrent writers queue instead of deadlocking; the steps that reach zero deleted,
  on PostgreSQL by a second statement only when the upsert zeroed any);
- single-row ORM writes (the admin, fixtures, a shell) and ORM deletions (a
  contractor deleted with the ORM cascades to its assignments) through the signals
  of `operators.workload_signals`, as the coverage tables are (`coverage.signals`);
- anything else (raw SQL, ``bulk_create``, ``QuerySet.update()``, a restore):
  `workload_rebuild.workload_steps_rebuild`, also ``opiekun workload-rebuild`` (bench/run.py's loader
  runs it after its set-based load, as it rebuilds the coverage tables).

This module holds the rule (`steps_of`, `merged`) and the read (`workload_counts`);
`workload_write` the writes, `workload_read` their read of the stored rows.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from datetime import date, timedelta
from typing import TYPE_CHECKING

from django.db.models import Q, Sum

from opiekun.caretakers.rules import AssignmentType
from opiekun.operators.models import WorkloadStep

if TYPE_CHECKING:
    from opiekun.caretakers.services.changes import StoredAssignment

# (contractor, operator, type, first day, last day or None: open)
Interval = tuple[int, int, str, date, date | None]
# (operator, type, day)
Key = tuple[int, str, date]
# (first day, last day or None: open)
Period = tuple[date, date | None]

TABLE = WorkloadStep._meta.db_table
MAIN, DEPUTY = AssignmentType.MAIN.value, AssignmentType.DEPUTY.value
_DAY = timedelta(days=1)
FIELDS = ("contractor_id", "operator_id", "type", "date_from", "date_to")


# --- the rule --------------------------------------------------------------------------


def _kind(value: object) -> str:
    return value.value if isinstance(value, AssignmentType) else str(value)


def as_interval(contractor: int, operator: int, kind: object, start: date, end: date | None) -> Interval:
    # The last day a date can be is as good as an open end (no day after it to count).
    return (contractor, operator, _kind(kind), start, None if end == date.max else end)


def row_interval(row: StoredAssignment) -> Interval:
    return as_interval(row.contractor_id, row.operator_id, row.type, row.date_from, row.date_to)


def merged(periods: Sequence[Period]) -> list[Period]:
    """``periods`` (last day None: open, as is the last day a date can be) merged
    where they overlap or touch."""
    result: list[Period] = []
    if len(periods) < 2:  # most contractors: one row of the operator's type
        return [(start, None if end == date.max else end) for start, end in periods]
    for start, end in sorted(periods, key=lambda p: (p[0], p[1] or date.max)):
        end = None if end == date.max else end
        if result:
            first, last = result[-1]
            if last is None or start <= last + _DAY:
                result[-1] = (first, None if last is None or end is None else max(last, end))
                continue
        result.append((start, end))
    return result


def steps_of(intervals: Iterable[Interval]) -> dict[Key, int]:
    """The steps of ``intervals`` (a multiset: a repeated interval counts once, as
    any overlap does), without zeros."""
    periods: dict[tuple[int, int, str], list[Period]] = defaultdict(list)
    for contractor, operator, kind, start, end in intervals:
        periods[(contractor, operator, kind)].append((start, None if end == date.max else end))
    steps: dict[Key, int] = defaultdict(int)
    for (_contractor, operator, kind), theirs in periods.items():
        for start, end in merged(theirs):
            steps[(operator, kind, start)] += 1
            if end is not None:
                steps[(operator, kind, end + _DAY)] -= 1
    return {key: n for key, n in steps.items() if n}


# --- the reads -------------------------------------------------------------------------


def workload_counts(*, on: date) -> dict[int, tuple[int, int]]:
    """Per operator with any contractor on ``on``: the number of distinct contractors
    they are main and deputy caretaker of that day (every contractor counted)."""
    rows = (
        WorkloadStep.objects.filter(day__lte=on)
        .order_by()
        .values("operator_id")
        .annotate(main=Sum("delta", filter=Q(type=MAIN)), deputy=Sum("delta", filter=Q(type=DEPUTY)))
        .values_list("operator_id", "main", "deputy")
    )
    return {operator: (main or 0, deputy or 0) for operator, main, deputy in rows if main or deputy}
