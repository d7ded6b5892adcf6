"""Migration 0005_assignment_priority rebuilds the assignments table on SQLite (an
AddField with a default); the invariant triggers must survive it, both ways."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

import pytest
from django.db import IntegrityError, connection, transaction
from django.db.migrations.executor import MigrationExecutor

from opiekun.caretakers.models import CaretakerRole
from opiekun.contractors.models import Contractor
from opiekun.coverage.services import coverage_refresh
from opiekun.operators.models import Operator


def _main(contractor: Contractor, operator: Operator, role: CaretakerRole, start: date) -> None:
    """A main assignment written around the writer, with the coverage refresh the writer
    would do (PostgreSQL refuses, at commit, an assignment the coverage tables do not
    know: coverage/0002_assignments_in_step)."""
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO caretakers_caretakerassignment (contractor_id, operator_id, type, role_id,"
            " branch_id, date_from, date_to, created_at, updated_at)"
            " VALUES (%s, %s, 'main', %s, NULL, %s, NULL, CURRENT_TIMESTAMP, CURRENT_TIMESTAMP)",
            [contractor.pk, operator.pk, role.pk, start],
        )
        coverage_refresh(contractor_ids=[contractor.pk])


def _migrate(target: tuple[str, str]) -> None:
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate([target])


def _migrate_to_latest() -> None:
    """Back to every app's newest migration, so later tests find every table."""
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(executor.loader.graph.leaf_nodes())


@pytest.mark.django_db(transaction=True)
def test_the_triggers_still_refuse_an_overlapping_main_after_migrating_back_and_forth(
    make_operator: Callable[..., Operator], default_role: CaretakerRole, contractor: Contractor
) -> None:
    anna, bartek = make_operator("anna"), make_operator("bartek")
    try:
        _migrate(("caretakers", "0004_period_indexes"))
        _migrate(("caretakers", "0005_assignment_priority"))
    finally:
        _migrate_to_latest()
    if connection.vendor == "sqlite":
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT name FROM sqlite_master WHERE type = 'trigger'"
                " AND tbl_name = 'caretakers_caretakerassignment' ORDER BY name"
            )
            names: list[Any] = [row[0] for row in cursor.fetchall()]
        assert names == ["caretaker_invariants_insert", "caretaker_invariants_update"]
    _main(contractor, anna, default_role, date(2030, 1, 1))
    with pytest.raises(IntegrityError), transaction.atomic():
        _main(contractor, bartek, default_role, date(2030, 6, 1))
