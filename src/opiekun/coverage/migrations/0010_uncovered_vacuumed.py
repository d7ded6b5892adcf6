"""`VACUUM (ANALYZE)` of the uncovered periods after 0009 (PostgreSQL).

0009's `UPDATE` of the periods of inactive contractors touches pages all over the
table and clears their bits in its visibility map: until a vacuum, the index-only
ranges that read it ("no caretaker today" in visibility, the list's count, "Bez
opiekuna: N") read the heap instead — at a million contractors 91–99 ms instead of
7–19 (docs/performance.md, "The own-only list's count of contractors without a
caretaker, 2026-11-29 (gap5)"). VACUUM cannot run inside a transaction, so this
migration is not atomic; inside one (a caller's own transaction), it leaves the table
to autovacuum.
"""

from django.db import migrations


def _vacuum(apps, schema_editor):
    connection = schema_editor.connection
    if connection.vendor != "postgresql" or connection.in_atomic_block:
        return
    with connection.cursor() as cursor:
        cursor.execute("VACUUM (ANALYZE) coverage_uncoveredperiod")


class Migration(migrations.Migration):
    atomic = False

    dependencies = [("coverage", "0009_uncovered_active")]

    operations = [migrations.RunPython(_vacuum, migrations.RunPython.noop)]
