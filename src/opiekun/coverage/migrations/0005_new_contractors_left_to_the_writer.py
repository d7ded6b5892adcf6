"""A bulk insert of contractors that refreshes their coverage itself, in the same
transaction, may tell the trigger of 0001/0003 to leave them alone (PostgreSQL).

The trigger gives every new contractor its rows in the three derived tables (no
caretaker on any day). The contractors' import with the importer as their main
caretaker then had the writer delete those rows again and insert the right ones: three
inserts, three deletes and three inserts per contractor, each through a GiST exclusion
constraint. Now the import sets `opiekun.new_contractors_covered` to `on` for its
inserts (transaction-local, `set_config(…, true)`), and refreshes every contractor it
inserted (`contractors.importing`); any other insert, in any session, is covered by
the trigger as before.
"""

from django.db import migrations

UNCOVERED = "coverage_uncoveredperiod"
GAP = "coverage_coveragegap"
ACTING = "coverage_actinggap"
ROLE = "caretakers_caretakerrole"

SETTING = "opiekun.new_contractors_covered"


def _function(skippable: bool) -> str:
    skip = (
        f"""IF current_setting('{SETTING}', true) = 'on' THEN
                RETURN NULL;  -- the inserting transaction refreshes their coverage itself
            END IF;"""
        if skippable
        else ""
    )
    return f"""CREATE OR REPLACE FUNCTION coverage_new_contractors() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            {skip}
            INSERT INTO {UNCOVERED} (contractor_id, date_from, date_to)
                SELECT id, DATE '0001-01-01', DATE '9999-12-31' FROM new_contractors;
            INSERT INTO {GAP} (contractor_id, role_id, branch_id, date_from, date_to, last_operator_id, active)
                SELECT c.id, r.id, NULL, DATE '0001-01-01', DATE '9999-12-31', NULL, c.active
                FROM new_contractors c CROSS JOIN {ROLE} r WHERE r.is_default;
            INSERT INTO {ACTING} (contractor_id, role_id, branch_id, date_from, date_to, last_operator_id, active)
                SELECT c.id, r.id, NULL, DATE '0001-01-01', DATE '9999-12-31', NULL, c.active
                FROM new_contractors c CROSS JOIN {ROLE} r WHERE r.is_default;
            RETURN NULL;
        END $$"""


def _run(skippable: bool):
    def run(apps, schema_editor):
        if schema_editor.connection.vendor == "postgresql":
            schema_editor.execute(_function(skippable))

    return run


class Migration(migrations.Migration):
    dependencies = [("coverage", "0004_in_step_checks_fewer_rows")]

    operations = [migrations.RunPython(_run(True), _run(False))]
