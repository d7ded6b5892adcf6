"""The Django admin is a window, not a door: contractors, assignments, roles and branches
are shown there but written only through the services (checks, locks, audit trail)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client

from opiekun.caretakers.models import Branch, CaretakerAssignment, CaretakerRole
from opiekun.caretakers.services import caretaker_add
from opiekun.contractors.models import Contractor
from opiekun.operators.models import Operator

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client_of(make_operator: Callable[..., Operator]) -> Client:
    client = Client()
    client.force_login(make_operator("root", superuser=True).user)
    return client


@pytest.fixture
def rows(
    make_contractors: Callable[..., list[Contractor]],
    make_operator: Callable[..., Operator],
    default_role: CaretakerRole,
    branch: Branch,
) -> dict[str, Any]:
    (contractor,) = make_contractors(1)
    operator = make_operator()
    caretaker_add(
        actor=operator.user, contractor_ids=[contractor.pk], operator_id=operator.pk, date_from="2025-01-01"
    )
    assignment = CaretakerAssignment.objects.get(contractor=contractor)
    return {
        "contractors/contractor": contractor,
        "caretakers/caretakerassignment": assignment,
        "caretakers/caretakerrole": default_role,
        "caretakers/branch": branch,
    }


MODELS = [
    "contractors/contractor",
    "caretakers/caretakerassignment",
    "caretakers/caretakerrole",
    "caretakers/branch",
]


@pytest.mark.parametrize("model", MODELS)
def test_the_admin_lists_but_never_writes(admin_client_of: Client, rows: dict[str, Any], model: str) -> None:
    row = rows[model]
    before = type(row).objects.count()
    base = f"/admin/{model}/"
    assert admin_client_of.get(base).status_code == 200
    assert admin_client_of.get(f"{base}add/").status_code == 403
    assert admin_client_of.post(f"{base}add/", {"name": "x", "code": "X"}).status_code == 403
    assert admin_client_of.post(f"{base}{row.pk}/delete/", {"post": "yes"}).status_code == 403
    deleting_all = {"action": "delete_selected", "_selected_action": [row.pk], "post": "yes"}
    admin_client_of.post(base, deleting_all)
    assert type(row).objects.count() == before
    # The change page only shows the row: saving it changes nothing.
    admin_client_of.post(
        f"{base}{row.pk}/change/", {"name": "changed", "code": "CHG", "date_from": "2020-01-01"}
    )
    row.refresh_from_db()
    assert getattr(row, "name", "") != "changed" and getattr(row, "code", "") != "CHG"


def test_the_default_role_cannot_be_deleted_in_the_admin(
    admin_client_of: Client, default_role: CaretakerRole
) -> None:
    response = admin_client_of.post(
        f"/admin/caretakers/caretakerrole/{default_role.pk}/delete/", {"post": "yes"}
    )
    assert response.status_code == 403
    assert CaretakerRole.objects.default().get() == default_role
