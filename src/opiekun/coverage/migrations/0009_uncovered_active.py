"""The contractor's `active` flag in its uncovered periods (`coverage_uncoveredperiod`),
as the gap tables have it since 0001: "Bez opiekuna: N" of an own-only viewer who may
see the contractors with nobody counts those of today that are active as one index
range (``uncovered_active_day``) instead of hashing today's gaps against the periods of
today (docs/performance.md, "The own-only list's count of contractors without a
caretaker, 2026-11-29 (gap5)").

Kept like the gaps' flag: the contractors' triggers give a new contractor's period its
flag and copy a change of the flag into its periods, whoever writes it (the services,
the import, the admin, raw SQL); the coverage writers compute it with the rest of the
row (`coverage.compute`).

The foreign key's own index on the contractor goes (``uncovered_contractor`` leads
with the contractor), so that a write pays for no more indexes than before.

On SQLite, adding a column with a default copies the table: the contractors' triggers,
which name it, are dropped first and created again after (their bodies as 0003 left
them, with the flag).
"""

import django.db.models.deletion
from django.db import migrations, models

UNCOVERED = "coverage_uncoveredperiod"
GAP = "coverage_coveragegap"
ACTING = "coverage_actinggap"
CONTRACTOR = "contractors_contractor"
ROLE = "caretakers_caretakerrole"
SETTING = "opiekun.new_contractors_covered"  # coverage.new_contractors (0005)
FK_INDEX = "coverage_uncoveredperiod_contractor_id_f3c9c571"


def _postgres(with_flag):
    flag_column = ", active" if with_flag else ""
    flag_value = ", c.active" if with_flag else ""
    flag_copy = f"UPDATE {UNCOVERED} SET active = NEW.active WHERE contractor_id = NEW.id;" if with_flag else ""
    return [
        f"""CREATE OR REPLACE FUNCTION coverage_new_contractors() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            IF current_setting('{SETTING}', true) = 'on' THEN
                RETURN NULL;  -- the inserting transaction refreshes their coverage itself
            END IF;
            INSERT INTO {UNCOVERED} (contractor_id, date_from, date_to{flag_column})
                SELECT c.id, DATE '0001-01-01', DATE '9999-12-31'{flag_value} FROM new_contractors c;
            INSERT INTO {GAP} (contractor_id, role_id, branch_id, date_from, date_to, last_operator_id, active)
                SELECT c.id, r.id, NULL, DATE '0001-01-01', DATE '9999-12-31', NULL, c.active
                FROM new_contractors c CROSS JOIN {ROLE} r WHERE r.is_default;
            INSERT INTO {ACTING} (contractor_id, role_id, branch_id, date_from, date_to, last_operator_id, active)
                SELECT c.id, r.id, NULL, DATE '0001-01-01', DATE '9999-12-31', NULL, c.active
                FROM new_contractors c CROSS JOIN {ROLE} r WHERE r.is_default;
            RETURN NULL;
        END $$""",
        f"""CREATE OR REPLACE FUNCTION coverage_contractor_active() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            UPDATE {GAP} SET active = NEW.active WHERE contractor_id = NEW.id;
            UPDATE {ACTING} SET active = NEW.active WHERE contractor_id = NEW.id;
            {flag_copy}
            RETURN NULL;
        END $$""",
    ]


SQLITE_DROP = [
    "DROP TRIGGER IF EXISTS coverage_contractor_active",
    "DROP TRIGGER IF EXISTS coverage_gone_contractor",
    "DROP TRIGGER IF EXISTS coverage_new_contractor",
]


