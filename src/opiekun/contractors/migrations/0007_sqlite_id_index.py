"""On SQLite, an index of the contractors' ids alone (``contractor_ids``).

A bulk write checks that every contractor of its selection exists
(`caretakers.services.inputs.report_unchangeable`: 10,000 ids for a Dodaj opiekuna of
10,000). SQLite keeps the rows in the leaves of the id's own b-tree, so that check read
a page of rows for nearly every contractor asked (about 7,400 of the table's 15,000
pages for 10,000 contractors spread over 200,000), and those pages pushed the write's
other pages out of the connection's cache. The index holds the ids alone (575 pages at
200,000), so the same check reads it instead, as a covering index, and the planner
takes it by itself (docs/performance.md, "SQLite KEEP, third round").

PostgreSQL needs none: its primary key is already an index apart from the rows. Outside
the model's state (a model index would make one on PostgreSQL too), as the search key's
trigram index is; a rebuild of the table on SQLite would drop it, and
`tests/contractors/test_indexes.py` would tell.
"""

from django.db import migrations

NAME = "contractor_ids"


def forward(apps, schema_editor):
    if schema_editor.connection.vendor == "sqlite":
        schema_editor.execute(f"CREATE INDEX IF NOT EXISTS {NAME} ON contractors_contractor (id)")


def backward(apps, schema_editor):
    if schema_editor.connection.vendor == "sqlite":
        schema_editor.execute(f"DROP INDEX IF EXISTS {NAME}")


class Migration(migrations.Migration):
    dependencies = [("contractors", "0006_fewer_write_indexes")]

    operations = [migrations.RunPython(forward, backward, elidable=False)]
