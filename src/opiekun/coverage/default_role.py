"""The default scope's move when another role becomes the default (`role_save`)."""

from __future__ import annotations

from django.db import connection
from django.db.models import Exists, OuterRef

from opiekun.caretakers.models import CaretakerAssignment
from opiekun.contractors.models import Contractor
from opiekun.coverage.compute import SINCE_ALWAYS, UNTIL_FURTHER_NOTICE
from opiekun.coverage.models import ActingGap, CoverageGap


def default_role_changed(*, old_role_id: int | None, new_role_id: int) -> None:
    """The default scope moved from ``old_role_id`` to ``new_role_id``: contractors
    without assignments in the old default scope lose its stored gaps (main and
    acting), those without assignments in the new one gain theirs (all days). Four
    statements."""
    if old_role_id == new_role_id:
        return
    contractor = Contractor._meta.db_table
    assignment = CaretakerAssignment._meta.db_table
    ops = connection.ops
    for model in (CoverageGap, ActingGap):
        if old_role_id is not None:
            in_scope = CaretakerAssignment.objects.filter(
                contractor_id=OuterRef("contractor_id"), role_id=old_role_id, branch__isnull=True
            )
            model.objects.filter(role_id=old_role_id, branch__isnull=True).exclude(Exists(in_scope)).delete()
        with connection.cursor() as cursor:
            cursor.execute(
                f"INSERT INTO {model._meta.db_table} "
                "(contractor_id, role_id, branch_id, date_from, date_to, last_operator_id, active) "
                f"SELECT c.id, %s, NULL, %s, %s, NULL, c.active FROM {contractor} c WHERE NOT EXISTS ("
                f"SELECT 1 FROM {assignment} a WHERE a.contractor_id = c.id AND a.role_id = %s "
                "AND a.branch_id IS NULL)",
                [
                    new_role_id,
                    ops.adapt_datefield_value(SINCE_ALWAYS),
                    ops.adapt_datefield_value(UNTIL_FURTHER_NOTICE),
                    new_role_id,
                ],
            )
