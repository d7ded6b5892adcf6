"""Benchmarks of Opiekun at scale, each beside its raw-SQL baseline (docs/performance.md).

    make bench                                   # PostgreSQL (scripts/with-postgres), 1,000,000 contractors
    .venv/bin/python bench/run.py --sqlite       # SQLite in a temporary folder, 200,000 contractors
    .venv/bin/python bench/run.py --sqlite --home /srv/lite --load-only   # …in a folder kept, for --reuse

The script migrates a fresh schema into DATABASE_URL (or a temporary SQLite file),
loads the data set with set-based SQL, then times each operation through the
project's own services and selectors and, beside it, a hand-written SQL doing the
same work. The ratio ``ours / baseline`` is what the project's layers cost over the
database itself; the baseline's absolute time is what the database costs at this size.
Writes run inside a transaction that is rolled back, so every run starts from the
same data. Nothing leaves the local database.
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
from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent

# The data set's calendar is fixed, so every run measures the same shapes; "today"
# (visibility, the current caretaker) is the real today, which the data straddles:
# current mains are open-ended since 2024-01-01.
SURNAMES = [
    "Kowalski",
    "Nowak",
    "Wiśniewski",
    "Wójcik",
    "Kowalczyk",
    "Kamiński",
    "Lewandowski",
    "Zieliński",
    "Szymański",
    "Woźniak",
    "Dąbrowski",
    "Kozłowski",
    "Jankowski",
    "Mazur",
    "Kwiatkowski",
    "Krawczyk",
    "Piotrowski",
    "Grabowski",
    "Nowakowski",
    "Pawłowski",
]
TRADES = [
    "Budownictwo",
    "Transport",
    "Handel",
    "Serwis",
    "Logistyka",
    "Meble",
    "Elektronika",
    "Poligrafia",
    "Catering",
    "Doradztwo",
    "Instalacje",
    "Ogrody",
    "Motoryzacja",
    "Tekstylia",
    "Farmacja",
    "Rolnictwo",
]
SUFFIXES = ["sp. z o.o.", "S.A.", "s.c.", "sp.j."]
CITIES = [
    "Warszawa",
    "Kraków",
    "Łódź",
    "Wrocław",
    "Poznań",
    "Gdańsk",
    "Szczecin",
    "Bydgoszcz",
    "Lublin",
    "Katowice",
]
OPERATORS = 50
NEW_FROM, NEW_TO = date(2025, 3, 1), date(2025, 8, 31)  # the period caretaker_add assigns
REPORT_FROM, REPORT_TO = date(2025, 1, 1), date(2025, 12, 31)  # Kontrahenci wg opiekuna


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--sqlite", action="store_true", help="run on SQLite in a temporary folder instead of DATABASE_URL"
    )
    parser.add_argument(
        "--home",
        metavar="DIR",
        help="with --sqlite: the database in DIR (created if missing, kept afterwards) instead of a "
        "temporary folder, so that --load-only and --reuse work on SQLite too",
    )
    parser.add_argument(
        "--contractors",
        type=int,
        default=None,
        help="contractors to load (default 1,000,000 on PostgreSQL, 200,000 on SQLite)",
    )
    parser.add_argument("--runs", type=int, default=5, help="timed runs per measurement (median)")
    parser.add_argument(
        "--only",
        choices=["add", "report", "contractors", "info", "visibility", "handover", "resolve"],
        action="append",
        help="run only these benchmarks (repeatable; default: all)",
    )
    parser.add_argument(
        "--reuse",
        action="store_true",
        help="time the data already loaded in DATABASE_URL by an earlier --load-only run "
        "(migrations since then are applied first) instead of loading it again",
    )
    parser.add_argument(
        "--load-only", action="store_true", help="migrate and load the data set, then stop (for --reuse)"
    )
    parser.add_argument(
        "--explain",
        action="store_true",
        help="print the query plans of the read paths (PostgreSQL: EXPLAIN ANALYZE)",
    )
    args = parser.parse_args()
    if args.contractors is None:
        args.contractors = 200_000 if args.sqlite else 1_000_000
    if args.contractors < 10_000:
        parser.error("--contractors must be at least 10,000 (the largest bulk selection)")
    if args.home and not args.sqlite:
        parser.error("--home is for --sqlite (PostgreSQL's data set stays in DATABASE_URL)")
    return args


def setup_django(use_sqlite: bool, home: str | None = None) -> None:
    """Point the settings at the benchmark's database and start Django."""
    sys.path.insert(0, str(ROOT / "src"))
    if use_sqlite:
        os.environ.pop("DATABASE_URL", None)
        if home is None:
            home = tempfile.mkdtemp(prefix="opiekun-bench-")
            atexit.register(shutil.rmtree, home, ignore_errors=True)
        else:  # kept, for --reuse
            Path(home).mkdir(parents=True, exist_ok=True)
        os.environ["OPIEKUN_HOME"] = home
    elif not os.environ.get("DATABASE_URL"):
        sys.exit("DATABASE_URL is not set: run through `make bench` (scripts/with-postgres) or pass --sqlite")
    os.environ["DJANGO_SETTINGS_MODULE"] = "opiekun.settings"
    import django

    django.setup()


# --- loading ----------------------------------------------------------------------


@dataclass(frozen=True)
class World:
    """What the benchmarks need to know about the loaded data."""

    contractors: int
    first_contractor: int
    first_operator: int  # the 50 caretakers have consecutive ids from here
    boss: Any  # a user who sees everything and may assign
    newcomer_id: int  # an operator with no assignments yet: the one caretaker_add assigns
    own_denied: Any  # own-only users: unassigned contractors denied / read-only
    own_read_only: Any
    default_role_id: int
    legal_role_id: int


class Sql:
    """The few spellings that differ between the two engines."""

    def __init__(self) -> None:
        from django.db import connection

        self.pg = connection.vendor == "postgresql"

    def day(self, value: date) -> str:
        return f"DATE '{value.isoformat()}'" if self.pg else f"'{value.isoformat()}'"

    def day_plus(self, value: date, days_expr: str) -> str:
        if self.pg:
            return f"(DATE '{value.isoformat()}' + ({days_expr})::int)"
        return f"date('{value.isoformat()}', '+' || ({days_expr}) || ' days')"

    def pick(self, words: Sequence[str], index_expr: str) -> tuple[str, Any]:
        """An SQL expression choosing ``words[index_expr]``, and its parameter."""
        import json

        if self.pg:
            return f"(%s::text[])[1 + ({index_expr})]", list(words)
        return f"json_extract(%s, '$[' || ({index_expr}) || ']')", json.dumps(words)

    def ids(self, ids: Sequence[int]) -> tuple[str, Any]:
        """A subquery yielding ``ids`` from one parameter."""
        import json

        if self.pg:
            return "SELECT unnest(%s::bigint[]) AS id", list(ids)
        return "SELECT value AS id FROM json_each(%s)", json.dumps(list(ids))


