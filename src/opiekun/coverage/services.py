"""Writes of the derived coverage tables. Only the assignment writer
(`caretakers.services.writer.write_changes`), the default role's change
(`caretakers.services.dictionaries.role_save`) and `opiekun coverage-rebuild` call these.

`coverage_refresh` recomputes every scope of the given contractors from their
assignments: one read, two deletes and two inserts, whatever the number of
contractors (set-based), in the caller's transaction. The caller holds the
contractors' locks (every writer of assignments does, see
`caretakers.services.writer.lock_contractors`), so what it reads is what commits.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass

from django.db import connection, transaction
from django.db.models import Exists, OuterRef, QuerySet

from opiekun.bulk import id_list, insert_rows
from opiekun.caretakers.models import CaretakerAssignment, CaretakerRole
from opiekun.caretakers.rules import AssignmentType
from opiekun.contractors.models import Contractor
from opiekun.coverage.compute import (
    SINCE_ALWAYS,
    UNTIL_FURTHER_NOTICE,
    AssignmentFact,
    Gap,
    Uncovered,
    coverage_of,
)
from opiekun.coverage.models import CoverageGap, UncoveredPeriod

GAP_FIELDS = ["contractor_id", "role_id", "branch_id", "date_from", "date_to", "last_operator_id", "active"]
UNCOVERED_FIELDS = ["contractor_id", "date_from", "date_to"]
CHUNK = 20_000  # contractors per step of a full recomputation


@dataclass(frozen=True)
class Coverage:
    gaps: list[Gap]
    uncovered: list[Uncovered]


def _default_role_id() -> int | None:
    return CaretakerRole.objects.default().values_list("pk", flat=True).first()


def _compute(contractors: QuerySet[Contractor], default_role_id: int | None) -> Coverage:
    """Coverage of ``contractors`` from one read of them joined with their assignments."""
    ids: list[int] = []
    inactive: list[int] = []
    facts: list[AssignmentFact] = []
    main = AssignmentType.MAIN.value
    rows = contractors.order_by().values_list(
        "pk",
        "active",
        "assignments__role_id",
        "assignments__branch_id",
        "assignments__type",
        "assignments__operator_id",
        "assignments__date_from",
        "assignments__date_to",
    )
    seen: set[int] = set()
    for pk, active, role_id, branch_id, kind, operator_id, start, end in rows:
        if pk not in seen:
            seen.add(pk)
            ids.append(pk)
            if not active:
                inactive.append(pk)
        if role_id is not None:
            facts.append(AssignmentFact(pk, role_id, branch_id, kind == main, operator_id, start, end))
    gaps, uncovered = coverage_of(
        contractor_ids=ids, assignments=facts, default_role_id=default_role_id, inactive=inactive
    )
    return Coverage(gaps, uncovered)


def _write(coverage: Coverage) -> None:
    insert_rows(
        CoverageGap,
        GAP_FIELDS,
        [{name: getattr(g, name) for name in GAP_FIELDS} for g in coverage.gaps],
    )
    insert_rows(
        UncoveredPeriod,
        UNCOVERED_FIELDS,
        [{name: getattr(u, name) for name in UNCOVERED_FIELDS} for u in coverage.uncovered],
    )


def coverage_refresh(*, contractor_ids: Sequence[int]) -> None:
    """Make both derived tables right for ``contractor_ids``, which must exist (the
    writer's do: they are locked, or referenced by the rows it writes). Call inside
    the transaction of the write. Five statements, however many contractors."""
    if not contractor_ids:
        return
    ids = sorted(set(contractor_ids))
    CoverageGap.objects.filter(contractor_id__in=id_list(ids)).delete()
    UncoveredPeriod.objects.filter(contractor_id__in=id_list(ids)).delete()
    _write(_compute(Contractor.objects.filter(pk__in=id_list(ids)), _default_role_id()))


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
    """Both derived tables as they should be, computed from scratch from every
    assignment (the tests compare the stored tables with this)."""
    default_role_id = _default_role_id()
    gaps: list[Gap] = []
    uncovered: list[Uncovered] = []
    for ids in _chunks():
        chunk = _chunk_coverage(ids, default_role_id)
        gaps.extend(chunk.gaps)
        uncovered.extend(chunk.uncovered)
    return Coverage(gaps, uncovered)


def coverage_stored() -> Coverage:
    """Both derived tables as stored, in the order `coverage_recompute` gives."""
    gaps = [Gap(*row) for row in CoverageGap.objects.order_by().values_list(*GAP_FIELDS)]
    uncovered = [Uncovered(*row) for row in UncoveredPeriod.objects.values_list(*UNCOVERED_FIELDS)]
    return Coverage(
        sorted(gaps, key=lambda g: (g.contractor_id, g.role_id, g.branch_id or 0, g.date_from)),
        sorted(uncovered),
    )


@transaction.atomic
def coverage_rebuild() -> tuple[int, int]:
    """Replace both derived tables by a recomputation, a chunk of contractors at a
    time; returns the numbers of rows written. For after a load that bypassed the
    services (a restore, raw SQL); every write through the services keeps them right."""
    CoverageGap.objects.all().delete()
    UncoveredPeriod.objects.all().delete()
    default_role_id = _default_role_id()
    written = [0, 0]
    for ids in _chunks():
        chunk = _chunk_coverage(ids, default_role_id)
        _write(chunk)
        written[0] += len(chunk.gaps)
        written[1] += len(chunk.uncovered)
    return written[0], written[1]


def default_role_changed(*, old_role_id: int | None, new_role_id: int) -> None:
    """The default scope moved from ``old_role_id`` to ``new_role_id``: contractors
    without assignments in the old default scope lose its stored gap, those without
    assignments in the new one gain theirs (all days). Two statements."""
    if old_role_id == new_role_id:
        return
    if old_role_id is not None:
        in_scope = CaretakerAssignment.objects.filter(
            contractor_id=OuterRef("contractor_id"), role_id=old_role_id, branch__isnull=True
        )
        CoverageGap.objects.filter(role_id=old_role_id, branch__isnull=True).exclude(
            Exists(in_scope)
        ).delete()
    gap, contractor = CoverageGap._meta.db_table, Contractor._meta.db_table
    assignment = CaretakerAssignment._meta.db_table
    ops = connection.ops
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {gap} "
            "(contractor_id, role_id, branch_id, date_from, date_to, last_operator_id, active) "
            f"SELECT c.id, %s, NULL, %s, %s, NULL, c.active FROM {contractor} c WHERE NOT EXISTS ("
            f"SELECT 1 FROM {assignment} a WHERE a.contractor_id = c.id AND a.role_id = %s "
            "AND a.branch_id IS NULL)",
            [
                new_role_id,
                ops.adapt_datefield_value(SINCE_ALWAYS),
                ops.adapt_datefield_value(UNTIL_FURTHER_NOTICE),
                new_role_id,
            ],
        )
