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

from opiekun.caretakers.migrations._indexes import covering_index


class Migration(migrations.Migration):

    dependencies = [
        ('caretakers', '0006_handover'),
    ]

    operations = [
        covering_index(
            index="caretakers__contrac_9423f9_idx",
            table="caretakers_caretakerassignment",
            key="(contractor_id, role_id, branch_id, date_from)",
            include="date_to, operator_id, type, priority, id",
        ),
    ]