def execute(sql: str, params: Sequence[Any] = ()) -> int:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.rowcount


@contextmanager
def step(title: str) -> Iterator[None]:
    print(f"  {title} …", end="", flush=True)
    started = time.perf_counter()
    yield
    print(f" {time.perf_counter() - started:.1f} s", flush=True)


def migrate() -> None:
    from django.core.management import call_command

    with step("migrate a fresh schema"):
        call_command("migrate", verbosity=0, interactive=False)


def load(count: int) -> World:
    """Load ``count`` contractors, 50 caretakers and their history, set-based."""
    from django.contrib.auth.models import User
    from django.db import connection
    from django.utils import timezone

    from opiekun.caretakers.models import CaretakerAssignment, CaretakerRole
    from opiekun.contractors.models import Contractor
    from opiekun.operators.models import Operator, UnassignedAccess, Visibility

    sql = Sql()
    now = timezone.now()
    # In SQL sent with parameters, "%%" is the modulo operator (both engines' drivers).
    with step(f"{OPERATORS} caretakers and the benchmark's users"):
        users = User.objects.bulk_create(
            [
                User(
                    username=f"op{i:02}",
                    first_name=f"Operator{i:02}",
                    last_name=SURNAMES[i % len(SURNAMES)],
                    password="!",
                )
                for i in range(OPERATORS)
            ]
            + [User(username=name, password="!") for name in ("boss", "newcomer")]
        )
        operators = Operator.objects.bulk_create([Operator(user=user, can_assign=True) for user in users])
        first_operator = operators[0].pk
        if [op.pk for op in operators[:OPERATORS]] != list(range(first_operator, first_operator + OPERATORS)):
            raise RuntimeError("the caretakers' ids are not consecutive; use a fresh database")
        for index, access in ((3, UnassignedAccess.DENIED), (4, UnassignedAccess.READ_ONLY)):
            operators[index].visibility = Visibility.OWN
            operators[index].unassigned_access = access
            operators[index].save()
        default_role = CaretakerRole.objects.get(is_default=True)
        legal_role = CaretakerRole.objects.create(name="Opiekun prawny")

    coverage = importlib.import_module("opiekun.coverage.migrations.0001_derived_coverage")
    # A new contractor's coverage rows come from a trigger; the load rebuilds the
    # coverage tables once after it, so the trigger is off meanwhile.
    # The table of keys (PostgreSQL) is written once after the keys are computed, laid out
    # as the migrations write it for contractors already there (contractors/search_rows.py).
    search_rows = importlib.import_module("opiekun.contractors.migrations.0009_search_rows")
    from opiekun.contractors.search_rows import refill

    if sql.pg:
        execute("ALTER TABLE contractors_contractor DISABLE TRIGGER coverage_new_contractors")
        execute("ALTER TABLE caretakers_caretakerassignment DISABLE TRIGGER coverage_assignment_in_step")
        for trigger in search_rows.KEPT_BY:
            execute(f"ALTER TABLE contractors_contractor DISABLE TRIGGER {trigger}")
    else:
        execute("DROP TRIGGER coverage_new_contractor")
    with step(f"{count:,} contractors"):
        name_parts = [
            sql.pick(SURNAMES, f"g %% {len(SURNAMES)}"),
            sql.pick(TRADES, f"(g / {len(SURNAMES)}) %% {len(TRADES)}"),
            sql.pick(SUFFIXES, f"(g / {len(SURNAMES) * len(TRADES)}) %% {len(SUFFIXES)}"),
            sql.pick(CITIES, f"(g / 7) %% {len(CITIES)}"),
        ]
        (surname, p1), (trade, p2), (suffix, p3), (city, p4) = name_parts
        if sql.pg:
            series = "FROM generate_series(1, %s) AS g"
            prefix, code, nip = "", "'K' || lpad(g::text, 7, '0')", "(5000000000 + g)::text"
            postal = "lpad((g %% 100)::text, 2, '0') || '-' || lpad((g %% 1000)::text, 3, '0')"
        else:
            prefix = "WITH RECURSIVE seq(g) AS (SELECT 1 UNION ALL SELECT g + 1 FROM seq WHERE g < %s) "
            series = "FROM seq"
            code, nip = "'K' || substr('0000000' || g, -7, 7)", "CAST(5000000000 + g AS TEXT)"
            postal = "substr('00' || (g %% 100), -2, 2) || '-' || substr('000' || (g %% 1000), -3, 3)"
        statement = (
            f"{prefix}INSERT INTO {Contractor._meta.db_table} (code, name, nip, regon, street, "
            "postal_code, city, email, phone, active, created_at, updated_at) "
            f"SELECT {code}, {surname} || ' ' || {trade} || ' ' || {suffix}, {nip}, '', "
            f"'ul. Długa ' || (g %% 200 + 1), {postal}, {city}, 'biuro' || g || '@example.com', "
            f"'', g %% 10 <> 0, %s, %s {series}"
        )
        params: list[Any] = [p1, p2, p3, p4, now, now]
        execute(statement, [count, *params] if not sql.pg else [*params, count])
        first_contractor = Contractor.objects.order_by("pk").values_list("pk", flat=True)[0]
    with step("their search and sort keys (computed in Python, as the migration does)"):
        keys = importlib.import_module("opiekun.contractors.migrations.0004_search_and_sort_keys")
        keys.fill_keys(Contractor, connection)
    if sql.pg:
        with step("the table of keys, in name order by scattered runs (contractors/search_rows)"):
            refill(connection)
            for trigger in search_rows.KEPT_BY:
                execute(f"ALTER TABLE contractors_contractor ENABLE TRIGGER {trigger}")

    table = CaretakerAssignment._meta.db_table
    invariants = importlib.import_module("opiekun.caretakers.migrations.0002_invariants")
    with step("caretaker history: old mains, current mains, deputies, a second role"):
        # The invariants are dropped for the load and put back after it: building an
        # exclusion constraint once is far cheaper than checking it row by row, and
        # putting it back checks every loaded row (PostgreSQL).
        if sql.pg:
            execute(
                f"ALTER TABLE {table} DROP CONSTRAINT caretaker_main_no_overlap, "
                "DROP CONSTRAINT caretaker_operator_no_overlap"
            )
        else:
            for statement in invariants.SQLITE_BACKWARD:
                execute(statement)
        op = f"{first_operator} + "
        columns = (
            "contractor_id, operator_id, type, role_id, branch_id, date_from, date_to, created_at, updated_at"
        )
        rows = [
            # ended main of another caretaker: 2019-2020 .. 2023-12-31
            (
                f"{op}((id * 7 + 1) %% {OPERATORS})",
                "main",
                default_role.pk,
                sql.day_plus(date(2019, 1, 1), "id %% 700"),
                sql.day(date(2023, 12, 31)),
                "TRUE",
            ),
            # current main since 2024; every 20th contractor's ended (no caretaker today)
            (
                f"{op}(id %% {OPERATORS})",
                "main",
                default_role.pk,
                sql.day(date(2024, 1, 1)),
                f"CASE WHEN id %% 20 = 0 THEN {sql.day(date(2025, 1, 31))} END",
                "TRUE",
            ),
            # a deputy for two in three contractors, half of them ended
            (
                f"{op}((id + 1 + (id / {OPERATORS}) %% {OPERATORS - 1}) %% {OPERATORS})",
                "deputy",
                default_role.pk,
                sql.day_plus(date(2024, 6, 1), "id %% 90"),
                f"CASE WHEN id %% 3 = 2 THEN {sql.day(date(2025, 6, 30))} END",
                "id %% 3 <> 0",
            ),
            # a legal caretaker for every tenth contractor (none of those above left
            # without a caretaker today)
            (
                f"{op}((id * 3) %% {OPERATORS})",
                "main",
                legal_role.pk,
                sql.day(date(2022, 1, 1)),
                "NULL",
                "id %% 10 = 5",
            ),
        ]
        for operator_expr, kind, role_id, start, end, where in rows:
            execute(
                f"INSERT INTO {table} ({columns}) SELECT id, {operator_expr}, '{kind}', {role_id}, "
                f"NULL, {start}, {end}, %s, %s FROM {Contractor._meta.db_table} WHERE {where}",
                [now, now],
            )
    with step("the audit trail of that history"):
        history = CaretakerAssignment.history.model._meta.db_table
        tracked = ", ".join(audit_columns())
        execute(
            f"INSERT INTO {history} ({tracked}, history_date, history_type, "
            f"history_change_reason) SELECT {tracked}, created_at, '+', 'bench' FROM {table}"
        )
    with step("the invariants back on (checks every row)" if sql.pg else "the invariants back on"):
        if sql.pg:
            execute("SET maintenance_work_mem = '512MB'")
            for statement in invariants.POSTGRES_FORWARD[1:]:
                execute(statement)
        else:
            for statement in invariants.SQLITE_FORWARD:
                execute(statement)
    with step("coverage tables (opiekun coverage-rebuild)"):
        # The history above was written around the services: its derived coverage
        # data is recomputed as `opiekun coverage-rebuild` does after such a load.
        from opiekun.coverage.services import coverage_rebuild

        coverage_rebuild()
        if sql.pg:
            execute("ALTER TABLE contractors_contractor ENABLE TRIGGER coverage_new_contractors")
            execute("ALTER TABLE caretakers_caretakerassignment ENABLE TRIGGER coverage_assignment_in_step")
        else:
            execute(coverage.SQLITE_FORWARD[0])
    with step("workload steps (opiekun workload-rebuild)"):
        # The Operatorzy page's counts, kept by the writer, recomputed likewise.
        from opiekun.operators.workload_rebuild import workload_steps_rebuild

        workload_steps_rebuild()
    with step("VACUUM ANALYZE" if sql.pg else "ANALYZE"):
        execute("VACUUM ANALYZE" if sql.pg else "ANALYZE")
    assignments = CaretakerAssignment.objects.count()
    print(
        f"  loaded {count:,} contractors and {assignments:,} assignments ({assignments / count:.2f} each)",
        flush=True,
    )
    if sql.pg:
        print_sizes([Contractor._meta.db_table, table, history])
    connection.close()  # a fresh connection: no load-time session state in the timings
    return World(
        contractors=count,
        first_contractor=first_contractor,
        first_operator=first_operator,
        boss=users[OPERATORS],
        newcomer_id=operators[OPERATORS + 1].pk,
        own_denied=users[3],
        own_read_only=users[4],
        default_role_id=default_role.pk,
        legal_role_id=legal_role.pk,
    )


