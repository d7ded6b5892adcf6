"""Nadchodzące zmiany counted in one statement (`notices.counts`): the days' counts of
every source, the page after the count reading only the sources and days it shows,
and the badge's statement kept for the viewers who see every contractor. The rows of
every page against the former implementation: tests/notices/test_upcoming.py."""

from __future__ import annotations

import random
from datetime import date, timedelta
from functools import partial
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.db import connection

from opiekun.notices.counts import Kept, by_day, windows
from opiekun.notices.selectors import UpcomingFilters, upcoming_count, upcoming_rows
from opiekun.notices.sources import sources
from opiekun.operators.models import Operator, UnassignedAccess
from tests.notices.test_upcoming import T, d, oracle, queries, statements, world

__all__ = ["world"]  # the data of tests/notices/test_upcoming.py, a fixture here too


def expanded(days: list[list[tuple[date, int]]], kinds: list[str]) -> list[tuple[int, int]]:
    """Every row of the merged order as (source, its place in the source)."""
    groups = sorted((day, kinds[i], i, n) for i, each in enumerate(days) for day, n in each)
    seen = [0] * len(days)
    rows = []
    for _, _, i, n in groups:
        rows += [(i, seen[i] + k) for k in range(n)]
        seen[i] += n
    return rows


def test_the_windows_are_each_sources_part_of_a_page() -> None:
    """Against every row laid out in the merged order: each source's window holds
    exactly its rows of the page, and its days and offset find them in its order."""
    kinds = ["starts", "ends", "handover_in", "handover_out", "acting", "acting"]
    chance = random.Random(20261130)
    for _ in range(60):
        days = [
            sorted(
                {
                    T + timedelta(days=chance.randrange(10)): chance.randrange(1, 5)
                    for _ in range(chance.randrange(4))
                }.items()
            )
            for _ in kinds
        ]
        days[4] = days[4][:1]  # begun by the first day: one day
        rows = expanded(days, kinds)
        for start in range(len(rows) + 2):
            for stop in range(start + 1, len(rows) + 3):
                found = windows(days, kinds, start, stop)
                for i, window in enumerate(found):
                    mine = [place for source, place in rows[start:stop] if source == i]
                    if not mine:
                        assert window is None
                        continue
                    assert window is not None
                    before = sum(n for day, n in days[i] if day < window.first)
                    within = sum(n for day, n in days[i] if window.first <= day <= window.last)
                    assert mine == list(range(before + window.offset, before + window.offset + window.limit))
                    assert window.offset + window.limit <= within
                    assert window.offset < days[i][[day for day, _ in days[i]].index(window.first)][1]


def test_a_page_after_the_count_reads_only_the_sources_it_shows(world: dict[str, Any], actor: Any) -> None:
    filters = UpcomingFilters(days=30)
    expected = oracle(viewer=actor, filters=filters)
    rows = upcoming_rows(viewer=actor, filters=filters)
    assert queries(rows.count) == 1
    for start, stop in ((0, 1), (0, 3), (len(expected) - 2, len(expected)), (3, 9)):
        shown = {(row["kind"], row["kind"] == "acting" and row["day"] > T) for row in expected[start:stop]}
        read = queries(partial(rows.__getitem__, slice(start, stop)))
        # A source a row of the page came from: "acting" has two (begun by the first
        # day, and later).
        assert read == len(shown), (start, stop, shown)
        assert rows[start:stop] == expected[start:stop]
    assert queries(lambda: rows[len(expected) : len(expected) + 5]) == 0
    assert rows[len(expected) : len(expected) + 5] == []


def test_a_page_reads_only_the_days_it_shows(world: dict[str, Any], actor: Any) -> None:
    rows = upcoming_rows(viewer=actor, filters=UpcomingFilters(days=30))
    expected = oracle(viewer=actor, filters=UpcomingFilters(days=30))
    rows.count()
    last = expected[-1]
    end = len(expected)
    (sql,) = [s for s in statements(lambda: rows[end - 1 : end]) if not s.startswith(("SET", "RESET"))]
    assert rows[end - 1 : end] == [last]
    # The days before the last row's are not read: the source is asked for that day
    # (from it, and to it).
    assert last["day"] > T
    assert sql.count(last["day"].isoformat()) >= 2


def test_the_days_counts_are_every_sources_rows_per_day(world: dict[str, Any], actor: Any) -> None:
    parts = sources(viewer=actor, operator_id=None, first=T, last=d(30))
    found = by_day(parts)
    expected = oracle(viewer=actor, filters=UpcomingFilters(days=30))
    per_kind: dict[tuple[str, date], int] = {}
    for row in expected:
        per_kind[(row["kind"], row["day"])] = per_kind.get((row["kind"], row["day"]), 0) + 1
    assert {
        (part.kind, day): n for part, each in zip(parts, found, strict=True) for day, n in each
    } == per_kind


