"""Two fewer indexes on each gap table (`coverage_coveragegap`, `coverage_actinggap`):
every gap a write inserts paid for each one (docs/performance.md, "The write path
against its SQL, 2026-11-29 (wr3)").

Dropped: the foreign keys' own single-column indexes on the contractor and on the role.
``…_contractor`` (contractor, role, branch, date_from) leads with the contractor and
serves every read of one contractor's gaps and the cascade of a contractor's deletion;
``…_scope_day`` (role, branch, active, …) leads with the role and serves the cascade of
a role's deletion. The branch's and the last operator's indexes stay (no other index
leads with them).

Only indexes change, so they are dropped by name, the same on both engines, instead of
altering the fields: on SQLite an AlterField would copy the whole table.
"""

import django.db.models.deletion
from django.db import migrations, models

# (table, column, index name)
INDEXES = [
    ("coverage_coveragegap", "contractor_id", "coverage_coveragegap_contractor_id_e090072b"),
    ("coverage_coveragegap", "role_id", "coverage_coveragegap_role_id_e0bc6b1d"),
    ("coverage_actinggap", "contractor_id", "coverage_actinggap_contractor_id_84acccf3"),
    ("coverage_actinggap", "role_id", "coverage_actinggap_role_id_82b34c83"),
]


def forward(apps, schema_editor):
    for _table, _column, name in INDEXES:
        schema_editor.execute(f"DROP INDEX IF EXISTS {name}")


def backward(apps, schema_editor):
    for table, column, name in INDEXES:
        schema_editor.execute(f"CREATE INDEX IF NOT EXISTS {name} ON {table} ({column})")


class Migration(migrations.Migration):
    dependencies = [
        ("caretakers", "0010_assignment_ends_index"),
        ("contractors", "0006_fewer_write_indexes"),
        ("coverage", "0007_acting_periods"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name="actinggap",
                    name="contractor",
                    field=models.ForeignKey(
                        db_index=False,
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="acting_gaps",
                        to="contractors.contractor",
                    ),
                ),
                migrations.AlterField(
                    model_name="actinggap",
                    name="role",
                    field=models.ForeignKey(
                        db_index=False,
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="+",
                        to="caretakers.caretakerrole",
                    ),
                ),
                migrations.AlterField(
                    model_name="coveragegap",
                    name="contractor",
                    field=models.ForeignKey(
                        db_index=False,
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="coverage_gaps",
                        to="contractors.contractor",
                    ),
                ),
                migrations.AlterField(
                    model_name="coveragegap",
                    name="role",
                    field=models.ForeignKey(
                        db_index=False,
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="+",
                        to="caretakers.caretakerrole",
                    ),
                ),
            ],
            database_operations=[migrations.RunPython(forward, backward)],
        ),
    ]