def loaded_world() -> World:
    """The :class:`World` of a data set that an earlier run loaded into this database."""
    from django.contrib.auth.models import User
    from django.db.models import Max, Min

    from opiekun.caretakers.models import CaretakerRole
    from opiekun.contractors.models import Contractor
    from opiekun.operators.models import Operator

    users = {u.username: u for u in User.objects.filter(username__in=["boss", "newcomer", "op03", "op04"])}
    if len(users) != 4:
        sys.exit("--reuse: this database holds no data set loaded by bench/run.py --load-only")
    span = Contractor.objects.aggregate(first=Min("pk"), last=Max("pk"))
    first_operator = Operator.objects.get(user__username="op00").pk
    return World(
        contractors=span["last"] - span["first"] + 1,
        first_contractor=span["first"],
        first_operator=first_operator,
        boss=users["boss"],
        newcomer_id=Operator.objects.get(user=users["newcomer"]).pk,
        own_denied=users["op03"],
        own_read_only=users["op04"],
        default_role_id=CaretakerRole.objects.get(is_default=True).pk,
        legal_role_id=CaretakerRole.objects.get(name="Opiekun prawny").pk,
    )


def print_sizes(tables: Sequence[str]) -> None:
    """Each table's size, its indexes' sizes, and the largest indexes (PostgreSQL)."""
    for table in tables:
        ((heap, indexes),) = fetch(
            "SELECT pg_size_pretty(pg_table_size(%s)), pg_size_pretty(pg_indexes_size(%s))",
            [table, table],
        )
        print(f"  {table}: table {heap}, indexes {indexes}")
        for name, size in fetch(
            "SELECT indexrelid::regclass::text, pg_size_pretty(pg_relation_size(indexrelid)) "
            "FROM pg_index WHERE indrelid = %s::regclass "
            "ORDER BY pg_relation_size(indexrelid) DESC",
            [table],
        ):
            print(f"      {name}: {size}")


def audit_columns() -> list[str]:
    """The columns the audit trail copies from an assignment."""
    from opiekun.caretakers.models import CaretakerAssignment

    model = CaretakerAssignment.history.model
    return [f.column for f in model._meta.concrete_fields if not f.name.startswith("history_")]


# --- measuring --------------------------------------------------------------------


@dataclass(frozen=True)
class Result:
    name: str
    ours_ms: float
    baseline_ms: float
    note: str

    @property
    def ratio(self) -> float:
        return self.ours_ms / self.baseline_ms if self.baseline_ms else float("inf")


def median_ms(work: Callable[[], Any], runs: int) -> float:
    """The median wall time of ``work`` after one warm-up run."""
    work()
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        work()
        times.append((time.perf_counter() - started) * 1000)
    return statistics.median(times)


