"""The pair steps of `operators.workload_pairs` rebuilt from the assignments: the SQL
that replaces them (run by ``opiekun workload-rebuild`` and when an operator's
visibility changes; migration operators/0006 runs its own copy), and the Python
recomputation the tests compare them with."""

from __future__ import annotations

from django.db import connection

from opiekun.caretakers.models import CaretakerAssignment
from opiekun.operators.models import Operator, Visibility, WorkloadPairStep
from opiekun.operators.workload_pairs import ANY, TABLE, PairKey, own_only_viewers, pair_steps_of
from opiekun.operators.workload_steps import FIELDS, as_interval


def pair_rebuild_statements(vendor: str, viewer: int | None = None) -> list[str]:
    """SQL that replaces every pair step (with ``viewer``: that operator's) by a
    recomputation from the assignments (migration operators/0006 runs a copy of it):
    each (contractor, operator, type)'s rows merged into periods (a new one where the
    reach of the rows before ends more than a day before the row's first day), an
    own-only viewer's merged again per contractor, each viewer's periods intersected
    with each operator's of the same contractor, and their steps summed."""
    assignments = CaretakerAssignment._meta.db_table
    own = f"SELECT id FROM {Operator._meta.db_table} WHERE visibility = '{Visibility.OWN.value}'"
    if viewer is not None:
        own += f" AND id = {int(viewer)}"
    if vendor == "postgresql":
        open_end, later, earlier = "DATE '9999-12-31'", "GREATEST", "LEAST"

        def plus_one(x: str) -> str:
            return f"{x} + 1"

        def before_next(reach: str, start: str) -> str:
            return f"{reach} + 1 < {start}"
    else:
        open_end, later, earlier = "'9999-12-31'", "MAX", "MIN"

        def plus_one(x: str) -> str:
            return f"date({x}, '+1 day')"

        def before_next(reach: str, start: str) -> str:
            return f"julianday({reach}) + 1 < julianday({start})"

    def islands(source: str, keys: str) -> str:
        window = f"PARTITION BY {keys} ORDER BY f, e"
        return f"""SELECT {keys}, MIN(f) AS f, MAX(e) AS e FROM (
                SELECT {keys}, f, e, SUM(CASE WHEN rb IS NULL OR {before_next("rb", "f")} THEN 1 ELSE 0 END)
                    OVER ({window} ROWS UNBOUNDED PRECEDING) AS island
                FROM (
                    SELECT {keys}, f, e,
                        MAX(e) OVER ({window} ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING) AS rb
                    FROM {source}
                ) r
            ) i GROUP BY {keys}, island"""

    return [
        f"DELETE FROM {TABLE}" + ("" if viewer is None else f" WHERE viewer_id = {int(viewer)}"),
        f"""INSERT INTO {TABLE} (viewer_id, operator_id, type, day, delta)
        WITH a AS (
            SELECT contractor_id AS c, operator_id AS o, type AS t, date_from AS f,
                COALESCE(date_to, {open_end}) AS e
            FROM {assignments}
            WHERE contractor_id IN (SELECT contractor_id FROM {assignments} WHERE operator_id IN ({own}))
        ), mt AS ({islands("a", "c, o, t")}
        ), mv AS (SELECT * FROM mt WHERE o IN ({own})
        ), ma AS ({islands("mv", "c, o")}
        ), p AS (
            SELECT ma.o AS v, mt.o AS o, mt.t AS t, {later}(ma.f, mt.f) AS f, {earlier}(ma.e, mt.e) AS e
            FROM ma JOIN mt ON ma.c = mt.c AND ma.f <= mt.e AND mt.f <= ma.e
            UNION ALL
            SELECT o, o, '{ANY}', f, e FROM ma
        ), s AS (
            SELECT v, o, t, f AS day, 1 AS delta FROM p
            UNION ALL
            SELECT v, o, t, {plus_one("e")} AS day, -1 AS delta FROM p WHERE e < {open_end}
        )
        SELECT v, o, t, day, SUM(delta) FROM s GROUP BY v, o, t, day HAVING SUM(delta) <> 0""",
    ]


def pair_steps_recompute() -> dict[PairKey, int]:
    """The pair steps as they should be, computed in Python from every assignment."""
    rows = CaretakerAssignment.objects.order_by().values_list(*FIELDS)
    return pair_steps_of((as_interval(*values) for values in rows), own_only_viewers())


def pair_steps_build(operator_id: int) -> None:
    """Replace the pair steps of ``operator_id`` by theirs as the assignments give
    them (none unless they see only their own contractors): after a change of their
    visibility."""
    with connection.cursor() as cursor:
        for statement in pair_rebuild_statements(connection.vendor, viewer=operator_id):
            cursor.execute(statement)


def pair_steps_stored() -> dict[PairKey, int]:
    rows = WorkloadPairStep.objects.values_list("viewer_id", "operator_id", "type", "day", "delta")
    return {(viewer, operator, kind, day): delta for viewer, operator, kind, day, delta in rows}
