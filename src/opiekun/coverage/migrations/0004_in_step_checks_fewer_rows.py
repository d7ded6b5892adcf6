"""The commit-time check of 0002 (an assignment written around the writer must not lie
on a day recorded as without any caretaker, nor a main in a recorded gap of its
scope) at a lower price: a bulk write queued one check per written row, each of two
or three queries, and at ten thousand rows the checks took seconds at COMMIT.

- One query per check in the common case (nothing recorded on the row's days); the
  row's current version is read only when that query finds something.
- No check is queued for an update that only shortens a row (same contractor, type,
  role and branch, its days a part of what they were): it cannot bring the row onto a
  day it was not on. A row inserted or otherwise changed earlier in the transaction
  was queued then, and that check covers the shortened version, which holds a part of
  its days; when that earlier version lies on a recorded day, the check reads the row
  as it now is and judges that instead (0002 skipped such a check: it relied on the
  later version's own check, which is no longer always queued).
"""

from django.db import migrations

ASSIGNMENT = "caretakers_caretakerassignment"

IN_STEP_FUNCTION = f"""CREATE OR REPLACE FUNCTION coverage_assignment_in_step() RETURNS trigger LANGUAGE plpgsql AS $$
    DECLARE
        now_row {ASSIGNMENT}%%ROWTYPE;
    BEGIN
        IF NOT coverage_on_recorded_days(NEW.contractor_id, NEW.type, NEW.role_id, NEW.branch_id,
                                         NEW.date_from, NEW.date_to) THEN
            RETURN NULL;
        END IF;
        SELECT * INTO now_row FROM {ASSIGNMENT} WHERE id = NEW.id;
        IF NOT FOUND THEN
            RETURN NULL;  -- deleted since
        END IF;
        IF (now_row.contractor_id, now_row.type, now_row.role_id, now_row.date_from)
               IS DISTINCT FROM (NEW.contractor_id, NEW.type, NEW.role_id, NEW.date_from)
           OR now_row.branch_id IS DISTINCT FROM NEW.branch_id
           OR now_row.date_to IS DISTINCT FROM NEW.date_to THEN
            -- changed since: judge the row as it is now
            IF NOT coverage_on_recorded_days(now_row.contractor_id, now_row.type, now_row.role_id,
                                             now_row.branch_id, now_row.date_from, now_row.date_to) THEN
                RETURN NULL;
            END IF;
        END IF;
        IF now_row.type = 'main' AND NOT EXISTS (
            SELECT 1 FROM coverage_uncoveredperiod u
            WHERE u.contractor_id = now_row.contractor_id
              AND u.date_from <= COALESCE(now_row.date_to, DATE '9999-12-31') AND u.date_to >= now_row.date_from
        ) THEN
            RAISE EXCEPTION 'coverage_out_of_step: main assignment %% lies in a recorded coverage gap', NEW.id
                USING ERRCODE = 'integrity_constraint_violation';
        END IF;
        RAISE EXCEPTION 'coverage_out_of_step: assignment %% lies in a period recorded as without any caretaker', NEW.id
            USING ERRCODE = 'integrity_constraint_violation';
    END $$"""

ON_RECORDED_DAYS = """CREATE FUNCTION coverage_on_recorded_days(
        contractor bigint, kind varchar, role bigint, branch bigint, first_day date, last_day date
    ) RETURNS boolean LANGUAGE sql STABLE AS $$
    SELECT EXISTS (
        SELECT 1 FROM coverage_uncoveredperiod u
        WHERE u.contractor_id = contractor
          AND u.date_from <= COALESCE(last_day, DATE '9999-12-31') AND u.date_to >= first_day
        UNION ALL
        SELECT 1 FROM coverage_coveragegap g
        WHERE kind = 'main' AND g.contractor_id = contractor AND g.role_id = role
          AND g.branch_id IS NOT DISTINCT FROM branch
          AND g.date_from <= COALESCE(last_day, DATE '9999-12-31') AND g.date_to >= first_day
    ) $$"""

SHORTENED_ONLY = (
    "NEW.contractor_id = OLD.contractor_id AND NEW.type = OLD.type AND NEW.role_id = OLD.role_id "
    "AND NEW.branch_id IS NOT DISTINCT FROM OLD.branch_id AND NEW.date_from >= OLD.date_from "
    "AND COALESCE(NEW.date_to, DATE '9999-12-31') <= COALESCE(OLD.date_to, DATE '9999-12-31')"
)

POSTGRES_FORWARD = [
    ON_RECORDED_DAYS,
    IN_STEP_FUNCTION,
    f"DROP TRIGGER coverage_assignment_in_step ON {ASSIGNMENT}",
    f"""CREATE CONSTRAINT TRIGGER coverage_assignment_in_step
        AFTER INSERT ON {ASSIGNMENT}
        DEFERRABLE INITIALLY DEFERRED FOR EACH ROW
        EXECUTE FUNCTION coverage_assignment_in_step()""",
    f"""CREATE CONSTRAINT TRIGGER coverage_assignment_in_step_changed
        AFTER UPDATE ON {ASSIGNMENT}
        DEFERRABLE INITIALLY DEFERRED FOR EACH ROW
        WHEN (NOT ({SHORTENED_ONLY}))
        EXECUTE FUNCTION coverage_assignment_in_step()""",
]

# Back to 0002's function and its one trigger.
POSTGRES_BACKWARD = [
    f"DROP TRIGGER coverage_assignment_in_step_changed ON {ASSIGNMENT}",
    f"DROP TRIGGER coverage_assignment_in_step ON {ASSIGNMENT}",
    f"""CREATE OR REPLACE FUNCTION coverage_assignment_in_step() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        IF NOT EXISTS (
            SELECT 1 FROM {ASSIGNMENT} a
            WHERE a.id = NEW.id AND a.contractor_id = NEW.contractor_id AND a.type = NEW.type
              AND a.role_id = NEW.role_id AND a.branch_id IS NOT DISTINCT FROM NEW.branch_id
              AND a.date_from = NEW.date_from AND a.date_to IS NOT DISTINCT FROM NEW.date_to
        ) THEN
            RETURN NULL;
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
    "DROP FUNCTION coverage_on_recorded_days(bigint, varchar, bigint, bigint, date, date)",
]


def _run(statements):
    def run(apps, schema_editor):
        if schema_editor.connection.vendor == "postgresql":
            for statement in statements:
                schema_editor.execute(statement)

    return run


class Migration(migrations.Migration):
    dependencies = [("coverage", "0003_acting_gaps"), ("caretakers", "0009_operator_index_covers_deputies")]

    operations = [migrations.RunPython(_run(POSTGRES_FORWARD), _run(POSTGRES_BACKWARD))]
