"""The Operatorzy page of an own-only viewer, kept as steps per pair of operators
(`WorkloadPairStep`; docs/performance.md, "Own-only pages, 2026-11-29 (own4)").

An own-only viewer sees, today, the contractors they care for today (any type, any
scope) and, if allowed, those with nobody today. The page's counts of today are, per
operator and type, the contractors of the viewer today that the operator cares for
today as that type (a contractor with nobody today has no caretaker to count). Per
contractor, the days on which the viewer cares for it (their rows of any type merged
into periods) intersected with the days the operator cares for it as the type (their
rows of that type merged) are periods; each is a step of +1 on its first day and of -1
on the day after its last (none for an open end), summed per (viewer, operator, type,
day) and never zero. The count on day D is the sum of the steps up to D
(`workload_pair_counts`): a viewer's few thousand rows instead of an index probe per
contractor of theirs. The viewer's own contractors of any type are kept the same way
(viewer = operator, type "any"): the number of contractors they care for on a day,
the own-only list's count (`workload_own_count`).

Kept for the viewers who see only their own contractors (``visibility`` "own"; a
viewer who sees everyone reads the workload steps), so that a write pays only for the
contractors such an operator cares for:

- by the writes that keep the workload steps (`workload_write.adjust_steps`, called
  by the one writer of assignments and by the ORM signals): the touched contractors
  that an own-only operator cares for (before or after the change) are found among
  the rows read once for both kinds of steps (or known to the caller), the change
  applied to their rows in Python, and the difference of their pair steps upserted
  (`steps_table.add_to_steps`);
- when an operator's visibility changes (`workload_signals`, on the operator's save):
  their pair steps built from their assignments, or deleted;
- rebuilt with the workload steps (`workload_rebuild.workload_steps_rebuild`,
  ``opiekun workload-rebuild``; `pair_rebuild_statements`).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from datetime import date, timedelta

from django.db.models import Q, Sum

from opiekun.operators.models import ANY_TYPE, Operator, Visibility, WorkloadPairStep
from opiekun.operators.workload_steps import DEPUTY, MAIN, Interval, Period, merged

# (viewer, operator, type, day)
PairKey = tuple[int, int, str, date]

TABLE = WorkloadPairStep._meta.db_table
ANY = ANY_TYPE
_DAY = timedelta(days=1)


# --- the rule --------------------------------------------------------------------------


def _intersection(first: list[Period], second: list[Period]) -> Iterable[Period]:
    """The days in both lists of merged periods (each sorted, disjoint; None: open)."""
    i = j = 0
    while i < len(first) and j < len(second):
        (a_start, a_end), (b_start, b_end) = first[i], second[j]
        start = max(a_start, b_start)
        end = a_end if b_end is None else b_end if a_end is None else min(a_end, b_end)
        if end is None or start <= end:
            yield start, end
        if a_end is None and b_end is None:
            return
        if b_end is None or (a_end is not None and a_end <= b_end):
            i += 1
        else:
            j += 1


def add_contractor_steps(
    rows: Sequence[Interval], viewers: set[int], steps: dict[PairKey, int], sign: int
) -> None:
    """Add (``sign`` 1) or take away (-1) the pair steps of one contractor's ``rows``,
    for ``viewers`` (the own-only operators)."""
    anyone: dict[int, list[Period]] = defaultdict(list)
    typed: dict[tuple[int, str], list[Period]] = defaultdict(list)
    for _contractor, operator, kind, start, end in rows:
        if operator in viewers:
            anyone[operator].append((start, end))
        typed[(operator, kind)].append((start, end))
    if not anyone:
        return
    cared = {operator: merged(periods) for operator, periods in anyone.items()}
    for viewer, viewed in cared.items():  # the viewer's own contractors, of any type
        for start, end in viewed:
            steps[(viewer, viewer, ANY, start)] += sign
            if end is not None:
                steps[(viewer, viewer, ANY, end + _DAY)] -= sign
    for (operator, kind), periods in typed.items():
        theirs = merged(periods)
        for viewer, viewed in cared.items():
            both = theirs if viewer == operator else _intersection(viewed, theirs)
            for start, end in both:
                steps[(viewer, operator, kind, start)] += sign
                if end is not None:
                    steps[(viewer, operator, kind, end + _DAY)] -= sign


def pair_steps_of(intervals: Iterable[Interval], viewers: set[int]) -> dict[PairKey, int]:
    """The pair steps of ``intervals`` (every assignment) for ``viewers``, without zeros."""
    by_contractor: dict[int, list[Interval]] = defaultdict(list)
    for interval in intervals:
        by_contractor[interval[0]].append(interval)
    steps: dict[PairKey, int] = defaultdict(int)
    for rows in by_contractor.values():
        add_contractor_steps(rows, viewers, steps, 1)
    return {key: n for key, n in steps.items() if n}


# --- the writes ------------------------------------------------------------------------


def own_only_viewers() -> set[int]:
    """The operators whose pair steps are kept: those who see only their own contractors."""
    return set(Operator.objects.filter(visibility=Visibility.OWN).values_list("pk", flat=True))


# --- the reads -------------------------------------------------------------------------


def workload_pair_counts(*, viewer_id: int, on: date) -> dict[int, tuple[int, int]]:
    """Per operator: the number of distinct contractors that operator ``viewer_id``
    cares for on ``on`` (any type) and that the operator cares for that day as main,
    and as deputy."""
    rows = (
        WorkloadPairStep.objects.filter(viewer_id=viewer_id, day__lte=on)
        .order_by()
        .values("operator_id")
        .annotate(main=Sum("delta", filter=Q(type=MAIN)), deputy=Sum("delta", filter=Q(type=DEPUTY)))
        .values_list("operator_id", "main", "deputy")
    )
    return {operator: (main or 0, deputy or 0) for operator, main, deputy in rows if main or deputy}
