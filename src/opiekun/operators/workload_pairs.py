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

- by the writes that keep the workload steps (`workload_steps.adjust_steps`, called
  by the one writer of assignments and by the ORM signals): the touched contractors
  that an own-only operator cares for (before or after the change) are read once, the
  change applied to their rows in Python, and the difference of their pair steps
  upserted;
- when an operator's visibility changes (`workload_signals`, on the operator's save):
  their pair steps built from their assignments, or deleted;
- rebuilt with the workload steps (`workload_rebuild.workload_steps_rebuild`,
  ``opiekun workload-rebuild``; `pair_rebuild_statements`).
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Iterable, Sequence
from datetime import date, timedelta
from typing import Any

from django.db import connection
from django.db.models import Q, Sum

from opiekun.bulk import id_list
from opiekun.caretakers.models import CaretakerAssignment
from opiekun.operators.models import ANY_TYPE, Operator, Visibility, WorkloadPairStep
from opiekun.operators.workload_steps import DEPUTY, FIELDS, MAIN, Interval, as_interval, merged

# (viewer, operator, type, day)
PairKey = tuple[int, int, str, date]
Period = tuple[date, date | None]

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


def _add_contractor(
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
        _add_contractor(rows, viewers, steps, 1)
    return {key: n for key, n in steps.items() if n}


# --- the writes ------------------------------------------------------------------------


def own_only_viewers() -> set[int]:
    """The operators whose pair steps are kept: those who see only their own contractors."""
    return set(Operator.objects.filter(visibility=Visibility.OWN).values_list("pk", flat=True))


def adjust_pair_steps(
    removed: Sequence[Interval], added: Sequence[Interval], *, written: bool, extra: Sequence[Interval] = ()
) -> None:
    """As `workload_steps.adjust_steps`, for the pair steps: ``removed`` and ``added``
    (nothing in both), ``written`` whether the stored assignments already hold the
    change, ``extra`` rows to count as stored besides those read."""
    taken: dict[int, list[Interval]] = defaultdict(list)
    given: dict[int, list[Interval]] = defaultdict(list)
    for interval in removed:
        taken[interval[0]].append(interval)
    for interval in added:
        given[interval[0]].append(interval)
    if not taken and not given:
        return
    viewers = own_only_viewers()
    if not viewers:
        return
    touched = taken.keys() | given.keys()
    # A contractor counts for a viewer only through a row of theirs: the contractors
    # with one stored, in the change, or about to go (``extra``) are the only ones read.
    relevant = {i[0] for i in (*removed, *added) if i[1] in viewers}
    relevant.update(i[0] for i in extra if i[0] in touched and i[1] in viewers)
    relevant.update(_cared_by(sorted(touched - relevant), viewers))
    if not relevant:
        return
    contractors = sorted(relevant)
    stored: dict[int, list[Interval]] = defaultdict(list)
    for interval in extra:
        if interval[0] in relevant:
            stored[interval[0]].append(interval)
    for interval in _read(contractors):
        stored[interval[0]].append(interval)
    delta: dict[PairKey, int] = defaultdict(int)
    for contractor in contractors:
        rows = stored.get(contractor, [])
        if written:
            after, before = rows, _without(rows, given[contractor]) + taken[contractor]
        else:
            before, after = rows, _without(rows, taken[contractor]) + given[contractor]
        _add_contractor(before, viewers, delta, -1)
        _add_contractor(after, viewers, delta, 1)
    delta = {key: n for key, n in delta.items() if n}
    if delta:
        _write(delta)


def _cared_by(contractors: list[int], viewers: set[int]) -> Iterable[int]:
    """Those of ``contractors`` that one of ``viewers`` has a stored assignment of."""
    if not contractors:
        return []
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(
                f"SELECT DISTINCT contractor_id FROM {CaretakerAssignment._meta.db_table} "
                "WHERE contractor_id = ANY(%s::bigint[]) AND operator_id = ANY(%s::bigint[])",
                [_ints(contractors), _ints(sorted(viewers))],
            )
            return [row[0] for row in cursor.fetchall()]
    return (
        CaretakerAssignment.objects.filter(contractor_id__in=id_list(contractors), operator_id__in=viewers)
        .order_by()
        .values_list("contractor_id", flat=True)
        .distinct()
    )


def _ints(values: list[int]) -> str:
    """As the text of an array: the driver would adapt ten thousand values one by one."""
    return "{" + ",".join(map(str, values)) + "}"


def _without(rows: list[Interval], removed: Iterable[Interval]) -> list[Interval]:
    left = list(rows)
    for interval in removed:
        if interval in left:
            left.remove(interval)
    return left


def _read(contractors: list[int]) -> Iterable[Interval]:
    """Every stored assignment of ``contractors``."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(
                f"SELECT {', '.join(FIELDS)} FROM {CaretakerAssignment._meta.db_table} "
                "WHERE contractor_id = ANY(%s::bigint[])",
                [_ints(contractors)],
            )
            rows: Iterable[tuple[Any, ...]] = cursor.fetchall()
    else:
        rows = (
            CaretakerAssignment.objects.filter(contractor_id__in=id_list(contractors))
            .order_by()
            .values_list(*FIELDS)
        )
    for values in rows:
        yield as_interval(*values)


def _write(delta: dict[PairKey, int]) -> None:
    """Add ``delta`` to the stored pair steps, in key order; delete those it zeroes."""
    keys = sorted(delta)
    viewers, operators = [k[0] for k in keys], [k[1] for k in keys]
    kinds, days = [k[2] for k in keys], [k[3] for k in keys]
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                f"WITH up AS (INSERT INTO {TABLE} (viewer_id, operator_id, type, day, delta) "
                "SELECT * FROM unnest(%s::bigint[], %s::bigint[], %s::varchar[], %s::date[], %s::integer[]) "
                "ORDER BY 1, 2, 3, 4 "
                "ON CONFLICT (viewer_id, operator_id, type, day) "
                f"DO UPDATE SET delta = {TABLE}.delta + excluded.delta "
                "RETURNING viewer_id, operator_id, type, day, delta) "
                "SELECT viewer_id, operator_id, type, day FROM up WHERE delta = 0",
                [
                    _ints(viewers),
                    _ints(operators),
                    "{" + ",".join(kinds) + "}",
                    "{" + ",".join(d.isoformat() for d in days) + "}",
                    _ints([delta[k] for k in keys]),
                ],
            )
            zeroed = cursor.fetchall()
            if zeroed:
                cursor.execute(
                    f"DELETE FROM {TABLE} s "
                    "USING unnest(%s::bigint[], %s::bigint[], %s::varchar[], %s::date[]) AS z(v, o, k, d) "
                    "WHERE s.viewer_id = z.v AND s.operator_id = z.o AND s.type = z.k AND s.day = z.d "
                    "AND s.delta = 0",
                    [list(column) for column in zip(*zeroed, strict=True)],
                )
        else:
            # WHERE true: SQLite's parser needs it between a SELECT and ON CONFLICT.
            cursor.execute(
                f"INSERT INTO {TABLE} (viewer_id, operator_id, type, day, delta) "
                "SELECT value ->> '$[0]', value ->> '$[1]', value ->> '$[2]', value ->> '$[3]', "
                "value ->> '$[4]' FROM json_each(%s) WHERE true ORDER BY key "
                "ON CONFLICT (viewer_id, operator_id, type, day) "
                "DO UPDATE SET delta = delta + excluded.delta",
                [json.dumps([[k[0], k[1], k[2], k[3].isoformat(), delta[k]] for k in keys])],
            )
            cursor.execute(
                f"DELETE FROM {TABLE} WHERE delta = 0 AND viewer_id IN (SELECT value FROM json_each(%s))",
                [json.dumps(sorted(set(viewers)))],
            )


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
