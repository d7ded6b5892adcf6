"""The workload steps (`operators.workload_steps`) from scratch: recomputed in Python
(what the tests compare the stored steps with) and rebuilt in the database (``opiekun
workload-rebuild``, the benchmarks' loader; the migration that adds them carries its
own copy of the statement as it stood)."""

from __future__ import annotations

from django.db import connection, transaction

from opiekun.caretakers.models import CaretakerAssignment
from opiekun.operators.models import WorkloadStep
from opiekun.operators.workload_pairs_rebuild import pair_rebuild_statements
from opiekun.operators.workload_steps import FIELDS, TABLE, Key, as_interval, steps_of


def workload_steps_recompute() -> dict[Key, int]:
    """The steps as they should be, computed in Python from every assignment (the
    tests compare the stored ones with this)."""
    rows = CaretakerAssignment.objects.order_by().values_list(*FIELDS)
    return steps_of(as_interval(*values) for values in rows)


def workload_steps_stored() -> dict[Key, int]:
    rows = WorkloadStep.objects.values_list("operator_id", "type", "day", "delta")
    return {(operator, kind, day): delta for operator, kind, day, delta in rows}


def rebuild_statements(vendor: str) -> list[str]:
    """SQL that replaces every step by a recomputation from the assignments, in the
    database (migration operators/0005 runs a copy of it): each (contractor,
    operator, type)'s rows in order of their first day, a new merged period where the
    reach of the rows before ends more than a day before the row's first day, its end
    where the next row starts more than a day after the reach so far."""
    assignments = CaretakerAssignment._meta.db_table
    if vendor == "postgresql":
        open_end = "DATE '9999-12-31'"

        def plus_one(x: str) -> str:
            return f"{x} + 1"

        def before_next(reach: str, start: str) -> str:  # the reach ends more than a day before start
            return f"{reach} + 1 < {start}"
    else:
        open_end = "'9999-12-31'"

        def plus_one(x: str) -> str:
            return f"date({x}, '+1 day')"

        def before_next(reach: str, start: str) -> str:  # in days: no text past year 9999
            return f"julianday({reach}) + 1 < julianday({start})"

    window = "PARTITION BY contractor_id, operator_id, type ORDER BY date_from, date_to"
    return [
        f"DELETE FROM {TABLE}",
        f"""INSERT INTO {TABLE} (operator_id, type, day, delta)
        WITH a AS (
            SELECT contractor_id, operator_id, type, date_from, COALESCE(date_to, {open_end}) AS date_to
            FROM {assignments}
        ), w AS (
            SELECT operator_id, type, date_from,
                MAX(date_to) OVER ({window} ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING) AS reach_before,
                MAX(date_to) OVER ({window} ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW) AS reach,
                LEAD(date_from) OVER ({window}) AS next_from
            FROM a
        ), s AS (
            SELECT operator_id, type, date_from AS day, 1 AS delta FROM w
            WHERE reach_before IS NULL OR {before_next("reach_before", "date_from")}
            UNION ALL
            SELECT operator_id, type, {plus_one("reach")} AS day, -1 AS delta FROM w
            WHERE reach < {open_end} AND (next_from IS NULL OR {before_next("reach", "next_from")})
        )
        SELECT operator_id, type, day, SUM(delta) FROM s
        GROUP BY operator_id, type, day HAVING SUM(delta) <> 0""",
    ]


@transaction.atomic
def workload_steps_rebuild() -> int:
    """Replace the steps, and the pair steps (`workload_pairs`), by a recomputation from
    every assignment, in the database; returns the number of steps. For after a write
    around the services (raw SQL, a restore); every write through Opiekun keeps them
    right."""
    with connection.cursor() as cursor:
        for statement in rebuild_statements(connection.vendor) + pair_rebuild_statements(connection.vendor):
            cursor.execute(statement)
    return WorkloadStep.objects.count()
