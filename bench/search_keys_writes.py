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

each is run two ways, alternated, and its statement timed (with the deferred checks,
``SET CONSTRAINTS ALL IMMEDIATE``; wall, and the server backend's CPU from
``/proc/<pid>/stat`` when the server runs on this machine):

- *ours*, what the application runs: the statement with the table's triggers on; the
  keys' part of it is the server's own time in the triggers' functions
  (``pg_stat_xact_user_functions``, ``track_functions = 'pl'``: the connection must be
  a superuser's, as the benchmark's server gives);
- *SQL*: the statement with the table of keys' four triggers off (the contractors'
  other triggers stay on), then the same rows of keys written by hand in one
  statement, timed alone.

The ratio is the triggers' time to the hand-written statement's (wall); the share, the
triggers' time to the whole statement's. Every run checks, before its rollback, that
every touched contractor's row of keys equals the contractor and that the table of keys
has as many rows as the contractors; in *SQL*, also that before the keys' statement
every touched row of keys was behind (the triggers were really off). It stops
otherwise. The tables written are vacuumed at the end: the rolled-back rows would
otherwise be read by every search after.
"""

from __future__ import annotations

import importlib
import os
import statistics
import time
from collections.abc import Callable
from typing import Any

TRIGGERS_TIME = (  # ms, this transaction's, while track_functions is 'pl'
    "SELECT coalesce(sum(total_time), 0) FROM pg_stat_xact_user_functions WHERE funcname = ANY(%s)"
)
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
            f"INSERT INTO {KEYS} (id, search_key, name_key, code, active)"
            f" SELECT id, search_key, name_key, code, active FROM {CONTRACTORS} WHERE id = ANY(%s)",
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
            f"UPDATE {KEYS} s SET search_key = c.search_key, name_key = c.name_key, code = c.code,"
            f" active = c.active FROM {CONTRACTORS} c WHERE s.id = c.id AND c.id = ANY(%s)",
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
            " WHERE (c.id, c.search_key, c.name_key, c.code, c.active)"
            " IS DISTINCT FROM (s.id, s.search_key, s.name_key, s.code, s.active)",
            [touched],
        )
        return int(cursor.fetchone()[0])

    def timed(cursor: Any, work: Callable[[], Any]) -> tuple[float, float | None]:
        """Wall and server CPU, ms, of the work and the deferred checks it leaves."""
        cpu_before, started = cpu(), time.perf_counter()
        work()
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        wall, cpu_after = (time.perf_counter() - started) * 1000, cpu()
        return wall, None if cpu_before is None or cpu_after is None else (cpu_after - cpu_before) * 1000

    def check(cursor: Any, write: str, touched: list[int], wrong: int) -> None:
        """After the keys' work every touched row of keys equals its contractor, and the
        table of keys has as many rows as the contractors."""
        cursor.execute(f"SELECT (SELECT count(*) FROM {KEYS}) - (SELECT count(*) FROM {CONTRACTORS})")
        extra = cursor.fetchone()[0]
        if wrong or extra:
            raise SystemExit(
                f"{write}: {wrong:,} of {len(touched):,} rows of keys differ from their contractors,"
                f" and the table of keys has {extra:+,} rows more than the contractors"
            )

    def to_delete(cursor: Any, *, with_keys: bool) -> list[int]:
        """Contractors for *delete* to delete (their keys written by hand if ``with_keys``,
        the rows their insert gave them in other tables deleted), not timed."""
        touched = insert(cursor)
        if with_keys:
            keys_inserted(cursor, touched)
        for table, column in referring:  # their coverage rows
            cursor.execute(f"DELETE FROM {table} WHERE {column} = ANY(%s)", [touched])
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        return touched

    def the_write(cursor: Any, write: str, touched: list[int]) -> tuple[float, float | None]:
        """The write itself, timed; the contractors it writes are added to ``touched``."""
        if write == "insert":
            return timed(cursor, lambda: touched.extend(insert(cursor)))
        if write == "rename":
            return timed(cursor, lambda: touched.extend(rename(cursor)))
        return timed(cursor, lambda: delete(cursor, touched))

    def ours(write: str) -> dict[str, tuple[float, float | None]]:
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute("SET LOCAL track_functions = 'pl'")  # the triggers' time, below
            touched = to_delete(cursor, with_keys=False) if write == "delete" else []
            cursor.execute(TRIGGERS_TIME, [list(kept_by)])
            triggers_before = float(cursor.fetchone()[0])
            whole = the_write(cursor, write, touched)
            cursor.execute(TRIGGERS_TIME, [list(kept_by)])
            triggers = float(cursor.fetchone()[0]) - triggers_before
            check(cursor, write, touched, differing(cursor, touched))
            transaction.set_rollback(True)
        return {"statement": whole, "keys": (triggers, None)}

    def by_hand(write: str) -> dict[str, tuple[float, float | None]]:
        with transaction.atomic(), connection.cursor() as cursor:
            for trigger in kept_by:
                cursor.execute(f"ALTER TABLE {CONTRACTORS} DISABLE TRIGGER {trigger}")
            touched = to_delete(cursor, with_keys=True) if write == "delete" else []
            bare = the_write(cursor, write, touched)
            off = differing(cursor, touched)
            if off != len(touched):  # the triggers were really off: every row of keys is behind
                raise SystemExit(
                    f"{write}: the triggers off, {off:,} of {len(touched):,} rows of keys differ"
                )
            hand = {"insert": keys_inserted, "rename": keys_renamed, "delete": keys_deleted}[write]
            keys = timed(cursor, lambda: hand(cursor, touched))
            check(cursor, write, touched, differing(cursor, touched))
            transaction.set_rollback(True)
        return {"statement": bare, "keys": keys}

    results: dict[tuple[str, str, str], list[tuple[float, float | None]]] = {}
    writes = ("insert", "rename", "delete")
    for write in writes:
        ours(write)  # unmeasured: caches warm
    for _ in range(runs):
        for write in writes:
            for variant, run in (("ours", ours), ("SQL", by_hand)):
                for part, figures in run(write).items():
                    results.setdefault((write, variant, part), []).append(figures)

    def median(write: str, variant: str, part: str, index: int) -> float | None:
        values = [r[index] for r in results[(write, variant, part)]]
        return None if None in values else statistics.median(v for v in values if v is not None)

    def cell(write: str, variant: str, part: str) -> str:
        wall, used = median(write, variant, part, 0), median(write, variant, part, 1)
        return f"{wall:,.0f}" + ("" if used is None else f" / {used:,.0f}")

    print(f"\nthe table of keys in writes of {rows:,} contractors: medians of {runs} runs, ms")
    print(
        f"{'write':<8} {'ours: statement':>17} {'its triggers':>13} {'SQL: statement':>17}"
        f" {'keys by hand':>15} {'ratio':>6} {'share':>6}"
    )
    for write in writes:
        triggers, hand = median(write, "ours", "keys", 0), median(write, "SQL", "keys", 0)
        statement = median(write, "ours", "statement", 0)
        print(
            f"{write:<8} {cell(write, 'ours', 'statement'):>17} {cell(write, 'ours', 'keys'):>13}"
            f" {cell(write, 'SQL', 'statement'):>17} {cell(write, 'SQL', 'keys'):>15}"
            f" {(triggers or 0) / (hand or 1):6.2f} {(triggers or 0) / (statement or 1):6.1%}"
        )
    print(
        "statements: wall / the server's CPU, deferred checks included; its triggers: the server's"
        " own time in the table of keys' trigger functions (pg_stat_xact_user_functions);"
        " keys by hand: the same rows of keys written by one statement, the triggers off;"
        " ratio: its triggers / keys by hand (wall); share: its triggers / ours: statement"
    )
    with connection.cursor() as cursor:  # the rolled-back rows' dead tuples, cleared for what runs next
        for table in dict.fromkeys([CONTRACTORS, KEYS, *(table for table, _ in referring)]):
            cursor.execute(f"VACUUM ANALYZE {table}")