def test_the_kept_statement_counts_what_the_sources_count(world: dict[str, Any], actor: Any) -> None:
    def build(values: dict[str, Any]) -> Any:
        return sources(
            viewer=actor, operator_id=values["operator"], first=values["first"], last=values["last"]
        )

    kept = Kept.of(build)
    assert kept is not None and kept.sources == 6 and len(kept.statements) == 1
    for name in ("anna", "piotr", "ewa", "jan", "own"):
        for first, last in ((T, d(14)), (d(-5), d(9)), (d(3), d(40))):
            values = {"first": first, "last": last, "operator": world[name].pk}
            assert kept.by_day(connection.alias, values) == by_day(build(values))


def test_a_statement_whose_values_are_computed_is_not_kept(world: dict[str, Any], actor: Any) -> None:
    """A parameter the build computes from a value (here the day after ``first``)
    would be wrong with other values: such a statement is refused, never kept."""

    def shifted(values: dict[str, Any]) -> Any:
        first = values["first"] + timedelta(days=1)
        return sources(viewer=actor, operator_id=values["operator"], first=first, last=values["last"])

    assert Kept.of(shifted) is None


def test_a_managers_badge_is_one_statement_for_any_operator_and_day(
    world: dict[str, Any], freeze_today: Any
) -> None:
    for day in (T, d(2), d(-3)):
        freeze_today(day)
        for name in ("anna", "piotr", "ewa", "jan"):
            user = world[name].user
            own = UpcomingFilters(operator_id=world[name].pk)
            assert upcoming_count(viewer=user) == len(oracle(viewer=user, filters=own))
            assert queries(partial(upcoming_count, viewer=user)) == 1


@pytest.mark.parametrize("days", [0, 1])
def test_an_empty_window_counts_nothing(world: dict[str, Any], actor: Any, days: int) -> None:
    rows = upcoming_rows(viewer=actor, filters=UpcomingFilters(days=days, start=d(200)))
    assert rows.count() == 0
    assert rows[0:10] == []


def test_an_own_only_viewers_sources_are_counted_one_by_one(world: dict[str, Any], actor: Any) -> None:
    """Apart, each below the planner's JIT threshold; the same days' counts as together."""
    own = world["own"].user
    parts = sources(viewer=own, operator_id=world["own"].pk, first=T, last=d(30))
    together = by_day(parts)
    sql = statements(lambda: by_day(parts, together=False))
    assert len(sql) == 6  # each of one source (starts and ends: + its window, - what a handover made)
    assert all(" UNION ALL SELECT 0, " in each for each in sql[:2]) and not any(
        "UNION" in each for each in sql[2:]
    )
    assert by_day(parts, together=False) == together
    assert sum(n for each in together for _, n in each) > 0
    rows = upcoming_rows(viewer=own, filters=UpcomingFilters(days=30))
    assert queries(rows.count) == 6
    assert rows[0:3] == oracle(viewer=own, filters=UpcomingFilters(days=30))[0:3]


def test_an_own_only_viewers_kept_statements_count_what_the_sources_count(
    world: dict[str, Any], freeze_today: Any
) -> None:
    own = world["own"]

    def build(values: dict[str, Any]) -> Any:
        return sources(
            viewer=own.user, operator_id=values["operator"], first=values["first"], last=values["last"]
        )

    kept = Kept.of(build, together=False)
    assert kept is not None and len(kept.statements) == 6
    values = {"first": T, "last": d(14), "operator": own.pk}
    assert (
        kept.by_day(connection.alias, values) == by_day(build(values)) != by_day(build({**values, "last": T}))
    )


def test_an_own_only_badge_follows_the_day_and_the_operators_visibility(
    world: dict[str, Any], freeze_today: Any
) -> None:
    """Kept per operator, visibility and day: another day, or another access to the
    contractors without a caretaker, counts anew (never a statement of before)."""
    own = world["own"]
    seen = set()
    for day in (T, d(3), d(-2), T):
        freeze_today(day)
        for access in (UnassignedAccess.DENIED, UnassignedAccess.READ_ONLY, UnassignedAccess.DENIED):
            Operator.objects.filter(pk=own.pk).update(unassigned_access=access)
            user = User.objects.select_related("operator").get(pk=own.user.pk)
            expected = len(oracle(viewer=user, filters=UpcomingFilters(operator_id=own.pk)))
            assert upcoming_count(viewer=user) == expected, (day, access)
            assert queries(partial(upcoming_count, viewer=user)) == 6
            seen.add((day, access, expected))
    # The visibility and the day change the answer in this data.
    assert len({n for _, _, n in seen}) > 1
