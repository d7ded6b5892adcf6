"""On PostgreSQL, the table of keys holds whether each contractor is active: a search
of the active (or inactive) contractors is counted, and sorted by name paged, there too.

Without it, such a search read its matches in the contractors table: "transport", the
active ones sorted by name, 184 ms at p95 through the server at a million, against
within 150 ms for the same search unfiltered (docs/performance.md, "Searches of active
contractors and own-only searches, 2026-11-30"). The column is one byte of a narrow row.

The insert and update triggers copy the column too (the update trigger keeps probing the
primary key, as migration 0011 set: a replaced function loses its settings unless they
are given again). The rows are then written again in their layout (`pack`): the
contractors' writes and searches wait until the migration ends (19 s at a million on the
benchmark machine of docs/performance.md's section; migration 0010's pack took 38 s on a
slower one). SQLite has no table of keys; the model's field is state only there.
"""

from django.db import migrations, models

from opiekun.contractors.search_rows import pack

TABLE = "contractors_searchrow"
PROBED = "SET enable_hashjoin = off SET enable_mergejoin = off"  # as migration 0011 set


def _functions(columns: tuple[str, ...]) -> list[str]:
    """The insert and update triggers' functions, copying ``columns`` (the id first)."""
    listed = ", ".join(columns)
    kept = columns[1:]
    assigned = ", ".join(f"{c} = n.{c}" for c in kept)
    old = ", ".join(f"s.{c}" for c in kept)
    new = ", ".join(f"n.{c}" for c in kept)
    return [
        f"""CREATE OR REPLACE FUNCTION contractor_search_rows_added() RETURNS trigger
            LANGUAGE plpgsql AS $$
            BEGIN
                INSERT INTO {TABLE} ({listed}) SELECT {listed} FROM search_rows_added;
                RETURN NULL;
            END $$""",
        f"""CREATE OR REPLACE FUNCTION contractor_search_rows_changed() RETURNS trigger
            LANGUAGE plpgsql {PROBED} AS $$
            BEGIN
                UPDATE {TABLE} s SET {assigned}
                    FROM search_rows_changed n
                    WHERE s.id = n.id AND ({old}) IS DISTINCT FROM ({new});
                RETURN NULL;
            END $$""",
    ]


BEFORE = ("id", "search_key", "name_key", "code")
AFTER = (*BEFORE, "active")


def forward(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(f"ALTER TABLE {TABLE} ADD COLUMN active boolean NOT NULL DEFAULT true")
    for statement in _functions(AFTER):
        schema_editor.execute(statement)
    schema_editor.execute(f"ALTER TABLE {TABLE} ALTER COLUMN active DROP DEFAULT")
    pack(schema_editor.connection.alias, columns=AFTER)


def backward(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for statement in _functions(BEFORE):
        schema_editor.execute(statement)
    schema_editor.execute(f"ALTER TABLE {TABLE} DROP COLUMN active")


class Migration(migrations.Migration):
    dependencies = [("contractors", "0011_search_rows_probed")]

    operations = [
        migrations.AddField(
            model_name="searchrow",
            name="active",
            field=models.BooleanField(default=True),
            preserve_default=False,
        ),
        migrations.RunPython(forward, backward, elidable=False),
    ]
