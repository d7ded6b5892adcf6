"""The writer's own assignments queue no commit-time check (PostgreSQL).

The check of 0002/0004 exists for assignments written around the writer: the writer
(`caretakers.services.writer.write_changes`) refreshes the coverage tables itself for
every contractor it writes, in the same transaction. Yet each of its rows queued a
check, and at ten thousand rows (caretaker_add REPLACE) queueing and running them
cost about a second of the server's CPU at COMMIT, most of it the triggers' own
machinery (even with a function that does nothing). Now the writer sets `opiekun.writer_refreshes_coverage` to `on`
(transaction-local, `set_config(…, true)`) around its own inserts and updates only
(`coverage/writer_rows.py`), and both constraint triggers' WHEN conditions read it.
PostgreSQL evaluates a constraint trigger's WHEN condition when the row is written,
not when the check is deferred to: an event it rejects is never queued. Every other
write — raw SQL, ORM saves, another session, a later statement of the same
transaction — is queued and checked as before.

One case the writer's own rows used to catch is kept: a row written around the writer
on recorded days (its check queued) that the writer then deletes or splits, putting
rows of its own on those days — its refresh may provably leave the recorded days of
that contractor alone (`coverage.untouched`), trusting them to be in step with the row
it removed. So when a row as written lay on recorded days, its check now judges, as
they are at commit, the row itself and every row of its contractor on its days.
"""

import importlib

from django.db import migrations

ASSIGNMENT = "caretakers_caretakerassignment"
SETTING = "opiekun.writer_refreshes_coverage"

NOT_THE_WRITER = f"current_setting('{SETTING}', true) IS DISTINCT FROM 'on'"

_before = importlib.import_module("opiekun.coverage.migrations.0004_in_step_checks_fewer_rows")

IN_STEP_FUNCTION = f"""CREATE OR REPLACE FUNCTION coverage_assignment_in_step() RETURNS trigger LANGUAGE plpgsql AS $$
    DECLARE
        bad {ASSIGNMENT}%%ROWTYPE;
    BEGIN
        IF NOT coverage_on_recorded_days(NEW.contractor_id, NEW.type, NEW.role_id, NEW.branch_id,
                                         NEW.date_from, NEW.date_to) THEN
            RETURN NULL;
        END IF;
        -- The row as written lay on recorded days: judge it as it now is (if it still
        -- is), and every row of its contractor now on its days (the writer's rows,
        -- which queue no check, may have taken them over).
        SELECT a.* INTO bad FROM {ASSIGNMENT} a
        WHERE (a.id = NEW.id
               OR (a.contractor_id = NEW.contractor_id
                   AND a.date_from <= COALESCE(NEW.date_to, DATE '9999-12-31')
                   AND COALESCE(a.date_to, DATE '9999-12-31') >= NEW.date_from))
          AND coverage_on_recorded_days(a.contractor_id, a.type, a.role_id, a.branch_id,
                                        a.date_from, a.date_to)
        ORDER BY a.id <> NEW.id, a.id
        LIMIT 1;
        IF NOT FOUND THEN
            RETURN NULL;
        END IF;
        IF bad.type = 'main' AND NOT EXISTS (
            SELECT 1 FROM coverage_uncoveredperiod u
            WHERE u.contractor_id = bad.contractor_id
              AND u.date_from <= COALESCE(bad.date_to, DATE '9999-12-31') AND u.date_to >= bad.date_from
        ) THEN
            RAISE EXCEPTION 'coverage_out_of_step: main assignment %% lies in a recorded coverage gap', bad.id
                USING ERRCODE = 'integrity_constraint_violation';
        END IF;
        RAISE EXCEPTION 'coverage_out_of_step: assignment %% lies in a period recorded as without any caretaker', bad.id
            USING ERRCODE = 'integrity_constraint_violation';
    END $$"""


def _triggers(when_inserted: str | None, when_changed: str) -> list[str]:
    inserted = f"WHEN ({when_inserted})" if when_inserted else ""
    return [
        f"DROP TRIGGER coverage_assignment_in_step ON {ASSIGNMENT}",
        f"DROP TRIGGER coverage_assignment_in_step_changed ON {ASSIGNMENT}",
        f"""CREATE CONSTRAINT TRIGGER coverage_assignment_in_step
            AFTER INSERT ON {ASSIGNMENT}
            DEFERRABLE INITIALLY DEFERRED FOR EACH ROW
            {inserted}
            EXECUTE FUNCTION coverage_assignment_in_step()""",
        f"""CREATE CONSTRAINT TRIGGER coverage_assignment_in_step_changed
            AFTER UPDATE ON {ASSIGNMENT}
            DEFERRABLE INITIALLY DEFERRED FOR EACH ROW
            WHEN ({when_changed})
            EXECUTE FUNCTION coverage_assignment_in_step()""",
    ]


POSTGRES_FORWARD = [
    IN_STEP_FUNCTION,
    *_triggers(NOT_THE_WRITER, f"{NOT_THE_WRITER} AND NOT ({_before.SHORTENED_ONLY})"),
]
POSTGRES_BACKWARD = [
    _before.IN_STEP_FUNCTION,
    *_triggers(None, f"NOT ({_before.SHORTENED_ONLY})"),
]


def _run(statements):
    def run(apps, schema_editor):
        if schema_editor.connection.vendor == "postgresql":
            for statement in statements:
                schema_editor.execute(statement)

    return run


class Migration(migrations.Migration):
    dependencies = [("coverage", "0005_new_contractors_left_to_the_writer")]

    operations = [migrations.RunPython(_run(POSTGRES_FORWARD), _run(POSTGRES_BACKWARD))]
