"""What one bulk write leaves to the pages until a vacuum, and how soon autovacuum comes.

    DATABASE_URL=postgres://… .venv/bin/python bench/vacuum.py [--wait 150]

On the benchmark's loaded database (`bench/run.py --load-only`; PostgreSQL only): the
five tables the pages read by index-only scans (`coverage/migrations/0011_vacuumed_often`)
are vacuumed; three statements an own-only operator's pages read are explained
(`EXPLAIN (ANALYZE, BUFFERS)`): the "kowalski" search sorted by name (its page and count,
`SearchedContractors.counted_page`), and the operator's two sets of ids (theirs today,
nobody today). Then one `caretaker_add` of 10,000 contractors with REPLACE (as
`bench/run.py`'s a., rolled back: it clears the visibility map's bits as a commit does),
the statements again, and again once autovacuum has vacuumed the assignments and the
uncovered periods after the write (or ``--wait`` seconds have passed). Each figure
printed is the shared buffers the statement read and the rows it fetched from a table
(the plan's "Heap Fetches", summed); the tables' autovacuum settings are printed as found.
"""

from __future__ import annotations

import argparse
import importlib
import re
import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

import run  # bench/run.py: the data set and Django's set-up

# The tables migration 0011 sets to be vacuumed after each bulk write, as it names them.
TABLES: tuple[str, ...] = importlib.import_module("opiekun.coverage.migrations.0011_vacuumed_often").TABLES
WAITED_FOR = ("caretakers_caretakerassignment", "coverage_uncoveredperiod")


def read(cursor: Any, sql: str, params: Any) -> tuple[int, int]:
    """The buffers ``sql`` read and the rows it fetched from a table."""
    cursor.execute(f"EXPLAIN (ANALYZE, BUFFERS) {sql}", params)
    plan = "\n".join(row[0] for row in cursor.fetchall())
    top = re.search(r"Buffers: shared hit=(\d+)(?: read=(\d+))?", plan)
    buffers = int(top.group(1)) + int(top.group(2) or 0) if top else 0
    return buffers, sum(int(n) for n in re.findall(r"Heap Fetches: (\d+)", plan))


def vacuumed_at(cursor: Any) -> dict[str, Any]:
    cursor.execute(
        "SELECT relname, last_autovacuum FROM pg_stat_user_tables WHERE relname = ANY(%s)", [list(WAITED_FOR)]
    )
    return dict(cursor.fetchall())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--wait", type=int, default=150, help="seconds to wait for autovacuum (default 150)")
    args = parser.parse_args()
    run.setup_django(use_sqlite=False)

    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from opiekun.caretakers.services import caretaker_add
    from opiekun.contractors.selectors import contractor_list
    from opiekun.dates import today
    from opiekun.operators.access import operator_of
    from opiekun.operators.own_sets import own_sets

    if connection.vendor != "postgresql":
        raise SystemExit("vacuum.py: PostgreSQL only (SQLite has no autovacuum)")
    world = run.loaded_world()
    viewer = world.own_read_only
    listed = contractor_list(viewer=viewer, search="kowalski", ordering="name")
    with CaptureQueriesContext(connection) as captured:
        assert listed.counted_page(0, 50) is not None  # type: ignore[attr-defined]
    page = next(q["sql"] for q in captured.captured_queries if "OVER ()" in q["sql"])
    operator = operator_of(viewer)
    assert operator is not None
    sets = own_sets(operator, editable=False, day=today())
    assert sets.nobody is not None  # the benchmark's operator sees those with nobody read-only
    statements = {
        '"kowalski" by name (page and count)': (page, None),
        "theirs today": sets.theirs.order_by().query.sql_with_params(),
        "nobody today": sets.nobody.order_by().query.sql_with_params(),
    }
    ids = run.selection(world, 10_000)

    def write() -> None:
        outcome = caretaker_add(
            actor=world.boss,
            contractor_ids=ids,
            operator_id=world.newcomer_id,
            date_from=run.NEW_FROM,
            date_to=run.NEW_TO,
            on_overlap="replace",
            type="main",
        )
        assert outcome.applied

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT relname, coalesce(array_to_string(reloptions, ', '), 'the server''s defaults')"
            " FROM pg_class WHERE relname = ANY(%s) ORDER BY relname",
            [list(TABLES)],
        )
        for name, options in cursor.fetchall():
            print(f"  {name}: {options}")
        cursor.execute("SET max_parallel_workers_per_gather = 0")  # as the page reads it
        states: list[tuple[str, dict[str, tuple[int, int]]]] = []

        def measure(state: str) -> None:
            states.append((state, {name: read(cursor, *sql) for name, sql in statements.items()}))

        cursor.execute(f"VACUUM {', '.join(TABLES)}")
        measure("vacuumed")
        before = vacuumed_at(cursor)
        run.rolled_back(write, as_committed=True)()
        written = time.monotonic()
        measure("right after the write")
        while time.monotonic() - written < args.wait:
            now = vacuumed_at(cursor)
            if all(now[t] is not None and now[t] != before[t] for t in WAITED_FOR):
                measure(f"autovacuumed, {time.monotonic() - written:.0f} s after the write")
                break
            time.sleep(2)
        else:
            measure(f"not autovacuumed within {args.wait} s")
        cursor.execute("RESET max_parallel_workers_per_gather")
    print(f"{'state':<40}" + "".join(f"{name:>38}" for name in statements))
    for state, found in states:
        cells = "".join(f"{f'{b:,} buffers / {h:,} fetched':>38}" for b, h in found.values())
        print(f"{state:<40}{cells}")


if __name__ == "__main__":
    main()