def rolled_back(
    work: Callable[[], Any], *, as_committed: bool = False, foreign_keys: bool = False
) -> Callable[[], Any]:
    """``work`` inside a transaction that is rolled back: every run sees the same data.

    A rolled-back transaction runs none of the checks PostgreSQL defers to COMMIT, so
    each side pays inside the timing the ones a user's commit would run for it:
    ``as_committed``, every deferred check (ours: the foreign keys, and the coverage
    tables in step with the assignments, coverage/migrations/0004 and 0006);
    ``foreign_keys``, the deferred foreign-key checks alone (the hand-written baselines:
    they keep no coverage tables, so they would fail those checks, and are timed
    without them — their ratio flatters them by that much)."""
    from django.db import connection, transaction

    def run() -> Any:
        with transaction.atomic():
            result = work()
            if connection.vendor == "postgresql" and (as_committed or foreign_keys):
                with connection.cursor() as cursor:
                    cursor.execute(
                        "SET CONSTRAINTS ALL IMMEDIATE" if as_committed else _foreign_keys_immediate()
                    )
            transaction.set_rollback(True)
        return result

    return run


def _foreign_keys_immediate() -> str:
    """``SET CONSTRAINTS … IMMEDIATE`` naming every deferrable foreign key of the schema."""
    names = [
        row[0]
        for row in fetch(
            "SELECT quote_ident(conname) FROM pg_constraint c JOIN pg_namespace n ON n.oid = c.connamespace "
            "WHERE c.contype = 'f' AND c.condeferrable AND n.nspname = current_schema() ORDER BY 1",
            [],
        )
    ]
    return f"SET CONSTRAINTS {', '.join(names)} IMMEDIATE"


def compare(
    name: str,
    ours: Callable[[], Any],
    baseline: Callable[[], Any],
    runs: int,
    note: str | Callable[[], str] = "",
) -> Result:
    """Time both; the note, if a function, is computed from what was measured."""
    result = Result(
        name, median_ms(ours, runs), median_ms(baseline, runs), note() if callable(note) else note
    )
    note = result.note
    print(
        f"  {name:<48} {result.ours_ms:>10.1f} {result.baseline_ms:>10.1f} {result.ratio:>6.2f}x  {note}",
        flush=True,
    )
    return result


def fetch(sql: str, params: Sequence[Any]) -> list[tuple[Any, ...]]:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


def page_and_count(qs: Any) -> tuple[list[Any], int]:
    """What a list screen asks: the first page of 50 and the number of all rows."""
    return list(qs[:50]), qs.count()


def contractor_page_and_count(qs: Any) -> tuple[list[Any], int]:
    """What the contractor list asks: the first page of 50 with today's main caretakers
    (read for that page only, as the list's column does), and the number of all rows."""
    from opiekun.contractors.selectors import caretakers_today

    page = list(qs[:50])
    found = caretakers_today([c.pk for c in page])
    return [(c, found[c.pk].main if c.pk in found else None) for c in page], qs.count()


# --- a. caretaker_add -------------------------------------------------------------


def selection(world: World, size: int) -> list[int]:
    """``size`` contractors spread over the whole table, as a filtered selection is, mixed
    as benchmark a. says: 95% whose current main the new period cuts in two, 5% with no
    main in the period at all. Both groups are read from the data, not assumed."""
    from opiekun.caretakers.models import CaretakerAssignment

    mains = CaretakerAssignment.objects.filter(
        type="main", role_id=world.default_role_id, branch__isnull=True
    )
    overlapping = set(
        mains.overlapping(NEW_FROM, NEW_TO).values_list("contractor_id", flat=True).distinct().iterator()
    )
    split = sorted(
        set(
            mains.filter(date_from__lt=NEW_FROM)
            .exclude(date_to__lte=NEW_TO)
            .values_list("contractor_id", flat=True)
            .iterator()
        )
    )
    first, last = world.first_contractor, world.first_contractor + world.contractors - 1
    uncovered = [i for i in range(first, last + 1) if i not in overlapping]
    bare = size // 20
    chosen = _spread(split, size - bare) + _spread(uncovered, bare)
    if len(set(chosen)) != size:
        raise AssertionError(f"the data holds too few contractors for a mix of {size:,}")
    return sorted(chosen)


def _spread(ids: Sequence[int], count: int) -> list[int]:
    """``count`` of ``ids``, evenly spread from the first to the last."""
    if count == 0:
        return []
    stride = len(ids) / count
    return [ids[int(i * stride)] for i in range(count)]


def outcome_note(result: Any) -> str:
    """What a caretaker_add run did, counted from its own result: outcomes, then the
    kinds of change it made to other rows."""
    outcomes = Counter(r.outcome.value for r in result.results)
    changes = Counter(c.kind.value for r in result.results for c in r.changes if c.kind.value != "created")
    text = ", ".join(f"{n:,} {kind}" for kind, n in sorted(outcomes.items()))
    if changes:
        text += " (" + ", ".join(f"{n:,} {kind}" for kind, n in sorted(changes.items())) + ")"
    return text


def _nulls_first(row: tuple[Any, ...]) -> tuple[tuple[bool, Any], ...]:
    return tuple((value is not None, value if value is not None else 0) for value in row)


def assignment_state(ids: Sequence[int]) -> list[tuple[Any, ...]]:
    """The selection's assignments and audit rows as values, to compare two ways of writing."""
    from opiekun.bulk import id_list
    from opiekun.caretakers.models import CaretakerAssignment

    fields = ("contractor_id", "operator_id", "type", "role_id", "branch_id", "date_from", "date_to")
    rows = sorted(
        CaretakerAssignment.objects.filter(contractor_id__in=id_list(list(ids)))
        .values_list(*fields)
        .iterator()
    )
    history = CaretakerAssignment.history.model
    trail = sorted(
        history.objects.filter(contractor_id__in=id_list(list(ids)))
        .values_list(*fields, "history_type")
        .iterator(),
        key=_nulls_first,
    )
    return rows + [("audit", *row) for row in trail]


def same_writes(ours: Callable[[], Any], baseline: Callable[[], Any], ids: Sequence[int]) -> None:
    """A write baseline is only a baseline if it leaves the same rows and audit trail."""
    from django.db import transaction

    states = []
    for work in (ours, baseline):
        with transaction.atomic():
            work()
            states.append(assignment_state(ids))
            transaction.set_rollback(True)
    if states[0] != states[1]:
        ours_only = Counter(states[0]) - Counter(states[1])
        base_only = Counter(states[1]) - Counter(states[0])
        raise AssertionError(
            "the baseline writes other rows than the service: "
            f"{sum(ours_only.values())} only the service's, e.g. {list(ours_only)[:3]}; "
            f"{sum(base_only.values())} only the baseline's, e.g. {list(base_only)[:3]}"
        )


