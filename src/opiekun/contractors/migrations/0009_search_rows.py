"""On PostgreSQL, a narrow table of every contractor's code and keys
(``contractors_searchrow``), laid out in name order and kept by triggers: a search
sorted by name reads its matches there.

Sorted by name, the matches of a search had to be read from the contractors table to
learn their name keys: for a surname that 50,000 of a million contractors carry, 33,513
pages of wide rows, spread through the table (136 ms of a 195 ms query). Here the rows
are four columns wide and were written in name order, so the matches of one name lie
together: 822 pages, 28 ms (docs/performance.md, "A search sorted by name, from a table
of keys"). Rows added later go to the end; the table stays exact, only less tightly
packed for them.

Statement triggers on the contractors table insert, update, delete and truncate its
rows in the same transaction, whichever writer it is (the services, the import's COPY,
the admin, SQL by hand). They are made before the table is filled, and their lock
holds writes to the contractors until the migration ends (about 20 s at a million on
the benchmark machine), so that no contractor written meanwhile is missed. SQLite has
no trigram index to serve a search and needs none of this: the model is unmanaged and
no table is made there.
"""

from django.db import migrations, models

TABLE = "contractors_searchrow"
SOURCE = "contractors_contractor"

FILL = f"INSERT INTO {TABLE} SELECT id, search_key, name_key, code FROM {SOURCE} ORDER BY name_key, code"
# Migration 0010 writes the rows again in another layout (contractors/search_rows.py).
INDEX = f"CREATE INDEX contractor_searchrow_trgm ON {TABLE} USING gin (search_key gin_trgm_ops)"

FORWARD = [
    f"""CREATE TABLE {TABLE} (
        id bigint NOT NULL,
        search_key text NOT NULL,
        name_key varchar(255) NOT NULL,
        code varchar(40) NOT NULL)""",
    f"""CREATE FUNCTION contractor_search_rows_added() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            INSERT INTO {TABLE} (id, search_key, name_key, code)
                SELECT id, search_key, name_key, code FROM search_rows_added;
            RETURN NULL;
        END $$""",
    f"""CREATE FUNCTION contractor_search_rows_changed() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            UPDATE {TABLE} s
                SET search_key = n.search_key, name_key = n.name_key, code = n.code
                FROM search_rows_changed n
                WHERE s.id = n.id
                  AND (s.search_key, s.name_key, s.code) IS DISTINCT FROM (n.search_key, n.name_key, n.code);
            RETURN NULL;
        END $$""",
    f"""CREATE FUNCTION contractor_search_rows_gone() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            DELETE FROM {TABLE} s USING search_rows_gone o WHERE s.id = o.id;
            RETURN NULL;
        END $$""",
    f"""CREATE FUNCTION contractor_search_rows_truncated() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            TRUNCATE {TABLE};
            RETURN NULL;
        END $$""",
    f"""CREATE TRIGGER contractor_search_rows_added AFTER INSERT ON {SOURCE}
        REFERENCING NEW TABLE AS search_rows_added
        FOR EACH STATEMENT EXECUTE FUNCTION contractor_search_rows_added()""",
    f"""CREATE TRIGGER contractor_search_rows_changed AFTER UPDATE ON {SOURCE}
        REFERENCING NEW TABLE AS search_rows_changed
        FOR EACH STATEMENT EXECUTE FUNCTION contractor_search_rows_changed()""",
    f"""CREATE TRIGGER contractor_search_rows_gone AFTER DELETE ON {SOURCE}
        REFERENCING OLD TABLE AS search_rows_gone
        FOR EACH STATEMENT EXECUTE FUNCTION contractor_search_rows_gone()""",
    f"""CREATE TRIGGER contractor_search_rows_truncated AFTER TRUNCATE ON {SOURCE}
        FOR EACH STATEMENT EXECUTE FUNCTION contractor_search_rows_truncated()""",
    # Filled once the triggers hold their lock: no contractor written meanwhile is missed.
    FILL,
    f"ALTER TABLE {TABLE} ADD PRIMARY KEY (id)",
    INDEX,
    f"ANALYZE {TABLE}",
]

EVENTS = ("added", "changed", "gone", "truncated")
KEPT_BY = tuple(f"contractor_search_rows_{event}" for event in EVENTS)  # the triggers
BACKWARD = [
    *(f"DROP TRIGGER IF EXISTS contractor_search_rows_{event} ON {SOURCE}" for event in EVENTS),
    *(f"DROP FUNCTION IF EXISTS contractor_search_rows_{event}()" for event in EVENTS),
    f"DROP TABLE IF EXISTS {TABLE}",
]


def forward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for statement in FORWARD:
            schema_editor.execute(statement)


def backward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for statement in BACKWARD:
            schema_editor.execute(statement)


class Migration(migrations.Migration):
    dependencies = [("contractors", "0008_ordering_indexes_cover_id")]

    operations = [
        migrations.CreateModel(
            name="SearchRow",
            fields=[
                ("id", models.BigIntegerField(primary_key=True, serialize=False)),
                ("search_key", models.TextField()),
                ("name_key", models.CharField(max_length=255)),
                ("code", models.CharField(max_length=40)),
            ],
            options={"db_table": "contractors_searchrow", "managed": False},
        ),
        migrations.RunPython(forward, backward, elidable=False),
    ]
