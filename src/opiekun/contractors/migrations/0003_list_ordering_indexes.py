"""One index per ordering of the contractor list, each ending in the code that breaks
ties: (name, code) replaces (name); (nip, code) and (city, code) are new. The list's
pages are then read off an index in every ordering, forwards or backwards, instead of
sorting every visible contractor (contractors/selectors.py ORDERINGS,
docs/performance.md). The plain ``nip`` index stays: on PostgreSQL its
``varchar_pattern_ops`` twin serves the NIP prefix search.

On PostgreSQL the indexes are built CONCURRENTLY (hence a non-atomic migration), as in
0002, so a large table keeps taking writes meanwhile.
"""

from django.db import migrations, models

OLD = models.Index(fields=["name"], name="contractors_name_8ba3c5_idx")
NEW = [
    models.Index(fields=["name", "code"], name="contractor_name_code"),
    models.Index(fields=["nip", "code"], name="contractor_nip_code"),
    models.Index(fields=["city", "code"], name="contractor_city_code"),
]


def _create(schema_editor, model, index):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(index.create_sql(model, schema_editor, concurrently=True))
    else:
        schema_editor.add_index(model, index)


def _drop(schema_editor, model, index):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(index.remove_sql(model, schema_editor, concurrently=True))
    else:
        schema_editor.remove_index(model, index)


def forward(apps, schema_editor):
    model = apps.get_model("contractors", "Contractor")
    for index in NEW:
        _create(schema_editor, model, index)
    _drop(schema_editor, model, OLD)


def backward(apps, schema_editor):
    model = apps.get_model("contractors", "Contractor")
    _create(schema_editor, model, OLD)
    for index in NEW:
        _drop(schema_editor, model, index)


class Migration(migrations.Migration):
    atomic = False
    dependencies = [("contractors", "0002_search_trigram")]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[migrations.RunPython(forward, backward)],
            state_operations=[
                migrations.RemoveIndex(model_name="contractor", name=OLD.name),
                *[migrations.AddIndex(model_name="contractor", index=index) for index in NEW],
            ],
        )
    ]
