"""The operator's period index (operator, date_from, date_to, contractor) also holds the
type, role and branch of each row (PostgreSQL only), so "the operator's deputy rows in a
window" — the top bar's upcoming changes and Kontrahenci wg opiekuna's "acted for"
(`caretakers.acted_for`) — is read from the index alone.

At a million contractors that query read every one of a caretaker's 53,332 rows from
the table to keep the 6,666 deputies among them: about 350 ms of each page an own-only
operator opened (docs/performance.md, "The own-only list (unassigned visible)"). The
index keeps its name and key, so the migration state is unchanged; PostgreSQL's
`INCLUDE` has no SQLite counterpart, so SQLite keeps the plain index (as
0007_scope_index_covers_resolve does for the scope index).
"""

from django.db import migrations

INDEX = "assignment_operator_period"
TABLE = "caretakers_caretakerassignment"
KEY = "(operator_id, date_from, date_to, contractor_id)"
COVERING = f"CREATE INDEX {INDEX} ON {TABLE} {KEY} INCLUDE (type, role_id, branch_id)"
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
        ('caretakers', '0008_fewer_indexes'),
    ]

    operations = [
        migrations.RunPython(_replace(COVERING), _replace(PLAIN), elidable=False),
    ]
