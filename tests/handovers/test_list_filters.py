"""Przekazania klientów, the list: a bad filter answers 400 with the message on its
field and no list (it listed every handover, the filter dropped)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from opiekun.caretakers.services import handover_create
from opiekun.contractors.models import Contractor
from opiekun.operators.models import Operator

pytestmark = pytest.mark.django_db
URL = reverse("handovers:list")


@pytest.fixture
def boss(client: Client, admin_op: Operator) -> Client:
    client.force_login(admin_op.user)
    return client


@pytest.fixture
def handed_over(actor: Any, sellers: list[Operator], portfolio_of: Callable[[int], list[Contractor]]) -> None:
    portfolio_of(1)
    arguments: dict[str, Any] = {
        "from_operator_id": sellers[0].pk,
        "to_operator_ids": [sellers[1].pk],
        "date": "2030-03-01",
    }
    preview = handover_create(actor=actor, **arguments)
    assert handover_create(actor=actor, **arguments, confirm_token=preview.confirm_token).handover


@pytest.mark.parametrize(
    "query", [{"state": "zzz"}, {"operator": "abc"}, {"operator": "999999"}, {"operator": "9" * 30}]
)
def test_a_bad_filter_is_a_400_with_its_message_and_no_list(
    boss: Client, handed_over: None, query: dict[str, str]
) -> None:
    response = boss.get(URL, query)
    assert response.status_code == 400
    html = response.content.decode()
    field = html.split(f'data-field="{next(iter(query))}"')[1].split("</div>")[0]
    assert "field-error" in field
    assert 'data-testid="handovers"' not in html and "data-handover=" not in html
    assert "Popraw zaznaczone powyżej filtry, aby zobaczyć listę." in html


def test_good_filters_list_and_an_empty_result_is_no_error(boss: Client, handed_over: None) -> None:
    listed = boss.get(URL, {"state": "planned"})
    assert listed.status_code == 200 and listed.content.decode().count("data-handover=") == 1
    empty = boss.get(URL, {"state": "cancelled"})
    assert empty.status_code == 200 and "alert-error" not in empty.content.decode()
    assert boss.get(URL).status_code == 200