def add_baseline(world: World, ids: Sequence[int], policy: str) -> None:
    """caretaker_add in hand-written SQL, for a newcomer (no assignments to merge with):
    lock the contractors; KEEP inserts where no other main overlaps; REPLACE removes
    the mains lying inside the period, splits those covering it on both sides, trims
    the rest, then inserts. Every changed row is written to the audit trail."""
    from django.db import connection
    from django.utils import timezone

    from opiekun.caretakers.models import CaretakerAssignment

    sql = Sql()
    table = CaretakerAssignment._meta.db_table
    history = CaretakerAssignment.history.model._meta.db_table
    tracked = ", ".join(audit_columns())
    user_id = world.boss.pk
    ops = connection.ops
    stamp = ops.adapt_datetimefield_value(timezone.now())
    start, end = ops.adapt_datefield_value(NEW_FROM), ops.adapt_datefield_value(NEW_TO)
    head_end = ops.adapt_datefield_value(NEW_FROM - timedelta(days=1))
    tail_start = ops.adapt_datefield_value(NEW_TO + timedelta(days=1))
    selected, ids_param = sql.ids(ids)
    scope = (
        f"contractor_id IN ({selected}) AND role_id = {world.default_role_id} "
        "AND branch_id IS NULL AND type = 'main'"
    )
    overlapping = "date_from <= %s AND (date_to IS NULL OR date_to >= %s)"

    def audit(where: str, params: Sequence[Any], kind: str) -> None:
        execute(
            f"INSERT INTO {history} ({tracked}, history_date, history_type, history_user_id, "
            f"history_change_reason) SELECT {tracked}, %s, '{kind}', %s, 'caretaker_add' "
            f"FROM {table} WHERE {where}",
            [stamp, user_id, *params],
        )

    if sql.pg:
        execute(
            f"SELECT id FROM contractors_contractor WHERE id IN ({selected}) ORDER BY id FOR UPDATE",
            [ids_param],
        )
    insert_new = (
        f"INSERT INTO {table} (contractor_id, operator_id, type, role_id, branch_id, date_from, "
        "date_to, created_at, updated_at, created_by_id, updated_by_id) "
        f"SELECT s.id, %s, 'main', {world.default_role_id}, NULL, %s, %s, %s, %s, %s, %s "
        f"FROM ({selected}) AS s"
    )
    new_params = [world.newcomer_id, start, end, stamp, stamp, user_id, user_id]
    if policy == "keep":
        execute(
            f"{insert_new} WHERE NOT EXISTS (SELECT 1 FROM {table} a WHERE a.contractor_id = s.id "
            f"AND a.role_id = {world.default_role_id} AND a.branch_id IS NULL "
            "AND a.type = 'main' AND a.date_from <= %s AND (a.date_to IS NULL OR a.date_to >= %s))",
            [*new_params, ids_param, end, start],
        )
        # Only the rows this call wrote: the newcomer may hold others already (a data set a
        # previous run, or the HTTP benchmark, wrote to).
        audit(f"contractor_id IN ({selected}) AND created_at = %s", [ids_param, stamp], "+")
        return
    inside = f"{scope} AND date_from >= %s AND date_to IS NOT NULL AND date_to <= %s"
    audit(inside, [ids_param, start, end], "-")
    execute(f"DELETE FROM {table} WHERE {inside}", [ids_param, start, end])
    execute(
        f"CREATE TEMP TABLE bench_tail AS SELECT id, date_to FROM {table} WHERE {scope} "
        "AND date_from < %s AND (date_to IS NULL OR date_to > %s)",
        [ids_param, start, end],
    )
    # What remains overlapping keeps the days before the period, or after it.
    execute(
        f"UPDATE {table} SET date_to = %s, updated_at = %s, updated_by_id = %s "
        f"WHERE {scope} AND date_from < %s AND {overlapping}",
        [head_end, stamp, user_id, ids_param, start, end, start],
    )
    execute(
        f"UPDATE {table} SET date_from = %s, updated_at = %s, updated_by_id = %s "
        f"WHERE {scope} AND {overlapping}",
        [tail_start, stamp, user_id, ids_param, end, start],
    )
    execute(
        f"INSERT INTO {table} (contractor_id, operator_id, type, role_id, branch_id, date_from, "
        "date_to, created_at, updated_at, created_by_id, updated_by_id) "
        "SELECT a.contractor_id, a.operator_id, a.type, a.role_id, a.branch_id, %s, t.date_to, "
        f"%s, %s, %s, %s FROM {table} a JOIN bench_tail t ON t.id = a.id",
        [tail_start, stamp, stamp, user_id, user_id],
    )
    audit(
        f"contractor_id IN ({selected}) AND updated_at = %s AND created_at <> %s",
        [ids_param, stamp, stamp],
        "~",
    )
    execute(insert_new, [*new_params, ids_param])
    audit(f"contractor_id IN ({selected}) AND created_at = %s", [ids_param, stamp], "+")
    execute("DROP TABLE bench_tail")


def bench_add(world: World, runs: int) -> list[Result]:
    from opiekun.caretakers.services import caretaker_add

    results = []
    for size in (1_000, 10_000):
        ids = selection(world, size)
        for policy in ("keep", "replace"):

            def ours(ids: list[int] = ids, policy: str = policy) -> Any:
                outcome = caretaker_add(
                    actor=world.boss,
                    contractor_ids=ids,
                    operator_id=world.newcomer_id,
                    date_from=NEW_FROM,
                    date_to=NEW_TO,
                    on_overlap=policy,
                    type="main",
                )
                assert outcome.applied
                return outcome

            def baseline(ids: list[int] = ids, policy: str = policy) -> None:
                add_baseline(world, ids, policy)

            def note(ours: Callable[[], Any] = ours) -> str:
                return outcome_note(rolled_back(ours, as_committed=True)())

            same_writes(ours, baseline, ids)
            results.append(
                compare(
                    f"a. caretaker_add {size:>6,} {policy.upper()}",
                    rolled_back(ours, as_committed=True),
                    rolled_back(baseline, foreign_keys=True),
                    runs,
                    note,
                )
            )
    return results


# --- b.-e. reads ------------------------------------------------------------------


def on_day(alias: str) -> str:
    """``alias`` (an assignment) holds on the day given by the next parameter, twice."""
    return f"{alias}.date_from <= %s AND ({alias}.date_to IS NULL OR {alias}.date_to >= %s)"


def bench_report(world: World, runs: int) -> Result:
    """b. Kontrahenci wg opiekuna: one caretaker's contractors in a year."""
    from opiekun.caretakers.selectors import AssignmentFilters, assignment_list

    operator_id = world.first_operator + 5
    filters = AssignmentFilters(operator_id=operator_id, date_from=REPORT_FROM, date_to=REPORT_TO)
    where = "a.operator_id = %s AND a.date_from <= %s AND (a.date_to IS NULL OR a.date_to >= %s)"
    params = [operator_id, REPORT_TO, REPORT_FROM]

    def ours() -> Any:
        return page_and_count(assignment_list(viewer=world.boss, filters=filters))

    def baseline() -> Any:
        page = fetch(
            "SELECT a.id, a.contractor_id, a.operator_id, a.type, a.role_id, a.branch_id, "
            "a.date_from, a.date_to, c.code, c.name, u.username, u.last_name, r.name, b.name "
            "FROM caretakers_caretakerassignment a "
            "JOIN contractors_contractor c ON c.id = a.contractor_id "
            "JOIN operators_operator o ON o.id = a.operator_id "
            "JOIN auth_user u ON u.id = o.user_id "
            "JOIN caretakers_caretakerrole r ON r.id = a.role_id "
            "LEFT JOIN caretakers_branch b ON b.id = a.branch_id "
            f"WHERE {where} ORDER BY a.date_from DESC, a.id DESC LIMIT 50",
            params,
        )
        count = fetch(f"SELECT count(*) FROM caretakers_caretakerassignment a WHERE {where}", params)
        return page, count

    _same_count(ours, baseline)
    return compare("b. Kontrahenci wg opiekuna (page + count)", ours, baseline, runs, f"{ours()[1]:,} rows")


