"""f. Przekazanie klientów at scale, beside a hand-written SQL that writes the same rows.

One caretaker of the data set (about 20,000 contractors at a million) hands 1,000 and
10,000 of their contractors, every type and role, to the newcomer (who has no rows:
nothing to merge, no conflict) from HANDOVER_DAY. Every handed row started before that
day, so each is cut (an UPDATE) and the newcomer gets the rest (an INSERT); the audit
trail gets a row for each, and the handover's record one row per changed assignment.

The baseline does exactly that in SQL: lock the contractors, cut, insert, audit, record
(before/after as JSON built by the database). Before timing, both run once and the
script checks that they leave the same assignments behind. Every run is rolled back.
Measured: the preview alone, and the confirmation (what applying costs: it loads and
plans again under the locks, then writes); the baseline is compared with the latter.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, timedelta
from typing import Any

from run import Result, Sql, World, audit_columns, compare, execute, fetch, median_ms, rolled_back

HANDOVER_DAY = date(2025, 10, 1)
SOURCE_OFFSET = 11  # the caretaker who hands over: world.first_operator + 11


def source_contractors(world: World, size: int) -> list[int]:
    """The first ``size`` contractors whose current main is the source (an odd offset:
    never one of every 20th contractor, whose main ended)."""
    from opiekun.caretakers.models import CaretakerAssignment

    rows = (
        CaretakerAssignment.objects.filter(
            operator_id=world.first_operator + SOURCE_OFFSET, type="main", date_to__isnull=True
        )
        .order_by("contractor_id")
        .values_list("contractor_id", flat=True)
    )
    return list(rows[:size])


def arguments(world: World, ids: Sequence[int]) -> dict[str, Any]:
    return {
        "from_operator_id": world.first_operator + SOURCE_OFFSET,
        "to_operator_ids": [world.newcomer_id],
        "date": HANDOVER_DAY,
        "contractor_ids": list(ids),
        "on_overlap": "replace",
    }


def baseline(world: World, ids: Sequence[int]) -> None:
    """The same handover in SQL, for a recipient without rows."""
    from django.db import connection
    from django.utils import timezone

    from opiekun.caretakers.models import CaretakerAssignment, Handover, HandoverChange

    sql = Sql()
    table = CaretakerAssignment._meta.db_table
    history = CaretakerAssignment.history.model._meta.db_table
    changes = HandoverChange._meta.db_table
    tracked = ", ".join(audit_columns())
    ops = connection.ops
    stamp = ops.adapt_datetimefield_value(timezone.now())
    day = ops.adapt_datefield_value(HANDOVER_DAY)
    eve = ops.adapt_datefield_value(HANDOVER_DAY - timedelta(days=1))
    user_id = world.boss.pk
    source, target = world.first_operator + SOURCE_OFFSET, world.newcomer_id
    selected, ids_param = sql.ids(ids)
    if sql.pg:
        execute(
            f"SELECT id FROM contractors_contractor WHERE id IN ({selected}) ORDER BY id FOR UPDATE",
            [ids_param],
        )
    handover = Handover.objects.create(
        from_operator_id=source,
        date=HANDOVER_DAY,
        types=["deputy", "main"],
        on_overlap="replace",
        created_at=timezone.now(),
    )
    reason = f"handover:{handover.pk}"
    execute(
        f"CREATE TEMP TABLE bench_handed AS SELECT * FROM {table} WHERE operator_id = %s "
        f"AND contractor_id IN ({selected}) AND (date_to IS NULL OR date_to >= %s)",
        [source, ids_param, day],
    )
    # A row's state as the handover records it: its tracked columns and its creation.
    pairs = ", ".join(f"'{c}', {{a}}.{c}" for c in [*audit_columns(), "created_at"])
    state = f"json_build_object({pairs})::text" if sql.pg else f"json_object({pairs})"
    # Rows starting on or after D leave the source whole (none in this data set, but
    # the baseline does what the handover does).
    moved = "SELECT id FROM bench_handed WHERE date_from >= %s"
    execute(
        f"INSERT INTO {changes} (handover_id, assignment_id, contractor_id, target_id, before, after) "
        f"SELECT %s, h.id, h.contractor_id, %s, {state.format(a='h')}, '' FROM bench_handed h "
        "WHERE h.date_from >= %s",
        [handover.pk, target, day],
    )
    audit = (
        f"INSERT INTO {history} ({tracked}, history_date, history_type, history_user_id, "
        "history_change_reason)"
    )
    execute(
        f"{audit} SELECT {tracked}, %s, '-', %s, %s FROM {table} WHERE id IN ({moved})",
        [stamp, user_id, reason, day],
    )
    execute(f"DELETE FROM {table} WHERE id IN ({moved})", [day])
    execute(
        f"UPDATE {table} SET date_to = %s, updated_at = %s, updated_by_id = %s "
        "WHERE id IN (SELECT id FROM bench_handed WHERE date_from < %s)",
        [eve, stamp, user_id, day],
    )
    greatest = "GREATEST(h.date_from, %s)" if sql.pg else "MAX(h.date_from, %s)"
    execute(
        f"INSERT INTO {table} (contractor_id, operator_id, type, role_id, branch_id, date_from, date_to, "
        "created_at, updated_at, created_by_id, updated_by_id) "
        f"SELECT h.contractor_id, %s, h.type, h.role_id, h.branch_id, {greatest}, h.date_to, %s, %s, %s, %s "
        "FROM bench_handed h ORDER BY h.contractor_id, h.id",
        [target, day, stamp, stamp, user_id, user_id],
    )
    execute(
        f"{audit} SELECT {tracked}, %s, CASE WHEN operator_id = %s THEN '+' ELSE '~' END, %s, %s "
        f"FROM {table} WHERE contractor_id IN ({selected}) AND updated_at = %s",
        [stamp, target, user_id, reason, ids_param, stamp],
    )
    execute(
        f"INSERT INTO {changes} (handover_id, assignment_id, contractor_id, target_id, before, after) "
        f"SELECT %s, a.id, a.contractor_id, %s, COALESCE({state.format(a='h')}, ''), {state.format(a='a')} "
        f"FROM {table} a LEFT JOIN bench_handed h ON h.id = a.id "
        f"WHERE a.contractor_id IN ({selected}) AND a.updated_at = %s",
        [handover.pk, target, ids_param, stamp],
    )
    execute("DROP TABLE bench_handed")


def assignments_of(ids: Sequence[int]) -> list[tuple[Any, ...]]:
    sql = Sql()
    selected, ids_param = sql.ids(ids)
    return sorted(
        fetch(
            "SELECT contractor_id, operator_id, type, role_id, branch_id, date_from, date_to "
            f"FROM caretakers_caretakerassignment WHERE contractor_id IN ({selected})",
            [ids_param],
        ),
        key=repr,
    )


def same_rows(world: World, ids: Sequence[int], ours: Any) -> int:
    """Run ours and the baseline once each (rolled back) and compare what they leave."""
    from django.db import transaction

    results = []
    for work in (ours, lambda: baseline(world, ids)):
        with transaction.atomic():
            work()
            results.append(assignments_of(ids))
            transaction.set_rollback(True)
    if results[0] != results[1]:
        raise AssertionError("the baseline does not leave the same assignments as the handover")
    return len(results[0])


def bench_handover(world: World, runs: int) -> list[Result]:
    from opiekun.caretakers.services import handover_create

    results = []
    available = len(source_contractors(world, 10**9))
    for size in sorted({min(1_000, available), min(10_000, available)}):
        ids = source_contractors(world, size)
        given = arguments(world, ids)
        preview = handover_create(actor=world.boss, **given)
        token = preview.confirm_token

        def confirm(given: dict[str, Any] = given, token: str | None = token) -> None:
            done = handover_create(actor=world.boss, confirm_token=token, **given)
            assert done.applied

        rows = same_rows(world, ids, confirm)
        preview_ms = median_ms(lambda given=given: handover_create(actor=world.boss, **given), runs)
        note = (
            f"{preview.preview.assignments:,} rows handed, {rows:,} rows after; "
            f"the preview alone {preview_ms:.1f} ms"
        )
        results.append(
            compare(
                f"f. handover {size:>6,} contractors",
                rolled_back(confirm, as_committed=True),
                rolled_back(lambda ids=ids: baseline(world, ids), foreign_keys=True),
                runs,
                note,
            )
        )
    return results
