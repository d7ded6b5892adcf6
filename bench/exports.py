"""Exports at scale: time and peak memory of CSV and XLSX beside PostgreSQL's own COPY.

    scripts/with-postgres .venv/bin/python bench/exports.py                 # 53,334 and 500,000 rows
    scripts/with-postgres .venv/bin/python bench/exports.py --sizes 53334 1000000

Migrates a fresh schema into DATABASE_URL, loads one caretaker per size (the largest
size's contractors, each size's caretaker main for its first N of them), then exports
each caretaker's rows of Kontrahenci wg opiekuna, sorted by contractor, three ways:

- **COPY**: ``COPY (SELECT … the same columns, joins and order …) TO STDOUT`` read by
  the driver: what the database itself costs, the baseline;
- **CSV** and **XLSX**: the project's writer (`opiekun.caretakers.exports`) on
  `assignment_list`, as the web download and the background job run it.

Each export runs in a fresh process, its peak memory (``VmHWM``, reset when it starts) its own;
the table shows the wall time, its ratio to COPY, the CPU time of the exporting
process (the Python side; the database's work is in the wall time), the peak resident
memory above what the process held before the export began, and the file's size.
The load average is printed before and after: on a shared machine the wall times
grow with it, the CPU times much less. All numbers are measured.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
OPERATOR_PREFIX = "export"


def setup_django() -> None:
    if not os.environ.get("DATABASE_URL"):
        sys.exit("DATABASE_URL is not set: run through scripts/with-postgres")
    sys.path.insert(0, str(ROOT / "src"))
    os.environ["DJANGO_SETTINGS_MODULE"] = "opiekun.settings"
    import django

    django.setup()


def execute(sql: str, params: list[Any] | tuple[Any, ...] = ()) -> None:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(sql, params)


def load(sizes: list[int]) -> dict[int, int]:
    """The contractors and, per size, a caretaker main for the first N of them;
    returns each size's operator id."""
    from django.contrib.auth.models import User
    from django.core.management import call_command
    from django.utils import timezone

    from opiekun.caretakers.models import CaretakerAssignment, CaretakerRole
    from opiekun.contractors.models import Contractor
    from opiekun.coverage.services import coverage_rebuild
    from opiekun.operators.models import Operator

    call_command("migrate", verbosity=0, interactive=False)
    now = timezone.now()
    largest = max(sizes)
    started = time.perf_counter()
    execute(
        f"INSERT INTO {Contractor._meta.db_table} (code, name, nip, regon, street, postal_code, city, "
        "email, phone, active, created_at, updated_at) "
        "SELECT 'K' || lpad(g::text, 7, '0'), 'Firma Handlowa Łódź nr ' || g || ' sp. z o.o.', "
        "(5000000000 + g)::text, '', 'ul. Długa 1', '00-001', 'Łódź', '', '', TRUE, %s, %s "
        "FROM generate_series(1, %s) AS g",
        [now, now, largest],
    )
    role = CaretakerRole.objects.get(is_default=True)
    # The assignments below are written around the writer, which keeps the coverage
    # tables in step: their check is off during the load, the tables rebuilt after it.
    execute(f"ALTER TABLE {CaretakerAssignment._meta.db_table} DISABLE TRIGGER coverage_assignment_in_step")
    operators: dict[int, int] = {}
    first = Contractor.objects.order_by("pk").values_list("pk", flat=True)[0]
    for index, size in enumerate(sorted(set(sizes))):
        user = User.objects.create(
            username=f"{OPERATOR_PREFIX}{size}", first_name="Zofia", last_name=f"Żurawska-{index}"
        )
        operator = Operator.objects.create(user=user, can_assign=True)
        operators[size] = operator.pk
        # Mains one after the other would overlap across sizes: each size's caretaker
        # is a deputy, whose invariant is per operator; dates vary, a third open-ended.
        execute(
            f"INSERT INTO {CaretakerAssignment._meta.db_table} (contractor_id, operator_id, type, role_id, "
            "branch_id, date_from, date_to, created_at, updated_at) "
            "SELECT id, %s, 'deputy', %s, NULL, DATE '2024-01-01' + (id %% 365)::int, "
            "CASE WHEN id %% 3 = 0 THEN NULL ELSE DATE '2026-12-31' END, %s, %s "
            f"FROM {Contractor._meta.db_table} WHERE id < %s",
            [operator.pk, role.pk, now, now, first + size],
        )
    coverage_rebuild()
    execute(f"ALTER TABLE {CaretakerAssignment._meta.db_table} ENABLE TRIGGER coverage_assignment_in_step")
    execute("VACUUM ANALYZE")
    took = time.perf_counter() - started
    print(f"  loaded {largest:,} contractors, {sum(sizes):,} assignments in {took:.0f} s")
    return operators


