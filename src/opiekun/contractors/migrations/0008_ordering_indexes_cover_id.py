"""On PostgreSQL, the contractors list's ordering indexes carry the id
(``INCLUDE (id)``): a far page reads the ids of the rows it skips from the index alone.

An OFFSET makes PostgreSQL visit the row of every entry it skips, to check that the row
is visible: page 2,000 by code visited 100,000 rows (4,455 pages, 65–95 ms on the 2-core
bench machine). With the id in the index, `paging.page_rows` reads the skipped ids by an
index-only scan (496 pages, 23 ms) and the page's 50 rows by id (docs/performance.md,
"Page furniture and far pages, 2026-11-30").

The unique index of the code stays as it is (a covering unique constraint is not made
at all on SQLite); ``contractor_code_id`` beside it is the code's ordering index. The
other three are remade with the id. SQLite needs none of this: every SQLite index holds
the rowid, which is the id. Outside the model's state, as `0007`;
`tests/contractors/test_indexes.py` tells if one goes missing.
"""

from django.db import migrations

COVERING = {
    "contractor_code_id": "code",
    "contractor_name_key_code": "name_key, code",
    "contractor_nip_code": "nip, code",
    "contractor_city_key_code": "city_key, code",
}


def forward(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for name, columns in COVERING.items():
        schema_editor.execute(f"DROP INDEX IF EXISTS {name}")
        schema_editor.execute(f"CREATE INDEX {name} ON contractors_contractor ({columns}) INCLUDE (id)")


def backward(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for name, columns in COVERING.items():
        schema_editor.execute(f"DROP INDEX IF EXISTS {name}")
        if name != "contractor_code_id":
            schema_editor.execute(f"CREATE INDEX {name} ON contractors_contractor ({columns})")


class Migration(migrations.Migration):
    dependencies = [("contractors", "0007_sqlite_id_index")]

    operations = [migrations.RunPython(forward, backward, elidable=False)]
