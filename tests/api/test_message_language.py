"""The API's own validation messages follow Accept-Language like the services' do, and
carry no pydantic prefix: the same words in the same language as every other 422 item."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from opiekun.operators.models import Operator

pytestmark = pytest.mark.django_db


def _messages(client: Client, language: str, body: dict[str, Any]) -> dict[str, str]:
    response = client.post(
        "/api/v1/absences", body, content_type="application/json", headers={"accept-language": language}
    )
    assert response.status_code == 422
    return {item["loc"][-1]: item["msg"] for item in response.json()["detail"]}


@pytest.mark.parametrize(
    ("language", "date_message", "nul_message", "boolean_message"),
    [
        (
            "en",
            "Enter a valid date (YYYY-MM-DD or dd.mm.yyyy).",
            "Text may not contain NUL characters.",
            "Input should be a valid integer, not a boolean.",
        ),
        (
            "pl",
            "Podaj poprawną datę (dd.mm.rrrr lub RRRR-MM-DD).",
            "Tekst nie może zawierać znaków NUL.",
            "Wpisz liczbę całkowitą, nie wartość logiczną.",
        ),
    ],
)
def test_the_api_validators_speak_the_callers_language(
    api: Client, admin_op: Operator, language: str, date_message: str, nul_message: str, boolean_message: str
) -> None:
    body = {"operator_id": True, "date_from": "2026-02-30", "date_to": "2026-03-01", "note": "a\x00b"}
    assert _messages(api, language, body) == {
        "operator_id": boolean_message,
        "date_from": date_message,
        "note": nul_message,
    }


def test_both_filters_of_the_contractors_list_are_refused_in_polish(api: Client, admin_op: Operator) -> None:
    response = api.get(
        "/api/v1/contractors",
        {"caretaker_id": str(admin_op.pk), "without_caretaker": "true"},
        headers={"accept-language": "pl"},
    )
    assert response.status_code == 422
    assert response.json()["detail"] == [
        {
            "loc": ["query", "without_caretaker"],
            "msg": "Podaj caretaker_id albo without_caretaker, nie oba naraz.",
            "type": "value_error",
        }
    ]
