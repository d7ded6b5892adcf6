"""On PostgreSQL, the contractors' search key keeps a sample ten times the default
(1,000 values of its histogram, not 100): the estimate a long search's list shows
("1–50 of about N") comes nearer the truth.

The planner reckons the share of contractors whose search key contains a word as the
share of its histogram's values that contain it. Ordered by the key (each key starts
with the contractor's code), those values are a sample of 101 contractors: a word on
5 % of the contractors is found on some 2 to 11 of them, one ANALYZE to the next. At a
million, five words estimated after each of five ANALYZEs (`bench/estimates.py`, two
runs) missed their counts by 19-21 % at the median and by up to 68-102 % ("kowalski",
50,000 contractors: 30,000 to 101,000, and 20,214 and 111,176 after two earlier
ones); with 1,001 values, by 7-10 % and up to 30-32 %. Planning a statement with such a
search takes about 0.2 ms longer, and analysing the column 0.8 s against 0.25 s at a
million (docs/performance.md, "The estimate of a search, 2026-11-30"). SQLite keeps no
such statistics: it counts.
"""

from django.db import migrations

TABLE = "contractors_contractor"
TARGET = 1000


def forward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f"ALTER TABLE {TABLE} ALTER COLUMN search_key SET STATISTICS {TARGET}")
        schema_editor.execute(f"ANALYZE {TABLE} (search_key)")


def backward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f"ALTER TABLE {TABLE} ALTER COLUMN search_key SET STATISTICS -1")
        schema_editor.execute(f"ANALYZE {TABLE} (search_key)")


class Migration(migrations.Migration):
    dependencies = [("contractors", "0012_search_rows_active")]

    operations = [migrations.RunPython(forward, backward, elidable=False)]
