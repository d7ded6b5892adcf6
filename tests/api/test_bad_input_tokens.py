"""A confirmation token the server could not have issued (garbage, another type, empty,
truncated, tampered with, or issued for another endpoint) is a 422 on `confirm_token`,
nothing written; a well-formed one that no longer matches — stale, or expired — is a
409 with a fresh preview, as before (docs/api.md, "Confirmation tokens")."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

import pytest
from django.core import signing
from django.test import Client

from opiekun.caretakers.models import CaretakerAssignment, Handover
from opiekun.caretakers.services import caretaker_add
from opiekun.caretakers.services.confirmation import issue_token
from opiekun.contractors.models import Contractor
from opiekun.operators.models import Operator

JSON = "application/json"
HANDOVERS = "/api/v1/handovers"
ADD = "/api/v1/caretakers/add"
PREVIEW = "/api/v1/caretakers/add/preview"
MESSAGE = "Not a confirmation token issued by a preview; send the request without it to get one."


def _state() -> list[tuple[Any, ...]]:
    return sorted(
        CaretakerAssignment.objects.values_list("id", "operator_id", "type", "date_from", "date_to")
    )


def _malformed(good: str, other: str) -> list[object]:
    """Tokens no preview of this endpoint could have issued: ``good`` is one it did,
    ``other`` one of another endpoint."""
    digest, stamp, signature = good.split(":")
    tampered = ("1" if digest[0] != "1" else "2") + digest[1:]
    return [
        "garbage",
        "",
        " ",
        good[:-3],
        good[: len(good) // 2],
        f"{tampered}:{stamp}:{signature}",
        other,
        123,
        ["x"],
        {"token": good},
        True,
    ]


@pytest.fixture
def handover_body(sellers: list[Operator], portfolio_of: Callable[[int], list[Contractor]]) -> dict[str, Any]:
    portfolio_of(3)
    return {"from_operator_id": sellers[0].pk, "to_operator_ids": [sellers[1].pk], "date": "2030-03-01"}


@pytest.fixture
def add_body(actor: Any, sellers: list[Operator], make_contractors: Any) -> dict[str, Any]:
    """A Dodaj opiekuna that meets a conflict under warn: a preview and a token."""
    contractors = make_contractors(2)
    ids = [c.pk for c in contractors]
    caretaker_add(actor=actor, contractor_ids=ids, operator_id=sellers[0].pk, date_from="2030-01-01")
    return {
        "contractor_ids": ids,
        "operator_id": sellers[1].pk,
        "date_from": "2030-06-01",
        "on_overlap": "warn",
    }


def test_a_malformed_handover_token_is_a_422_on_the_field(api: Client, handover_body: dict[str, Any]) -> None:
    good = api.post(HANDOVERS, handover_body, content_type=JSON).json()["confirm_token"]
    other = issue_token("0" * 64, purpose="caretaker_add")
    before = _state()
    for token in _malformed(good, other):
        response = api.post(HANDOVERS, {**handover_body, "confirm_token": token}, content_type=JSON)
        assert response.status_code == 422, (token, response.json())
        errors = response.json()["detail"]
        assert [e["loc"] for e in errors] == [["body", "confirm_token"]], (token, errors)
        if isinstance(token, str) and token.strip():
            assert errors[0]["msg"] == MESSAGE
    assert _state() == before and not Handover.objects.exists()
    # The good one still confirms.
    done = api.post(HANDOVERS, {**handover_body, "confirm_token": good}, content_type=JSON)
    assert done.status_code == 201


def test_the_message_is_polish_in_polish(api: Client, handover_body: dict[str, Any]) -> None:
    body = {**handover_body, "confirm_token": "garbage"}
    answer = api.post(HANDOVERS, body, content_type=JSON, headers={"accept-language": "pl"}).json()
    assert answer["detail"][0]["msg"] == (
        "To nie jest token potwierdzenia wydany przez podgląd; wyślij żądanie bez niego, aby go otrzymać."
    )


def test_a_well_formed_but_stale_or_expired_handover_token_stays_a_409(
    api: Client, handover_body: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    stale = issue_token("0" * 64, purpose="handover")  # ours, for another state
    response = api.post(HANDOVERS, {**handover_body, "confirm_token": stale}, content_type=JSON)
    assert response.status_code == 409 and response.json()["preview"]["contractors"] == 3
    two_hours_ago = signing.b62_encode(int(time.time()) - 7200)
    with monkeypatch.context() as patched:
        patched.setattr(signing.TimestampSigner, "timestamp", lambda self: two_hours_ago)
        expired = api.post(HANDOVERS, handover_body, content_type=JSON).json()["confirm_token"]
    response = api.post(HANDOVERS, {**handover_body, "confirm_token": expired}, content_type=JSON)
    assert response.status_code == 409 and response.json()["confirm_token"] != expired
    assert not Handover.objects.exists()


@pytest.mark.parametrize("url", [ADD, PREVIEW])
def test_a_malformed_add_token_is_a_422_on_the_field(api: Client, add_body: dict[str, Any], url: str) -> None:
    good = api.post(ADD, add_body, content_type=JSON).json()["confirm_token"]
    other = issue_token("0" * 64, purpose="handover")
    before = _state()
    for policy in ("warn", "keep", "replace"):
        for token in _malformed(good, other):
            body = {**add_body, "on_overlap": policy, "confirm_token": token}
            response = api.post(url, body, content_type=JSON)
            assert response.status_code == 422, (policy, token, response.json())
            assert [e["loc"] for e in response.json()["detail"]] == [["body", "confirm_token"]]
    assert _state() == before
    stale = issue_token("0" * 64, purpose="caretaker_add")
    assert api.post(ADD, {**add_body, "confirm_token": stale}, content_type=JSON).status_code == 409
    assert api.post(ADD, {**add_body, "confirm_token": good}, content_type=JSON).status_code == 200