def _sqlite(with_flag):
    flag_column = ", active" if with_flag else ""
    flag_value = ", NEW.active" if with_flag else ""
    flag_copy = f"UPDATE {UNCOVERED} SET active = NEW.active WHERE contractor_id = NEW.id;" if with_flag else ""
    return [
        *SQLITE_DROP,
        f"""CREATE TRIGGER coverage_new_contractor AFTER INSERT ON {CONTRACTOR}
        BEGIN
            INSERT INTO {UNCOVERED} (contractor_id, date_from, date_to{flag_column})
                VALUES (NEW.id, '0001-01-01', '9999-12-31'{flag_value});
            INSERT INTO {GAP} (contractor_id, role_id, branch_id, date_from, date_to, last_operator_id, active)
                SELECT NEW.id, r.id, NULL, '0001-01-01', '9999-12-31', NULL, NEW.active FROM {ROLE} r WHERE r.is_default;
            INSERT INTO {ACTING} (contractor_id, role_id, branch_id, date_from, date_to, last_operator_id, active)
                SELECT NEW.id, r.id, NULL, '0001-01-01', '9999-12-31', NULL, NEW.active FROM {ROLE} r WHERE r.is_default;
        END""",
        f"""CREATE TRIGGER coverage_gone_contractor AFTER DELETE ON {CONTRACTOR}
        BEGIN
            DELETE FROM {UNCOVERED} WHERE contractor_id = OLD.id;
            DELETE FROM {GAP} WHERE contractor_id = OLD.id;
            DELETE FROM {ACTING} WHERE contractor_id = OLD.id;
        END""",
        f"""CREATE TRIGGER coverage_contractor_active AFTER UPDATE OF active ON {CONTRACTOR}
        WHEN NEW.active IS NOT OLD.active
        BEGIN
            UPDATE {GAP} SET active = NEW.active WHERE contractor_id = NEW.id;
            UPDATE {ACTING} SET active = NEW.active WHERE contractor_id = NEW.id;
            {flag_copy}
        END""",
    ]


def _forward(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    statements = {"postgresql": _postgres, "sqlite": _sqlite}.get(vendor)
    for statement in statements(True) if statements else []:
        schema_editor.execute(statement)


def _backward(apps, schema_editor):
    """PostgreSQL: the functions as 0005 left them; SQLite: the triggers dropped until
    the column is gone (the first operation's reverse creates them as 0003 left them)."""
    vendor = schema_editor.connection.vendor
    statements = _postgres(False) if vendor == "postgresql" else SQLITE_DROP if vendor == "sqlite" else []
    for statement in statements:
        schema_editor.execute(statement)


def _drop_sqlite_triggers(apps, schema_editor):
    if schema_editor.connection.vendor == "sqlite":
        for statement in SQLITE_DROP:
            schema_editor.execute(statement)


def _restore_sqlite_triggers(apps, schema_editor):
    if schema_editor.connection.vendor == "sqlite":
        for statement in _sqlite(False):
            schema_editor.execute(statement)


def _fill(apps, schema_editor):
    """The periods of the contractors that are inactive now (every row was written true)."""
    schema_editor.execute(
        f"UPDATE {UNCOVERED} SET active = %s WHERE contractor_id IN "
        f"(SELECT id FROM {CONTRACTOR} WHERE NOT active)",
        [False],
    )


def _drop_fk_index(apps, schema_editor):
    schema_editor.execute(f"DROP INDEX IF EXISTS {FK_INDEX}")


def _create_fk_index(apps, schema_editor):
    schema_editor.execute(f"CREATE INDEX IF NOT EXISTS {FK_INDEX} ON {UNCOVERED} (contractor_id)")


class Migration(migrations.Migration):
    dependencies = [
        ("contractors", "0006_fewer_write_indexes"),
        ("coverage", "0008_gaps_without_redundant_indexes"),
    ]

    operations = [
        # SQLite: the triggers that name the table go before it is copied (see above).
        migrations.RunPython(_drop_sqlite_triggers, _restore_sqlite_triggers),
        migrations.AddField(
            model_name="uncoveredperiod",
            name="active",
            field=models.BooleanField(default=True),
        ),
        migrations.RunPython(_fill, migrations.RunPython.noop),
        migrations.RunPython(_forward, _backward),
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name="uncoveredperiod",
                    name="contractor",
                    field=models.ForeignKey(
                        db_index=False,
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="uncovered_periods",
                        to="contractors.contractor",
                    ),
                ),
            ],
            database_operations=[migrations.RunPython(_drop_fk_index, _create_fk_index)],
        ),
        migrations.AddIndex(
            model_name="uncoveredperiod",
            index=models.Index(fields=["active", "date_to", "date_from"], name="uncovered_active_day"),
        ),
    ]
