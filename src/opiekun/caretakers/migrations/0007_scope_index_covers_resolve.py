"""The scope index (contractor, role, branch, date_from) also holds the columns that
`caretakers.resolving.resolve_scopes` reads (PostgreSQL only), so `POST
/caretakers/resolve` reads its 10,000 contractors' assignments from the index alone.

At a million contractors the query visited one table page per row (some 35,000 pages,
with the table far larger than the server's cache): 500-750 ms; from the covering
index, 150-180 ms (docs/performance.md, "Resolving caretakers in bulk"). The index
keeps its name and key, so the migration state is unchanged; PostgreSQL's `INCLUDE`
has no SQLite counterpart (Django would warn, models.W040, if it were declared on the
model), so SQLite keeps the plain index.
"""

from django.db import migrations

INDEX = "caretakers__contrac_9423f9_idx"
TABLE = "caretakers_caretakerassignment"
KEY = "(contractor_id, role_id, branch_id, date_from)"
COVERING = f"CREATE INDEX {INDEX} ON {TABLE} {KEY} INCLUDE (date_to, operator_id, type, priority, id)"
PLAIN = f"CREATE INDEX {INDEX} ON {TABLE} {KEY}"


def _replace(create: str):
    def run(apps, schema_editor):
        if schema_editor.connection.vendor != "postgresql":
            return
        schema_editor.execute(f"DROP INDEX IF EXISTS {INDEX}")
        schema_editor.execute(create)

    return run


class Migration(migrations.Migration):

    dependencies = [
        ('caretakers', '0006_handover'),
    ]

    operations = [
        migrations.RunPython(_replace(COVERING), _replace(PLAIN), elidable=False),
    ]
