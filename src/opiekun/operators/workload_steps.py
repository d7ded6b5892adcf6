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
  `workload_steps_apply` with its change set before it writes it: the touched
  (contractor, operator, type) periods are read once, the change set applied to them
  in Python, and the difference of their steps upserted in one statement (in key
  order, so concurrent writers queue instead of deadlocking) and the steps that reach
  zero deleted (on PostgreSQL by a second statement only when the upsert zeroed any);
- single-row ORM writes (the admin, fixtures, a shell) and ORM deletions (a
  contractor deleted with the ORM cascades to its assignments) through the signals
  of `operators.workload_signals`, as the coverage tables are (`coverage.signals`);
- anything else (raw SQL, ``bulk_create``, ``QuerySet.update()``, a restore):
  `workload_rebuild.workload_steps_rebuild`, also ``opiekun workload-rebuild`` (bench/run.py's loader
  runs it after its set-based load, as it rebuilds the coverage tables).
"""

from __future__ import annotations

import json
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from datetime import date, timedelta
from typing import TYPE_CHECKING, Any

from django.db import connection
from django.db.models import Q, Sum

from opiekun.caretakers.models import CaretakerAssignment
from opiekun.caretakers.rules import AssignmentType
from opiekun.operators.models import WorkloadStep

if TYPE_CHECKING:
    from opiekun.caretakers.services.changes import AssignmentValues, ChangeSet, StoredAssignment

# (contractor, operator, type, first day, last day or None: open)
Interval = tuple[int, int, str, date, date | None]
# (operator, type, day)
Key = tuple[int, str, date]

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


def _values(values: AssignmentValues) -> Interval:
    return as_interval(
        values.contractor_id, values.operator_id, values.type, values.period.start, values.period.end
    )


def merged(periods: Sequence[tuple[date, date | None]]) -> list[tuple[date, date | None]]:
    """``periods`` (last day None: open, as is the last day a date can be) merged
    where they overlap or touch."""
    result: list[tuple[date, date | None]] = []
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
    periods: dict[tuple[int, int, str], list[tuple[date, date | None]]] = defaultdict(list)
    for contractor, operator, kind, start, end in intervals:
        periods[(contractor, operator, kind)].append((start, None if end == date.max else end))
    steps: dict[Key, int] = defaultdict(int)
    for (_contractor, operator, kind), theirs in periods.items():
        for start, end in merged(theirs):
            steps[(operator, kind, start)] += 1
            if end is not None:
                steps[(operator, kind, end + _DAY)] -= 1
    return {key: n for key, n in steps.items() if n}


# --- the writes ------------------------------------------------------------------------


def workload_steps_apply(changes: ChangeSet) -> None:
    """Adjust the steps for ``changes``, which the caller is about to write in the
    same transaction (call it before the writes: an update rewrites its row in place).
    The caller holds the locks of the contractors the change set touches (every writer
    of assignments does), so what is read here is what the writes start from."""
    removed = [row_interval(r) for r in changes.deletes]
    removed.extend(row_interval(u.row) for u in changes.updates)
    added = [_values(v) for v in changes.inserts]
    added.extend(_values(u.new) for u in changes.updates)
    added.extend(row_interval(r) for r in changes.restores)
    adjust_steps(removed, added, written=False)


def adjust_steps(
    removed: Sequence[Interval], added: Sequence[Interval], *, written: bool, extra: Sequence[Interval] = ()
) -> None:
    """Write the steps' difference made by removing ``removed`` and adding ``added``;
    ``written``: whether the assignments read now already hold that change. ``extra``:
    intervals to count as stored besides the assignments read (rows deleted by the
    same ORM deletion whose signal has not come yet)."""
    gone, new = Counter(removed), Counter(added)
    same = gone & new  # an update of a role, a branch or a priority changes no step
    gone, new = gone - same, new - same
    if not gone and not new:
        return
    from opiekun.operators.workload_pairs import adjust_pair_steps  # it builds on this module

    adjust_pair_steps(list(gone.elements()), list(new.elements()), written=written, extra=extra)
    taken, given = _by_triple(gone.elements()), _by_triple(new.elements())
    triples = taken.keys() | given.keys()
    stored = _by_triple(i for i in extra if i[:3] in triples)
    for interval in _read(triples):
        stored[interval[:3]].append(interval[3:])
    delta: dict[Key, int] = defaultdict(int)
    for triple in triples:
        rows = stored.get(triple, [])
        if written:
            after, before = rows, _without(rows, given.get(triple, ())) + taken.get(triple, [])
        else:
            before, after = rows, _without(rows, taken.get(triple, ())) + given.get(triple, [])
        was, now = merged(before), merged(after)
        if was == now:
            continue
        _, operator, kind = triple
        for periods, sign in ((was, -1), (now, 1)):
            for first, last in periods:
                delta[(operator, kind, first)] += sign
                if last is not None:
                    delta[(operator, kind, last + _DAY)] -= sign
    delta = {key: n for key, n in delta.items() if n}
    if delta:
        _write(delta)


Period = tuple[date, date | None]


def _by_triple(intervals: Iterable[Interval]) -> dict[tuple[int, int, str], list[Period]]:
    grouped: dict[tuple[int, int, str], list[Period]] = defaultdict(list)
    for contractor, operator, kind, first, last in intervals:
        grouped[(contractor, operator, kind)].append((first, last))
    return grouped


def _without(periods: list[Period], removed: Iterable[Period]) -> list[Period]:
    """``periods`` less ``removed`` (each once)."""
    left = list(periods)
    for period in removed:
        if period in left:
            left.remove(period)
    return left


def _read(triples: Iterable[tuple[int, int, str]]) -> Iterable[Interval]:
    """The stored assignments of ``triples`` (contractor, operator, type)."""
    contractors, operators, kinds = (list(column) for column in zip(*sorted(triples), strict=True))
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(
                f"SELECT {', '.join(f'a.{name}' for name in FIELDS)} "
                f"FROM {CaretakerAssignment._meta.db_table} a "
                "JOIN unnest(%s::bigint[], %s::bigint[], %s::varchar[]) AS t(c, o, k) "
                "ON a.contractor_id = t.c AND a.operator_id = t.o AND a.type = t.k",
                # As the text of arrays: the driver would adapt twenty thousand values one by one.
                [_ints(contractors), _ints(operators), "{" + ",".join(kinds) + "}"],
            )
            rows: Iterable[tuple[Any, ...]] = cursor.fetchall()
    else:
        # Every row of the contractors (of the operators, when they are few), kept when
        # its triple is wanted. Read by a plain cursor with the days as text (an
        # expression has no declared type: no converter runs), and only the kept rows'
        # days parsed: the ORM converted every day of every row read.
        wanted = set(zip(contractors, operators, kinds, strict=True))
        distinct = sorted(set(operators))
        sql = (
            "SELECT contractor_id, operator_id, type, date_from || '', date_to || '' "
            f"FROM {CaretakerAssignment._meta.db_table} "
            "WHERE contractor_id IN (SELECT value FROM json_each(%s))"
        )
        params = [json.dumps(sorted(set(contractors)))]
        if len(distinct) < 100:
            sql += " AND operator_id IN (SELECT value FROM json_each(%s))"
            params.append(json.dumps(distinct))
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            day = date.fromisoformat
            rows = [
                (contractor, operator, kind, day(start), None if end is None else day(end))
                for contractor, operator, kind, start, end in cursor.fetchall()
                if (contractor, operator, kind) in wanted
            ]
    for values in rows:
        yield as_interval(*values)


def _ints(values: list[int]) -> str:
    return "{" + ",".join(map(str, values)) + "}"


def _write(delta: dict[Key, int]) -> None:
    """Add ``delta`` to the stored steps, in key order; delete the steps it zeroes."""
    keys = sorted(delta)
    operators = [k[0] for k in keys]
    kinds = [k[1] for k in keys]
    days = [k[2] for k in keys]
    amounts = [delta[k] for k in keys]
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # The upsert answers the keys it zeroed: most writes zero none, and need no
            # second statement; the others delete those keys alone.
            cursor.execute(
                f"WITH up AS (INSERT INTO {TABLE} (operator_id, type, day, delta) "
                "SELECT * FROM unnest(%s::bigint[], %s::varchar[], %s::date[], %s::integer[]) "
                "ORDER BY 1, 2, 3 "
                f"ON CONFLICT (operator_id, type, day) DO UPDATE SET delta = {TABLE}.delta + excluded.delta "
                "RETURNING operator_id, type, day, delta) "
                "SELECT operator_id, type, day FROM up WHERE delta = 0",
                [operators, kinds, days, amounts],
            )
            zeroed = cursor.fetchall()
            if zeroed:
                cursor.execute(
                    f"DELETE FROM {TABLE} s "
                    "USING unnest(%s::bigint[], %s::varchar[], %s::date[]) AS z(o, k, d) "
                    "WHERE s.operator_id = z.o AND s.type = z.k AND s.day = z.d AND s.delta = 0",
                    [list(column) for column in zip(*zeroed, strict=True)],
                )
        else:
            # WHERE true: SQLite's parser needs it between a SELECT and ON CONFLICT.
            cursor.execute(
                f"INSERT INTO {TABLE} (operator_id, type, day, delta) "
                "SELECT value ->> '$[0]', value ->> '$[1]', value ->> '$[2]', value ->> '$[3]' "
                "FROM json_each(%s) WHERE true ORDER BY key "
                "ON CONFLICT (operator_id, type, day) DO UPDATE SET delta = delta + excluded.delta",
                [json.dumps([[k[0], k[1], k[2].isoformat(), delta[k]] for k in keys])],
            )
            cursor.execute(
                f"DELETE FROM {TABLE} WHERE delta = 0 AND operator_id IN (SELECT value FROM json_each(%s))",
                [json.dumps(sorted(set(operators)))],
            )


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
