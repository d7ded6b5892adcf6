"""A PATCH that sends null for a field with no empty value is refused on that field,
in the caller's language, with a message that says what is wrong; nothing is written.
The fields that have an empty value (an assignment's branch and end) still take null."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

import pytest
from django.test import Client

from opiekun.caretakers.models import CaretakerAssignment, CaretakerRole
from opiekun.contractors.models import Contractor
from opiekun.operators.models import Absence, Operator

pytestmark = pytest.mark.django_db

JSON = "application/json"
NULL = {
    "en": "This field may not be null; leave it out to keep its value.",
    "pl": "To pole nie może mieć wartości null; pomiń je, aby zachować jego wartość.",
}


def _refused(client: Client, url: str, body: dict[str, Any], language: str) -> dict[str, str]:
    response = client.patch(url, body, content_type=JSON, headers={"accept-language": language})
    assert response.status_code == 422
    return {item["loc"][-1]: item["msg"] for item in response.json()["detail"]}


@pytest.fixture
def assignment(
    admin_op: Operator, contractor: Contractor, default_role: CaretakerRole
) -> CaretakerAssignment:
    return CaretakerAssignment.objects.create(
        contractor=contractor,
        operator=admin_op,
        role=default_role,
        type="main",
        date_from=date(2030, 1, 1),
        date_to=date(2030, 12, 31),
    )


@pytest.mark.parametrize("language", ["en", "pl"])
def test_null_for_an_assignments_required_fields(
    api: Client, assignment: CaretakerAssignment, language: str
) -> None:
    names = ("operator_id", "type", "role_id", "date_from", "priority")
    url = f"/api/v1/caretakers/{assignment.pk}"
    assert _refused(api, url, dict.fromkeys(names), language) == dict.fromkeys(names, NULL[language])
    stored = CaretakerAssignment.objects.get(pk=assignment.pk)
    assert (stored.date_from, stored.date_to, stored.type) == (date(2030, 1, 1), date(2030, 12, 31), "main")


def test_null_still_opens_an_assignments_end_and_clears_its_branch(
    api: Client, assignment: CaretakerAssignment
) -> None:
    response = api.patch(
        f"/api/v1/caretakers/{assignment.pk}", {"date_to": None, "branch_id": None}, content_type=JSON
    )
    assert response.status_code == 200
    assert (response.json()["date_to"], response.json()["branch_id"]) == (None, None)


@pytest.mark.parametrize("language", ["en", "pl"])
def test_null_for_a_contractors_fields(api: Client, contractor: Contractor, language: str) -> None:
    names = ("code", "name", "nip", "active")
    url = f"/api/v1/contractors/{contractor.pk}"
    assert _refused(api, url, dict.fromkeys(names), language) == dict.fromkeys(names, NULL[language])
    assert Contractor.objects.get(pk=contractor.pk).code == contractor.code


@pytest.mark.parametrize("language", ["en", "pl"])
def test_null_for_an_absences_fields(
    client_for: Callable[[Operator], Client], admin_op: Operator, language: str
) -> None:
    absence = Absence.objects.create(
        operator=admin_op, date_from=date(2030, 7, 1), date_to=date(2030, 7, 14), kind="vacation"
    )
    names = ("operator_id", "date_from", "date_to", "kind", "note")
    url = f"/api/v1/absences/{absence.pk}"
    assert _refused(client_for(admin_op), url, dict.fromkeys(names), language) == dict.fromkeys(
        names, NULL[language]
    )
    assert Absence.objects.get(pk=absence.pk).date_to == date(2030, 7, 14)


def test_a_list_for_an_id_is_still_a_type_error(api: Client, assignment: CaretakerAssignment) -> None:
    response = api.patch(f"/api/v1/caretakers/{assignment.pk}", {"role_id": [1]}, content_type=JSON)
    assert response.status_code == 422
    assert response.json()["detail"][0]["type"] == "int_type"
