"""caretaker_add of 10,000 contractors (`run.selection`) beside its hand-written SQL
(`run.add_baseline`), by the CPU time of this process, on a data set `run.py` loaded
(on SQLite: `bench/run.py --sqlite --home DIR --load-only`, then ``OPIEKUN_HOME=DIR``):
each call rolled back, the two alternated, one warm-up each. On SQLite the baseline
runs in this process too, so both figures are CPU; on PostgreSQL the baseline's work is
the server's, so only ours is CPU (the baseline's wall time is printed beside it).

    OPIEKUN_HOME=/path/to/sqlite/home python bench/add_cpu.py keep [--runs 7] [--prof]
    DATABASE_URL=postgres://… python bench/add_cpu.py replace --runs 3

``--warm``: each timed call follows an untimed call of the same side (so that neither
side's time depends on which pages the other left in SQLite's cache: a rolled-back
write keeps the pages it read). ``--statements``: one more call of each side with every
SQL statement timed, the slowest listed. ``--prof``: a cProfile of one more call of ours, by
cumulative time (``--prof-sort tottime``: by own time). ``--parts``: the
CPU of the main steps of ours (timing wrappers around them; mean per run, in ms)."""

from __future__ import annotations

import argparse
import cProfile
import os
import pstats
import statistics
import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "opiekun.settings")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("policy", choices=["keep", "replace"])
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--prof", action="store_true")
    parser.add_argument("--prof-sort", default="cumulative", help="the profile's order (e.g. tottime)")
    parser.add_argument("--parts", action="store_true")
    parser.add_argument("--warm", action="store_true")
    parser.add_argument("--statements", action="store_true")
    args = parser.parse_args()
    import django

    django.setup()
    import run

    from opiekun.caretakers.services import caretaker_add

    run.migrate()
    world = run.loaded_world()
    ids = run.selection(world, 10_000)
    pg = "DATABASE_URL" in os.environ

    def ours() -> object:
        return caretaker_add(
            actor=world.boss,
            contractor_ids=ids,
            operator_id=world.newcomer_id,
            date_from=run.NEW_FROM,
            date_to=run.NEW_TO,
            on_overlap=args.policy,
            type="main",
        )

    def base() -> None:
        run.add_baseline(world, ids, args.policy)

    spent = _wrap_parts() if args.parts else {}
    timed_ours = run.rolled_back(ours, as_committed=True)
    timed_base = run.rolled_back(base, foreign_keys=True)
    timed_ours()
    timed_base()
    mine: list[float] = []
    theirs: list[float] = []
    clock = time.perf_counter if pg else time.process_time
    for _ in range(args.runs):
        if args.warm:
            timed_ours()
        started = time.process_time()
        timed_ours()
        mine.append((time.process_time() - started) * 1000)
        if args.warm:
            timed_base()
        started = clock()
        timed_base()
        theirs.append((clock() - started) * 1000)
        unit = "wall" if pg else "CPU"
        print(f"{args.policy}: ours {mine[-1]:.0f} ms CPU, baseline {theirs[-1]:.0f} ms {unit}")
    low, mid = min(mine), statistics.median(mine)
    print(
        f"{args.policy}: ours min {low:.0f} median {mid:.0f} ms CPU; baseline min {min(theirs):.0f}"
        f" median {statistics.median(theirs):.0f} ms; ratio of the minima {low / min(theirs):.2f},"
        f" of the medians {mid / statistics.median(theirs):.2f}"
    )
    for name, total in spent.items():
        calls = args.runs * (2 if args.warm else 1) + 1  # the warm-up and the untimed calls too
        print(f"  part {name:<40} {total[0] * 1000 / calls:8.1f} ms CPU per run")
    if args.prof:
        profile = cProfile.Profile()
        profile.enable()
        timed_ours()
        profile.disable()
        pstats.Stats(profile).sort_stats(args.prof_sort).print_stats(45)
    if args.statements:
        for side, call in (("ours", timed_ours), ("baseline", timed_base)):
            _print_statements(side, call)


def _print_statements(side: str, call: Any) -> None:
    """One more call of ``side``, each SQL statement it sends timed (wall clock, as the
    database's driver answers it), the slowest first."""
    from django.db import connection

    spent: list[tuple[float, str]] = []

    def timed(execute: Any, sql: str, params: Any, many: bool, context: Any) -> Any:
        started = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            spent.append(((time.perf_counter() - started) * 1000, " ".join(sql.split())[:100]))

    with connection.execute_wrapper(timed):
        started = time.perf_counter()
        call()
        total = (time.perf_counter() - started) * 1000
    print(f"{side}: {total:.0f} ms, of it {sum(t for t, _ in spent):.0f} ms in {len(spent)} statements")
    for ms, sql in sorted(spent, reverse=True)[:8]:
        print(f"  {ms:8.1f}  {sql}")


# The steps timed by ``--parts``: (module, name looked up at the call).
PARTS = [
    ("opiekun.caretakers.services.add", "check_selection"),
    ("opiekun.caretakers.services.inputs", "report_unchangeable"),
    ("opiekun.caretakers.services.inputs", "visible_contractors"),
    ("opiekun.caretakers.services.add", "visible_contractors"),
    ("opiekun.caretakers.services.add", "Tally"),
    ("opiekun.caretakers.services.add", "scope_values"),
    ("opiekun.caretakers.services.add", "scope_slots"),
    ("opiekun.caretakers.services.add", "stored_by_id"),
    ("opiekun.caretakers.services.add", "decide_each"),
    ("opiekun.caretakers.services.add", "write_changes"),
    ("opiekun.caretakers.services.writer", "workload_steps_apply"),
    ("opiekun.caretakers.services.writer", "_insert"),
    ("opiekun.caretakers.services.writer", "coverage_refresh"),
    ("opiekun.coverage.services", "untouched_by"),
    ("opiekun.coverage.services", "refresh_changed"),
    ("opiekun.coverage.services", "_contractors"),
    ("opiekun.coverage.services", "before_write"),
    ("opiekun.coverage.changed", "_absences_of"),
    ("opiekun.coverage.changed", "rows_changed"),
    ("opiekun.coverage.changed", "as_updates"),
    ("opiekun.coverage.changed", "gaps_in"),
    ("opiekun.coverage.changed", "uncovered_of"),
    ("opiekun.coverage.changed", "_coverage"),
    ("opiekun.coverage.changed", "_make_equal"),
    ("opiekun.coverage.changed", "delete_rows"),
    ("opiekun.coverage.changed", "update_rows_by"),
    ("opiekun.coverage.changed", "insert_rows"),
    ("opiekun.coverage.changed", "stand_ins_may_change"),
    ("opiekun.coverage.changed", "without_rows"),
    ("opiekun.coverage.changed", "_default_role_id"),
    ("opiekun.coverage.rows", "rows_source"),
    ("opiekun.caretakers.services.add", "report_unfound"),
]


def _wrap_parts() -> dict[str, list[float]]:
    """Wrap each of `PARTS` (those the code at hand has) with a CPU timer."""
    import importlib

    spent: dict[str, list[float]] = {}
    for module_name, name in PARTS:
        module = importlib.import_module(module_name)
        function = getattr(module, name, None)
        if function is None:
            continue
        total = spent.setdefault(f"{module_name.rsplit('.', 1)[-1]}.{name}", [0.0])

        def timed(*args: object, _f: Any = function, _t: list[float] = total, **kwargs: object) -> object:
            started = time.process_time()
            try:
                return _f(*args, **kwargs)
            finally:
                _t[0] += time.process_time() - started

        setattr(module, name, timed)
    return spent


if __name__ == "__main__":
    main()