def contractor_page_sql(world: World, where: str) -> tuple[str, str]:
    """The contractor list in SQL: the first page with today's main caretaker, and the count."""
    page = (
        "SELECT c.id, c.code, c.name, c.nip, c.city, m.operator_id, u.last_name "
        "FROM contractors_contractor c "
        "LEFT JOIN caretakers_caretakerassignment m ON m.contractor_id = c.id "
        f"AND m.role_id = {world.default_role_id} AND m.branch_id IS NULL AND m.type = 'main' "
        f"AND {on_day('m')} "
        "LEFT JOIN operators_operator o ON o.id = m.operator_id "
        "LEFT JOIN auth_user u ON u.id = o.user_id "
        f"WHERE {where} ORDER BY c.code LIMIT 50"
    )
    return page, f"SELECT count(*) FROM contractors_contractor c WHERE {where}"


def bench_contractors(world: World, runs: int) -> list[Result]:
    """c. The contractor list: searched, and searched with the current-caretaker filter."""
    from opiekun.contractors.models import Contractor
    from opiekun.contractors.selectors import contractor_list
    from opiekun.dates import today

    day = today()
    text = "transport"
    # The search key holds code and name, lowercase and without accents (contractors/keys.py).
    like = "(c.search_key LIKE %s OR c.search_key LIKE %s)"
    pattern = f"%{text}%"
    caretaker_id = world.first_operator + 7
    mine = (
        "EXISTS (SELECT 1 FROM caretakers_caretakerassignment a WHERE a.contractor_id = c.id "
        f"AND a.operator_id = %s AND {on_day('a')})"
    )
    # A code typed up to its last digit: the ten contractors it may be.
    code = Contractor.objects.order_by("pk").values_list("code", flat=True)[world.contractors // 2][:-1]
    cases: list[tuple[str, dict[str, Any], str, list[Any]]] = [
        ("c. contractors: search a code", {"search": code}, like, [f"%{code.lower()}%"] * 2),
        ("c. contractors: search a word", {"search": text}, like, [pattern, pattern]),
        (
            "c. contractors: search a word + caretaker",
            {"search": text, "caretaker_id": caretaker_id},
            f"{like} AND {mine}",
            [pattern, pattern, caretaker_id, day, day],
        ),
    ]
    results = []
    for name, kwargs, where, params in cases:
        page_sql, count_sql = contractor_page_sql(world, where)

        def ours(kwargs: dict[str, Any] = kwargs) -> Any:
            return contractor_page_and_count(contractor_list(viewer=world.boss, **kwargs))

        def baseline(page_sql: str = page_sql, count_sql: str = count_sql, params: list[Any] = params) -> Any:
            return fetch(page_sql, [day, day, *params]), fetch(count_sql, params)

        _same_count(ours, baseline)
        results.append(compare(name, ours, baseline, runs, f"{ours()[1]:,} rows"))
    return results


def bench_info(world: World, runs: int) -> Result:
    """d. caretaker_info: a contractor's caretakers on a day, for 100 contractors."""
    from opiekun.caretakers.selectors import caretaker_info
    from opiekun.dates import today

    day = today()
    ids = selection(world, 100)

    def ours() -> None:
        for contractor_id in ids:
            caretaker_info(viewer=world.boss, contractor_id=contractor_id, on=day)

    def baseline() -> None:
        for contractor_id in ids:
            fetch("SELECT id, code, name FROM contractors_contractor WHERE id = %s", [contractor_id])
            fetch(
                "SELECT a.id, a.operator_id, a.type, a.role_id, a.branch_id, a.date_from, "
                "a.date_to, u.username, u.first_name, u.last_name, r.name, b.name "
                "FROM caretakers_caretakerassignment a "
                "JOIN operators_operator o ON o.id = a.operator_id "
                "JOIN auth_user u ON u.id = o.user_id "
                "JOIN caretakers_caretakerrole r ON r.id = a.role_id "
                "LEFT JOIN caretakers_branch b ON b.id = a.branch_id "
                f"WHERE a.contractor_id = %s AND {on_day('a')} "
                "ORDER BY r.name, b.code, a.type DESC, a.date_from",
                [contractor_id, day, day],
            )

    return compare("d. caretaker_info x100", ours, baseline, runs, "100 contractors")


RESOLVE_ITEMS = 10_000


def bench_resolve(world: World, runs: int) -> Result:
    """f. POST /api/v1/caretakers/resolve with 10,000 items, through HTTP in process
    (JSON in, validation, the selector, JSON out), beside one hand-written query that
    answers the same: main, deputies in order, and the acting caretaker. Every fifth
    caretaker is on leave today, and every tenth deputy too: the answers include
    deputies standing in and scopes nobody covers. The script checks both agree."""
    from django.db import transaction

    # The absences exist only inside this measurement: entered around the services
    # (no refresh of the acting gaps, which resolving does not read) and rolled back at
    # the end, so the stored acting gaps stay right for the benchmarks after this one.
    with transaction.atomic():
        result = _bench_resolve(world, runs)
        transaction.set_rollback(True)
    return result


def _bench_resolve(world: World, runs: int) -> Result:
    import json
    from datetime import timedelta

    from django.test import Client

    from opiekun.dates import today
    from opiekun.operators.models import Absence
    from opiekun.operators.tokens import token_issue

    day = today()
    # A data set that `bench/http_bench.py --reuse` served holds absences of its own around
    # today (for Nadchodzące zmiany), which would overlap these: those of these days go for
    # this measurement alone (rolled back with it), so that who is on leave is as said above.
    around = {"date_to__gte": day - timedelta(days=3), "date_from__lte": day + timedelta(days=11)}
    Absence.objects.filter(**around).delete()
    Absence.objects.bulk_create(
        Absence(
            operator_id=world.first_operator + i,
            date_from=day - timedelta(days=3),
            date_to=day + timedelta(days=7 + i % 5),
        )
        for i in range(0, OPERATORS, 5)
    )
    Absence.objects.bulk_create(
        Absence(operator_id=world.first_operator + i, date_from=day, date_to=day)
        for i in range(1, OPERATORS, 10)
    )
    ids = selection(world, RESOLVE_ITEMS)
    body = json.dumps({"items": [{"contractor_id": c, "on": day.isoformat()} for c in ids]})
    _, raw = token_issue(user=world.boss, name="bench")
    client = Client(headers={"authorization": f"Bearer {raw}"}, SERVER_NAME="localhost")

    cpu_ms: list[
        float
    ] = []  # this process's CPU time per call: what the load of the machine does not inflate

    def call() -> Any:
        started = time.process_time()
        response = client.post("/api/v1/caretakers/resolve", body, content_type="application/json")
        cpu_ms.append((time.process_time() - started) * 1000)
        assert response.status_code == 200, response.content[:500]
        return response

    def ours() -> list[tuple[int, int | None, int | None, str]]:
        response = call()
        return [
            (
                r["contractor_id"],
                r["main"]["operator_id"] if r["main"] else None,
                r["acting"]["operator_id"] if r["acting"] else None,
                ",".join(str(d["operator_id"]) for d in r["deputies"]),
            )
            for r in response.json()["results"]
        ]

    pg = Sql().pg
    items = json.dumps([{"ord": n, "contractor_id": c, "day": day.isoformat()} for n, c in enumerate(ids)])
    source = (
        "SELECT * FROM jsonb_to_recordset(%s::jsonb) AS x(ord int, contractor_id bigint, day date)"
        if pg
        else "SELECT json_extract(value, '$.ord') AS ord, json_extract(value, '$.contractor_id')"
        " AS contractor_id, json_extract(value, '$.day') AS day FROM json_each(%s)"
    )
    deputies = (
        "string_agg(r.operator_id::text, ',' ORDER BY r.priority, r.date_from, r.id)"
        " FILTER (WHERE r.type = 'deputy')"
        if pg
        else "group_concat(r.operator_id, ',') FILTER (WHERE r.type = 'deputy')"
    )
    in_order = "" if pg else "ORDER BY r.ord, r.priority, r.date_from, r.id"  # group_concat's order
    # One pass, grouped by item: each item's assignments in force, the deputies ranked
    # by a window (present ones first), then one row per item. No join of two derived
    # tables on the item's number: PostgreSQL cannot estimate jsonb_to_recordset's rows
    # and joined them by nested loops, 10,000 x 10,000 (the previous baseline's minutes).
    sql = f"""
        WITH items AS ({source}),
        cur AS (
            SELECT i.ord, i.contractor_id, a.id, a.operator_id, a.type, a.priority, a.date_from,
                   CASE WHEN EXISTS (SELECT 1 FROM operators_absence ab WHERE ab.operator_id = a.operator_id
                        AND ab.date_from <= i.day AND ab.date_to >= i.day) THEN 1 ELSE 0 END AS absent
            FROM items i JOIN contractors_contractor c ON c.id = i.contractor_id
            LEFT JOIN caretakers_caretakerassignment a
              ON a.contractor_id = i.contractor_id AND a.role_id = %s AND a.branch_id IS NULL
             AND a.date_from <= i.day AND (a.date_to IS NULL OR a.date_to >= i.day)
        ),
        ranked AS (
            SELECT d.*, row_number() OVER (PARTITION BY d.ord, d.type, d.absent
                   ORDER BY d.priority, d.date_from, d.id) AS rank
            FROM cur d
        )
        SELECT r.contractor_id, max(r.operator_id) FILTER (WHERE r.type = 'main'),
               CASE WHEN max(r.operator_id) FILTER (WHERE r.type = 'main') IS NULL THEN NULL
                    WHEN max(r.absent) FILTER (WHERE r.type = 'main') = 0
                    THEN max(r.operator_id) FILTER (WHERE r.type = 'main')
                    ELSE max(r.operator_id) FILTER (WHERE r.type = 'deputy' AND r.absent = 0 AND r.rank = 1)
               END,
               {deputies}
        FROM (SELECT * FROM ranked r {in_order}) r
        GROUP BY r.ord, r.contractor_id
        ORDER BY r.ord"""

    def baseline() -> list[tuple[int, int | None, int | None, str]]:
        return [(c, m, a, d or "") for c, m, a, d in fetch(sql, [items, world.default_role_id])]

    answers = ours()
    if answers != baseline():
        raise RuntimeError("resolve: the API and the baseline disagree")
    standing_in = sum(1 for _, main, acting, _ in answers if main and acting and acting != main)
    nobody = sum(1 for _, main, acting, _ in answers if main and acting is None)
    cpu_ms.clear()
    # Timed: the call alone (the answer read back above, for the check, is the client's work).
    return compare(
        f"f. caretakers/resolve {RESOLVE_ITEMS:,} items",
        call,
        baseline,
        runs,
        lambda: (
            f"{standing_in:,} deputies standing in, {nobody:,} mains absent uncovered; answers checked equal;"
            f" ours {statistics.median(cpu_ms):.0f} ms CPU in this process (median)"
        ),
    )


def listed_page_and_count(viewer: Any, **kwargs: Any) -> tuple[list[Any], int]:
    """What the contractors list's page asks, as its view does (contractors/views.py):
    a search is counted first, unless it counts with its page (an own-only viewer's
    search by name, or in code order with one set of ids: `counted_page`); then the
    first page of 50, with today's main caretakers, and the number of all rows."""
    from opiekun.contractors.selectors import caretakers_today, contractor_list
    from opiekun.paging import EstimatingPaginator

    paginator = EstimatingPaginator(contractor_list(viewer=viewer, **kwargs), 50, estimate_from=None)
    if not getattr(paginator, "counts_with_page", False):  # (absent before 2026-11-30: timed against it)
        paginator.object_list = contractor_list(viewer=viewer, matches=paginator.count, **kwargs)
    page = list(paginator.get_page(1).object_list)
    found = caretakers_today([c.pk for c in page])
    return [(c, found[c.pk].main if c.pk in found else None) for c in page], paginator.count


def bench_visibility(world: World, runs: int) -> list[Result]:
    """e. An own-only operator's contractor list, first page + count; and searched, in
    code order and by name, as the list's page reads them (`listed_page_and_count`)."""
    from opiekun.contractors.selectors import contractor_list
    from opiekun.dates import today

    day = today()
    mine = (
        "EXISTS (SELECT 1 FROM caretakers_caretakerassignment a WHERE a.contractor_id = c.id "
        f"AND a.operator_id = %s AND {on_day('a')})"
    )
    anyone = (
        "EXISTS (SELECT 1 FROM caretakers_caretakerassignment a WHERE "
        f"a.contractor_id = c.id AND {on_day('a')})"
    )
    cases = [
        (
            "e. own-only list (unassigned denied)",
            world.own_denied,
            mine,
            [world.first_operator + 3, day, day],
        ),
        (
            "e. own-only list (unassigned read-only)",
            world.own_read_only,
            f"({mine} OR NOT {anyone})",
            [world.first_operator + 4, day, day, day, day],
        ),
    ]
    results = []
    for name, viewer, where, params in cases:
        page_sql, count_sql = contractor_page_sql(world, where)

        def ours(viewer: Any = viewer) -> Any:
            return contractor_page_and_count(contractor_list(viewer=viewer))

        def baseline(page_sql: str = page_sql, count_sql: str = count_sql, params: list[Any] = params) -> Any:
            return fetch(page_sql, [day, day, *params]), fetch(count_sql, params)

        _same_count(ours, baseline)
        results.append(compare(name, ours, baseline, runs, f"{ours()[1]:,} rows"))
    read_only = f"({mine} OR NOT {anyone})"
    searches = [
        ("e. own-only search a word (denied)", world.own_denied, "transport", "code", mine, 3),
        ("e. own-only search a word (read-only)", world.own_read_only, "kowalski", "code", read_only, 4),
        (
            "e. own-only search a word by name (read-only)",
            world.own_read_only,
            "kowalski",
            "name",
            read_only,
            4,
        ),
    ]
    for name, viewer, text, ordering, visible, operator in searches:
        where = f"c.search_key LIKE %s AND {visible}"
        params = [f"%{text}%", world.first_operator + operator, day, day] + [day, day] * (visible != mine)
        page_sql, count_sql = contractor_page_sql(world, where)
        if ordering == "name":
            page_sql = page_sql.replace("ORDER BY c.code", "ORDER BY c.name_key, c.code")

        def searched(viewer: Any = viewer, text: str = text, ordering: str = ordering) -> Any:
            return listed_page_and_count(viewer, search=text, ordering=ordering)

        def by_sql(page_sql: str = page_sql, count_sql: str = count_sql, params: list[Any] = params) -> Any:
            return fetch(page_sql, [day, day, *params]), fetch(count_sql, params)

        _same_count(searched, by_sql)
        pages = [c.pk for c, _ in searched()[0]], [row[0] for row in by_sql()[0]]
        if pages[0] != pages[1]:
            raise AssertionError(f"{name}: ours and the baseline show different pages")
        results.append(compare(name, searched, by_sql, runs, f"{searched()[1]:,} rows"))
    return results


def _same_count(ours: Callable[[], Any], baseline: Callable[[], Any]) -> None:
    """A baseline is only a baseline if it answers the same question."""
    (page, count), (base_page, base_count) = ours(), baseline()
    if count != base_count[0][0] or len(page) != len(base_page):
        raise AssertionError(f"ours found {count} rows, the baseline {base_count[0][0]}")


# --- query plans ------------------------------------------------------------------


@contextmanager
def captured() -> Iterator[list[tuple[str, Any]]]:
    """Every (sql, params) the ORM sends inside the block."""
    from django.db import connection

    queries: list[tuple[str, Any]] = []

    def wrapper(execute: Any, sql: str, params: Any, many: bool, context: Any) -> Any:
        queries.append((sql, params))
        return execute(sql, params, many, context)

    with connection.execute_wrapper(wrapper):
        yield queries


def explain(world: World) -> None:
    """Print the plan of every query the read paths send."""
    from opiekun.caretakers.selectors import AssignmentFilters, assignment_list
    from opiekun.contractors.selectors import contractor_list

    sql = Sql()
    paths: list[tuple[str, Callable[[], Any]]] = [
        (
            "b. assignment_list",
            lambda: page_and_count(
                assignment_list(
                    viewer=world.boss,
                    filters=AssignmentFilters(
                        operator_id=world.first_operator + 5, date_from=REPORT_FROM, date_to=REPORT_TO
                    ),
                )
            ),
        ),
        (
            "c. contractor_list search a code",
            lambda: page_and_count(contractor_list(viewer=world.boss, search="K050000")),
        ),
        (
            "c. contractor_list search a word",
            lambda: page_and_count(contractor_list(viewer=world.boss, search="transport")),
        ),
        (
            "c. contractor_list search + caretaker",
            lambda: page_and_count(
                contractor_list(viewer=world.boss, search="transport", caretaker_id=world.first_operator + 7)
            ),
        ),
        ("e. own-only (denied)", lambda: page_and_count(contractor_list(viewer=world.own_denied))),
        ("e. own-only (read-only)", lambda: page_and_count(contractor_list(viewer=world.own_read_only))),
    ]
    prefix = "EXPLAIN (ANALYZE, BUFFERS) " if sql.pg else "EXPLAIN QUERY PLAN "
    for title, work in paths:
        with captured() as queries:
            work()
        for query, params in queries:
            if not query.lstrip().upper().startswith("SELECT"):
                continue
            print(f"\n--- {title}\n{query}\n")
            for row in fetch(prefix + query, params):
                print("   ", row[-1] if not sql.pg else row[0])


# --- main -------------------------------------------------------------------------


def machine() -> str:
    import platform

    from django.db import connection

    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SELECT version()")
        else:
            cursor.execute("SELECT 'SQLite ' || sqlite_version()")
        engine = cursor.fetchone()[0].split(",")[0]
    return f"{engine}; Python {platform.python_version()}; {os.cpu_count()} CPUs; {platform.platform()}"


def report(results: Sequence[Result]) -> None:
    print("\n| benchmark | ours ms | baseline ms | ours / baseline | note |")
    print("|---|---:|---:|---:|---|")
    for r in results:
        print(f"| {r.name} | {r.ours_ms:.1f} | {r.baseline_ms:.1f} | {r.ratio:.2f}x | {r.note} |")


def main() -> None:
    args = parse_args()
    setup_django(args.sqlite, args.home)
    started = time.perf_counter()
    size = "the loaded" if args.reuse else f"{args.contractors:,}"
    print(f"Opiekun benchmark: {size} contractors, median of {args.runs} runs")
    print(f"  {machine()}")
    migrate()
    world = loaded_world() if args.reuse else load(args.contractors)
    if args.load_only:
        print(f"  loaded in {time.perf_counter() - started:.0f} s; time it with --reuse")
        return
    print(f"  ready in {time.perf_counter() - started:.0f} s\n")
    print(f"  {'benchmark':<48} {'ours ms':>10} {'base ms':>10} {'ratio':>7}")
    from handover import bench_handover  # here: it imports this module's helpers

    benchmarks: dict[str, Callable[[World, int], list[Result]]] = {
        "add": bench_add,
        "report": lambda world, runs: [bench_report(world, runs)],
        "contractors": bench_contractors,
        "info": lambda world, runs: [bench_info(world, runs)],
        "visibility": bench_visibility,
        "handover": bench_handover,
        "resolve": lambda world, runs: [bench_resolve(world, runs)],
    }
    results = [
        r
        for name, run in benchmarks.items()
        if not args.only or name in args.only
        for r in run(world, args.runs)
    ]
    report(results)
    if args.explain:
        explain(world)
    print(f"\ntotal {time.perf_counter() - started:.0f} s")


if __name__ == "__main__":
    main()
