"""The coverage triggers on the contractors table survive migrating back and forth:
0001 runs after every contractors migration that rebuilds that table on SQLite, and
0003 (acting gaps) re-creates them with the third table."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from opiekun.caretakers.models import CaretakerRole
from opiekun.contractors.models import Contractor
from opiekun.coverage.models import ActingGap, CoverageGap, UncoveredPeriod


def _migrate(*targets: tuple[str, str]) -> None:
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(list(targets) or executor.loader.graph.leaf_nodes())


def _contractor_triggers() -> list[Any]:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT name FROM sqlite_master WHERE type = 'trigger'"
            " AND tbl_name = 'contractors_contractor' ORDER BY name"
        )
        return [row[0] for row in cursor.fetchall()]


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize(
    "back_to", [("coverage", "0002_assignments_in_step"), ("contractors", "0003_list_ordering_indexes")]
)
def test_a_new_contractor_gets_its_rows_after_migrating_back_and_forth(
    back_to: tuple[str, str], default_role: CaretakerRole
) -> None:
    try:
        _migrate(back_to)
    finally:
        _migrate()
    if connection.vendor == "sqlite":
        assert _contractor_triggers() == [
            "coverage_contractor_active",
            "coverage_gone_contractor",
            "coverage_new_contractor",
        ]
    contractor = Contractor.objects.create(code="NEW", name="Nowy")  # raw ORM: the triggers only
    for model in (CoverageGap, ActingGap):
        assert model.objects.filter(contractor=contractor, role=default_role).count() == 1
    assert UncoveredPeriod.objects.filter(contractor=contractor).count() == 1
    Contractor.objects.filter(pk=contractor.pk).update(active=False)
    assert not ActingGap.objects.get(contractor=contractor).active
    Contractor.objects.filter(pk=contractor.pk).delete()
    assert not ActingGap.objects.filter(contractor_id=contractor.pk).exists()
