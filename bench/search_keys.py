"""A plain search of the contractors list, counted and paged as the list screen does,
beside two hand-written SQL baselines (PostgreSQL, a loaded database).

    DATABASE_URL=postgres://…/http .venv/bin/python bench/search_keys.py --runs 7

For each search: *ours* is `contractor_list` as `GET /api/v1/contractors` calls it for a
viewer who sees every contractor (the exact count, then the first page of 50 with that
count; the list screen shows the planner's estimate instead of counting when it expects
50,000 rows or more:
`contractors/search_rows.py` reads both from the table of keys when it may); *keys SQL*
is the same work written by hand (the count on the table of keys; the page's ids sorted
there when sorted by name, else off the contractors table's index of the order; then
the page's rows); *contractors SQL* is the work written by hand on the contractors table
alone, as the list did before the table of keys (the count there; sorted by name, the
matches sorted by ``name_key || ''``, which keeps the planner from walking the name
index). Every run checks that the three give the same count
and the same rows in the same order, and stops if they differ. Medians of ``--runs``
runs, ms, each after one unmeasured run; the ratios are computed from the medians.

    DATABASE_URL=postgres://…/http .venv/bin/python bench/search_keys.py --writes --runs 3

times instead what the table of keys costs the writes of contractors, beside the same
rows of keys written by hand (`bench/search_keys_writes.py` says how).
"""

from __future__ import annotations

import argparse
import statistics
import time
from collections.abc import Callable
from functools import partial
from typing import Any

from run import setup_django

# (search, the list's ordering, its ORDER BY): sorted by name, the page is read from the
# table of keys; sorted otherwise, off the contractors table's index of that order.
SEARCHES = [
    ("kowalski", "name", "name_key, code"),
    ("kowalski", "-name", "name_key DESC, code DESC"),
    ("catering", "name", "name_key, code"),
    ("transport", "code", "code"),
    ("k0500000", "name", "name_key, code"),
]
PAGE = 50


def median_ms(work: Callable[[], Any], runs: int) -> tuple[float, Any]:
    answer = work()  # unmeasured: caches warm, plans made
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        answer = work()
        times.append((time.perf_counter() - started) * 1000)
    return statistics.median(times), answer


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument(
        "--writes", action="store_true", help="time the writes of contractors instead (rolled back)"
    )
    parser.add_argument(
        "--write-rows", type=int, default=100_000, help="contractors each write touches (default 100,000)"
    )
    args = parser.parse_args()
    setup_django(use_sqlite=False)
    if args.writes:
        import search_keys_writes

        search_keys_writes.measure(args.write_rows, args.runs)
        return

    from django.contrib.auth.models import User
    from django.db import connection

    from opiekun.contractors.keys import search_text
    from opiekun.contractors.selectors import contractor_list
    from opiekun.operators.models import Operator, Visibility

    seeing_all = Operator.objects.filter(active=True, visibility=Visibility.ALL).order_by("pk").first()
    viewer = seeing_all.user if seeing_all else User.objects.filter(is_superuser=True).order_by("pk").first()
    if viewer is None:
        raise SystemExit("nobody in this database sees every contractor: the benchmark needs such a viewer")

    def ours(text: str, ordering: str) -> tuple[int, list[int]]:
        count = contractor_list(viewer=viewer, search=text, ordering=ordering).count()
        page = contractor_list(viewer=viewer, search=text, ordering=ordering, matches=count)[:PAGE]
        return count, [c.pk for c in page]

    def by_hand(count_sql: str, ids_sql: str, like: str) -> tuple[int, list[int]]:
        with connection.cursor() as cursor:
            cursor.execute(count_sql, [like])
            count = cursor.fetchone()[0]
            cursor.execute(ids_sql, [like, PAGE])
            ids = [row[0] for row in cursor.fetchall()]
            cursor.execute("SELECT * FROM contractors_contractor WHERE id = ANY(%s)", [ids])
            cursor.fetchall()  # the page's rows, as a page shows them
        return count, ids

    print(
        f"{'search':<22} {'ours':>8} {'keys SQL':>9} {'ratio':>6} {'contractors SQL':>16} {'ratio':>6}  rows"
    )
    for text, ordering, order in SEARCHES:
        like = f"%{search_text(text)}%"
        by_name = ordering.lstrip("-") == "name"
        keys_sql = (
            "SELECT count(*) FROM contractors_searchrow WHERE search_key LIKE %s",
            f"SELECT id FROM {'contractors_searchrow' if by_name else 'contractors_contractor'}"
            f" WHERE search_key LIKE %s ORDER BY {order} LIMIT %s",
        )
        # Before the table of keys: a few matches sorted by name were sorted by the key with
        # '' appended (the same order, which no index offers, so the planner sorts).
        sorted_here = order.replace("name_key", "name_key || ''") if by_name else order
        table_sql = (
            "SELECT count(*) FROM contractors_contractor WHERE search_key LIKE %s",
            f"SELECT id FROM contractors_contractor WHERE search_key LIKE %s ORDER BY {sorted_here} LIMIT %s",
        )
        mine, answer = median_ms(partial(ours, text, ordering), args.runs)
        keys, by_keys = median_ms(partial(by_hand, *keys_sql, like), args.runs)
        table, by_table = median_ms(partial(by_hand, *table_sql, like), args.runs)
        if not answer == by_keys == by_table:
            raise SystemExit(f"{text!r} sorted by {ordering}: the three give different rows or counts")
        label = f"{text} by {ordering}"
        ratios = f"{mine / keys:6.2f} {table:16.1f} {table / keys:6.2f}"
        print(f"{label:<22} {mine:8.1f} {keys:9.1f} {ratios}  {answer[0]:,}")


if __name__ == "__main__":
    main()
