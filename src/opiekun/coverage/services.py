"""Writes of the derived coverage tables. Only the assignment writer
(`caretakers.services.writer.write_changes`), the writes of absences
(`coverage.signals`, `absences_changed`), the default role's change
(`caretakers.services.dictionaries.role_save`) and `opiekun coverage-rebuild` call these.

`coverage_refresh` recomputes every scope of the given contractors from their
assignments and their caretakers' absences, reads what the tables hold for them, and
deletes and inserts only the rows that differ: at most fourteen statements, whatever
the number of contractors (set-based), in the caller's transaction. Told what the write
changed (the writer does), it leaves out, table by table, the contractors the change
provably leaves as they were (`untouched.untouched_by`); given the rows the writer
has read (``stored``), it reads no assignment of its own. The caller holds the
contractors' locks (every writer of assignments does, see
`caretakers.services.writer.lock_contractors`), so the assignments it reads are what
commits.

Absences are ordered against it by one PostgreSQL advisory lock (`_absences_lock`):
a refresh takes it shared before it reads any absence, a write of absences takes it
exclusively before it reads the assignments of the contractors it affects. So either
the refresh sees the committed absence, or the absence's writer sees the committed
assignments; assignment writers do not wait for each other. SQLite writes one
transaction at a time and needs no lock.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterator, Sequence
from datetime import date

from django.db import connection, transaction
from django.db.models import Q, QuerySet

from opiekun.bulk import id_list, insert_rows
from opiekun.caretakers.models import CaretakerAssignment
from opiekun.contractors.models import Contractor
from opiekun.coverage.changed import refresh_changed, scope_of
from opiekun.coverage.compute import (
    ONE_DAY,
    SINCE_ALWAYS,
    UNTIL_FURTHER_NOTICE,
    AssignmentFact,
    Gap,
    Uncovered,
)
from opiekun.coverage.default_role import default_role_changed as default_role_changed
from opiekun.coverage.delta import Delta, absences_during
from opiekun.coverage.models import ActingGap, ActingPeriod, CoverageGap, UncoveredPeriod
from opiekun.coverage.rows import (
    _absences_of,
    _coverage,
    _default_role_id,
    _make_equal,
    _read,
    _tables,
    refresh_acting_window,
)
from opiekun.coverage.stand_ins import StandIn
from opiekun.coverage.tables import Coverage
from opiekun.coverage.tables import coverage_stored as coverage_stored
from opiekun.coverage.untouched import before_write, untouched_by

CHUNK = 20_000  # contractors per step of a full recomputation

ABSENCES_LOCK = 0x0C0FE4A6E  # the advisory lock key of absences against coverage refreshes

# Every assignment of the contractors asked for (`coverage_refresh`'s ``stored``).
StoredFacts = Callable[[Collection[int]], list[AssignmentFact]]


def _absences_lock(*, exclusive: bool) -> None:
    if connection.vendor != "postgresql":
        return
    function = "pg_advisory_xact_lock" if exclusive else "pg_advisory_xact_lock_shared"
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {function}(%s)", [ABSENCES_LOCK])


def _compute(
    contractors: QuerySet[Contractor], default_role_id: int | None, *, acting_only: bool = False
) -> Coverage:
    """Coverage of ``contractors`` from one read of them joined with their assignments
    (``acting_only``: the acting gaps and periods alone, the other two lists left empty)."""
    ids, inactive, facts = _read(contractors)
    absences = _absences_of({f.operator_id for f in facts})
    return _coverage(ids, inactive, facts, default_role_id, absences, acting_only=acting_only)


def _write(coverage: Coverage) -> None:
    for model, fields, rows in _tables(coverage):
        insert_rows(model, fields, [{name: getattr(r, name) for name in fields} for r in rows])


def coverage_refresh(
    *, contractor_ids: Sequence[int], delta: Delta | None = None, stored: StoredFacts | None = None
) -> None:
    """Make the derived tables right for ``contractor_ids``, which must exist (the
    writer's do: they are locked, or referenced by the rows it writes). Call inside
    the transaction of the write. At most seventeen statements, however many contractors.

    ``delta``: what the write changed (`coverage_delta`), when the caller knows it
    all; then the contractors whose rows of a table the change provably leaves as they
    were (`untouched.untouched_by`: a main split by a newcomer inside it, a handover of an
    open-ended main) are not read nor compared for that table (the acting periods go
    with the acting gaps). ``stored``: every assignment of the contractors asked for,
    as written, from the caller's read (the writer's, shared with the workload steps)."""
    if not contractor_ids:
        return
    _absences_lock(exclusive=False)
    ids = sorted(set(contractor_ids))
    if delta is None:
        _refresh(ids)
        return
    same = untouched_by(removed=delta.removed, added=delta.added, absences=absences_during(delta))
    _refresh_tables(
        [c for c in ids if c not in same.gaps],
        [c for c in ids if c not in same.uncovered],
        [c for c in ids if c not in same.acting],
        delta,
        stored,
    )


def _refresh(ids: list[int], *, acting_only: bool = False) -> None:
    """``acting_only``: only absences changed, which only the acting gaps and periods read."""
    _refresh_tables([] if acting_only else ids, [] if acting_only else ids, ids)


def _refresh_tables(
    gaps: list[int],
    uncovered: list[int],
    acting: list[int],
    delta: Delta | None = None,
    stored: StoredFacts | None = None,
) -> None:
    """Make each table right for its own list of contractors, from one read of their
    assignments (with the ``delta`` of the write just made: `changed.refresh_changed`;
    ``stored``: that read made by the caller)."""
    everyone = sorted({*gaps, *uncovered, *acting})
    if not everyone:
        return
    acting_only = not gaps and not uncovered
    if stored is None:
        ids, inactive, facts = _read(Contractor.objects.filter(pk__in=id_list(everyone)))
    else:
        ids, inactive = _contractors(everyone)
        facts = stored(everyone)
    default_role_id = _default_role_id()
    if delta is not None:
        wanted = set(everyone)
        before = before_write(
            facts,
            removed=[f for f in delta.removed if f.contractor_id in wanted],
            added=[f for f in delta.added if f.contractor_id in wanted],
        )
        if before is not None:
            scopes = {scope_of(f) for f in (*delta.removed, *delta.added) if f.contractor_id in wanted}
            refresh_changed((gaps, uncovered, acting), everyone, ids, inactive, facts, before, scopes)
            return
    absences = _absences_of({f.operator_id for f in facts})
    coverage = _coverage(ids, inactive, facts, default_role_id, absences, acting_only=acting_only)
    lists = (gaps, uncovered, acting, acting)  # the acting periods go with the acting gaps
    for (model, fields, rows), table_ids in zip(_tables(coverage), lists, strict=True):
        if not table_ids:
            continue
        if len(table_ids) < len(everyone):
            keep = set(table_ids)
            rows = [r for r in rows if r.contractor_id in keep]  # type: ignore[attr-defined]
        _make_equal(model, fields, table_ids, rows)


def _contractors(contractor_ids: list[int]) -> tuple[list[int], list[int]]:
    """Of ``contractor_ids``, those that exist and the inactive ones among them."""
    found = Contractor.objects.filter(pk__in=id_list(contractor_ids)).values_list("pk", "active")
    ids: list[int] = []
    inactive: list[int] = []
    for pk, active in found.order_by("pk"):
        ids.append(pk)
        if not active:
            inactive.append(pk)
    return ids, inactive


def absences_changed(*, periods: Sequence[tuple[int, date, date]]) -> None:
    """Absences ``(operator id, first day, last day)`` were written (as they were and
    as they are): refresh the acting gaps of every contractor one of those operators
    cares for, as main or deputy, on any of those days. In the write's transaction."""
    if not periods:
        return
    _absences_lock(exclusive=True)
    touching = Q()
    for operator_id, start, end in periods:
        touching |= Q(operator_id=operator_id, date_from__lte=end) & (
            Q(date_to__isnull=True) | Q(date_to__gte=start)
        )
    ids = sorted(set(CaretakerAssignment.objects.filter(touching).values_list("contractor_id", flat=True)))
    if not ids:
        return
    # Only the acting on those days changes. A row of either table (a maximal run of
    # days) that shares no day with them nor with the days just before and after them
    # begins and ends where it did, after the same acting caretaker: only the rows
    # sharing a day with that window are computed, read and compared
    # (`acting_window`).
    first = min(start for _, start, _ in periods)
    last = max(end for _, _, end in periods)
    edges = first > SINCE_ALWAYS and last < UNTIL_FURTHER_NOTICE  # days outside them on both sides
    if not edges or not refresh_acting_window(ids, (first - ONE_DAY, last + ONE_DAY)):
        _refresh(ids, acting_only=True)  # every row of theirs computed again


