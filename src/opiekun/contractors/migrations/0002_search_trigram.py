"""Substring search on contractors' code and name through trigram indexes (PostgreSQL).

contractor_list searches with ``icontains``, which Django writes as
``UPPER(column::text) LIKE UPPER(%s)``: without an index over that very expression
every search reads every contractor (bench/run.py, docs/performance.md). A GIN
trigram index turns it into an index lookup. The indexes are built CONCURRENTLY
(hence a non-atomic migration), so a large table keeps taking writes meanwhile.
SQLite has no such index and keeps scanning.
"""

from django.db import migrations

TABLE = "contractors_contractor"
INDEXES = {
    "contractor_code_trgm": "code",
    "contractor_name_trgm": "name",
}


def forward(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    for name, column in INDEXES.items():
        schema_editor.execute(
            f"CREATE INDEX CONCURRENTLY IF NOT EXISTS {name} ON {TABLE} "
            f"USING gin (UPPER({column}::text) gin_trgm_ops)"
        )


def backward(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for name in INDEXES:
        schema_editor.execute(f"DROP INDEX CONCURRENTLY IF EXISTS {name}")


class Migration(migrations.Migration):
    atomic = False
    dependencies = [("contractors", "0001_initial")]

    operations = [migrations.RunPython(forward, backward)]
