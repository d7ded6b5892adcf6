"""What the table of keys costs the writes of contractors (`bench/search_keys.py --writes`).

The table of keys (`contractors_searchrow`, PostgreSQL) is kept by statement triggers on
the contractors table. For each of three writes of ``rows`` contractors, in a transaction
rolled back after it:

- *insert*: copies of the first ``rows`` contractors (by id) under new codes, as an
  import of new contractors writes them (its COPY fires the same trigger);
- *rename*: the same ``rows`` contractors renamed (" Bis" appended), their keys computed
  by the application's own functions (`contractors/keys.py`), as the form or an import
  of changed names writes them;
- *delete*: ``rows`` contractors written in the same transaction, and the rows that
  refer to them (their coverage rows) deleted, not timed; then the contractors deleted.

each is timed three ways, alternated: *ours* is the statement with the triggers on (what
the application runs); *bare* is the statement with the table of keys' four triggers
off (its other triggers stay on); *SQL* is *bare* followed by the same rows of keys
written by hand, one statement. Timed: the statement(s) and the deferred checks
(``SET CONSTRAINTS ALL IMMEDIATE``), wall and the server backend's CPU (from
``/proc/<pid>/stat``, when the server runs on this machine). After each timed write, and
before its rollback, every touched contractor's row of keys is compared with the
contractor: *ours* and *SQL* must leave none different (and as many rows of keys as
contractors), *bare* must leave all of them different (the triggers were really off);
the benchmark stops otherwise (for *delete*, *bare* and *SQL* write the rows of keys
of the contractors to delete by hand, before the timing). The keys' share of a write is *ours* − *bare* (and
*SQL* − *bare*, what the same rows cost written by hand).
"""

from __future__ import annotations

import importlib
import os
import statistics
import time
from collections.abc import Callable
from typing import Any

VARIANTS = ("ours", "bare", "SQL")
CONTRACTORS = "contractors_contractor"
KEYS = "contractors_searchrow"


def _server_cpu(pid: int) -> Callable[[], float | None]:
    path, tick = f"/proc/{pid}/stat", os.sysconf("SC_CLK_TCK")

    def read() -> float | None:
        try:
            with open(path) as stat:
                fields = stat.read().rsplit(")", 1)[1].split()
        except OSError:  # the server runs elsewhere: wall time only
            return None
        return (int(fields[11]) + int(fields[12])) / tick  # utime + stime, seconds

    return read


