"""Bad input on the web UI's screens and forms: never a server error, never a write, the
form's field (or, for a hidden field, the form) says what is wrong."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client

from opiekun.caretakers.models import CaretakerAssignment, CaretakerRole, Handover
from opiekun.caretakers.services import caretaker_add
from opiekun.contractors.models import Contractor
from opiekun.operators.models import Operator

pytestmark = pytest.mark.django_db
ADD = "/opiekunowie/dodaj/"
HANDOVER = "/operatorzy/przekazania/nowe/"
TOKEN_ERROR = "To nie jest token potwierdzenia wydany przez podgląd"
FORGED = ["garbage", "x:y:z", "\x00", "9" * 500]


@pytest.fixture
def boss(client: Client, admin_op: Operator) -> Client:
    client.force_login(admin_op.user)
    return client


def _rows() -> list[tuple[Any, ...]]:
    return sorted(
        CaretakerAssignment.objects.values_list("id", "operator_id", "type", "date_from", "date_to")
    )


def test_a_forged_token_in_the_add_dialog_is_named_above_the_form(
    boss: Client, actor: Any, sellers: list[Operator], default_role: CaretakerRole, contractor: Contractor
) -> None:
    caretaker_add(
        actor=actor, contractor_ids=[contractor.pk], operator_id=sellers[0].pk, date_from="2030-01-01"
    )
    data = {
        "ids": [contractor.pk],
        "operator_id": sellers[1].pk,
        "date_from": "01.06.2030",
        "on_overlap": "warn",
        "type": "main",
        "role_id": default_role.pk,
    }
    before = _rows()
    for token in FORGED:
        response = boss.post(ADD, {**data, "confirm_token": token})
        assert response.status_code == 200, token
        assert response.templates[0].name == "caretakers/add_dialog.html", token
        form = response.context["form"]
        assert list(form.errors) == ["confirm_token"], token
        shown = form.non_field_errors()
        assert shown == form.errors["confirm_token"] and str(shown[0]) in response.content.decode(), token
        if token != "\x00":
            assert TOKEN_ERROR in str(shown[0]), token
    assert _rows() == before


def test_a_forged_token_in_the_handover_wizard_is_named_above_the_form(
    boss: Client, sellers: list[Operator], portfolio_of: Callable[[int], list[Contractor]]
) -> None:
    portfolio_of(2)
    data = {
        "step": "preview",
        "from_operator_id": sellers[0].pk,
        "types": ["main", "deputy"],
        "to_operator_ids": [sellers[1].pk],
        "date": "01.03.2030",
        "on_overlap": "warn",
    }
    before = _rows()
    for token in FORGED:
        response = boss.post(HANDOVER, {**data, "confirm_token": token})
        assert response.status_code == 200, token
        assert response.context["step"] == "whom", token
        form = response.context["form"]
        assert list(form.errors) == ["confirm_token"], token
        shown = form.non_field_errors()
        assert shown == form.errors["confirm_token"] and str(shown[0]) in response.content.decode(), token
        if token != "\x00":
            assert TOKEN_ERROR in str(shown[0]), token
    assert _rows() == before and not Handover.objects.exists()
