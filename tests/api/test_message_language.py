"""The API's own validation messages follow Accept-Language like the services' do, and
carry no pydantic prefix: the same words in the same language as every other 422 item."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.test import Client

from opiekun.caretakers.models import CaretakerAssignment
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


@pytest.mark.parametrize(
    ("language", "required"), [("en", "This field is required."), ("pl", "To pole jest wymagane.")]
)
def test_a_required_date_sent_as_null_is_the_fields_required_message(
    api: Client, admin_op: Operator, make_contractors: Any, default_role: Any, language: str, required: str
) -> None:
    """Null for a required date: "This field is required." in the caller's language on
    the field, not pydantic's "Input should be a valid date"; where null means open-ended
    (date_to), it is still taken."""
    [contractor] = make_contractors(1)
    headers = {"accept-language": language}

    def answer(method: str, url: str, body: dict[str, Any]) -> Any:
        return getattr(api, method)(url, json.dumps(body), content_type="application/json", headers=headers)

    add = {"contractor_ids": [contractor.pk], "operator_id": admin_op.pk}
    refused: list[tuple[str, str, dict[str, Any], list[str]]] = [
        ("post", "/api/v1/caretakers/add", {**add, "date_from": None, "date_to": None}, ["date_from"]),
        (
            "post",
            "/api/v1/absences",
            {"operator_id": admin_op.pk, "date_from": None, "date_to": None},
            ["date_from", "date_to"],
        ),
        (
            "post",
            "/api/v1/handovers",
            {"from_operator_id": admin_op.pk, "to_operator_ids": [admin_op.pk], "date": None},
            ["date"],
        ),
        (
            "post",
            "/api/v1/caretakers/resolve",
            {"items": [{"contractor_id": contractor.pk, "on": None}]},
            ["on"],
        ),
        ("patch", "/api/v1/absences/1", {"date_from": None}, ["date_from"]),
        ("patch", "/api/v1/caretakers/1", {"date_from": None}, ["date_from"]),
    ]
    for method, url, body, fields in refused:
        response = answer(method, url, body)
        assert response.status_code == 422, (url, response.content)
        assert response.json()["detail"] == [
            {
                "loc": ["body", *(["items", 0] if "resolve" in url else []), f],
                "msg": required,
                "type": "value_error",
            }
            for f in fields
        ], url
    added = answer("post", "/api/v1/caretakers/add", {**add, "date_from": "2030-01-01", "date_to": None})
    assert added.status_code == 200, added.content
    [row] = CaretakerAssignment.objects.filter(contractor=contractor)
    reopened = answer("patch", f"/api/v1/caretakers/{row.pk}", {"date_to": None})
    assert reopened.status_code == 200 and reopened.json()["date_to"] is None
