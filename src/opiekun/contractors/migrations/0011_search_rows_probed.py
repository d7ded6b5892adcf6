"""On PostgreSQL, the table of keys' update and delete triggers find their rows by the
primary key, one probe a contractor written, whatever the planner expects.

A statement's changed rows come to a trigger as a transition table; joined to the table
of keys, the planner hashed every row of keys for a few thousand written (for 20,000
contractors renamed at a million: the whole table read and hashed, 1.65 s of the
trigger's 1.65 s; probed, 0.66 s; docs/performance.md, "What the table of keys costs
the writes, 2026-11-30"). Both functions now run with hash and merge joins off, which
leaves the nested loop over the written rows, each probing the primary key. A statement
that rewrites every contractor pays a probe each instead of one hash (seconds at a
million, as before). SQLite has no table of keys.
"""

from django.db import migrations

FUNCTIONS = ("contractor_search_rows_changed()", "contractor_search_rows_gone()")
PROBED = [f"ALTER FUNCTION {f} SET enable_hashjoin = off" for f in FUNCTIONS] + [
    f"ALTER FUNCTION {f} SET enable_mergejoin = off" for f in FUNCTIONS
]
AS_PLANNED = [f"ALTER FUNCTION {f} RESET ALL" for f in FUNCTIONS]


def forward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for statement in PROBED:
            schema_editor.execute(statement)


def backward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for statement in AS_PLANNED:
            schema_editor.execute(statement)


class Migration(migrations.Migration):
    dependencies = [("contractors", "0010_search_rows_scattered")]

    operations = [migrations.RunPython(forward, backward)]
