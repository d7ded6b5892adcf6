"""What Python's JSON reader takes silently or refuses on the whole body (docs/api.md,
"Bad input, probed"): an integer of more than 4,300 digits was a 422 on ``["body"]``
(``json_invalid``), a key sent twice counted once, its last value. Both are now a 422
on the field, in the caller's language, nothing written."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client

from opiekun.caretakers.models import CaretakerAssignment
from opiekun.caretakers.services import caretaker_add
from opiekun.contractors.models import Contractor
from opiekun.operators.models import Absence, Operator
from tests.bad_values import LONG

pytestmark = pytest.mark.django_db
JSON = "application/json"

TOO_LONG = {
    "en": "Unable to parse input string as an integer, exceeded maximum size",
    "pl": "Podaj liczbę o najwyżej 4300 cyfrach.",
}
REPEATED = {
    "en": "This field is sent more than once in one object; send it once.",
    "pl": "To pole wysłano więcej niż raz w jednym obiekcie; wyślij je raz.",
}


@pytest.fixture
def add_body(sellers: list[Operator], make_contractors: Callable[[int], list[Contractor]]) -> dict[str, Any]:
    ids = [c.pk for c in make_contractors(2)]
    return {
        "contractor_ids": ids,
        "operator_id": sellers[0].pk,
        "date_from": "2030-06-01",
        "on_overlap": "keep",
    }


def _with(body: dict[str, Any], field: str, raw: str, *, twice: bool = False) -> str:
    """``body`` as JSON with ``raw`` (JSON text) as the value of ``field``, added last
    (``twice``: after the value ``body`` holds)."""
    rest = body if twice else {k: v for k, v in body.items() if k != field}
    return json.dumps(rest)[:-1] + f', "{field}": {raw}}}'


def _post(api: Client, path: str, body: str | bytes, language: str = "en") -> Any:
    return api.post(path, body, content_type=JSON, headers={"accept-language": language})


@pytest.mark.parametrize("language", ["en", "pl"])
@pytest.mark.parametrize(
    ("field", "raw", "loc"),
    [
        ("operator_id", LONG, ["operator_id"]),
        ("operator_id", "-" + LONG, ["operator_id"]),
        ("priority", LONG, ["priority"]),
        ("contractor_ids", f"[1, {LONG}, 2, {LONG}]", ["contractor_ids", 1]),
        ("date_from", LONG, ["date_from"]),
    ],
)
def test_a_number_of_more_than_4300_digits_is_a_422_on_its_field(
    api: Client, add_body: dict[str, Any], language: str, field: str, raw: str, loc: list[Any]
) -> None:
    response = _post(api, "/api/v1/caretakers/add", _with(add_body, field, raw), language)
    assert response.status_code == 422
    detail = response.json()["detail"]
    item = {"loc": ["body", *loc], "msg": TOO_LONG[language], "type": "int_parsing_size"}
    assert detail[0] == item
    if field == "contractor_ids":  # every such number is named
        assert detail == [item, {**item, "loc": ["body", "contractor_ids", 3]}]
    else:
        assert detail == [item]
    assert not CaretakerAssignment.objects.exists()


def test_the_same_number_in_a_query_string_says_the_same(api: Client) -> None:
    """pydantic's answer to the number in a query string: the body's now matches it."""
    response = api.get("/api/v1/operators", {"page": LONG})
    assert response.json()["detail"] == [
        {"loc": ["query", "page"], "msg": TOO_LONG["en"], "type": "int_parsing_size"}
    ]
    polish = api.get("/api/v1/operators", {"page": LONG}, headers={"accept-language": "pl"})
    assert polish.json()["detail"][0]["msg"] == TOO_LONG["pl"]


def test_a_long_number_inside_an_item_of_a_list_names_the_item(api: Client, contractor: Contractor) -> None:
    body = '{"items": [{"contractor_id": %d, "on": "2030-01-01"}, {"contractor_id": %s, "on": "2030-01-01"}]}'
    response = _post(api, "/api/v1/caretakers/resolve", body % (contractor.pk, LONG))
    assert response.status_code == 422
    assert response.json()["detail"] == [
        {"loc": ["body", "items", 1, "contractor_id"], "msg": TOO_LONG["en"], "type": "int_parsing_size"}
    ]


def test_a_number_of_4300_digits_is_read_and_refused_as_too_large(
    api: Client, add_body: dict[str, Any]
) -> None:
    """At the limit Python still converts it: the id's own range says no, as of 2**64."""
    response = _post(api, "/api/v1/caretakers/add", _with(add_body, "operator_id", "9" * 4300))
    assert response.status_code == 422
    assert [(i["loc"], i["type"]) for i in response.json()["detail"]] == [
        (["body", "operator_id"], "less_than_equal")
    ]


