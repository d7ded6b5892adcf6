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
    (date_to), it is still taken. A PATCH's null has its own message
    (tests/api/test_patch_nulls.py)."""
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


# pydantic's own messages: each request below makes pydantic refuse a field by one of the
# error types of opiekun.api_messages; in English its words are kept, in Polish ours.
PYDANTIC_CASES = [
    (
        "post",
        "/api/v1/caretakers/add",
        {"contractor_ids": [1], "operator_id": "x", "on_overlap": "zz"},
        {
            "operator_id": (
                "int_parsing",
                "Input should be a valid integer, unable to parse string as an integer",
                "Podaj liczbę całkowitą.",
            ),
            "date_from": ("missing", "Field required", "To pole jest wymagane."),
            "on_overlap": (
                "enum",
                "Input should be 'keep', 'warn' or 'replace'",
                "Dozwolone wartości: 'keep', 'warn', 'replace'.",
            ),
        },
    ),
    (
        "post",
        "/api/v1/handovers",
        {"from_operator_id": 1.5, "to_operator_ids": "x", "date": "2026-12-01", "distribution": "weird"},
        {
            "from_operator_id": (
                "int_from_float",
                "Input should be a valid integer, got a number with a fractional part",
                "Podaj liczbę całkowitą.",
            ),
            "to_operator_ids": ("list_type", "Input should be a valid list", "Wyślij listę."),
            "distribution": ("literal_error", "Input should be 'even'", "Dozwolone wartości: 'even'."),
        },
    ),
    (
        "post",
        "/api/v1/absences",
        {
            "operator_id": 1,
            "date_from": "2026-12-01",
            "date_to": "2026-12-02",
            "kind": "vacation",
            "note": "x" * 501,
        },
        {
            "note": (
                "string_too_long",
                "String should have at most 500 characters",
                "Podaj najwyżej 500 znaków.",
            )
        },
    ),
    (
        "post",
        "/api/v1/contractors",
        {"code": "", "name": "x" * 251},
        {
            "code": ("string_too_short", "String should have at least 1 character", "To pole jest wymagane."),
            "name": (
                "string_too_long",
                "String should have at most 250 characters",
                "Podaj najwyżej 250 znaków.",
            ),
        },
    ),
    (
        "post",
        "/api/v1/caretakers/resolve",
        {"items": []},
        {
            "items": (
                "too_short",
                "List should have at least 1 item after validation, not 0",
                "Wyślij co najmniej 1 element (wysłano: 0).",
            )
        },
    ),
    (
        "get",
        "/api/v1/contractors",
        {"page": "0", "page_size": "100000"},
        {
            "page": (
                "greater_than_equal",
                "Input should be greater than or equal to 1",
                "Podaj wartość większą lub równą 1.",
            ),
            "page_size": (
                "less_than_equal",
                "Input should be less than or equal to 500",
                "Podaj wartość mniejszą lub równą 500.",
            ),
        },
    ),
    (
        "get",
        "/api/v1/coverage-gaps",
        {"consider_absences": "maybe"},
        {
            "consider_absences": (
                "bool_parsing",
                "Input should be a valid boolean, unable to interpret input",
                "Podaj prawdę lub fałsz.",
            )
        },
    ),
]


@pytest.mark.parametrize(("method", "path", "data", "expected"), PYDANTIC_CASES)
def test_pydantics_own_messages_speak_polish_and_keep_their_english(
    api: Client, admin_op: Operator, method: str, path: str, data: dict[str, Any], expected: dict[str, Any]
) -> None:
    """They were English whatever Accept-Language asked for."""
    for language, column in (("en", 1), ("pl", 2)):
        if method == "post":
            response = api.post(
                path, data, content_type="application/json", headers={"accept-language": language}
            )
        else:
            response = api.get(path, data, headers={"accept-language": language})
        assert response.status_code == 422, response.content
        got = {item["loc"][-1]: (item["type"], item["msg"]) for item in response.json()["detail"]}
        assert got == {field: (case[0], case[column]) for field, case in expected.items()}, language


@pytest.mark.parametrize(
    ("language", "message"),
    [("en", "Cannot parse request body"), ("pl", "Treść żądania nie jest poprawnym JSON-em.")],
)
def test_a_body_that_is_not_json_is_named_in_the_callers_language(
    api: Client, admin_op: Operator, language: str, message: str
) -> None:
    response = api.post(
        "/api/v1/caretakers/add",
        "{bad",
        content_type="application/json",
        headers={"accept-language": language},
    )
    assert response.status_code == 422
    assert response.json()["detail"] == [{"loc": ["body"], "msg": message, "type": "json_invalid"}]
