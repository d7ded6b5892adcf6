"""Autovacuum after a bulk write, not after twenty (PostgreSQL).

The pages read the assignments and the derived coverage tables by index-only scans (an
own-only operator's sets, the counts, the gaps, the acting rows), which skip the table
only on pages that the visibility map marks all-visible. A write clears the bits of
every page it touches, and by default autovacuum sets them again only once a fifth of a
table has changed: at a million contractors, some 550,000 rows of the assignments, about
twenty writes of 10,000 contractors. Meanwhile the pages read the tables too: after one
`caretaker_add` of 10,000 with REPLACE, the own-only search for "kowalski" by name read
13,947 buffers instead of 2,684, fetching 41,921 rows from the tables instead of 62
(docs/performance.md, "Vacuumed after each bulk write, 2026-11-30").

These tables are vacuumed once 100 of their rows have changed, or have been added,
whatever their size. The harm is in the pages a write touches, not in its share of the
table: 500 uncovered periods changed by that write sent the count of "nobody today"
to the table for 26,259 of its 66,666 rows. A vacuum reads only the pages not marked
all-visible, and with dead rows on fewer than 2 % of the pages it leaves the indexes
alone; after that write it took 1.8 s of the server's CPU for the assignments (their
indexes too) and 0.05 s for the uncovered periods, in the background.
"""

from django.db import migrations

TABLES = (
    "caretakers_caretakerassignment",
    "coverage_uncoveredperiod",
    "coverage_coveragegap",
    "coverage_actinggap",
    "coverage_actingperiod",
)
SETTINGS = {
    "autovacuum_vacuum_scale_factor": 0,
    "autovacuum_vacuum_threshold": 100,
    "autovacuum_vacuum_insert_scale_factor": 0,
    "autovacuum_vacuum_insert_threshold": 100,
}


def _set(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    listed = ", ".join(f"{name} = {value}" for name, value in SETTINGS.items())
    for table in TABLES:
        schema_editor.execute(f"ALTER TABLE {table} SET ({listed})")


def _reset(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for table in TABLES:
        schema_editor.execute(f"ALTER TABLE {table} RESET ({', '.join(SETTINGS)})")


class Migration(migrations.Migration):
    dependencies = [
        ("coverage", "0010_uncovered_vacuumed"),
        ("caretakers", "0012_assignment_ends_operator"),
    ]

    operations = [migrations.RunPython(_set, _reset)]
