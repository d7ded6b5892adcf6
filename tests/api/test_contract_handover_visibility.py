"""§5 applied to §12a's handovers: a handover is visible to an own-only operator who
sees one contractor it changed — but its JSON listed, in `contractor_ids`, every
contractor the request named, those the viewer may not see included. docs/api.md:
an id of a contractor you may not see is never listed anywhere. Now they see only the
ids of contractors they may see; the totals stay the record's (as on its web page)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client

from opiekun.caretakers.services import caretaker_add
from opiekun.contractors.models import Contractor
from opiekun.operators.models import Operator, UnassignedAccess, Visibility

pytestmark = pytest.mark.django_db

JSON = "application/json"
URL = "/api/v1/handovers"


@pytest.fixture
def handover(
    api: Client, sellers: list[Operator], portfolio_of: Callable[[int], list[Contractor]]
) -> tuple[dict[str, Any], list[Contractor]]:
    firms = portfolio_of(3)
    body = {
        "from_operator_id": sellers[0].pk,
        "to_operator_ids": [sellers[1].pk],
        "date": "2030-03-01",
        "contractor_ids": [firm.pk for firm in firms],
    }
    token = api.post(URL, body, content_type=JSON).json()["confirm_token"]
    done = api.post(URL, {**body, "confirm_token": token}, content_type=JSON)
    assert done.status_code == 201
    return done.json()["handover"], firms


def test_an_own_only_viewer_is_not_told_the_ids_of_contractors_they_may_not_see(
    actor: Any,
    api: Client,
    client_for: Callable[[Operator], Client],
    make_operator: Callable[..., Operator],
    handover: tuple[dict[str, Any], list[Contractor]],
) -> None:
    record, firms = handover
    assert record["contractor_ids"] == [firm.pk for firm in firms]
    viewer = make_operator("viewer", visibility=Visibility.OWN, unassigned_access=UnassignedAccess.DENIED)
    caretaker_add(
        actor=actor,
        contractor_ids=[firms[1].pk],
        operator_id=viewer.pk,
        date_from="2020-01-01",
        type="deputy",
    )
    own = client_for(viewer)
    detail = own.get(f"{URL}/{record['id']}")
    assert detail.status_code == 200
    assert detail.json()["contractor_ids"] == [firms[1].pk]
    assert (detail.json()["contractors"], detail.json()["assignments"]) == (3, 3)  # the record's totals
    listed = own.get(URL).json()["results"]
    assert [h["contractor_ids"] for h in listed] == [[firms[1].pk]]
    assert api.get(f"{URL}/{record['id']}").json()["contractor_ids"] == [firm.pk for firm in firms]


def test_without_a_list_of_contractors_nothing_changes(
    api: Client, sellers: list[Operator], portfolio_of: Callable[[int], list[Contractor]]
) -> None:
    portfolio_of(2)
    body = {"from_operator_id": sellers[0].pk, "to_operator_ids": [sellers[1].pk], "date": "2030-03-01"}
    token = api.post(URL, body, content_type=JSON).json()["confirm_token"]
    done = api.post(URL, {**body, "confirm_token": token}, content_type=JSON).json()["handover"]
    assert done["contractor_ids"] is None
    assert api.get(URL).json()["results"][0]["contractor_ids"] is None
