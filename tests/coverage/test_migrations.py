"""The coverage triggers on the contractors table survive migrating back and forth:
0001 runs after every contractors migration that rebuilds that table on SQLite, and
0003 (acting gaps) re-creates them with the third table; 0007 fills the acting
periods from the data there is, with its own copy of the acting rule."""

from __future__ import annotations

import importlib
from datetime import date
from typing import Any

import pytest
from django.db import connection, transaction
from django.db.migrations.executor import MigrationExecutor
from hypothesis import given, settings

from opiekun.caretakers.models import CaretakerAssignment, CaretakerRole
from opiekun.contractors.models import Contractor
from opiekun.coverage.models import ActingGap, CoverageGap, UncoveredPeriod
from opiekun.coverage.services import coverage_recompute, coverage_stored
from opiekun.coverage.stand_ins import StandIn, acting_periods_of
from opiekun.operators.models import Absence
from tests.budgets import examples
from tests.coverage.test_untouched import CONTRACTORS, staffed
from tests.imports import imported_by


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


@pytest.mark.django_db(transaction=True)
def test_the_acting_periods_are_filled_from_the_data_there_is(
    default_role: CaretakerRole, make_operator: Any
) -> None:
    """0007 computes the acting periods of the assignments and absences that exist."""
    main, deputy = make_operator(), make_operator()
    with transaction.atomic():  # the signals refresh the coverage before PostgreSQL checks it
        contractor = Contractor.objects.create(code="K", name="Firma")
        for operator, kind in ((main, "main"), (deputy, "deputy")):
            CaretakerAssignment.objects.create(
                contractor=contractor,
                operator=operator,
                role=default_role,
                type=kind,
                date_from=date(2030, 1, 1),
            )
        Absence.objects.create(operator=main, date_from=date(2030, 7, 1), date_to=date(2030, 7, 14))
    expected = coverage_recompute().stand_ins
    assert [(s.operator_id, s.stands_in_for_id, s.date_from, s.date_to) for s in expected] == [
        (deputy.pk, main.pk, date(2030, 7, 1), date(2030, 7, 14))
    ]
    try:
        _migrate(("coverage", "0006_writer_rows_checked_by_the_writer"))
    finally:
        _migrate()
    assert coverage_stored().stand_ins == expected


def test_the_acting_periods_migration_computes_with_its_own_copy_of_the_rule() -> None:
    """0007 imports no module of Opiekun: a later change of `coverage.stand_ins` cannot
    change what it writes (its copy of the rule is checked against the module as it is)."""
    imported = imported_by("opiekun.coverage.migrations.0007_acting_periods")
    assert imported and not [name for name in imported if name.startswith("opiekun")]


@settings(max_examples=examples(1), deadline=None)  # pure and quick
@given(world=staffed())
def test_the_migrations_copy_of_the_acting_rule_gives_the_same_rows(world: Any) -> None:
    facts, absences = world
    module = importlib.import_module("opiekun.coverage.migrations.0007_acting_periods")
    copied = module._acting_periods(CONTRACTORS, [module.Fact(*f) for f in facts], absences)
    expected = acting_periods_of(contractor_ids=CONTRACTORS, assignments=facts, absences=absences)
    assert sorted(StandIn(**row) for row in copied) == sorted(expected)
