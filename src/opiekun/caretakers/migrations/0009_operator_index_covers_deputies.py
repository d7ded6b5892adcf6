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

from opiekun.caretakers.migrations._indexes import covering_index


class Migration(migrations.Migration):

    dependencies = [
        ('caretakers', '0008_fewer_indexes'),
    ]

    operations = [
        covering_index(
            index="assignment_operator_period",
            table="caretakers_caretakerassignment",
            key="(operator_id, date_from, date_to, contractor_id)",
            include="type, role_id, branch_id",
        ),
    ]
