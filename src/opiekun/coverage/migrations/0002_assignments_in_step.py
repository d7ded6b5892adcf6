"""PostgreSQL refuses, at commit, an assignment written around the writer that would
leave the coverage tables out of step: a caretaker (main or deputy) on a day recorded
as without any caretaker, or a main caretaker on a day recorded as a gap of its scope.

Deferred to the end of the transaction because the writer first writes the
assignments and then refreshes the coverage of the same contractors
(`caretakers.services.writer.write_changes`); a row changed again later in the same
transaction is checked as it finally is. Not caught (docs/semantics.md): a deletion
or a shortening around the writer, which leaves days uncovered without a gap — the
database has no assertion over all days of two tables. SQLite cannot defer a
trigger, so there the writer and `opiekun coverage-rebuild` answer for it alone.
"""

from django.db import migrations

ASSIGNMENT = "caretakers_caretakerassignment"

# Sent through psycopg with parameters: "%%" reaches PostgreSQL as RAISE's "%".
POSTGRES_FORWARD = [
    f"""CREATE FUNCTION coverage_assignment_in_step() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        IF NOT EXISTS (
            SELECT 1 FROM {ASSIGNMENT} a
            WHERE a.id = NEW.id AND a.contractor_id = NEW.contractor_id AND a.type = NEW.type
              AND a.role_id = NEW.role_id AND a.branch_id IS NOT DISTINCT FROM NEW.branch_id
              AND a.date_from = NEW.date_from AND a.date_to IS NOT DISTINCT FROM NEW.date_to
        ) THEN
            RETURN NULL;  -- changed or deleted since: its last version is checked
        END IF;
        IF EXISTS (
            SELECT 1 FROM coverage_uncoveredperiod u
            WHERE u.contractor_id = NEW.contractor_id
              AND u.date_from <= COALESCE(NEW.date_to, DATE '9999-12-31') AND u.date_to >= NEW.date_from
        ) THEN
            RAISE EXCEPTION 'coverage_out_of_step: assignment %% lies in a period recorded as without any caretaker', NEW.id
                USING ERRCODE = 'integrity_constraint_violation';
        END IF;
        IF NEW.type = 'main' AND EXISTS (
            SELECT 1 FROM coverage_coveragegap g
            WHERE g.contractor_id = NEW.contractor_id AND g.role_id = NEW.role_id
              AND g.branch_id IS NOT DISTINCT FROM NEW.branch_id
              AND g.date_from <= COALESCE(NEW.date_to, DATE '9999-12-31') AND g.date_to >= NEW.date_from
        ) THEN
            RAISE EXCEPTION 'coverage_out_of_step: main assignment %% lies in a recorded coverage gap', NEW.id
                USING ERRCODE = 'integrity_constraint_violation';
        END IF;
        RETURN NULL;
    END $$""",
    f"""CREATE CONSTRAINT TRIGGER coverage_assignment_in_step
        AFTER INSERT OR UPDATE ON {ASSIGNMENT}
        DEFERRABLE INITIALLY DEFERRED FOR EACH ROW
        EXECUTE FUNCTION coverage_assignment_in_step()""",
]
POSTGRES_BACKWARD = [
    f"DROP TRIGGER coverage_assignment_in_step ON {ASSIGNMENT}",
    "DROP FUNCTION coverage_assignment_in_step()",
]


def _run(statements):
    def run(apps, schema_editor):
        if schema_editor.connection.vendor == "postgresql":
            for statement in statements:
                schema_editor.execute(statement)

    return run


class Migration(migrations.Migration):
    # After the newest migration of the assignments table, so that its trigger is
    # created on the table as it finally is.
    dependencies = [("coverage", "0001_derived_coverage"), ("caretakers", "0006_handover")]

    operations = [migrations.RunPython(_run(POSTGRES_FORWARD), _run(POSTGRES_BACKWARD))]
