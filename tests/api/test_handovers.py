# mypy: disable-error-code="arg-type"
"""POST/GET /handovers, GET /handovers/{id}, POST /handovers/{id}/cancel: the
contract of docs/api.md ("Handovers") with its 200/201/409/422/403/404."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

import pytest
from django.test import Client

from opiekun.caretakers.models import CaretakerAssignment, Handover
from opiekun.caretakers.services import assignment_update, caretaker_add
from opiekun.contractors.models import Contractor
from opiekun.operators.models import Operator, UnassignedAccess, Visibility

JSON = "application/json"
URL = "/api/v1/handovers"
D = "2030-03-01"


@pytest.fixture
def portfolio(portfolio_of: Callable[[int], list[Contractor]]) -> list[Contractor]:
    """Anna (``sellers[0]``) is the main caretaker of three contractors since 2030-01-01."""
    return portfolio_of(3)


def _post(client: Client, url: str = URL, **body: Any) -> Any:
    return client.post(url, body, content_type=JSON)


def _rows() -> list[tuple[Any, ...]]:
    return sorted(
        CaretakerAssignment.objects.values_list(
            "id", "contractor_id", "operator_id", "type", "date_from", "date_to"
        )
    )


def _handed(api: Client, sellers: list[Operator], **extra: Any) -> dict[str, Any]:
    body = {"from_operator_id": sellers[0].pk, "to_operator_ids": [sellers[1].pk], "date": D, **extra}
    preview = _post(api, **body).json()
    response = _post(api, **body, confirm_token=preview["confirm_token"])
    assert response.status_code == 201, response.json()
    return response.json()["handover"]


def test_preview_then_confirm(api: Client, sellers: list[Operator], portfolio: list[Contractor]) -> None:
    anna, bob, _ = sellers
    body = {"from_operator_id": anna.pk, "to_operator_ids": [bob.pk], "date": D}
    before = _rows()
    response = _post(api, **body)
    assert response.status_code == 200
    answer = response.json()
    assert set(answer) == {"applied", "confirm_token", "preview"} and answer["applied"] is False
    preview = answer["preview"]
    assert {"contractors", "assignments", "targets", "results"} <= set(preview)
    assert (preview["contractors"], preview["assignments"]) == (3, 3)
    assert preview["targets"] == [{"operator_id": bob.pk, "contractors": 3, "assignments": 3}]
    first = preview["results"][0]
    assert set(first) == {"contractor_id", "to_operator_id", "outcome", "changes", "conflicts"}
    assert first["to_operator_id"] == bob.pk and first["outcome"] == "added"
    assert [c["kind"] for c in first["changes"]] == ["cut", "created"]
    assert first["changes"][0]["after"] == [{"date_from": "2030-01-01", "date_to": "2030-02-28"}]
    assert _rows() == before

    done = _post(api, **body, confirm_token=answer["confirm_token"])
    assert done.status_code == 201
    handover = done.json()["handover"]
    assert {
        "id",
        "from_operator_id",
        "to_operator_ids",
        "date",
        "state",
        "contractors",
        "assignments",
        "created_by",
        "created_at",
    } <= set(handover)
    assert handover["from_operator_id"] == anna.pk and handover["to_operator_ids"] == [bob.pk]
    assert (handover["date"], handover["state"], handover["contractors"]) == (D, "planned", 3)
    assert CaretakerAssignment.objects.filter(operator=bob, date_from=date(2030, 3, 1)).count() == 3

    fetched = api.get(f"{URL}/{handover['id']}")
    assert fetched.status_code == 200 and fetched.json() == handover


def test_a_stale_token_answers_409_with_a_fresh_preview(
    api: Client, actor: Any, sellers: list[Operator], portfolio: list[Contractor]
) -> None:
    anna, bob, cecylia = sellers
    body = {"from_operator_id": anna.pk, "to_operator_ids": [bob.pk], "date": D}
    token = _post(api, **body).json()["confirm_token"]
    caretaker_add(
        actor=actor,
        contractor_ids=[portfolio[0].pk],
        operator_id=cecylia.pk,
        date_from="2030-06-01",
        type="deputy",
    )
    response = _post(api, **body, confirm_token=token)
    assert response.status_code == 409
    answer = response.json()
    assert set(answer) == {"detail", "confirm_token", "preview"}
    assert answer["confirm_token"] != token and answer["preview"]["contractors"] == 3
    assert not Handover.objects.exists()
    assert _post(api, **body, confirm_token=answer["confirm_token"]).status_code == 201


def test_keep_reports_the_conflict_and_skips(
    api: Client, actor: Any, sellers: list[Operator], portfolio: list[Contractor]
) -> None:
    anna, bob, _ = sellers
    caretaker_add(
        actor=actor,
        contractor_ids=[portfolio[1].pk],
        operator_id=bob.pk,
        date_from="2030-02-01",
        type="deputy",
    )
    body = {"from_operator_id": anna.pk, "to_operator_ids": [bob.pk], "date": D, "on_overlap": "keep"}
    preview = _post(api, **body).json()["preview"]
    skipped = next(r for r in preview["results"] if r["contractor_id"] == portfolio[1].pk)
    assert skipped["outcome"] == "skipped" and skipped["changes"] == []
    assert [(c["operator_id"], c["type"], c["operator_name"]) for c in skipped["conflicts"]] == [
        (bob.pk, "deputy", "Bob Tester")
    ]
    assert (preview["contractors"], preview["skipped"]) == (2, 1)


def test_several_targets(api: Client, sellers: list[Operator], portfolio: list[Contractor]) -> None:
    handover = _handed(api, sellers, to_operator_ids=[sellers[1].pk, sellers[2].pk])
    assert handover["to_operator_ids"] == [sellers[1].pk, sellers[2].pk]
    assert [t["contractors"] for t in handover["targets"]] == [2, 1]


def test_cancel_and_cancel_refused(
    api: Client, actor: Any, sellers: list[Operator], portfolio: list[Contractor]
) -> None:
    before = _rows()
    handover = _handed(api, sellers)
    cancelled = _post(api, f"{URL}/{handover['id']}/cancel")
    assert cancelled.status_code == 200
    assert cancelled.json()["state"] == "cancelled" and cancelled.json()["cancelled_by"] == actor.pk
    assert _rows() == before
    again = _post(api, f"{URL}/{handover['id']}/cancel")
    assert again.status_code == 409 and again.json()["changed"] == []

    second = _handed(api, sellers)
    row = CaretakerAssignment.objects.get(contractor=portfolio[2], operator=sellers[1])
    assignment_update(actor=actor, assignment_id=row.pk, date_to="2031-01-01")
    refused = _post(api, f"{URL}/{second['id']}/cancel")
    assert refused.status_code == 409
    assert set(refused.json()) == {"detail", "changed"} and refused.json()["changed"] == [row.pk]
    assert str(row.pk) in refused.json()["detail"]


def test_cancel_refused_when_a_row_it_wrote_got_another_priority(
    api: Client, actor: Any, sellers: list[Operator], portfolio: list[Contractor]
) -> None:
    """A changed priority is a change: cancelling would delete the received row and
    with it the edit, so the cancel is refused naming the row, and nothing is written."""
    handover = _handed(api, sellers)
    row = CaretakerAssignment.objects.get(contractor=portfolio[0], operator=sellers[1])
    assignment_update(actor=actor, assignment_id=row.pk, priority=5)
    before = _rows()
    refused = _post(api, f"{URL}/{handover['id']}/cancel")
    assert refused.status_code == 409, refused.json()
    assert refused.json()["changed"] == [row.pk]
    assert _rows() == before and CaretakerAssignment.objects.get(pk=row.pk).priority == 5
    assert api.get(f"{URL}/{handover['id']}").json()["state"] == "planned"


def test_list_filters_and_pages(api: Client, sellers: list[Operator], portfolio: list[Contractor]) -> None:
    first = _handed(api, sellers, contractor_ids=[portfolio[0].pk])
    second = _handed(api, sellers, contractor_ids=[portfolio[1].pk], to_operator_ids=[sellers[2].pk])
    page = api.get(URL, {"page_size": 1}).json()
    assert page["count"] == 2 and [h["id"] for h in page["results"]] == [second["id"]] and page["next"]
    assert [h["id"] for h in api.get(URL, {"operator_id": sellers[2].pk}).json()["results"]] == [second["id"]]
    assert api.get(URL, {"operator_id": sellers[0].pk}).json()["count"] == 2
    assert api.get(URL, {"state": "planned"}).json()["count"] == 2
    assert api.get(URL, {"state": "in_force"}).json()["count"] == 0
    _post(api, f"{URL}/{first['id']}/cancel")
    assert [h["id"] for h in api.get(URL, {"state": "cancelled"}).json()["results"]] == [first["id"]]
    assert api.get(URL, {"state": "gone"}).status_code == 422


def _loc(response: Any) -> set[str]:
    return {item["loc"][-1] if len(item["loc"]) > 1 else "" for item in response.json()["detail"]}


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"from_operator_id": 999_999}, "from_operator_id"),
        ({"to_operator_ids": []}, "to_operator_ids"),
        ({"to_operator_ids": [999_999]}, "to_operator_ids"),
        ({"date": "2030-02-30"}, "date"),
        ({"date": "tomorrow"}, "date"),
        ({"types": []}, "types"),
        ({"role_ids": [999_999]}, "role_ids"),
        ({"branch_ids": [999_999]}, "branch_ids"),
        ({"contractor_ids": [999_999]}, "contractor_ids"),
        ({"on_overlap": "maybe"}, "on_overlap"),
        ({"distribution": "random"}, "distribution"),
        ({"colour": "red"}, "colour"),
        ({"from_operator_id": True}, "from_operator_id"),  # a boolean is not an id (not 1)
    ],
)
def test_bad_input_is_a_field_error_and_writes_nothing(
    api: Client, sellers: list[Operator], portfolio: list[Contractor], change: dict[str, Any], field: str
) -> None:
    body = {"from_operator_id": sellers[0].pk, "to_operator_ids": [sellers[1].pk], "date": D, **change}
    before = _rows()
    response = _post(api, **body)
    assert response.status_code == 422, response.json()
    assert field in _loc(response)
    assert _rows() == before and not Handover.objects.exists()


def test_handing_over_to_oneself_is_a_field_error(
    api: Client, sellers: list[Operator], portfolio: list[Contractor]
) -> None:
    response = _post(api, from_operator_id=sellers[0].pk, to_operator_ids=[sellers[0].pk], date=D)
    assert response.status_code == 422
    assert response.json()["detail"] == [
        {
            "loc": ["body", "to_operator_ids"],
            "msg": "An operator cannot hand over to themselves.",
            "type": "value_error",
        }
    ]


def test_creating_and_cancelling_need_the_permission_to_assign(
    api: Client,
    client_for: Callable[[Operator], Client],
    make_operator: Callable[..., Operator],
    sellers: list[Operator],
    portfolio: list[Contractor],
) -> None:
    handover = _handed(api, sellers)
    clerk = client_for(make_operator("clerk", can_assign=False))
    body = {"from_operator_id": sellers[0].pk, "to_operator_ids": [sellers[2].pk], "date": D}
    assert _post(clerk, **body).status_code == 403
    assert _post(clerk, f"{URL}/{handover['id']}/cancel").status_code == 403
    assert clerk.get(f"{URL}/{handover['id']}").status_code == 200  # reading needs no permission


def test_an_own_only_operator_sees_only_handovers_of_contractors_they_see(
    api: Client,
    actor: Any,
    client_for: Callable[[Operator], Client],
    make_operator: Callable[..., Operator],
    sellers: list[Operator],
    portfolio: list[Contractor],
) -> None:
    handover = _handed(api, sellers, date="2024-01-01", contractor_ids=[portfolio[0].pk])
    outsider = make_operator("outsider", visibility=Visibility.OWN, unassigned_access=UnassignedAccess.DENIED)
    insider = make_operator("insider", visibility=Visibility.OWN, unassigned_access=UnassignedAccess.DENIED)
    caretaker_add(
        actor=actor,
        contractor_ids=[portfolio[0].pk],
        operator_id=insider.pk,
        date_from="2024-01-01",
        type="deputy",
    )
    hidden = client_for(outsider)
    assert hidden.get(f"{URL}/{handover['id']}").status_code == 404
    assert hidden.get(URL).json()["count"] == 0
    assert _post(hidden, f"{URL}/{handover['id']}/cancel").status_code == 404
    assert client_for(insider).get(f"{URL}/{handover['id']}").status_code == 200
    assert api.get(f"{URL}/999999").status_code == 404
