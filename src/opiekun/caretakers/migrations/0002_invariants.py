"""Invariants 2 and 3 (docs/semantics.md, "Invariants"), enforced by the database itself.

In one scope (contractor, role, branch — a null branch being a scope of its own):
main assignments never overlap, and one operator's assignments never overlap.
PostgreSQL checks them with exclusion constraints over inclusive date ranges;
SQLite with triggers that refuse the offending insert or update.
"""

from django.db import migrations

TABLE = "caretakers_caretakerassignment"

POSTGRES_FORWARD = [
    "CREATE EXTENSION IF NOT EXISTS btree_gist",
    f"""ALTER TABLE {TABLE} ADD CONSTRAINT caretaker_main_no_overlap EXCLUDE USING gist (
        contractor_id WITH =, role_id WITH =, (COALESCE(branch_id, 0)) WITH =,
        daterange(date_from, date_to, '[]') WITH &&
    ) WHERE (type = 'main')""",
    f"""ALTER TABLE {TABLE} ADD CONSTRAINT caretaker_operator_no_overlap EXCLUDE USING gist (
        contractor_id WITH =, role_id WITH =, (COALESCE(branch_id, 0)) WITH =,
        operator_id WITH =, daterange(date_from, date_to, '[]') WITH &&
    )""",
]
POSTGRES_BACKWARD = [
    f"ALTER TABLE {TABLE} DROP CONSTRAINT caretaker_operator_no_overlap",
    f"ALTER TABLE {TABLE} DROP CONSTRAINT caretaker_main_no_overlap",
]


def _sqlite_trigger(event: str) -> str:
    not_self = "AND a.id <> NEW.id" if event == "UPDATE" else ""
    same_scope_overlapping = f"""
        FROM {TABLE} a
        WHERE a.contractor_id = NEW.contractor_id AND a.role_id = NEW.role_id
          AND a.branch_id IS NEW.branch_id {not_self}
          AND a.date_from <= COALESCE(NEW.date_to, '9999-12-31')
          AND COALESCE(a.date_to, '9999-12-31') >= NEW.date_from"""
    return f"""
    CREATE TRIGGER caretaker_invariants_{event.lower()} BEFORE {event} ON {TABLE}
    BEGIN
        SELECT RAISE(ABORT, 'caretaker_main_no_overlap: two main caretakers in one scope')
        WHERE NEW.type = 'main' AND EXISTS (SELECT 1 {same_scope_overlapping} AND a.type = 'main');
        SELECT RAISE(ABORT, 'caretaker_operator_no_overlap: one operator twice in one scope')
        WHERE EXISTS (SELECT 1 {same_scope_overlapping} AND a.operator_id = NEW.operator_id);
    END"""


SQLITE_FORWARD = [_sqlite_trigger("INSERT"), _sqlite_trigger("UPDATE")]
SQLITE_BACKWARD = [
    "DROP TRIGGER caretaker_invariants_insert",
    "DROP TRIGGER caretaker_invariants_update",
]


def _run(statements_by_vendor):
    def run(apps, schema_editor):
        for statement in statements_by_vendor.get(schema_editor.connection.vendor, []):
            schema_editor.execute(statement)

    return run


class Migration(migrations.Migration):
    dependencies = [("caretakers", "0001_initial")]

    operations = [
        migrations.RunPython(
            _run({"postgresql": POSTGRES_FORWARD, "sqlite": SQLITE_FORWARD}),
            _run({"postgresql": POSTGRES_BACKWARD, "sqlite": SQLITE_BACKWARD}),
        )
    ]
