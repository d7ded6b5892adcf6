"""Fewer indexes on the contractor table and its audit trail: every imported or created
contractor pays for each one (docs/performance.md, "Imports").

Dropped on the contractors:

- the NIP's single-column index: ``contractor_nip_code`` (0003) leads with the NIP and
  serves every equality lookup (the assignments' import by NIP, the reports' exact NIP)
  and the list's ordering by NIP. On PostgreSQL the NIP's ``varchar_pattern_ops`` index
  (``…_nip_…_like``, made with the former one) stays, outside the model's state as the
  search key's trigram index is: it alone serves the list's NIP prefix search
  (``nip LIKE '526%'``) under a database collation other than C;
- on PostgreSQL, the code's ``varchar_pattern_ops`` index (``…_code_…_like``): no query
  matches the code with LIKE (the search reads the search key); the unique index
  serves every lookup and ordering by code.

Dropped on the audit trail (`contractors_historicalcontractor`): the code's, the NIP's
(and their ``_like`` twins) and the creator's; nothing reads the trail by them (it is
read by contractor, ``id``, and by date).

Only indexes change, so they are dropped by name, the same on both engines, instead of
altering the fields: on SQLite an AlterField would copy the whole table, and a copy of
``contractors_contractor`` would lose its coverage triggers (docs/semantics.md,
"Migrations").
"""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

# (table, column, index name, the name of its PostgreSQL varchar_pattern_ops twin or None)
INDEXES = [
    ("contractors_contractor", "nip", "contractors_contractor_nip_bf1119f5", None),
    ("contractors_historicalcontractor", "code", "contractors_historicalcontractor_code_ec108b1b", "_like"),
    ("contractors_historicalcontractor", "nip", "contractors_historicalcontractor_nip_9c9c8b81", "_like"),
    (
        "contractors_historicalcontractor",
        "created_by_id",
        "contractors_historicalcontractor_created_by_id_70ca85a5",
        None,
    ),
]
CODE_LIKE = "contractors_contractor_code_080e1741_like"


def forward(apps, schema_editor):
    postgres = schema_editor.connection.vendor == "postgresql"
    for _table, _column, name, like in INDEXES:
        schema_editor.execute(f"DROP INDEX IF EXISTS {name}")
        if like and postgres:
            schema_editor.execute(f"DROP INDEX IF EXISTS {name}{like}")
    if postgres:
        schema_editor.execute(f"DROP INDEX IF EXISTS {CODE_LIKE}")


def backward(apps, schema_editor):
    postgres = schema_editor.connection.vendor == "postgresql"
    for table, column, name, like in INDEXES:
        schema_editor.execute(f"CREATE INDEX IF NOT EXISTS {name} ON {table} ({column})")
        if like and postgres:
            schema_editor.execute(
                f"CREATE INDEX IF NOT EXISTS {name}{like} ON {table} ({column} varchar_pattern_ops)"
            )
    if postgres:
        schema_editor.execute(
            f"CREATE INDEX IF NOT EXISTS {CODE_LIKE} ON contractors_contractor (code varchar_pattern_ops)"
        )


class Migration(migrations.Migration):
    dependencies = [
        ("contractors", "0005_search_key_trigram"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[migrations.RunPython(forward, backward)],
            state_operations=[
                migrations.AlterField(
                    model_name="contractor",
                    name="nip",
                    field=models.CharField(blank=True, max_length=10, verbose_name="NIP"),
                ),
                migrations.AlterField(
                    model_name="historicalcontractor",
                    name="code",
                    field=models.CharField(max_length=40, verbose_name="code"),
                ),
                migrations.AlterField(
                    model_name="historicalcontractor",
                    name="nip",
                    field=models.CharField(blank=True, max_length=10, verbose_name="NIP"),
                ),
                migrations.AlterField(
                    model_name="historicalcontractor",
                    name="created_by",
                    field=models.ForeignKey(
                        blank=True,
                        db_constraint=False,
                        db_index=False,
                        null=True,
                        on_delete=django.db.models.deletion.DO_NOTHING,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
            ],
        )
    ]
