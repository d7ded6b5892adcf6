"""The workload steps (`workload_steps`) and the pair steps (`workload_pairs`) kept by
every write of assignments, from one read of the stored rows they start from.

A write changes, for each touched (contractor, operator, type), the number of its
rows in force on some days: the changed days. A step is the change of a 0/1 count
(covered that day or not) from one day to the next, and a pair step the same of a
contractor's set of (operator, type) in force, so the steps' difference made by the
write depends only on which rows are in force on the changed days: the stored rows
that share no day with them add the same before and after. So the rows a caller has
already read under the lock do instead of a read where they hold every stored row of
the contractor from a day on (`KnownRows`), if every changed day of the contractor is
that day or later (the handover: every row reaching D - 1 or later; its changes start
on D). The other contractors' rows are read in one statement for both kinds: every
row of the touched contractors when an operator sees only their own contractors (the
pair steps need each contractor's rows of every operator; the workload steps take
their triples' rows from them), else only the rows of the touched triples. The writer
hands in its own read instead (``stored_rows``: every row of the contractors, read once
for these steps and its coverage refresh, `caretakers.services.stored_rows`).
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Callable, Collection, Iterable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from typing import TYPE_CHECKING, Any, TypeVar

from opiekun.operators.models import WorkloadPairStep, WorkloadStep
from opiekun.operators.steps_table import add_to_steps
from opiekun.operators.workload_pairs import PairKey, add_contractor_steps, own_only_viewers
from opiekun.operators.workload_read import kept_rows, read_rows
from opiekun.operators.workload_steps import Interval, Key, Period, merged, row_interval

if TYPE_CHECKING:
    from opiekun.caretakers.services.changes import AssignmentValues, ChangeSet, StoredAssignment

_DAY = timedelta(days=1)
Triple = tuple[int, int, str]
_T = TypeVar("_T")  # a period or an interval: `_without` takes either
# Every stored row of the contractors asked for: contractor, operator, type, first and
# last day (as stored) first (`caretakers.services.stored_rows`).
StoredRowsOf = Callable[[Collection[int]], Sequence[tuple[Any, ...]]]


@dataclass(frozen=True)
class KnownRows:
    """What a caller has read under the lock: every stored assignment of each of
    ``contractors`` that is in force on ``since`` or later (``rows``: all of them, any
    operator, type and scope)."""

    rows: Iterable[StoredAssignment]
    contractors: Collection[int]
    since: date


def _values(values: AssignmentValues) -> Interval:
    end = values.period.end  # the last day a date can be is as good as an open end
    # The type's plain value (``_value_``: a plain attribute, not the enum's property).
    return (
        values.contractor_id,
        values.operator_id,
        values.type._value_,
        values.period.start,
        None if end == date.max else end,
    )


def workload_steps_apply(
    changes: ChangeSet, known: KnownRows | None = None, stored_rows: StoredRowsOf | None = None
) -> None:
    """Adjust the workload steps and the pair steps for ``changes``, which the caller
    is about to write in the same transaction (call it before the writes: an update
    rewrites its row in place). The caller holds the locks of the contractors the
    change set touches (every writer of assignments does), so what is read here (or
    ``known``) is what the writes start from."""
    removed = [row_interval(r) for r in changes.deletes]
    removed.extend(row_interval(u.row) for u in changes.updates)
    added = [_values(v) for v in changes.inserts]
    added.extend(_values(u.new) for u in changes.updates)
    added.extend(row_interval(r) for r in changes.restores)
    adjust_steps(removed, added, written=False, known=known, stored_rows=stored_rows)


def adjust_steps(
    removed: Sequence[Interval],
    added: Sequence[Interval],
    *,
    written: bool,
    extra: Sequence[Interval] = (),
    known: KnownRows | None = None,
    stored_rows: StoredRowsOf | None = None,
) -> None:
    """Write the steps' and the pair steps' difference made by removing ``removed``
    and adding ``added``; ``written``: whether the stored assignments already hold
    that change. ``extra``: intervals to count as stored besides the assignments read
    (rows deleted by the same ORM deletion whose signal has not come yet). ``known``
    (not ``written``): rows the caller read, used instead of a read where they suffice.
    ``stored_rows``: the caller's read of every stored row of the contractors asked for
    (the writer's, shared with the coverage refresh), instead of the steps' own."""
    assert known is None or not written, "known rows are the rows before the write"
    gone, new = Counter(removed), Counter(added)
    same = gone & new  # an update of a role, a branch or a priority changes no step
    if same:
        gone, new = gone - same, new - same
    if not gone and not new:
        return
    taken, given = _by_triple(gone.elements()), _by_triple(new.elements())
    triples = taken.keys() | given.keys()
    viewers = own_only_viewers()
    contractors = {t[0] for t in triples}
    stored: dict[int, list[Interval]] = defaultdict(list)  # by contractor
    for interval in extra:
        if interval[0] in contractors:
            stored[interval[0]].append(interval)
    # The contractors with a row of an own-only viewer in the change count for the pairs.
    cared = {i[0] for i in (*removed, *added, *extra) if i[1] in viewers} if viewers else set()
    unread = contractors
    if known is not None:
        unread = _from_known(known, triples, taken, given, stored, viewers, cared)
    if unread:
        wanted = [t for t in triples if t[0] in unread]
        if stored_rows is None:
            found = read_rows(wanted, viewers, cared)
        else:  # the last day a date can be is as good as an open end
            kept = kept_rows(stored_rows(unread), wanted, viewers, cared)
            found = [(r[0], r[1], r[2], r[3], None if r[4] == date.max else r[4]) for r in kept]
        for interval in found:
            stored[interval[0]].append(interval)
    by_triple: dict[Triple, list[Period]] = defaultdict(list)
    for rows in stored.values():
        for c, o, k, first, last in rows:
            by_triple[(c, o, k)].append((first, last))
    add_to_steps(
        WorkloadStep._meta.db_table,
        ("operator_id", "type", "day"),
        _delta(triples, by_triple, taken, given, written),
    )
    if viewers:
        add_to_steps(
            WorkloadPairStep._meta.db_table,
            ("viewer_id", "operator_id", "type", "day"),
            _pair_delta(contractors, stored, list(gone.elements()), list(new.elements()), viewers, written),
        )


def _by_triple(intervals: Iterable[Interval]) -> dict[Triple, list[Period]]:
    grouped: dict[Triple, list[Period]] = defaultdict(list)
    for contractor, operator, kind, first, last in intervals:
        grouped[(contractor, operator, kind)].append((first, last))
    return grouped


def _from_known(
    known: KnownRows,
    triples: Collection[Triple],
    taken: dict[Triple, list[Period]],
    given: dict[Triple, list[Period]],
    stored: dict[int, list[Interval]],
    viewers: Collection[int],
    cared: Collection[int],
) -> set[int]:
    """Put into ``stored`` the known rows of the contractors whose changed days all
    fall on ``known.since`` or later (those of a touched triple, and every row of a
    contractor that counts for the pair steps, as `read_rows` keeps them); answer the
    others, whose rows must be read."""
    first: dict[int, date | None] = {}
    covered = set(known.contractors)
    nothing: list[Period] = []
    for triple in triples:
        contractor = triple[0]
        if contractor not in covered:
            continue  # read
        day = first_changed_day(taken.get(triple, nothing), given.get(triple, nothing))
        if day is not None:
            earlier = first.get(contractor)
            first[contractor] = day if earlier is None else min(earlier, day)
        else:
            first.setdefault(contractor, None)
    suffice = {c for c, day in first.items() if day is None or day >= known.since}
    mine = [row for row in known.rows if row.contractor_id in suffice]
    whole = {c for c in cared if c in suffice}
    whole.update(row.contractor_id for row in mine if row.operator_id in viewers)
    wanted = set(triples)
    for row in mine:
        if row.contractor_id in whole or (row.contractor_id, row.operator_id, str(row.type)) in wanted:
            stored[row.contractor_id].append(row_interval(row))
    # A removed row is a stored one: those ended before ``since`` (none changes a
    # day then; they are there to be taken away) are added to the rows known.
    for (contractor, operator, kind), periods in taken.items():
        if contractor in suffice:
            stored[contractor].extend(
                (contractor, operator, kind, start, end)
                for start, end in periods
                if end is not None and end < known.since
            )
    return {t[0] for t in triples} - suffice


def first_changed_day(taken: list[Period], given: list[Period]) -> date | None:
    """The first day on which ``given`` and ``taken`` (periods; None: open) are in force
    a different number of times, or None if they never are."""
    if not taken or not given:
        return min(p[0] for p in taken or given) if taken or given else None
    if len(taken) == 1 and len(given) == 1:  # most updates: one row's period changed
        (a, b), (c, d) = taken[0], given[0]
        if a != c:
            return min(a, c)
        if b == d:
            return None
        end = d if b is None else b if d is None else min(b, d)
        assert end is not None  # the two ends differ: one at least is a day
        return end + _DAY
    events: dict[date, int] = defaultdict(int)
    for periods, sign in ((given, 1), (taken, -1)):
        for start, end in periods:
            events[start] += sign
            if end is not None:
                events[end + _DAY] -= sign
    running = 0
    for day in sorted(events):
        running += events[day]
        if running:
            return day
    return None


def _without(items: list[_T], removed: Iterable[_T]) -> list[_T]:
    """``items`` less ``removed`` (each once; one not among them is passed over)."""
    left = list(items)
    for item in removed:
        if item in left:
            left.remove(item)
    return left


def _delta(
    triples: Iterable[Triple],
    stored: dict[Triple, list[Period]],
    taken: dict[Triple, list[Period]],
    given: dict[Triple, list[Period]],
    written: bool,
) -> dict[Key, int]:
    delta: dict[Key, int] = defaultdict(int)
    stored_of, taken_of, given_of = stored.get, taken.get, given.get
    for triple in triples:
        rows, less, more = stored_of(triple, []), taken_of(triple), given_of(triple)
        if written:
            less, more = more, less
        # before and after the change (with ``written``: after and before)
        was, now = merged(rows), merged((_without(rows, less) if less else rows) + (more or []))
        if written:
            was, now = now, was
        if was == now:
            continue
        _, operator, kind = triple
        for periods, sign in ((was, -1), (now, 1)):
            for first, last in periods:
                delta[(operator, kind, first)] += sign
                if last is not None:
                    delta[(operator, kind, last + _DAY)] -= sign
    return {key: n for key, n in delta.items() if n}


def _pair_delta(
    contractors: Iterable[int],
    stored: dict[int, list[Interval]],
    removed: Sequence[Interval],
    added: Sequence[Interval],
    viewers: set[int],
    written: bool,
) -> dict[PairKey, int]:
    """The pair steps' difference: only the contractors with a row of an own-only
    viewer (stored, removed or added) count for anyone."""
    taken: dict[int, list[Interval]] = defaultdict(list)
    given: dict[int, list[Interval]] = defaultdict(list)
    for interval in removed:
        taken[interval[0]].append(interval)
    for interval in added:
        given[interval[0]].append(interval)
    relevant = {i[0] for i in (*removed, *added) if i[1] in viewers}
    relevant.update(c for c in contractors if any(i[1] in viewers for i in stored.get(c, ())))
    delta: dict[PairKey, int] = defaultdict(int)
    for contractor in relevant:
        rows = stored.get(contractor, [])
        if written:
            after, before = rows, _without(rows, given[contractor]) + taken[contractor]
        else:
            before, after = rows, _without(rows, taken[contractor]) + given[contractor]
        add_contractor_steps(before, viewers, delta, -1)
        add_contractor_steps(after, viewers, delta, 1)
    return {key: n for key, n in delta.items() if n}
