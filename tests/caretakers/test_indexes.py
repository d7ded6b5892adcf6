"""The assignment table and its audit trail carry only the indexes some query needs
(caretakers/0008_fewer_indexes; docs/performance.md, "The assignment table's indexes"):
every row a bulk write touches pays for each index. A new index is a decision, made
here too, with the query that uses it."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

import pytest
from django.contrib.auth.models import User
from django.db import connection
from django.db.models import ProtectedError

from opiekun.caretakers.models import Branch, CaretakerAssignment, CaretakerRole
from opiekun.caretakers.services import caretaker_add
from opiekun.contractors.models import Contractor
from opiekun.operators.models import Operator

pytestmark = pytest.mark.django_db


def _indexes(table: str) -> dict[str, tuple[str, ...]]:
    """Non-unique B-tree indexes, by name: their columns (the scope index's first four
    are its key; on PostgreSQL it also holds, INCLUDEd, what resolve reads)."""
    with connection.cursor() as cursor:
        constraints = connection.introspection.get_constraints(cursor, table)
    return {
        name: tuple(c["columns"][:4])
        for name, c in constraints.items()
        if c["index"] and not c["unique"] and not c["primary_key"] and c.get("type") != "gist"
    }


def test_assignments_keep_only_the_composite_indexes() -> None:
    assert sorted(_indexes(CaretakerAssignment._meta.db_table).values()) == [
        ("contractor_id", "date_from", "date_to"),  # one contractor's rows (the CRM tab, the list)
        ("contractor_id", "role_id", "branch_id", "date_from"),  # one scope: the planner, resolve
        # Upcoming changes of everyone: rows starting in a window; and the report's
        # default order, newest first then by id, read in order (caretakers/0011).
        ("date_from", "id", "date_to"),
        # ... and rows ending in a window (caretakers/0010: the rows with an end), with
        # their operator for one operator's (the top bar's badge; caretakers/0012).
        ("date_to", "operator_id"),
        ("operator_id", "date_from", "date_to", "contractor_id"),  # Kontrahenci wg opiekuna
    ]


def test_the_audit_trail_is_indexed_by_assignment_contractor_date_and_author() -> None:
    history = CaretakerAssignment.history.model._meta.db_table
    assert sorted(_indexes(history).values()) == [
        ("contractor_id",),
        ("history_date",),
        ("history_user_id",),
        ("id",),
    ]


def test_protected_references_still_hold_without_their_indexes(
    make_operator: Callable[..., Operator],
    actor: User,
    contractor: Contractor,
    legal_role: CaretakerRole,
    branch: Branch,
) -> None:
    role = legal_role
    caretaker_add(
        actor=actor,
        contractor_ids=[contractor.pk],
        operator_id=make_operator().pk,
        type="main",
        role_id=role.pk,
        branch_id=branch.pk,
        date_from=date(2025, 1, 1),
        date_to=None,
        on_overlap="keep",
    )
    with pytest.raises(ProtectedError):
        role.delete()
    with pytest.raises(ProtectedError):
        branch.delete()
    assert CaretakerAssignment.objects.get(contractor=contractor, role=role).created_by_id == actor.pk
