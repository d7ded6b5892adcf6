"""The imports at scale, each beside a hand-written SQL baseline that writes the same rows.

    scripts/with-postgres .venv/bin/python bench/import_bench.py            # 1,000,000 contractors
    .venv/bin/python bench/import_bench.py --sqlite                         # 200,000 contractors

Loads the data set of `bench/run.py`, writes two files into a temporary folder and
imports them, timed, inside a transaction that is rolled back:

- **assignments**: ``--rows`` rows (default 100,000) for as many contractors spread
  over the table, CSV as Kontrahenci wg opiekuna exports it (Polish headers,
  dd.mm.rrrr): 80 % a deputy in a role nobody has yet (added), 10 % a new main
  caretaker from 2025-03-01 (replaced: the current main is trimmed, or added where
  it had ended), 10 % the contractor's current main exactly as it is (unchanged);
  policy REPLACE. The baseline parses the same file with the csv module, copies it
  into a temporary table and does the same work in SQL: looks the names up by join,
  locks the contractors (as every writer does), trims the current mains, inserts the
  new rows, writes the audit rows.
- **contractors**: ``--rows`` new contractors with valid NIPs; ours creates them with
  the importing operator as their main caretaker (the default setting), the baseline
  the same rows in SQL.

Each pair is verified: both must leave the same assignments (or contractors) and as
many audit rows. Then one more run of each import under `tracemalloc` gives the peak
memory of the Python allocations. Results: docs/performance.md, docs/import.md.
"""

from __future__ import annotations

import argparse
import csv
import hashlib
import os
import resource
import sys
import tempfile
import time
import tracemalloc
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

import run as base

NEW_MAIN_FROM = date(2025, 3, 1)
DEPUTY_FROM, DEPUTY_TO = date(2025, 1, 1), date(2025, 12, 31)
SERVICE_ROLE = "Opiekun serwisowy"
HEADER = ["Kod kontrahenta", "Login", "Typ", "Rola", "Oddział", "Data od", "Data do"]


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sqlite", action="store_true", help="SQLite in a temporary folder")
    parser.add_argument(
        "--contractors", type=int, default=None, help="default 1,000,000 (PG), 200,000 (SQLite)"
    )
    parser.add_argument("--rows", type=int, default=100_000, help="rows of each file (default 100,000)")
    parser.add_argument(
        "--reuse", action="store_true", help="time the data set loaded by `bench/run.py --load-only`"
    )
    parser.add_argument("--runs", type=int, default=1, help="timed runs of each (median); no warm-up run")
    parser.add_argument("--no-memory", action="store_true", help="skip the tracemalloc runs")
    parser.add_argument(
        "--only", choices=("assignments", "contractors"), default=None, help="run one of the two imports"
    )
    args = parser.parse_args()
    if args.contractors is None:
        args.contractors = 200_000 if args.sqlite else 1_000_000
    if args.rows > args.contractors:
        parser.error("--rows may not exceed --contractors")
    return args


@dataclass(frozen=True)
class Timing:
    name: str
    ours_s: float
    baseline_s: float
    note: str
    ours_cpu: float = 0.0
    baseline_cpu: float = 0.0

    @property
    def ratio(self) -> float:
        return self.ours_s / self.baseline_s if self.baseline_s else float("inf")


