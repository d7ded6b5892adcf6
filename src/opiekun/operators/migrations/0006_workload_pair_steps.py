import django.db.models.deletion
from django.db import migrations, models

# The Operatorzy page of an own-only viewer as steps per pair of operators
# (operators/workload_pairs.py), built here from the assignments as they are; from now
# on every writer of assignments keeps them, beside the workload steps.
#
# The rebuild as it stood when this migration was written
# (operators/workload_pairs_rebuild.py, `pair_rebuild_statements`), copied here so that
# later changes to that module cannot change what this migration writes.
ASSIGNMENTS = "caretakers_caretakerassignment"
OPERATORS = "operators_operator"
PAIR_STEPS = "operators_workloadpairstep"


def build_statements(vendor):
    """Each (contractor, operator, type)'s rows merged into periods, an own-only
    viewer's merged again per contractor, each viewer's periods intersected with each
    operator's of the same contractor, and their steps summed."""
    own = f"SELECT id FROM {OPERATORS} WHERE visibility = 'own'"
    if vendor == "postgresql":
        open_end, later, earlier = "DATE '9999-12-31'", "GREATEST", "LEAST"

        def plus_one(x):
            return f"{x} + 1"

        def before_next(reach, start):
            return f"{reach} + 1 < {start}"
    else:
        open_end, later, earlier = "'9999-12-31'", "MAX", "MIN"

        def plus_one(x):
            return f"date({x}, '+1 day')"

        def before_next(reach, start):
            return f"julianday({reach}) + 1 < julianday({start})"

    def islands(source, keys):
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
        f"DELETE FROM {PAIR_STEPS}",
        f"""INSERT INTO {PAIR_STEPS} (viewer_id, operator_id, type, day, delta)
        WITH a AS (
            SELECT contractor_id AS c, operator_id AS o, type AS t, date_from AS f,
                COALESCE(date_to, {open_end}) AS e
            FROM {ASSIGNMENTS}
            WHERE contractor_id IN (SELECT contractor_id FROM {ASSIGNMENTS} WHERE operator_id IN ({own}))
        ), mt AS ({islands("a", "c, o, t")}
        ), mv AS (SELECT * FROM mt WHERE o IN ({own})
        ), ma AS ({islands("mv", "c, o")}
        ), p AS (
            SELECT ma.o AS v, mt.o AS o, mt.t AS t, {later}(ma.f, mt.f) AS f, {earlier}(ma.e, mt.e) AS e
            FROM ma JOIN mt ON ma.c = mt.c AND ma.f <= mt.e AND mt.f <= ma.e
            UNION ALL
            SELECT o, o, 'any', f, e FROM ma
        ), s AS (
            SELECT v, o, t, f AS day, 1 AS delta FROM p
            UNION ALL
            SELECT v, o, t, {plus_one("e")} AS day, -1 AS delta FROM p WHERE e < {open_end}
        )
        SELECT v, o, t, day, SUM(delta) FROM s GROUP BY v, o, t, day HAVING SUM(delta) <> 0""",
    ]


def _build(apps, schema_editor):
    for statement in build_statements(schema_editor.connection.vendor):
        schema_editor.execute(statement)


class Migration(migrations.Migration):
    dependencies = [
        ("operators", "0005_workload_steps"),
    ]

    operations = [
        migrations.CreateModel(
            name="WorkloadPairStep",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("type", models.CharField(max_length=6)),
                ("day", models.DateField()),
                ("delta", models.IntegerField()),
                (
                    "operator",
                    models.ForeignKey(
                        db_index=False,
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="+",
                        to="operators.operator",
                    ),
                ),
                (
                    "viewer",
                    models.ForeignKey(
                        db_index=False,
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="+",
                        to="operators.operator",
                    ),
                ),
            ],
            options={
                "constraints": [
                    models.UniqueConstraint(
                        fields=("viewer", "operator", "type", "day"), name="workload_pair_step_key"
                    )
                ],
            },
        ),
        migrations.RunPython(_build, migrations.RunPython.noop),
    ]
