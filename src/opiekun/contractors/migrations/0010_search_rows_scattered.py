"""On PostgreSQL, the table of keys written again, in name order by runs of rows placed
in a scattered order (`contractors/search_rows.py`, `fill`): sorted backwards by name,
a search's page then costs what it costs forwards.

Written in plain name order (migration 0009), a search read its matches in name order,
and the sort that keeps a page's best rows replaced its worst row for every match when
sorted backwards (about 57 ms more for 50,000 matches). Nothing else changes: the same
rows, the same triggers. The contractors' writes wait until the migration ends (about
20 s at a million on the benchmark machine); SQLite has no table of keys.
"""

from django.db import migrations

from opiekun.contractors.search_rows import pack


def forward(apps, schema_editor):
    # The four columns the table had then (migration 0012 adds ``active``).
    pack(schema_editor.connection.alias, columns=("id", "search_key", "name_key", "code"))


class Migration(migrations.Migration):
    dependencies = [("contractors", "0009_search_rows")]

    operations = [migrations.RunPython(forward, migrations.RunPython.noop)]
