"""How near the contractors list's estimate of a long search comes to its count, and what
planning the search costs, at a statistics target of the contractors' search key.

    DATABASE_URL=postgres://… .venv/bin/python bench/estimates.py --analyses 5
    DATABASE_URL=postgres://… .venv/bin/python bench/estimates.py --analyses 5 --target -1

On the benchmark's loaded database (`bench/run.py --load-only`; PostgreSQL only), for
each searched word: the exact count (the table of keys, as the list counts it), then,
after each of ``--analyses`` ANALYZEs of the column, the planner's estimate of the list
a viewer who sees every contractor gets (`paging.planned_rows` of `contractor_list`:
what the list shows as "about N" past ``COUNT_ESTIMATE_FROM``), as a ratio to the count,
and the median time to plan that list's statement (EXPLAIN, 30 times) and to analyse
the column. ``--target`` sets the column's statistics target for the run (-1:
PostgreSQL's default, 100); at the end the target it found is put back and the column
analysed again. Every ratio printed is of an estimate and a count this run read.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

import run  # bench/run.py: the data set and Django's set-up

WORDS = ("kowalski", "jan", "transport", "nowak", "sp.j.")
TABLE = "contractors_contractor"


def target_now(cursor: Any) -> int:
    cursor.execute(
        "SELECT attstattarget FROM pg_attribute WHERE attrelid = %s::regclass AND attname = 'search_key'",
        [TABLE],
    )
    return int(cursor.fetchone()[0])


def set_target(cursor: Any, target: int) -> None:
    cursor.execute(f"ALTER TABLE {TABLE} ALTER COLUMN search_key SET STATISTICS {int(target)}")


def planning_ms(cursor: Any, sql: str, params: Any, times: int = 30) -> float:
    spent = []
    for _ in range(times):
        cursor.execute(f"EXPLAIN (SUMMARY, FORMAT JSON) {sql}", params)
        row = cursor.fetchone()[0]
        plan = json.loads(row) if isinstance(row, str) else row
        spent.append(float(plan[0]["Planning Time"]))
    return statistics.median(spent)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--analyses", type=int, default=5, help="ANALYZEs, each estimated anew")
    parser.add_argument("--target", type=int, default=None, help="statistics target (-1: default)")
    args = parser.parse_args()
    run.setup_django(use_sqlite=False)

    from django.contrib.auth.models import User
    from django.db import connection

    from opiekun.contractors.search_rows import SearchedContractors
    from opiekun.contractors.selectors import contractor_list
    from opiekun.paging import planned_rows

    if connection.vendor != "postgresql":
        raise SystemExit("estimates.py: PostgreSQL only (SQLite keeps no estimate: it counts)")
    boss = User.objects.get(username="boss")
    with connection.cursor() as cursor:
        found = target_now(cursor)
        target = found if args.target is None else args.target
        try:
            set_target(cursor, target)
            counts = {}
            for word in WORDS:
                listed = contractor_list(viewer=boss, search=word)
                assert isinstance(listed, SearchedContractors)  # counted from the table of keys
                counts[word] = listed.count()
            ratios: dict[str, list[float]] = {word: [] for word in WORDS}
            analysing = []
            for _ in range(args.analyses):
                started = time.perf_counter()
                cursor.execute(f"ANALYZE {TABLE} (search_key)")
                analysing.append(time.perf_counter() - started)
                for word in WORDS:
                    planned = planned_rows(contractor_list(viewer=boss, search=word))
                    assert planned is not None
                    ratios[word].append(planned / counts[word])
            planned_ms = {}
            for word in WORDS:
                sql, params = contractor_list(viewer=boss, search=word).order_by().query.sql_with_params()
                planned_ms[word] = planning_ms(cursor, sql, params)
        finally:  # the column as it was found, analysed at its own target
            set_target(cursor, found)
            cursor.execute(f"ANALYZE {TABLE} (search_key)")
    shown = "default (100)" if target < 0 else str(target)
    print(f"statistics target of {TABLE}.search_key: {shown}; {args.analyses} ANALYZEs")
    print(f"{'word':<12}{'count':>10}  {'estimate / count, each ANALYZE':<44}{'planning':>10}")
    for word in WORDS:
        each = " ".join(f"{r:.2f}" for r in ratios[word])
        print(f"{word:<12}{counts[word]:>10,}  {each:<44}{planned_ms[word]:>7.2f} ms")
    spread = [abs(r - 1) for word in WORDS for r in ratios[word]]
    print(f"largest miss: {max(spread):.0%}; median miss: {statistics.median(spread):.0%}")
    print(f"ANALYZE of the column: {statistics.median(analysing):.2f} s (median)")
    print(f"the column's target put back to {found} (-1: the default), and analysed again")


if __name__ == "__main__":
    main()
