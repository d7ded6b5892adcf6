"""The derived tables as values: which rows each holds (`Coverage`), their columns,
the first of them that name a row (`KEYS`, `as_updates`), and what is stored
(`coverage_stored`, which the tests compare with `coverage.services.coverage_recompute`)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from django.db.models import Model

from opiekun.coverage.compute import Gap, Uncovered
from opiekun.coverage.models import ActingGap, ActingPeriod, CoverageGap, UncoveredPeriod
from opiekun.coverage.stand_ins import StandIn

GAP_FIELDS = ["contractor_id", "role_id", "branch_id", "date_from", "date_to", "last_operator_id", "active"]
UNCOVERED_FIELDS = ["contractor_id", "date_from", "date_to", "active"]
STAND_IN_FIELDS = list(StandIn._fields)  # the columns of `ActingPeriod`, in the tuple's order
# How many first fields name a row of each table (a scope's, or a contractor's, rows never
# share a first day).
KEYS: dict[type[Model], int] = {CoverageGap: 4, ActingGap: 4, UncoveredPeriod: 2}


@dataclass(frozen=True)
class Coverage:
    gaps: list[Gap]
    uncovered: list[Uncovered]
    acting: list[Gap]
    stand_ins: list[StandIn]


def as_updates(
    deletes: list[Any], inserts: list[Any], key: int
) -> tuple[dict[tuple[int, ...], list[Any]], list[Any], list[Any]]:
    """`rows_changed`'s rows to delete and to insert of a table whose rows the first
    ``key`` values name (a scope's rows never share a first day), as rows to update
    (a row deleted and one inserted under one name: the new one, by the positions of
    the values that change), to delete and to insert: a gap that a new main splits in
    two keeps its start and is shortened, its tail inserted (a row written less, and
    only the indexes of the values that change rewritten)."""
    named = {row[:key]: row for row in inserts}
    updates: dict[tuple[int, ...], list[Any]] = {}
    kept: set[tuple[Any, ...]] = set()
    for old in deletes:
        new = named.get(old[:key])
        if new is not None:
            changed = tuple(i for i in range(key, len(new)) if new[i] != old[i])
            updates.setdefault(changed, []).append(new)
            kept.add(old[:key])
    if not kept:
        return updates, deletes, inserts
    return (
        updates,
        [row for row in deletes if row[:key] not in kept],
        [row for row in inserts if row[:key] not in kept],
    )


def tables_of(coverage: Coverage) -> list[tuple[type[Model], list[str], Sequence[tuple[object, ...]]]]:
    return [
        (CoverageGap, GAP_FIELDS, coverage.gaps),
        (UncoveredPeriod, UNCOVERED_FIELDS, coverage.uncovered),
        (ActingGap, GAP_FIELDS, coverage.acting),
        (ActingPeriod, STAND_IN_FIELDS, coverage.stand_ins),
    ]


def coverage_stored() -> Coverage:
    """The derived tables as stored, in the order `coverage_recompute` gives."""

    def key(g: Gap) -> tuple[int, int, int, date]:
        return (g.contractor_id, g.role_id, g.branch_id or 0, g.date_from)

    gaps = [Gap(*row) for row in CoverageGap.objects.order_by().values_list(*GAP_FIELDS)]
    uncovered = [Uncovered(*row) for row in UncoveredPeriod.objects.values_list(*UNCOVERED_FIELDS)]
    acting = [Gap(*row) for row in ActingGap.objects.order_by().values_list(*GAP_FIELDS)]
    stand_ins = [StandIn(*row) for row in ActingPeriod.objects.order_by().values_list(*STAND_IN_FIELDS)]
    return Coverage(
        sorted(gaps, key=key),
        sorted(uncovered),
        sorted(acting, key=key),
        sorted(
            stand_ins,
            key=lambda s: (s.contractor_id, s.role_id, s.branch_id or 0, s.date_from, s.assignment_id),
        ),
    )