def copy_sql() -> str:
    from opiekun.caretakers.models import Branch, CaretakerAssignment, CaretakerRole
    from opiekun.contractors.models import Contractor
    from opiekun.operators.models import Operator

    return (
        "COPY (SELECT c.code, c.name, c.nip, trim(u.first_name || ' ' || u.last_name), u.username, "
        "CASE a.type WHEN 'main' THEN 'Główny' ELSE 'Zastępca' END, r.name, coalesce(b.name, ''), "
        "to_char(a.date_from, 'DD.MM.YYYY'), to_char(a.date_to, 'DD.MM.YYYY') "
        f"FROM {CaretakerAssignment._meta.db_table} a "
        f"JOIN {Contractor._meta.db_table} c ON c.id = a.contractor_id "
        f"JOIN {Operator._meta.db_table} o ON o.id = a.operator_id "
        "JOIN auth_user u ON u.id = o.user_id "
        f"JOIN {CaretakerRole._meta.db_table} r ON r.id = a.role_id "
        f"LEFT JOIN {Branch._meta.db_table} b ON b.id = a.branch_id "
        "WHERE a.operator_id = {operator} ORDER BY c.code, a.date_from, a.id) "
        "TO STDOUT WITH (FORMAT csv, DELIMITER ';', HEADER)"
    )


class Sink:
    """A file that only counts the bytes written to it."""

    def __init__(self) -> None:
        self.size = 0

    def write(self, data: bytes) -> int:
        self.size += len(data)
        return len(data)

    def flush(self) -> None:
        pass


def _rss_kb() -> int:
    with open("/proc/self/statm") as statm:
        return int(statm.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") // 1024


def _reset_peak() -> None:
    """Start the kernel's count of this process's peak resident size (VmHWM) again,
    so that a peak reached while Django started is not taken for the export's."""
    with open("/proc/self/clear_refs", "w") as clear_refs:
        clear_refs.write("5")


def _peak_kb() -> int:
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmHWM:"):
                return int(line.split()[1])
    raise RuntimeError("no VmHWM in /proc/self/status")


def measure(how: str, operator_id: int) -> dict[str, Any]:
    """One export in this (fresh) process: seconds, peak memory above the start, bytes."""
    from django.contrib.auth.models import User
    from django.db import connection
    from django.utils import translation

    from opiekun.caretakers.exports import ASSIGNMENTS_REPORT, ExportFormat, write
    from opiekun.caretakers.selectors import AssignmentFilters, assignment_list

    boss = User(is_superuser=True, is_active=True)
    connection.ensure_connection()
    sink = Sink()
    _reset_peak()
    before = _rss_kb()
    cpu = time.process_time()
    started = time.perf_counter()
    rows = 0
    if how == "copy":
        with (
            connection.cursor() as cursor,
            cursor.cursor.copy(copy_sql().format(operator=int(operator_id))) as copy,
        ):
            for data in copy:
                sink.write(bytes(data))
    else:
        queryset = assignment_list(
            viewer=boss, filters=AssignmentFilters(operator_id=operator_id, ordering="contractor")
        )

        def count(written: int) -> None:
            nonlocal rows
            rows = written

        with translation.override("pl"):
            write(ExportFormat(how), queryset, ASSIGNMENTS_REPORT, sink, progress=count)  # type: ignore[arg-type]  # a counting sink
    seconds = time.perf_counter() - started
    cpu = time.process_time() - cpu
    peak = _peak_kb()
    return {"seconds": seconds, "cpu": cpu, "peak_kb": peak - before, "bytes": sink.size, "rows": rows}


def run_child(how: str, operator_id: int) -> dict[str, Any]:
    output = subprocess.run(
        [sys.executable, __file__, "--child", how, str(operator_id)],
        capture_output=True,
        text=True,
        check=True,
        env=os.environ,
    ).stdout
    return json.loads(output.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[53_334, 500_000])
    parser.add_argument(
        "--runs", type=int, default=3, help="runs per measurement (median time, largest peak)"
    )
    parser.add_argument("--child", nargs=2, metavar=("HOW", "OPERATOR"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    setup_django()
    if args.child:
        print(json.dumps(measure(args.child[0], int(args.child[1]))))
        return
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT version()")
        engine = cursor.fetchone()[0].split(",")[0]
    print(f"Opiekun exports: {engine}; Python {platform.python_version()}; {os.cpu_count()} CPUs")
    operators = load(args.sizes)
    connection.close()
    print(f"  load average {os.getloadavg()[0]:.1f}")
    print("\n| rows | export | time s | × COPY | CPU s (Python) | peak memory MB | file MB |")
    print("|---:|---|---:|---:|---:|---:|---:|")
    for size in sorted(set(args.sizes)):
        baseline = 0.0
        for how in ("copy", "csv", "xlsx"):
            results = [run_child(how, operators[size]) for _ in range(args.runs)]
            seconds = statistics.median(r["seconds"] for r in results)
            cpu = statistics.median(r["cpu"] for r in results)
            peak = max(r["peak_kb"] for r in results) / 1024
            size_mb = results[0]["bytes"] / 1e6
            if how == "copy":
                baseline = seconds
            elif results[0]["rows"] != size:
                raise RuntimeError(f"{how} wrote {results[0]['rows']} rows, expected {size}")
            label = "COPY … TO STDOUT (baseline)" if how == "copy" else how.upper()
            ratio = seconds / baseline
            cells = [
                f"{size:,}",
                label,
                f"{seconds:.2f}",
                f"{ratio:.1f}×",
                f"{cpu:.2f}",
                f"{peak:.1f}",
                f"{size_mb:.1f}",
            ]
            print(f"| {' | '.join(cells)} |", flush=True)
    print(f"  load average {os.getloadavg()[0]:.1f}")


if __name__ == "__main__":
    main()