def measure(rows: int, runs: int) -> None:
    from django.db import connection, transaction

    from opiekun.contractors.keys import polish_sort_key
    from opiekun.contractors.models import Contractor

    kept_by = importlib.import_module("opiekun.contractors.migrations.0009_search_rows").KEPT_BY
    columns = [f.column for f in Contractor._meta.concrete_fields if not f.primary_key]
    copied = ", ".join("'W' || code" if c == "code" else c for c in columns)
    search_key = Contractor._meta.get_field("search_key")
    first = list(Contractor.objects.order_by("pk").values_list("pk", "code", "name")[:rows])
    if len(first) < rows:
        raise SystemExit(f"--write-rows {rows:,}: only {len(first):,} contractors are loaded")
    ids = [pk for pk, _, _ in first]
    renamed = [name + " Bis" for _, _, name in first]
    new_keys = [
        search_key.derive_from({"code": code, "name": name})
        for (_, code, _), name in zip(first, renamed, strict=True)
    ]
    new_sort = [polish_sort_key(name) for name in renamed]

    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        cpu = _server_cpu(cursor.fetchone()[0])
        cursor.execute(  # the tables whose foreign keys point at the contractors
            "SELECT c.conrelid::regclass::text, a.attname FROM pg_constraint c"
            " JOIN pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = c.conkey[1]"
            f" WHERE c.contype = 'f' AND c.confrelid = '{CONTRACTORS}'::regclass"
        )
        referring = cursor.fetchall()

    def insert(cursor: Any) -> list[int]:
        cursor.execute(
            f"INSERT INTO {CONTRACTORS} ({', '.join(columns)}) SELECT {copied} FROM {CONTRACTORS}"
            " WHERE id = ANY(%s) ORDER BY id RETURNING id",
            [ids],
        )
        return [row[0] for row in cursor.fetchall()]

    def keys_inserted(cursor: Any, touched: list[int]) -> None:
        cursor.execute(
            f"INSERT INTO {KEYS} (id, search_key, name_key, code) SELECT id, search_key, name_key, code"
            f" FROM {CONTRACTORS} WHERE id = ANY(%s)",
            [touched],
        )

    def rename(cursor: Any) -> list[int]:
        cursor.execute(
            f"UPDATE {CONTRACTORS} c SET name = n.name, search_key = n.search_key, name_key = n.name_key"
            " FROM unnest(%s::bigint[], %s::text[], %s::text[], %s::text[])"
            " AS n(id, name, search_key, name_key)"
            " WHERE c.id = n.id",
            [ids, renamed, new_keys, new_sort],
        )
        return ids

    def keys_renamed(cursor: Any, touched: list[int]) -> None:
        cursor.execute(
            f"UPDATE {KEYS} s SET search_key = c.search_key, name_key = c.name_key, code = c.code"
            f" FROM {CONTRACTORS} c WHERE s.id = c.id AND c.id = ANY(%s)",
            [touched],
        )

    def delete(cursor: Any, touched: list[int]) -> list[int]:
        cursor.execute(f"DELETE FROM {CONTRACTORS} WHERE id = ANY(%s)", [touched])
        return touched

    def keys_deleted(cursor: Any, touched: list[int]) -> None:
        cursor.execute(f"DELETE FROM {KEYS} WHERE id = ANY(%s)", [touched])

    def differing(cursor: Any, touched: list[int]) -> int:
        cursor.execute(
            f"SELECT count(*) FROM unnest(%s::bigint[]) AS t(id) LEFT JOIN {CONTRACTORS} c ON c.id = t.id"
            f" LEFT JOIN {KEYS} s ON s.id = t.id"
            " WHERE (c.id, c.search_key, c.name_key, c.code)"
            " IS DISTINCT FROM (s.id, s.search_key, s.name_key, s.code)",
            [touched],
        )
        return int(cursor.fetchone()[0])

    def one(write: str, variant: str) -> tuple[float, float | None]:
        with transaction.atomic(), connection.cursor() as cursor:
            if variant != "ours":
                for trigger in kept_by:
                    cursor.execute(f"ALTER TABLE {CONTRACTORS} DISABLE TRIGGER {trigger}")
            touched: list[int] = []
            if write == "delete":  # the rows to delete, written first with their keys, not timed
                touched = insert(cursor)
                if variant != "ours":
                    keys_inserted(cursor, touched)
                for table, column in referring:  # what the insert gave them (their coverage rows)
                    cursor.execute(f"DELETE FROM {table} WHERE {column} = ANY(%s)", [touched])
                cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
            cpu_before, started = cpu(), time.perf_counter()
            if write == "insert":
                touched = insert(cursor)
                if variant == "SQL":
                    keys_inserted(cursor, touched)
            elif write == "rename":
                touched = rename(cursor)
                if variant == "SQL":
                    keys_renamed(cursor, touched)
            else:
                delete(cursor, touched)
                if variant == "SQL":
                    keys_deleted(cursor, touched)
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
            wall, cpu_after = time.perf_counter() - started, cpu()
            wrong = differing(cursor, touched)
            cursor.execute(f"SELECT (SELECT count(*) FROM {KEYS}) - (SELECT count(*) FROM {CONTRACTORS})")
            extra = cursor.fetchone()[0]
            kept = wrong == extra == 0 if variant != "bare" else wrong == len(touched) > 0
            if not kept:
                raise SystemExit(
                    f"{write}, {variant}: {wrong:,} of {len(touched):,} rows of keys differ from their "
                    f"contractors, and the table of keys has {extra:+,} rows more than the contractors"
                )
            transaction.set_rollback(True)
        used = None if cpu_before is None or cpu_after is None else cpu_after - cpu_before
        return wall * 1000, None if used is None else used * 1000

    results: dict[tuple[str, str], list[tuple[float, float | None]]] = {}
    writes = ("insert", "rename", "delete")
    for write in writes:
        one(write, "ours")  # unmeasured: caches warm
    for _ in range(runs):
        for write in writes:
            for variant in VARIANTS:
                results.setdefault((write, variant), []).append(one(write, variant))

    def median(write: str, variant: str, index: int) -> float | None:
        values = [r[index] for r in results[(write, variant)]]
        return None if None in values else statistics.median(v for v in values if v is not None)

    def cell(value: float | None) -> str:
        return "—" if value is None else f"{value:,.0f}"

    print(
        f"\nthe table of keys in writes of {rows:,} contractors: medians of {runs} runs,"
        " ms (wall / server CPU)"
    )
    print(
        f"{'write':<8} {'ours':>15} {'bare':>15} {'SQL':>15} {'ratio':>6}"
        f" {'keys, ours':>15} {'keys, SQL':>15}"
    )
    for write in writes:
        line = f"{write:<8}"
        figures = {v: (median(write, v, 0), median(write, v, 1)) for v in VARIANTS}
        for variant in VARIANTS:
            wall, used = figures[variant]
            line += f" {cell(wall):>7} / {cell(used):>5}"
        ours_cpu, sql_cpu = figures["ours"][1], figures["SQL"][1]
        ours_wall, sql_wall = figures["ours"][0], figures["SQL"][0]
        ratio = (ours_cpu / sql_cpu) if ours_cpu and sql_cpu else (ours_wall or 0) / (sql_wall or 1)
        line += f" {ratio:6.2f}"
        for variant in ("ours", "SQL"):
            shares = [
                None if a is None or b is None else a - b
                for a, b in zip(figures[variant], figures["bare"], strict=True)
            ]
            line += f" {cell(shares[0]):>7} / {cell(shares[1]):>5}"
        print(line)
    print("ratio: ours / SQL, by server CPU (by wall without it); keys: the variant − bare")