@pytest.mark.parametrize("language", ["en", "pl"])
def test_a_key_sent_twice_is_a_422_on_that_key_and_writes_nothing(
    api: Client, add_body: dict[str, Any], sellers: list[Operator], language: str
) -> None:
    body = _with(
        add_body, "operator_id", str(sellers[1].pk), twice=True
    )  # sent twice: first sellers[0], then [1]
    assert body.count('"operator_id"') == 2
    response = _post(api, "/api/v1/caretakers/add", body, language)
    assert response.status_code == 422
    assert response.json()["detail"] == [
        {"loc": ["body", "operator_id"], "msg": REPEATED[language], "type": "value_error"}
    ]
    assert not CaretakerAssignment.objects.exists()


def test_every_repeated_key_is_named_once_nested_ones_by_their_path(
    api: Client, contractor: Contractor
) -> None:
    once = json.dumps({"contractor_id": contractor.pk, "on": "2030-01-01"})
    response = _post(api, "/api/v1/caretakers/resolve", f'{{"items": [{once}], "items": [{once}]}}')
    assert response.status_code == 422
    assert [i["loc"] for i in response.json()["detail"]] == [["body", "items"]]
    thrice = once[:-1] + ', "on": "2030-01-02", "on": "2030-01-03"}'
    response = _post(api, "/api/v1/caretakers/resolve", f'{{"items": [{once}, {thrice}]}}')
    assert response.status_code == 422
    assert [i["loc"] for i in response.json()["detail"]] == [["body", "items", 1, "on"]]


def test_a_repeated_key_and_a_long_number_are_named_together(api: Client, admin_op: Operator) -> None:
    absence = {"operator_id": admin_op.pk, "date_from": "2030-03-01", "kind": "vacation", "note": "a"}
    body = _with(absence, "note", '"b"', twice=True)[:-1] + f', "operator_id": {LONG}}}'
    response = _post(api, "/api/v1/absences", body)
    assert response.status_code == 422
    assert sorted((tuple(i["loc"]), i["type"]) for i in response.json()["detail"]) == [
        (("body", "note"), "value_error"),
        (("body", "operator_id"), "int_parsing_size"),
        (("body", "operator_id"), "value_error"),
    ]
    assert not Absence.objects.exists()


def test_a_patch_with_a_repeated_key_changes_nothing(
    api: Client, actor: Any, sellers: list[Operator], contractor: Contractor
) -> None:
    caretaker_add(
        actor=actor, contractor_ids=[contractor.pk], operator_id=sellers[0].pk, date_from="2030-01-01"
    )
    row = CaretakerAssignment.objects.get()
    body = '{"date_to": "2031-01-01", "date_to": "2032-01-01"}'
    response = api.patch(f"/api/v1/caretakers/{row.pk}", body, content_type=JSON)
    assert response.status_code == 422
    assert [i["loc"] for i in response.json()["detail"]] == [["body", "date_to"]]
    row.refresh_from_db()
    assert row.date_to is None


def test_what_is_not_json_is_still_json_invalid_on_the_body(api: Client, add_body: dict[str, Any]) -> None:
    for raw in ("{bad", '{"operator_id": 1,}', '{"operator_id": ' + LONG, b"\xff\xfe{}"):
        response = _post(api, "/api/v1/caretakers/add", raw)
        assert response.status_code == 422, raw[:20]
        assert response.json()["detail"] == [
            {"loc": ["body"], "msg": "Cannot parse request body", "type": "json_invalid"}
        ], raw[:20]
