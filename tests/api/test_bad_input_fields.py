"""Inputs that were read as something else than the client meant, or answered badly:
each is now a 422 on its field with a message that says what to send (docs/api.md,
"Status codes")."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from opiekun.caretakers.services import caretaker_add
from opiekun.contractors.models import Contractor
from opiekun.operators.models import Operator

MOMENT = "Enter a date and time as YYYY-MM-DDTHH:MM:SS (a time zone may follow)."


@pytest.fixture
def audit_url(actor: Any, sellers: list[Operator], make_contractors: Any) -> str:
    contractor: Contractor = make_contractors(1)[0]
    caretaker_add(
        actor=actor, contractor_ids=[contractor.pk], operator_id=sellers[0].pk, date_from="2030-01-01"
    )
    return f"/api/v1/contractors/{contractor.pk}/caretaker-audit"


# pydantic read a number as seconds since 1970 — or, past 2e10, as milliseconds:
# ``at=20250101`` (a date without its dashes) was a day of August 1970, silently.
@pytest.mark.parametrize("at", ["20250101", "99999", "-99999999999", "1700000000", "1700000000.5", "+5"])
def test_a_moment_of_digits_is_a_422_not_a_day_of_1970(api: Client, audit_url: str, at: str) -> None:
    response = api.get(audit_url, {"at": at})
    assert response.status_code == 422
    assert response.json()["detail"] == [{"loc": ["query", "at"], "msg": MOMENT, "type": "value_error"}]


def test_the_moment_message_is_polish_in_polish(api: Client, audit_url: str) -> None:
    response = api.get(audit_url, {"at": "20250101"}, headers={"accept-language": "pl"})
    assert response.json()["detail"][0]["msg"] == (
        "Podaj datę i godzinę jako RRRR-MM-DDTGG:MM:SS (może po nich nastąpić strefa czasowa)."
    )


@pytest.mark.parametrize(
    ("at", "read"),
    [
        ("2025-01-01T12:00:00", "2025-01-01T11:00:00Z"),
        ("2025-01-01T12:00:00+02:00", "2025-01-01T10:00:00Z"),
        ("2025-01-01T12:00:00Z", "2025-01-01T12:00:00Z"),
        ("2025-01-01", "2024-12-31T23:00:00Z"),
    ],
)
def test_an_iso_moment_is_read_as_before(api: Client, audit_url: str, at: str, read: str) -> None:
    response = api.get(audit_url, {"at": at})
    assert response.status_code == 200 and response.json()["at"] == read
