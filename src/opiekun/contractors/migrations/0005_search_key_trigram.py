"""The search key's trigram index (PostgreSQL), in place of the code's and the name's.

contractor_list searches ``search_key LIKE '%text%'`` (contractors/keys.py): one GIN
trigram index on the key serves it, accents and case already folded, so the two
indexes over ``UPPER(code)`` and ``UPPER(name)`` that served the former ``icontains``
are no longer used and go (each costs every write). Built CONCURRENTLY, hence a
non-atomic migration: a large table keeps taking writes meanwhile. SQLite has no such
index; its search reads the one narrow key column.
"""

from django.db import migrations

TABLE = "contractors_contractor"
OLD = {"contractor_code_trgm": "UPPER(code::text)", "contractor_name_trgm": "UPPER(name::text)"}
NEW = "contractor_search_key_trgm"


def forward(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    schema_editor.execute(
        f"CREATE INDEX CONCURRENTLY IF NOT EXISTS {NEW} ON {TABLE} USING gin (search_key gin_trgm_ops)"
    )
    for name in OLD:
        schema_editor.execute(f"DROP INDEX CONCURRENTLY IF EXISTS {name}")


def backward(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for name, expression in OLD.items():
        schema_editor.execute(
            f"CREATE INDEX CONCURRENTLY IF NOT EXISTS {name} ON {TABLE} USING gin ({expression} gin_trgm_ops)"
        )
    schema_editor.execute(f"DROP INDEX CONCURRENTLY IF EXISTS {NEW}")


class Migration(migrations.Migration):
    atomic = False
    dependencies = [("contractors", "0004_search_and_sort_keys")]

    operations = [migrations.RunPython(forward, backward)]
