""" "Select all matching the filter" (the list → Dodaj opiekuna): an invalid filter
refuses the action and never widens it to every contractor; the count the dialog
shows is the count acted on; a list with an invalid filter shows no contractors."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from opiekun.caretakers.models import CaretakerAssignment, CaretakerRole
from opiekun.caretakers.services import caretaker_add
from opiekun.contractors.models import Contractor
from opiekun.dates import today
from opiekun.operators.models import Operator

pytestmark = pytest.mark.django_db
ADD = "/opiekunowie/dodaj/"


@pytest.fixture
def boss_client(client: Client, admin_op: Operator) -> Client:
    client.force_login(admin_op.user)
    return client


def _form(operator: Operator, role: CaretakerRole, **extra: Any) -> dict[str, Any]:
    return {
        "operator_id": operator.pk,
        "date_from": "01.01.2025",
        "date_to": "",
        "on_overlap": "replace",
        "type": "deputy",
        "role_id": role.pk,
        "branch_id": "",
        **extra,
    }


@pytest.fixture
def world(
    actor: Any, make_operator: Any, make_contractors: Any, default_role: CaretakerRole
) -> dict[str, Any]:
    """300 contractors; X cares for 3 of them today; D is the deputy to add."""
    everyone = make_contractors(300)
    x = make_operator("xavier")
    caretaker_add(
        actor=actor,
        contractor_ids=[c.pk for c in everyone[:3]],
        operator_id=x.pk,
        date_from=today(),
        on_overlap="replace",
    )
    return {"x": x, "deputy": make_operator("deputy"), "role": default_role, "all": everyone}


def _deputies(world: dict[str, Any]) -> int:
    return CaretakerAssignment.objects.filter(operator=world["deputy"]).count()


def test_the_filter_of_a_deactivated_caretaker_refuses_the_action(
    boss_client: Client, world: dict[str, Any]
) -> None:
    x = world["x"]
    selection = {"all_matching": "1", "caretaker": x.pk}
    opened = boss_client.post(ADD, {**selection, "dialog": "open"})
    assert opened.context["selected"] == 3
    x.active = False
    x.save()
    # The same request once X is inactive: not 300, nothing.
    opened = boss_client.post(ADD, {**selection, "dialog": "open"})
    assert opened.context["selection_blocked"]
    assert opened.context["selected"] == 0
    assert 'data-testid="selection-error"' in opened.content.decode()
    response = boss_client.post(ADD, {**_form(world["deputy"], world["role"]), **selection})
    assert response.status_code == 200
    assert response.context["selection_error"]
    assert response.templates[0].name == "caretakers/add_dialog.html"
    assert _deputies(world) == 0


@pytest.mark.parametrize(
    "bad",
    [
        {"caretaker": "abc"},
        {"caretaker": "999999"},  # no such operator
        {"q": "x" * 101},  # longer than the search box takes
        {"role": "abc"},
        {"active": "maybe"},
        {"no_caretaker": "1", "caretaker": "{x}"},  # contradictory
    ],
)
def test_an_invalid_filter_refuses_the_action_and_writes_nothing(
    boss_client: Client, world: dict[str, Any], bad: dict[str, str]
) -> None:
    bad = {k: v.format(x=world["x"].pk) for k, v in bad.items()}
    data = {**_form(world["deputy"], world["role"]), "all_matching": "1", **bad}
    response = boss_client.post(ADD, data)
    assert response.status_code == 200
    assert response.context["selection_error"]
    assert response.context["selection_blocked"]
    assert _deputies(world) == 0


def test_the_count_shown_is_the_count_acted_on(
    boss_client: Client, actor: Any, world: dict[str, Any]
) -> None:
    selection = {"all_matching": "1", "caretaker": world["x"].pk}
    opened = boss_client.post(ADD, {**selection, "dialog": "open"})
    assert opened.context["selected"] == 3
    carried = dict(opened.context["selection"])
    assert carried["selection_check"]
    # Meanwhile X takes a fourth contractor: the filter now finds 4.
    caretaker_add(
        actor=actor,
        contractor_ids=[world["all"][10].pk],
        operator_id=world["x"].pk,
        date_from=today(),
        on_overlap="replace",
    )
    data = {**_form(world["deputy"], world["role"]), **carried}
    response = boss_client.post(ADD, data)
    assert response.templates[0].name == "caretakers/add_dialog.html"
    assert response.context["selected"] == 4
    assert "4" in response.context["selection_error"]
    assert not response.context["selection_blocked"]
    assert _deputies(world) == 0  # nothing done on a count the user did not see
    # Saved again (the dialog now carries the new fingerprint): done, on the 4 shown.
    response = boss_client.post(
        ADD, {**_form(world["deputy"], world["role"]), **dict(response.context["selection"])}
    )
    assert response.templates[0].name == "caretakers/add_summary.html"
    assert response.context["total"] == 4
    assert _deputies(world) == 4


def test_a_valid_filter_acts_on_exactly_what_it_found(boss_client: Client, world: dict[str, Any]) -> None:
    data = {**_form(world["deputy"], world["role"]), "all_matching": "1", "caretaker": world["x"].pk}
    response = boss_client.post(ADD, data)
    assert response.templates[0].name == "caretakers/add_summary.html"
    assert _deputies(world) == 3


def test_ticked_ids_are_counted_once(boss_client: Client, world: dict[str, Any]) -> None:
    ids = [c.pk for c in world["all"][:2]]
    opened = boss_client.post(ADD, {"ids": [ids[0], ids[1], ids[0]], "dialog": "open"})
    assert opened.context["selected"] == 2


def test_the_list_with_an_invalid_filter_shows_the_error_and_no_contractors(
    boss_client: Client, world: dict[str, Any]
) -> None:
    x = world["x"]
    x.active = False
    x.save()
    for query in (f"caretaker={x.pk}", "caretaker=abc", "q=" + "x" * 101):
        response = boss_client.get(f"/kontrahenci/?{query}")
        assert response.status_code == 400
        assert response.context["filter_errors"]
        assert response.context["page"].paginator.count == 0
        assert 'data-total="0"' in response.content.decode()


def test_the_list_offers_the_filter_it_shows_to_the_selection(
    boss_client: Client, world: dict[str, Any]
) -> None:
    page = boss_client.get("/kontrahenci/?no_caretaker=on&q=K").content.decode()
    assert '<input type="hidden" name="no_caretaker" value="on">' in page
    assert '<input type="hidden" name="q" value="K">' in page


def test_unknown_contractor_in_all_matching_does_not_exist(
    boss_client: Client, world: dict[str, Any]
) -> None:
    # A filter that finds nothing is a valid, empty selection: refused by the service.
    data = {**_form(world["deputy"], world["role"]), "all_matching": "1", "q": "no-such-contractor"}
    response = boss_client.post(ADD, data)
    assert response.context["form"].non_field_errors()
    assert _deputies(world) == 0
    assert Contractor.objects.count() == 300
