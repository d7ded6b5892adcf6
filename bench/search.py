"""Contractor search without accents and Polish sorting at scale: times and plans.

    scripts/with-postgres .venv/bin/python bench/search.py              # 1,000,000 contractors
    .venv/bin/python bench/search.py --sqlite --contractors 200000

Migrates a fresh schema, loads N contractors with Polish names and cities by SQL,
computes their search and sort keys as migration 0003 does (`fill_keys`), analyses,
then times `contractor_list` (first page of 50 and the count, as the list screen asks)
for accent-free searches and for the sortings by name and city, and prints each
query's plan (PostgreSQL: ``EXPLAIN (ANALYZE, BUFFERS)``; SQLite: ``EXPLAIN QUERY PLAN``).
"""

from __future__ import annotations

import argparse
import atexit
import importlib
import os
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
SURNAMES = [
    "Kowalski",
    "Wiśniewski",
    "Wójcik",
    "Dąbrowski",
    "Kozłowski",
    "Żak",
    "Łukasik",
    "Ślusarz",
    "Nowak",
    "Zając",
]
TRADES = ["Transport", "Handel", "Usługi Ogólnobudowlane", "Gastronomia", "Źródło Wody", "Meble"]
CITIES = [
    "Warszawa",
    "Kraków",
    "Łódź",
    "Wrocław",
    "Poznań",
    "Gdańsk",
    "Żyrardów",
    "Świdnik",
    "Lublin",
    "Opole",
]
SEARCHES = ["wojcik", "WÓJCIK", "zrodlo wody", "lukasik transport", "K0500000"]


def setup(use_sqlite: bool) -> None:
    sys.path.insert(0, str(ROOT / "src"))
    if use_sqlite:
        os.environ.pop("DATABASE_URL", None)
        home = tempfile.mkdtemp(prefix="opiekun-search-")
        atexit.register(shutil.rmtree, home, ignore_errors=True)
        os.environ["OPIEKUN_HOME"] = home
    elif not os.environ.get("DATABASE_URL"):
        sys.exit("DATABASE_URL is not set: run through scripts/with-postgres, or pass --sqlite")
    os.environ["DJANGO_SETTINGS_MODULE"] = "opiekun.settings"
    import django

    django.setup()


def load(count: int) -> None:
    from django.core.management import call_command
    from django.db import connection
    from django.utils import timezone

    from opiekun.contractors.models import Contractor

    call_command("migrate", verbosity=0, interactive=False)
    pg = connection.vendor == "postgresql"
    # The table of keys (PostgreSQL) is written once after the keys, laid out as the
    # migrations write it for contractors already there (contractors/search_rows.py).
    from opiekun.contractors.search_rows import refill

    search_rows = importlib.import_module("opiekun.contractors.migrations.0009_search_rows")
    started = time.perf_counter()
    with connection.cursor() as cursor:
        for trigger in search_rows.KEPT_BY if pg else ():
            cursor.execute(f"ALTER TABLE contractors_contractor DISABLE TRIGGER {trigger}")
        if pg:
            pick = "(%s::text[])[1 + ({})]"
            series, prefix = "FROM generate_series(1, %s) AS g", ""
            code = "'K' || lpad(g::text, 7, '0')"
        else:
            pick = "json_extract(%s, '$[' || ({}) || ']')"
            prefix = "WITH RECURSIVE seq(g) AS (SELECT 1 UNION ALL SELECT g + 1 FROM seq WHERE g < %s) "
            series, code = "FROM seq", "'K' || substr('0000000' || g, -7, 7)"

        def words(values: list[str]) -> Any:
            import json

            return list(values) if pg else json.dumps(values)

        name = (
            f"{pick.format(f'g %% {len(SURNAMES)}')} || ' ' || "
            f"{pick.format(f'(g / {len(SURNAMES)}) %% {len(TRADES)}')} || ' sp. z o.o.'"
        )
        city = pick.format(f"(g / 7) %% {len(CITIES)}")
        params = [words(SURNAMES), words(TRADES), words(CITIES), timezone.now(), timezone.now()]
        cursor.execute(
            f"{prefix}INSERT INTO {Contractor._meta.db_table} (code, name, nip, regon, street, postal_code, "
            f"city, email, phone, active, created_at, updated_at) SELECT {code}, {name}, '', '', '', '', "
            f"{city}, '', '', TRUE, %s, %s {series}",
            [count, *params] if not pg else [*params, count],
        )
    print(f"  {count:,} contractors inserted in {time.perf_counter() - started:.0f} s", flush=True)
    started = time.perf_counter()
    keys = importlib.import_module("opiekun.contractors.migrations.0004_search_and_sort_keys")
    keys.fill_keys(Contractor, connection)
    if pg:
        refill(connection)
    with connection.cursor() as cursor:
        for trigger in search_rows.KEPT_BY if pg else ():
            cursor.execute(f"ALTER TABLE contractors_contractor ENABLE TRIGGER {trigger}")
        cursor.execute("VACUUM ANALYZE" if pg else "ANALYZE")
    print(f"  their keys computed and stored in {time.perf_counter() - started:.0f} s", flush=True)


def median_ms(work: Any, runs: int) -> float:
    work()
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        work()
        times.append((time.perf_counter() - started) * 1000)
    return statistics.median(times)


def plan(queryset: Any) -> str:
    from django.db import connection

    sql, params = queryset.query.sql_with_params()
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(f"EXPLAIN (ANALYZE, BUFFERS) {sql}", params)
        else:
            cursor.execute(f"EXPLAIN QUERY PLAN {sql}", params)
        return "\n".join("    " + " ".join(str(c) for c in row) for row in cursor.fetchall())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sqlite", action="store_true")
    parser.add_argument("--contractors", type=int, default=1_000_000)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    setup(args.sqlite)
    from django.contrib.auth.models import User
    from django.db import connection

    from opiekun.contractors.selectors import contractor_list

    print(f"Contractor search and sorting, {args.contractors:,} contractors, {connection.vendor}")
    load(args.contractors)
    viewer = User(is_superuser=True, is_active=True)
    cases: list[tuple[str, dict[str, Any]]] = [(f"search {s!r}", {"search": s}) for s in SEARCHES]
    cases += [(f"sort by {o}", {"ordering": o}) for o in ("name", "-name", "city")]
    print("\n| query | first page ms | count ms | rows |")
    print("|---|---:|---:|---:|")
    plans = []
    for title, kwargs in cases:
        rows = contractor_list(viewer=viewer, **kwargs)
        page_ms = median_ms(lambda rows=rows: list(rows[:50]), args.runs)
        count_ms = median_ms(lambda rows=rows: rows.count(), args.runs) if "search" in kwargs else 0.0
        total = rows.count() if "search" in kwargs else args.contractors
        first = [c.name for c in rows[:3]]
        print(f"| {title} | {page_ms:.1f} | {count_ms:.1f} | {total:,} |", flush=True)
        plans.append(
            (title, first, plan(rows[:50]), plan(rows.order_by().values("pk")) if "search" in kwargs else "")
        )
    for title, first, page_plan, count_plan in plans:
        print(f"\n{title}: first {first}\n  page:\n{page_plan}")
        if count_plan:
            print(f"  matching rows (what the count reads):\n{count_plan}")


if __name__ == "__main__":
    main()
