"""Accent-free search and Polish sorting of contractors, on both engines.

Adds the keys of contractors/keys.py (`search_key` of code and name, `name_key`,
`city_key`), fills them for the contractors already there, and indexes the sort keys
with the code (the list's sortings by name and city, ties by code); the index on the
name alone, which only the sorting used, goes. The search key's trigram index is made
by 0004. `fill_keys` also serves loaders that insert with SQL (bench/run.py).
"""

from django.db import migrations, models

import opiekun.contractors.models
from opiekun.contractors.keys import polish_sort_key, search_text

BATCH = 2000


def fill_keys(contractor, connection, *, only_empty=False):
    """Compute every contractor's keys in batches, in one UPDATE per batch."""
    table = contractor._meta.db_table
    rows = contractor.objects.order_by("pk")
    if only_empty:
        rows = rows.filter(search_key="")
    last = 0
    with connection.cursor() as cursor:
        while True:
            batch = list(rows.filter(pk__gt=last).values_list("pk", "code", "name", "city")[:BATCH])
            if not batch:
                return
            last = batch[-1][0]
            values, params = [], []
            for pk, code, name, city in batch:
                values.append("(%s, %s, %s, %s)")
                params += [pk, f"{search_text(code)}\n{search_text(name)}", polish_sort_key(name), polish_sort_key(city)]
            cursor.execute(
                f"WITH k(id, s, n, c) AS (VALUES {', '.join(values)}) "
                f"UPDATE {table} SET search_key = k.s, name_key = k.n, city_key = k.c "
                f"FROM k WHERE {table}.id = k.id",
                params,
            )


def forward(apps, schema_editor):
    fill_keys(apps.get_model("contractors", "Contractor"), schema_editor.connection)


class Migration(migrations.Migration):
    dependencies = [
        ("contractors", "0003_list_ordering_indexes"),
    ]

    operations = [
        migrations.AddField(
            model_name="contractor",
            name="search_key",
            field=opiekun.contractors.models.SearchKeyField(db_default="", sources=("code", "name")),
        ),
        migrations.AddField(
            model_name="contractor",
            name="name_key",
            field=opiekun.contractors.models.SortKeyField(db_default="", max_length=255, sources=("name",)),
        ),
        migrations.AddField(
            model_name="contractor",
            name="city_key",
            field=opiekun.contractors.models.SortKeyField(db_default="", max_length=255, sources=("city",)),
        ),
        migrations.RunPython(forward, migrations.RunPython.noop),
        migrations.RemoveIndex(model_name="contractor", name="contractor_name_code"),
        migrations.RemoveIndex(model_name="contractor", name="contractor_city_code"),
        migrations.AddIndex(
            model_name="contractor",
            index=models.Index(fields=["name_key", "code"], name="contractor_name_key_code"),
        ),
        migrations.AddIndex(
            model_name="contractor",
            index=models.Index(fields=["city_key", "code"], name="contractor_city_key_code"),
        ),
    ]