def _chunks() -> Iterator[list[int]]:
    last = 0
    while True:
        ids = list(Contractor.objects.filter(pk__gt=last).order_by("pk").values_list("pk", flat=True)[:CHUNK])
        if not ids:
            return
        yield ids
        last = ids[-1]


def _chunk_coverage(ids: list[int], default_role_id: int | None) -> Coverage:
    return _compute(Contractor.objects.filter(pk__gte=ids[0], pk__lte=ids[-1]), default_role_id)


def coverage_recompute() -> Coverage:
    """The derived tables as they should be, computed from scratch from every
    assignment (the tests compare the stored tables with this)."""
    default_role_id = _default_role_id()
    gaps: list[Gap] = []
    uncovered: list[Uncovered] = []
    acting: list[Gap] = []
    stand_ins: list[StandIn] = []
    for ids in _chunks():
        chunk = _chunk_coverage(ids, default_role_id)
        gaps.extend(chunk.gaps)
        uncovered.extend(chunk.uncovered)
        acting.extend(chunk.acting)
        stand_ins.extend(chunk.stand_ins)
    return Coverage(gaps, uncovered, acting, stand_ins)


@transaction.atomic
def coverage_rebuild() -> tuple[int, int]:
    """Replace the derived tables by a recomputation, a chunk of contractors at a
    time; returns the numbers of gap and uncovered rows written. For after a load that
    bypassed the services (a restore, raw SQL); every write through the services keeps
    them right."""
    _absences_lock(exclusive=True)
    CoverageGap.objects.all().delete()
    UncoveredPeriod.objects.all().delete()
    ActingGap.objects.all().delete()
    ActingPeriod.objects.all().delete()
    default_role_id = _default_role_id()
    written = [0, 0]
    for ids in _chunks():
        chunk = _chunk_coverage(ids, default_role_id)
        _write(chunk)
        written[0] += len(chunk.gaps)
        written[1] += len(chunk.uncovered)
    return written[0], written[1]
