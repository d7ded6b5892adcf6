"""Coverage at scale (docs/performance.md, "Coverage gaps"): the two numbers that
must stay under 200 ms at 1,000,000 contractors, each beside hand-written SQL.

    scripts/with-postgres .venv/bin/python bench/coverage.py            # PostgreSQL, 1,000,000
    .venv/bin/python bench/coverage.py --sqlite --contractors 1000000   # SQLite

It loads the data set of bench/run.py (same calendar, same shapes: 1 in 20
contractors has no main caretaker today in the default role), rebuilds the derived
coverage tables (timed), then measures:

- **g.** Klienci bez opiekuna: `gap_list` for today, first page of 50 + count; and
  for the default window (today … +90 days). Baselines: the same query in SQL over
  the derived table, and the question asked of the assignments themselves (no
  derived data: NOT EXISTS a main caretaker on the day), which is what it costs
  without them.
- **v.** The own-only operator's contractor list, contractors without a caretaker
  today visible (read-only): `contractor_list`, first page + count. Baselines: SQL
  over the derived table of uncovered periods, and the old probe of every
  contractor's assignments.

Every baseline's count is checked against ours before timing.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

import run  # the loader, timers and helpers of bench/run.py


def gap_cases(world: run.World, runs: int) -> list[run.Result]:
    from opiekun.coverage.selectors import GapFilters, Window, gap_list
    from opiekun.dates import today

    sql = run.Sql()
    day = today()
    role = world.default_role_id
    results = []
    for name, window in (
        ("g. gaps on today (page + count)", Window(day, day)),
        ("g. gaps in today … +90 days (page + count)", Window(day, day + timedelta(days=90))),
    ):
        where = (
            f"g.role_id = {role} AND g.branch_id IS NULL AND g.date_to >= %s AND g.date_from <= %s "
            f"AND c.active{'' if sql.pg else ' = 1'}"
        )
        params = [window.start, window.end]
        joined = "FROM coverage_coveragegap g JOIN contractors_contractor c ON c.id = g.contractor_id"
        page_sql = (
            "SELECT c.id, c.code, c.name, g.date_from, g.date_to, g.last_operator_id "
            f"{joined} WHERE {where} ORDER BY c.code, g.date_from LIMIT 50"
        )
        count_sql = f"SELECT count(*) {joined} WHERE {where}"

        def ours(window: Window = window) -> Any:
            return run.page_and_count(gap_list(viewer=world.boss, filters=GapFilters(window=window)))

        def derived(page_sql: str = page_sql, count_sql: str = count_sql, params: list[Any] = params) -> Any:
            return run.fetch(page_sql, params), run.fetch(count_sql, params)

        check(ours, derived)
        results.append(
            run.compare(name, ours, derived, runs, f"{ours()[1]:,} gaps; baseline: SQL, derived table")
        )
        if window.start == window.end:
            nobody = (
                f"c.active{'' if sql.pg else ' = 1'} AND NOT EXISTS (SELECT 1 "
                "FROM caretakers_caretakerassignment a "
                f"WHERE a.contractor_id = c.id AND a.role_id = {role} AND a.branch_id IS NULL "
                f"AND a.type = 'main' AND {run.on_day('a')})"
            )

            def raw(nobody: str = nobody) -> Any:
                page = run.fetch(
                    "SELECT c.id, c.code, c.name FROM contractors_contractor c "
                    f"WHERE {nobody} ORDER BY c.code LIMIT 50",
                    [day, day],
                )
                return page, run.fetch(
                    f"SELECT count(*) FROM contractors_contractor c WHERE {nobody}", [day, day]
                )

            check(ours, raw)
            results.append(
                run.compare(
                    name.replace("g. ", "g. (no derived data) "),
                    ours,
                    raw,
                    runs,
                    "baseline: SQL over the assignments",
                )
            )
    return results


def visibility_cases(world: run.World, runs: int) -> list[run.Result]:
    from opiekun.contractors.selectors import contractor_list
    from opiekun.dates import today

    day = today()
    mine = (
        "EXISTS (SELECT 1 FROM caretakers_caretakerassignment a WHERE a.contractor_id = c.id "
        f"AND a.operator_id = %s AND {run.on_day('a')})"
    )
    derived = (
        "c.id IN (SELECT u.contractor_id FROM coverage_uncoveredperiod u "
        "WHERE u.date_to >= %s AND u.date_from <= %s)"
    )
    anyone = (
        "EXISTS (SELECT 1 FROM caretakers_caretakerassignment a WHERE "
        f"a.contractor_id = c.id AND {run.on_day('a')})"
    )
    operator_id = world.first_operator + 4
    results = []

    def ours() -> Any:
        return run.page_and_count(contractor_list(viewer=world.own_read_only))

    for label, where, params in (
        ("derived table", f"({mine} OR {derived})", [operator_id, day, day, day, day]),
        ("probe of the assignments", f"({mine} OR NOT {anyone})", [operator_id, day, day, day, day]),
    ):
        page_sql, count_sql = run.contractor_page_sql(world, where)

        def baseline(page_sql: str = page_sql, count_sql: str = count_sql, params: list[Any] = params) -> Any:
            return run.fetch(page_sql, [day, day, *params]), run.fetch(count_sql, params)

        check(ours, baseline)
        results.append(
            run.compare(
                "v. own-only list, unassigned visible (page + count)",
                ours,
                baseline,
                runs,
                f"{ours()[1]:,} rows; baseline: SQL, {label}",
            )
        )
    return results


def end_some_mains(world: run.World) -> None:
    """The loaded data's contractors without a main caretaker today are all inactive
    (every 20th; every 10th is inactive), and nothing starts or ends near today. So,
    through SQL: end the current main of every 20th + 1 contractor (active) on
    2025-01-31 (no main caretaker today), and of every 40th + 3 in the coming 30 days
    (upcoming ends, future gaps); then refresh their coverage as the writer does
    (`coverage_refresh`, timed: the writer's cost for that many contractors at once)."""
    from datetime import date

    from django.db import transaction

    from opiekun.coverage.services import coverage_refresh
    from opiekun.dates import today

    sql = run.Sql()
    current = (
        f"type = 'main' AND role_id = {world.default_role_id} AND date_from = {sql.day(date(2024, 1, 1))}"
    )
    # The open-ended ones only: on a data set an earlier write benchmark changed (served
    # again with --reuse), some of those mains were cut, and a cut one must stay cut.
    chosen = f"SELECT contractor_id FROM caretakers_caretakerassignment WHERE {current} AND date_to IS NULL"
    ended = [r[0] for r in run.fetch(f"{chosen} AND contractor_id %% 20 = 1", [])]
    ending = [r[0] for r in run.fetch(f"{chosen} AND contractor_id %% 40 = 3", [])]
    ids = sorted(ended + ending)
    title = f"end the main caretaker of {len(ids):,} active contractors, refresh their coverage"
    with run.step(title), transaction.atomic():
        selected, param = sql.ids(ended)
        run.execute(
            f"UPDATE caretakers_caretakerassignment SET date_to = {sql.day(date(2025, 1, 31))} "
            f"WHERE contractor_id IN ({selected}) AND {current}",
            [param],
        )
        selected, param = sql.ids(ending)
        run.execute(
            "UPDATE caretakers_caretakerassignment "
            f"SET date_to = {sql.day_plus(today(), 'contractor_id %% 30')} "
            f"WHERE contractor_id IN ({selected}) AND {current}",
            [param],
        )
        started = time.perf_counter()
        coverage_refresh(contractor_ids=ids)
        print(f" (coverage_refresh: {time.perf_counter() - started:.1f} s)", end="")
        # The Operatorzy page's steps too: the UPDATEs above went around the writer.
        from opiekun.operators.workload_rebuild import workload_steps_rebuild

        workload_steps_rebuild()
    run.execute("ANALYZE")


def upcoming_cases(world: run.World, runs: int) -> list[run.Result]:
    """u. Nadchodzące zmiany: one operator's, and everyone's (a manager), 14 days."""
    from opiekun.dates import today
    from opiekun.notices.selectors import UpcomingFilters, upcoming_changes

    first, last = today(), today() + timedelta(days=14)
    results = []
    for name, operator_id in (
        ("u. upcoming changes, one operator (page + count)", world.first_operator + 3),
        ("u. upcoming changes, everyone (page + count)", None),
    ):
        who = "" if operator_id is None else f"AND a.operator_id = {operator_id} "
        parts = " UNION ALL ".join(
            f"SELECT '{kind}' AS kind, a.{field} AS day, a.contractor_id, a.operator_id, a.id, c.code "
            "FROM caretakers_caretakerassignment a JOIN contractors_contractor c ON c.id = a.contractor_id "
            f"WHERE a.{field} >= %s AND a.{field} <= %s {who}"
            for kind, field in (("starts", "date_from"), ("ends", "date_to"))
        )
        params = [first, last, first, last]

        def ours(operator_id: int | None = operator_id) -> Any:
            qs = upcoming_changes(
                viewer=world.boss, filters=UpcomingFilters(operator_id=operator_id, start=first)
            )
            return qs[:50], len(qs)

        def baseline(parts: str = parts, params: list[Any] = params) -> Any:
            page = run.fetch(f"SELECT * FROM ({parts}) u ORDER BY day, kind, code, id LIMIT 50", params)
            return page, run.fetch(f"SELECT count(*) FROM ({parts}) u", params)

        (page, count), (base_page, base_count) = ours(), baseline()
        if count != base_count[0][0] or [r["assignment_id"] for r in page] != [r[4] for r in base_page]:
            raise AssertionError(f"upcoming: ours {count}, the baseline {base_count[0][0]}")
        results.append(run.compare(name, ours, baseline, runs, f"{count:,} changes"))
    return results


def check(ours: Callable[[], Any], baseline: Callable[[], Any]) -> None:
    """Same count and the same first page (by the contractors' ids)."""
    (page, count), (base_page, base_count) = ours(), baseline()
    if count != base_count[0][0]:
        raise AssertionError(f"ours counted {count}, the baseline {base_count[0][0]}")
    if [getattr(c, "contractor_pk", c.pk) for c in page] != [row[0] for row in base_page]:
        raise AssertionError("ours and the baseline differ on the first page")


def explain(world: run.World) -> None:
    from opiekun.contractors.selectors import contractor_list
    from opiekun.coverage.selectors import GapFilters, Window, gap_list
    from opiekun.dates import today

    day = today()
    sql = run.Sql()
    prefix = "EXPLAIN (ANALYZE, BUFFERS) " if sql.pg else "EXPLAIN QUERY PLAN "
    for title, work in (
        (
            "g. gap_list today",
            lambda: run.page_and_count(
                gap_list(viewer=world.boss, filters=GapFilters(window=Window(day, day)))
            ),
        ),
        ("v. own-only (read-only)", lambda: run.page_and_count(contractor_list(viewer=world.own_read_only))),
    ):
        with run.captured() as queries:
            work()
        for query, params in queries:
            if not query.lstrip().upper().startswith("SELECT"):
                continue
            print(f"\n--- {title}\n{query}\n")
            for row in run.fetch(prefix + query, params):
                print("   ", row[-1] if not sql.pg else row[0])


def main() -> None:
    reads_only = "--reads-only" in sys.argv
    sys.argv = [a for a in sys.argv if a != "--reads-only"]
    args = run.parse_args()
    run.setup_django(args.sqlite)
    started = time.perf_counter()
    print(f"Opiekun coverage benchmark: {args.contractors:,} contractors, median of {args.runs} runs")
    print(f"  {run.machine()}")
    run.migrate()
    world = run.load(args.contractors)  # includes the timed coverage rebuild
    end_some_mains(world)
    from opiekun.coverage.models import CoverageGap, UncoveredPeriod

    gaps, uncovered = CoverageGap.objects.count(), UncoveredPeriod.objects.count()
    print(f"  derived rows: {gaps:,} gaps, {uncovered:,} uncovered periods")
    if run.Sql().pg:
        run.print_sizes(["coverage_coveragegap", "coverage_uncoveredperiod"])
    print(f"  ready in {time.perf_counter() - started:.0f} s\n")
    print(f"  {'benchmark':<48} {'ours ms':>10} {'base ms':>10} {'ratio':>7}")
    results = [
        *gap_cases(world, args.runs),
        *visibility_cases(world, args.runs),
        *upcoming_cases(world, args.runs),
    ]
    if not reads_only:
        results += run.bench_add(world, args.runs)  # the writer, now keeping coverage in step
    run.report(results)
    if args.explain:
        explain(world)
    print(f"\ntotal {time.perf_counter() - started:.0f} s")


if __name__ == "__main__":
    main()
