"""On PostgreSQL, the table of keys' update and delete triggers find their rows by the
primary key, one probe a contractor written, whatever the planner expects.

A statement's changed rows come to a trigger as a transition table; joined to the table
of keys, the planner may hash every row of keys for a few thousand written. Deleting
20,000 contractors at a million spent 0.59-0.72 s in the delete trigger, 0.07-0.09 s
probed (`bench/search_keys.py --writes`, alternated); an UPDATE of 20,000 names in psql
spent 1.49 s in the update trigger hashing the table, 0.78 s probed (the benchmark's
renames took 0.78-0.87 s either way). Both functions now run with hash and merge joins
off, which leaves the nested loop over the written rows, each probing the primary key
(docs/performance.md, "A search sorted backwards by name, and what the table of keys
costs the writes, 2026-11-30"). A statement that rewrites every contractor pays a probe
each instead of one hash. SQLite has no table of keys.
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
