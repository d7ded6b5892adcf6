"""The database itself refuses what the invariants forbid (docs/semantics.md, "Invariants"), whatever
path the write takes around the services: raw SQL, ``bulk_create``, ``.update()``.
SQLite enforces them with triggers, PostgreSQL with exclusion constraints."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

import pytest
from django.db import IntegrityError, connection, transaction

from opiekun.caretakers.models import Branch, CaretakerAssignment, CaretakerRole
from opiekun.contractors.models import Contractor
from opiekun.operators.models import Operator

# Writes around the services here leave the coverage tables out of step on purpose.
pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("coverage_rebuilt_after")]

JAN1, JAN31, FEB1, FEB28 = date(2025, 1, 1), date(2025, 1, 31), date(2025, 2, 1), date(2025, 2, 28)


@pytest.fixture
def two(make_operator: Callable[..., Operator]) -> tuple[Operator, Operator]:
    return make_operator("anna"), make_operator("bartek")


@pytest.fixture
def scope(contractor: Contractor, default_role: CaretakerRole) -> dict[str, Any]:
    return {"contractor": contractor, "role": default_role}


def row(
    scope: dict[str, Any], operator: Operator, kind: str, start: date, end: date | None, **extra: Any
) -> CaretakerAssignment:
    return CaretakerAssignment(
        operator=operator, type=kind, date_from=start, date_to=end, **{**scope, **extra}
    )


def raw_insert(
    scope: dict[str, Any],
    operator: Operator,
    kind: str,
    start: date,
    end: date | None,
    branch: Branch | None = None,
) -> None:
    with connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO caretakers_caretakerassignment (contractor_id, operator_id, type, role_id,"
            " branch_id, date_from, date_to, created_at, updated_at)"
            " VALUES (%s, %s, %s, %s, %s, %s, %s, CURRENT_TIMESTAMP, CURRENT_TIMESTAMP)",
            [
                scope["contractor"].pk,
                operator.pk,
                kind,
                scope["role"].pk,
                branch.pk if branch else None,
                start,
                end,
            ],
        )


def refused(write: Callable[[], Any]) -> None:
    before = CaretakerAssignment.objects.count()
    with pytest.raises(IntegrityError), transaction.atomic():
        write()
    assert CaretakerAssignment.objects.count() == before


WRITERS = ["raw", "bulk_create", "save"]


def insert(
    how: str,
    scope: dict[str, Any],
    operator: Operator,
    kind: str,
    start: date,
    end: date | None,
    branch: Branch | None = None,
) -> None:
    if how == "raw":
        raw_insert(scope, operator, kind, start, end, branch)
    elif how == "bulk_create":
        CaretakerAssignment.objects.bulk_create([row(scope, operator, kind, start, end, branch=branch)])
    else:
        row(scope, operator, kind, start, end, branch=branch).save()


@pytest.mark.parametrize("how", WRITERS)
def test_two_overlapping_mains_are_refused(
    how: str, scope: dict[str, Any], two: tuple[Operator, Operator]
) -> None:
    insert(how, scope, two[0], "main", JAN1, JAN31)
    refused(lambda: insert(how, scope, two[1], "main", JAN31, FEB28))
    refused(lambda: insert(how, scope, two[1], "main", date(2024, 1, 1), None))


@pytest.mark.parametrize("how", WRITERS)
def test_open_ended_mains_overlap(how: str, scope: dict[str, Any], two: tuple[Operator, Operator]) -> None:
    insert(how, scope, two[0], "main", JAN1, None)
    refused(lambda: insert(how, scope, two[1], "main", date(2030, 1, 1), None))


@pytest.mark.parametrize("how", WRITERS)
def test_one_operator_twice_is_refused(
    how: str, scope: dict[str, Any], two: tuple[Operator, Operator]
) -> None:
    insert(how, scope, two[0], "deputy", JAN1, JAN31)
    refused(lambda: insert(how, scope, two[0], "deputy", JAN31, FEB28))


@pytest.mark.parametrize("how", WRITERS)
def test_main_and_deputy_of_one_operator_are_refused(
    how: str, scope: dict[str, Any], two: tuple[Operator, Operator]
) -> None:
    insert(how, scope, two[0], "main", JAN1, JAN31)
    refused(lambda: insert(how, scope, two[0], "deputy", JAN1, JAN1))


@pytest.mark.parametrize("how", WRITERS)
def test_null_branch_is_a_scope_of_its_own(
    how: str, scope: dict[str, Any], two: tuple[Operator, Operator], branch: Branch
) -> None:
    insert(how, scope, two[0], "main", JAN1, None)
    refused(lambda: insert(how, scope, two[1], "main", JAN1, None))
    insert(how, scope, two[1], "main", JAN1, None, branch)  # another branch: allowed
    refused(lambda: insert(how, scope, two[0], "main", FEB1, None, branch))
    other = Branch.objects.create(code="WAW", name="Warszawa")
    insert(how, scope, two[0], "main", JAN1, None, other)
    assert CaretakerAssignment.objects.count() == 3


@pytest.mark.parametrize("how", WRITERS)
def test_touching_periods_are_allowed(
    how: str, scope: dict[str, Any], two: tuple[Operator, Operator]
) -> None:
    insert(how, scope, two[0], "main", JAN1, JAN31)
    insert(how, scope, two[1], "main", FEB1, FEB28)
    insert(how, scope, two[0], "main", date(2025, 3, 1), None)
    insert(how, scope, two[1], "deputy", JAN1, JAN31)  # deputy beside its own main, not over it
    assert CaretakerAssignment.objects.count() == 4


@pytest.mark.parametrize("how", WRITERS)
def test_deputies_may_be_many_and_scopes_are_separate(
    how: str,
    scope: dict[str, Any],
    two: tuple[Operator, Operator],
    legal_role: CaretakerRole,
    make_contractors: Any,
) -> None:
    insert(how, scope, two[0], "deputy", JAN1, None)
    insert(how, scope, two[1], "deputy", JAN1, None)
    insert(how, {**scope, "role": legal_role}, two[0], "main", JAN1, None)
    insert(how, {**scope, "contractor": make_contractors(1)[0]}, two[0], "main", JAN1, None)
    insert(how, scope, two[1], "main", date(1999, 1, 1), date(1999, 1, 1))
    assert CaretakerAssignment.objects.count() == 5


@pytest.mark.parametrize("how", WRITERS)
def test_date_to_before_date_from_is_refused(
    how: str, scope: dict[str, Any], two: tuple[Operator, Operator]
) -> None:
    refused(lambda: insert(how, scope, two[0], "main", FEB1, JAN31))


def test_unknown_type_is_refused(scope: dict[str, Any], two: tuple[Operator, Operator]) -> None:
    refused(lambda: raw_insert(scope, two[0], "boss", JAN1, None))


def test_update_into_an_overlap_is_refused(
    scope: dict[str, Any], two: tuple[Operator, Operator], branch: Branch
) -> None:
    first = row(scope, two[0], "main", JAN1, JAN31)
    second = row(scope, two[1], "main", FEB1, FEB28)
    CaretakerAssignment.objects.bulk_create([first, second])
    qs = CaretakerAssignment.objects.filter(pk=second.pk)
    refused(lambda: qs.update(date_from=JAN31))
    refused(lambda: qs.update(date_from=JAN1, date_to=None))
    refused(lambda: CaretakerAssignment.objects.filter(pk=first.pk).update(date_to=None))
    refused(lambda: qs.update(date_to=JAN1))  # ends before it starts
    refused(lambda: qs.update(operator=two[0], type="deputy", date_from=JAN31))
    first_in_branch = CaretakerAssignment.objects.filter(pk=first.pk)
    first_in_branch.update(branch=branch, date_to=None)  # another scope now: allowed
    refused(lambda: first_in_branch.update(branch=None))

    def raw_updates() -> None:
        with connection.cursor() as cursor:
            cursor.execute(
                "UPDATE caretakers_caretakerassignment SET date_to = NULL WHERE id = %s", [second.pk]
            )
            cursor.execute(
                "UPDATE caretakers_caretakerassignment SET branch_id = NULL WHERE id = %s", [first.pk]
            )

    refused(raw_updates)
    assert CaretakerAssignment.objects.get(pk=second.pk).period.end == FEB28


def test_bulk_update_with_a_conflict_inside_one_statement(
    scope: dict[str, Any], two: tuple[Operator, Operator]
) -> None:
    rows = [row(scope, two[0], "main", JAN1, JAN31), row(scope, two[1], "main", FEB1, FEB28)]
    CaretakerAssignment.objects.bulk_create(rows)
    refused(lambda: CaretakerAssignment.objects.all().update(date_to=None))
    refused(
        lambda: CaretakerAssignment.objects.bulk_create(
            [
                row(scope, two[0], "deputy", date(2026, 1, 1), None),
                row(scope, two[1], "deputy", date(2026, 1, 1), None),
                row(scope, two[0], "deputy", date(2026, 6, 1), None),
            ]
        )
    )