def timed(
    work: Callable[[], Any], runs: int, *, as_committed: bool = False, foreign_keys: bool = False
) -> tuple[float, float]:
    """The median wall time of ``work`` in seconds (each run rolled back; with
    ``as_committed``, the checks deferred to COMMIT included, with ``foreign_keys`` the
    deferred foreign-key checks alone: see `run.rolled_back`),
    and the CPU time of this process in that run (on SQLite the database's work
    included; on PostgreSQL the server's is not)."""
    times = []
    for _ in range(runs):
        started, cpu = time.perf_counter(), time.process_time()
        base.rolled_back(work, as_committed=as_committed, foreign_keys=foreign_keys)()
        times.append((time.perf_counter() - started, time.process_time() - cpu))
    times.sort()
    return times[len(times) // 2]


def digest(sql: str, params: Sequence[Any]) -> str:
    rows = base.fetch(sql, params)
    return hashlib.sha256(repr(sorted(map(repr, rows))).encode()).hexdigest()[:16] + f" ({len(rows):,} rows)"


# --- assignments --------------------------------------------------------------------


def assignments_file(world: base.World, folder: Path, rows: int) -> tuple[Path, list[int], int]:
    """The file, the contractors it names, and the service role's id."""
    from opiekun.caretakers.models import CaretakerAssignment, CaretakerRole
    from opiekun.contractors.models import Contractor
    from opiekun.operators.models import Operator

    role, _ = CaretakerRole.objects.get_or_create(name=SERVICE_ROLE)  # kept by an earlier --reuse run
    if CaretakerAssignment.objects.filter(role=role).exists():
        raise RuntimeError(f"the role {SERVICE_ROLE!r} must have no assignments yet")
    ids = base.selection(world, rows)
    codes = dict(Contractor.objects.filter(pk__in=ids).values_list("pk", "code"))
    logins = dict(Operator.objects.values_list("pk", "user__username"))
    newcomer = logins[world.newcomer_id]
    current = {
        a.contractor_id: a
        for a in CaretakerAssignment.objects.filter(
            contractor_id__in=ids[::10],
            role_id=world.default_role_id,
            type="main",
            date_from=date(2024, 1, 1),
        )
    }
    path = folder / "kontrahenci-wg-opiekuna.csv"
    with path.open("w", encoding="utf-8-sig", newline="") as stream:
        writer = csv.writer(stream, delimiter=";")
        writer.writerow(HEADER)
        for i, cid in enumerate(ids):
            code = codes[cid]
            if i % 10 == 0:
                a = current[cid]
                end = a.date_to.strftime("%d.%m.%Y") if a.date_to else ""
                writer.writerow(
                    [code, logins[a.operator_id], "Główny", "Opiekun handlowy", "", "01.01.2024", end]
                )
            elif i % 10 == 1:
                writer.writerow([code, newcomer, "Główny", "", "", NEW_MAIN_FROM.strftime("%d.%m.%Y"), ""])
            else:
                login = logins[world.first_operator + (cid * 11) % base.OPERATORS]
                writer.writerow([code, login, "Zastępca", SERVICE_ROLE, "", "01.01.2025", "31.12.2025"])
    return path, ids, role.pk


def assignments_baseline(world: base.World, path: Path) -> None:
    """The same import in SQL, for this file's shapes: parse, copy into a temporary
    table, trim the mains the new ones replace, insert what is not there yet, audit."""
    from django.db import connection
    from django.utils import timezone

    sql = base.Sql()
    ops = connection.ops
    stamp = ops.adapt_datetimefield_value(timezone.now())
    user_id = world.boss.pk
    reason = "import:baseline"
    with path.open(encoding="utf-8-sig", newline="") as stream:
        reader = csv.reader(stream, delimiter=";")
        next(reader)
        parsed = [
            (
                code,
                login,
                "main" if kind == "Główny" else "deputy",
                role or "Opiekun handlowy",
                _iso(start),
                _iso(end) if end else None,
            )
            for code, login, kind, role, _branch, start, end in reader
        ]
    base.execute(
        "CREATE TEMP TABLE imp (code text, login text, type text, role text, date_from date, date_to date)"
    )
    if sql.pg:
        with (
            connection.cursor() as cursor,
            cursor.cursor.copy("COPY imp (code, login, type, role, date_from, date_to) FROM STDIN") as copy,
        ):
            for row in parsed:
                copy.write_row(row)
    else:
        with connection.cursor() as cursor:
            cursor.executemany("INSERT INTO imp VALUES (%s, %s, %s, %s, %s, %s)", parsed)
    base.execute(
        "CREATE TEMP TABLE res AS SELECT c.id AS contractor_id, o.id AS operator_id, i.type, "
        "r.id AS role_id, "
        "i.date_from, i.date_to FROM imp i JOIN contractors_contractor c ON c.code = i.code "
        "JOIN auth_user u ON u.username = i.login JOIN operators_operator o ON o.user_id = u.id "
        "JOIN caretakers_caretakerrole r ON r.name = i.role"
    )
    base.execute("CREATE INDEX res_contractor ON res (contractor_id)")
    if sql.pg:  # every writer locks the contractors it changes, in id order
        base.execute(
            "SELECT id FROM contractors_contractor WHERE id IN (SELECT contractor_id FROM res) "
            "ORDER BY id FOR UPDATE"
        )
    table = "caretakers_caretakerassignment"
    history = "caretakers_historicalcaretakerassignment"
    tracked = ", ".join(base.audit_columns())
    # Rows that hold already are left alone.
    base.execute(
        f"DELETE FROM res WHERE EXISTS (SELECT 1 FROM {table} a WHERE a.contractor_id = res.contractor_id "
        "AND a.operator_id = res.operator_id AND a.type = res.type AND a.role_id = res.role_id "
        "AND a.branch_id IS NULL AND a.date_from = res.date_from "
        "AND a.date_to IS NOT DISTINCT FROM res.date_to)"
        if sql.pg
        else "DELETE FROM res WHERE EXISTS (SELECT 1 FROM "
        f"{table} a WHERE a.contractor_id = res.contractor_id "
        "AND a.operator_id = res.operator_id AND a.type = res.type AND a.role_id = res.role_id "
        "AND a.branch_id IS NULL AND a.date_from = res.date_from AND a.date_to IS res.date_to)"
    )
    # Another operator's main overlapping a new main: trimmed to the day before.
    overlapped = (
        f"FROM res n WHERE n.contractor_id = {table}.contractor_id AND n.role_id = {table}.role_id "
        f"AND n.type = 'main' AND n.operator_id <> {table}.operator_id AND {table}.type = 'main' "
        f"AND {table}.branch_id IS NULL AND {table}.date_from < n.date_from "
        f"AND ({table}.date_to IS NULL OR {table}.date_to >= n.date_from)"
    )
    day_before = "n.date_from - 1" if sql.pg else "date(n.date_from, '-1 day')"
    if sql.pg:
        base.execute(
            f"UPDATE {table} SET date_to = {day_before}, updated_at = %s, updated_by_id = %s {overlapped}",
            [stamp, user_id],
        )
    else:
        base.execute(
            f"UPDATE {table} SET date_to = (SELECT {day_before} {overlapped}), updated_at = %s, "
            f"updated_by_id = %s WHERE EXISTS (SELECT 1 {overlapped})",
            [stamp, user_id],
        )
    base.execute(
        f"INSERT INTO {history} ({tracked}, history_date, history_type, history_user_id, "
        f"history_change_reason) SELECT {tracked}, %s, '~', %s, %s FROM {table} WHERE updated_at = %s",
        [stamp, user_id, reason, stamp],
    )
    base.execute(
        f"INSERT INTO {table} (contractor_id, operator_id, type, role_id, branch_id, date_from, date_to, "
        "created_at, updated_at, created_by_id, updated_by_id) SELECT contractor_id, operator_id, type, "
        "role_id, NULL, date_from, date_to, %s, %s, %s, %s FROM res",
        [stamp, stamp, user_id, user_id],
    )
    base.execute(
        f"INSERT INTO {history} ({tracked}, history_date, history_type, history_user_id, "
        f"history_change_reason) SELECT {tracked}, %s, '+', %s, %s FROM {table} WHERE created_at = %s",
        [stamp, user_id, reason, stamp],
    )
    base.execute("DROP TABLE res")
    base.execute("DROP TABLE imp")


def _iso(text: str) -> str:
    day, month, year = text.split(".")
    return f"{year}-{month}-{day}"


def bench_assignments(world: base.World, folder: Path, rows: int, runs: int, memory: bool) -> list[str]:
    from opiekun.caretakers.services import assignments_import

    path, ids, _ = assignments_file(world, folder, rows)
    selected, param = base.Sql().ids(ids)
    state_sql = (
        "SELECT contractor_id, operator_id, type, role_id, branch_id, date_from, date_to "
        f"FROM caretakers_caretakerassignment WHERE contractor_id IN ({selected})"
    )
    audit_sql = "SELECT count(*) FROM caretakers_historicalcaretakerassignment"
    found: dict[str, Any] = {}

    def ours_import() -> Any:
        report = assignments_import(
            actor=world.boss, path=path, filename=path.name, on_overlap="replace", dry_run=False
        )
        assert report.applied and not report.errors, report.errors[:5]
        return report

    def ours() -> None:
        report = ours_import()
        found["ours"] = (digest(state_sql, [param]), base.fetch(audit_sql, [])[0][0], report.outcomes)

    def baseline() -> None:
        assignments_baseline(world, path)
        found["baseline"] = (digest(state_sql, [param]), base.fetch(audit_sql, [])[0][0])

    def dry() -> None:
        report = assignments_import(actor=world.boss, path=path, filename=path.name, on_overlap="replace")
        assert not report.applied and not report.errors

    ours_s, ours_cpu = timed(ours, runs, as_committed=True)
    base_s, base_cpu = timed(baseline, runs, foreign_keys=True)
    dry_s, dry_cpu = timed(dry, runs)
    same = found["ours"][:2] == found["baseline"]
    print(
        f"  assignments: ours {found['ours']}, baseline {found['baseline']}: "
        + ("same" if same else "DIFFERENT")
    )
    if not same:
        raise AssertionError("the baseline did not write what the import wrote")
    name = f"import-assignments {rows:,} rows, REPLACE"
    timing = Timing(name, ours_s, base_s, _outcomes(found["ours"][2]), ours_cpu, base_cpu)
    print(f"  dry run {dry_s:.1f} s (cpu {dry_cpu:.1f} s)", flush=True)
    lines = [
        _line(timing),
        f"| import-assignments {rows:,} rows, dry run | {dry_s:.1f} ({dry_cpu:.1f}) | | | nothing written |",
    ]
    if memory:
        lines.append(
            f"| peak memory, import-assignments {rows:,} rows "
            f"| {_peak(ours_import):.0f} MB | | | tracemalloc |"
        )
    return lines


def _outcomes(outcomes: dict[str, int]) -> str:
    return ", ".join(f"{count:,} {kind}" for kind, count in outcomes.items() if count)


# --- contractors --------------------------------------------------------------------


def contractors_file(folder: Path, rows: int) -> Path:
    """``rows`` new contractors, each with a valid NIP."""
    weights = (6, 5, 7, 2, 3, 4, 5, 6, 7)
    path = folder / "kontrahenci.csv"
    with path.open("w", encoding="utf-8-sig", newline="") as stream:
        writer = csv.writer(stream, delimiter=";")
        writer.writerow(["Kod", "Nazwa", "NIP", "Miejscowość", "E-mail"])
        written, body = 0, 700_000_000
        while written < rows:
            body += 1
            digits = f"{body:09d}"
            check = sum(w * int(d) for w, d in zip(weights, digits, strict=True)) % 11
            if check == 10:
                continue
            name = f"Nowa Firma {written} sp. z o.o."
            writer.writerow(
                [f"N{written:07d}", name, f"{digits}{check}", "Kraków", f"n{written}@example.com"]
            )
            written += 1
    return path


def contractors_baseline(world: base.World, path: Path) -> None:
    """The same rows in SQL: parse, compute the search and sort keys (in Python, as
    every writer of contractors does: contractors/keys.py), copy, insert the contractors,
    their audit rows and the importing operator as their main caretaker, with its audit
    rows."""
    from django.db import connection
    from django.utils import timezone

    from opiekun.contractors.keys import polish_sort_key, search_text

    sql = base.Sql()
    stamp = connection.ops.adapt_datetimefield_value(timezone.now())
    user_id = world.boss.pk
    with path.open(encoding="utf-8-sig", newline="") as stream:
        reader = csv.reader(stream, delimiter=";")
        next(reader)
        parsed = [
            (
                code,
                name,
                nip,
                city,
                email,
                f"{search_text(code)}\n{search_text(name)}",
                polish_sort_key(name),
                polish_sort_key(city),
            )
            for code, name, nip, city, email in reader
        ]
    columns = (
        "code, name, nip, regon, street, postal_code, city, email, phone, active, "
        "created_at, updated_at, created_by_id"
    )
    base.execute(
        "CREATE TEMP TABLE impc (code text, name text, nip text, city text, email text, "
        "search_key text, name_key text, city_key text)"
    )
    if sql.pg:
        with connection.cursor() as cursor, cursor.cursor.copy("COPY impc FROM STDIN") as copy:
            for row in parsed:
                copy.write_row(row)
    else:
        with connection.cursor() as cursor:
            cursor.executemany("INSERT INTO impc VALUES (%s, %s, %s, %s, %s, %s, %s, %s)", parsed)
    base.execute(
        f"INSERT INTO contractors_contractor ({columns}, search_key, name_key, city_key) "
        "SELECT code, name, nip, '', '', '', city, email, '', "
        "TRUE, %s, %s, %s, search_key, name_key, city_key FROM impc",
        [stamp, stamp, user_id],
    )
    base.execute(
        f"INSERT INTO contractors_historicalcontractor (id, {columns}, history_date, history_type, "
        f"history_user_id, history_change_reason) SELECT id, {columns}, %s, '+', %s, 'import:baseline' "
        "FROM contractors_contractor WHERE created_at = %s",
        [stamp, user_id, stamp],
    )
    tracked = ", ".join(base.audit_columns())
    operator_id = world.boss.operator.pk
    base.execute(
        "INSERT INTO caretakers_caretakerassignment (contractor_id, operator_id, type, role_id, branch_id, "
        "date_from, date_to, created_at, updated_at, created_by_id, updated_by_id) SELECT id, %s, 'main', "
        "%s, NULL, %s, NULL, %s, %s, %s, %s FROM contractors_contractor WHERE created_at = %s",
        [
            operator_id,
            world.default_role_id,
            connection.ops.adapt_datefield_value(_today()),
            stamp,
            stamp,
            user_id,
            user_id,
            stamp,
        ],
    )
    base.execute(
        f"INSERT INTO caretakers_historicalcaretakerassignment ({tracked}, history_date, history_type, "
        f"history_user_id, history_change_reason) SELECT {tracked}, %s, '+', %s, 'import:baseline' "
        "FROM caretakers_caretakerassignment WHERE created_at = %s",
        [stamp, user_id, stamp],
    )
    base.execute("DROP TABLE impc")


def _today() -> date:
    from opiekun.dates import today

    return today()


def bench_contractors(world: base.World, folder: Path, rows: int, runs: int, memory: bool) -> list[str]:
    from opiekun.contractors.importing import contractors_import

    path = contractors_file(folder, rows)
    state_sql = (
        "SELECT c.code, c.name, c.nip, c.city, c.email, c.search_key, c.name_key, c.city_key, "
        "a.operator_id, a.type, a.date_from, a.date_to "
        "FROM contractors_contractor c JOIN caretakers_caretakerassignment a ON a.contractor_id = c.id "
        "WHERE c.code LIKE 'N%%'"
    )
    audit_sql = (
        "SELECT (SELECT count(*) FROM contractors_historicalcontractor), "
        "(SELECT count(*) FROM caretakers_historicalcaretakerassignment)"
    )
    found: dict[str, Any] = {}

    def ours_import() -> None:
        report = contractors_import(actor=world.boss, path=path, filename=path.name, dry_run=False)
        assert report.applied and not report.errors, report.errors[:5]

    def ours() -> None:
        ours_import()
        found["ours"] = (digest(state_sql, []), base.fetch(audit_sql, [])[0])

    def baseline() -> None:
        contractors_baseline(world, path)
        found["baseline"] = (digest(state_sql, []), base.fetch(audit_sql, [])[0])

    ours_s, ours_cpu = timed(ours, runs, as_committed=True)
    base_s, base_cpu = timed(baseline, runs, foreign_keys=True)
    same = found["ours"] == found["baseline"]
    print(
        f"  contractors: ours {found['ours']}, baseline {found['baseline']}: "
        + ("same" if same else "DIFFERENT")
    )
    if not same:
        raise AssertionError("the baseline did not write what the import wrote")
    note = f"{rows:,} added, each with its caretaker"
    timing = Timing(f"import contractors {rows:,} rows", ours_s, base_s, note, ours_cpu, base_cpu)
    lines = [_line(timing)]
    if memory:
        lines.append(
            f"| peak memory, import contractors {rows:,} rows "
            f"| {_peak(ours_import):.0f} MB | | | tracemalloc |"
        )
    return lines


# --- main ---------------------------------------------------------------------------


def _line(t: Timing) -> str:
    print(
        f"  {t.name:<44} {t.ours_s:>7.1f} s (cpu {t.ours_cpu:.1f}) {t.baseline_s:>7.1f} s "
        f"(cpu {t.baseline_cpu:.1f}) {t.ratio:>6.2f}x  {t.note}",
        flush=True,
    )
    return (
        f"| {t.name} | {t.ours_s:.1f} ({t.ours_cpu:.1f}) | {t.baseline_s:.1f} ({t.baseline_cpu:.1f}) "
        f"| {t.ratio:.2f}x | {t.note} |"
    )


def _peak(work: Callable[[], Any]) -> float:
    """The peak of Python's own allocations during ``work`` (the import alone, not the
    verification), in MB (rolled back)."""
    tracemalloc.start()
    try:
        base.rolled_back(work)()
        return tracemalloc.get_traced_memory()[1] / (1024 * 1024)
    finally:
        tracemalloc.stop()


def main() -> None:
    args = parse_args()
    base.setup_django(args.sqlite)
    started = time.perf_counter()
    size = "the loaded" if args.reuse else f"{args.contractors:,}"
    print(f"Opiekun import benchmark: {size} contractors, {args.rows:,} rows per file")
    print(f"  {base.machine()}")
    base.migrate()
    world = base.loaded_world() if args.reuse else base.load(args.contractors)
    print(f"  {world.contractors:,} contractors; ready in {time.perf_counter() - started:.0f} s\n")
    with tempfile.TemporaryDirectory(prefix="opiekun-import-bench-") as folder:
        lines: list[str] = []
        if args.only in (None, "assignments"):
            lines += bench_assignments(world, Path(folder), args.rows, args.runs, not args.no_memory)
        if args.only in (None, "contractors"):
            lines += bench_contractors(world, Path(folder), args.rows, args.runs, not args.no_memory)
    print("\n| benchmark | ours s (cpu s) | baseline s (cpu s) | ours / baseline | note |")
    print("|---|---:|---:|---:|---|")
    print("\n".join(lines))
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    load = " ".join(f"{x:.1f}" for x in os.getloadavg())
    print(f"\nlargest resident size of the whole process: {rss:.0f} MB; load average {load}")
    print(f"total {time.perf_counter() - started:.0f} s")


if __name__ == "__main__":
    main()
