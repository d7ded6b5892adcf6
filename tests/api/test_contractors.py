"""GET/POST /contractors, GET/PATCH/DELETE /contractors/{id}: pagination, filters,
visibility (invisible is 404 and never listed), read-only is 403, bad input is 422."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from django.test import Client

from opiekun.caretakers.models import CaretakerAssignment, CaretakerRole
from opiekun.contractors.models import Contractor
from opiekun.dates import today
from opiekun.operators.absences import absence_create
from opiekun.operators.models import Operator, UnassignedAccess, Visibility

JSON = "application/json"


def _assign(contractor: Contractor, operator: Operator, **extra: Any) -> CaretakerAssignment:
    return CaretakerAssignment.objects.create(
        contractor=contractor,
        operator=operator,
        type=extra.pop("type", "main"),
        role=CaretakerRole.objects.get(is_default=True),
        date_from=extra.pop("date_from", today() - timedelta(days=10)),
        **extra,
    )


def test_list_is_paginated_with_links(api: Client, make_contractors: Callable[..., Any]) -> None:
    made = make_contractors(7)
    body = api.get("/api/v1/contractors?page_size=3&page=2").json()
    assert body["count"] == 7
    assert (body["page"], body["page_size"]) == (2, 3)
    assert [c["code"] for c in body["results"]] == [c.code for c in made[3:6]]
    assert "page=3" in body["next"] and "page_size=3" in body["next"]
    assert "page=1" in body["previous"]
    last = api.get("/api/v1/contractors?page_size=3&page=3").json()
    assert last["next"] is None and len(last["results"]) == 1


def test_page_past_the_end_is_empty_with_the_true_count(
    api: Client, make_contractors: Callable[..., Any]
) -> None:
    make_contractors(2)
    body = api.get("/api/v1/contractors?page=99").json()
    assert (body["count"], body["results"], body["next"]) == (2, [], None)
    assert "page=1" in body["previous"]


def test_default_page_size_is_50(api: Client, make_contractors: Callable[..., Any]) -> None:
    make_contractors(51)
    body = api.get("/api/v1/contractors").json()
    assert (body["page_size"], len(body["results"]), body["count"]) == (50, 50, 51)


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("page_size=501", "page_size"),
        ("page_size=0", "page_size"),
        ("page=0", "page"),
        ("page=x", "page"),
        ("page=99999999999999999999", "page"),
        ("caretaker_id=abc", "caretaker_id"),
        ("caretaker_id=99999999999999999999", "caretaker_id"),
        ("active=maybe", "active"),
        ("ordering=password", "ordering"),
        ("search=%00", "search"),
        ("ordering=-caretaker", "ordering"),
        ("without_caretaker=maybe", "without_caretaker"),
        ("caretaker_id=1&without_caretaker=true", "without_caretaker"),
    ],
)
def test_bad_query_parameters_are_422(api: Client, query: str, field: str) -> None:
    response = api.get(f"/api/v1/contractors?{query}")
    assert response.status_code == 422
    assert [e["loc"] for e in response.json()["detail"]] == [["query", field]]


def test_filters_search_active_caretaker_and_ordering(
    api: Client, make_contractors: Callable[..., Any], make_operator: Callable[..., Operator]
) -> None:
    a, b, c = make_contractors(3)
    a.name, a.nip = "Zeta Sp. z o.o.", "5260250274"
    a.save()  # not .update(): saving keeps the search key (contractors/keys.py)
    Contractor.objects.filter(pk=c.pk).update(active=False)
    anna = make_operator("anna")
    _assign(b, anna)

    def codes(query: str) -> list[str]:
        return [r["code"] for r in api.get(f"/api/v1/contractors?{query}").json()["results"]]

    assert codes("search=zeta") == [a.code]
    assert codes("search=526-025-02-74") == [a.code]
    assert codes(f"caretaker_id={anna.pk}") == [b.code]
    assert codes("active=false") == [c.code]
    assert codes("ordering=-code") == [c.code, b.code, a.code]
    listed = api.get(f"/api/v1/contractors?caretaker_id={anna.pk}").json()["results"][0]
    assert listed["main_caretaker_id"] == anna.pk
    assert codes("without_caretaker=true") == [a.code, c.code]
    assert codes("without_caretaker=false") == [a.code, b.code, c.code]
    legal = CaretakerRole.objects.create(name="Opiekun prawny")
    assert codes(f"without_caretaker=true&role_id={legal.pk}") == [a.code, b.code, c.code]


def test_create_get_patch_delete(api: Client, admin_op: Operator) -> None:
    created = api.post(
        "/api/v1/contractors", {"code": "K1", "name": "Alfa", "nip": "PL 526-025-02-74"}, content_type=JSON
    )
    assert created.status_code == 201
    body = created.json()
    assert (body["code"], body["nip"], body["active"]) == ("K1", "5260250274", True)
    assert body["main_caretaker_id"] == admin_op.pk  # the creator becomes its caretaker

    url = f"/api/v1/contractors/{body['id']}"
    assert api.get(url).json()["name"] == "Alfa"
    patched = api.patch(url, {"city": "Kraków", "active": False}, content_type=JSON)
    assert patched.status_code == 200
    assert (patched.json()["city"], patched.json()["active"], patched.json()["name"]) == (
        "Kraków",
        False,
        "Alfa",
    )
    assert api.delete(url).status_code == 204
    assert api.get(url).status_code == 404
    assert not CaretakerAssignment.objects.filter(contractor_id=body["id"]).exists()


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"name": "No code"}, "code"),
        ({"code": "K9", "name": "Bad NIP", "nip": "1234567890"}, "nip"),
        ({"code": "K9", "name": "Bad mail", "email": "not-an-email"}, "email"),
        ({"code": "K9", "name": "Extra", "password": "x"}, "password"),
        ({"code": "K9", "name": "x" * 251}, "name"),
        ({"code": "K\x009", "name": "NUL"}, "code"),
        ({"code": "K9", "name": "Bad", "active": "perhaps"}, "active"),
    ],
)
def test_bad_contractor_bodies_are_422_per_field(api: Client, body: dict[str, Any], field: str) -> None:
    response = api.post("/api/v1/contractors", body, content_type=JSON)
    assert response.status_code == 422
    assert ["body", field] in [e["loc"] for e in response.json()["detail"]]
    assert not Contractor.objects.exists()


def test_duplicate_code_is_422(api: Client, contractor: Contractor) -> None:
    response = api.post("/api/v1/contractors", {"code": contractor.code, "name": "Twin"}, content_type=JSON)
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"] == ["body", "code"]


def test_malformed_json_is_422(api: Client) -> None:
    response = api.post("/api/v1/contractors", "{not json", content_type=JSON)
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"] == ["body"]


@pytest.mark.parametrize("bad_id", ["abc", "0", "-1", "1.5", "99999999999999999999", str(2**63)])
@pytest.mark.parametrize("method", ["get", "patch", "delete"])
def test_bad_or_unknown_ids_in_the_path_are_404(api: Client, bad_id: str, method: str) -> None:
    response = getattr(api, method)(f"/api/v1/contractors/{bad_id}", {}, content_type=JSON)
    assert response.status_code == 404
    assert response.json() == {"detail": "Not found."}


def test_unknown_id_is_404(api: Client, contractor: Contractor) -> None:
    assert api.get(f"/api/v1/contractors/{contractor.pk + 1000}").status_code == 404
    assert api.get(f"/api/v1/contractors/{2**63 - 1}").status_code == 404


def test_own_only_operator_never_sees_other_contractors(
    make_operator: Callable[..., Operator],
    client_for: Callable[[Operator], Client],
    make_contractors: Callable[..., Any],
) -> None:
    mine, theirs, unassigned = make_contractors(3)
    me = make_operator("me", visibility=Visibility.OWN, unassigned_access=UnassignedAccess.DENIED)
    _assign(mine, me)
    _assign(theirs, make_operator("other"))
    client = client_for(me)
    body = client.get("/api/v1/contractors").json()
    assert (body["count"], [r["id"] for r in body["results"]]) == (1, [mine.pk])
    for hidden in (theirs, unassigned):
        url = f"/api/v1/contractors/{hidden.pk}"
        assert client.get(url).status_code == 404
        assert client.patch(url, {"name": "x"}, content_type=JSON).status_code == 404
        assert client.delete(url).status_code == 404
    assert Contractor.objects.count() == 3


def test_read_only_contractor_cannot_be_changed(
    make_operator: Callable[..., Operator],
    client_for: Callable[[Operator], Client],
    contractor: Contractor,
) -> None:
    reader = make_operator("reader", visibility=Visibility.OWN, unassigned_access=UnassignedAccess.READ_ONLY)
    client = client_for(reader)
    url = f"/api/v1/contractors/{contractor.pk}"
    assert client.get(url).status_code == 200
    assert client.patch(url, {"name": "Changed"}, content_type=JSON).status_code == 403
    assert client.delete(url).status_code == 403
    contractor.refresh_from_db()
    assert contractor.name != "Changed"


def test_operators_list(api: Client, make_operator: Callable[..., Operator]) -> None:
    make_operator("zed", active=False)
    body = api.get("/api/v1/operators").json()
    assert {o["username"] for o in body["results"]} == {"boss", "zed"}
    active = api.get("/api/v1/operators?active=true").json()
    assert [o["username"] for o in active["results"]] == ["boss"]
    assert set(active["results"][0]) >= {"id", "name", "can_assign", "visibility"}


def test_deleting_a_contractor_with_caretakers_needs_can_assign(
    make_operator: Callable[..., Operator],
    client_for: Callable[[Operator], Client],
    api: Client,
    make_contractors: Callable[..., Any],
) -> None:
    cared, bare = make_contractors(2)
    row = _assign(cared, make_operator("colleague"))
    clerk = client_for(make_operator("clerk", can_assign=False))
    response = clerk.delete(f"/api/v1/contractors/{cared.pk}")
    assert response.status_code == 403
    assert "assign" in response.json()["detail"]
    assert CaretakerAssignment.objects.filter(pk=row.pk).exists()
    assert clerk.delete(f"/api/v1/contractors/{bare.pk}").status_code == 204
    # With the permission: done, and the audit records the assignments it removed.
    assert api.delete(f"/api/v1/contractors/{cared.pk}").status_code == 204
    assert CaretakerAssignment.history.filter(
        id=row.pk, history_type="-", history_change_reason="contractor_delete"
    ).exists()


def test_each_contractor_names_who_acts_today(
    api: Client, make_contractors: Callable[..., Any], make_operator: Callable[..., Operator]
) -> None:
    """The main caretaker when present; while they are away, the first present deputy;
    nobody when every caretaker of the scope is away or there is no main caretaker."""
    present, away, everyone_away, nobody = make_contractors(4)
    anna, jan, ewa, piotr = (make_operator(name) for name in ("anna", "jan", "ewa", "piotr"))
    _assign(present, anna)
    _assign(away, jan)
    _assign(away, piotr, type="deputy", priority=2)
    _assign(away, ewa, type="deputy", priority=1)
    _assign(everyone_away, jan)
    _assign(everyone_away, ewa, type="deputy")
    for operator in (jan, ewa):  # Ewa is away too: Piotr stands in for Jan
        absence_create(actor=operator.user, operator_id=operator.pk, date_from=today(), date_to=today())
    listed = {
        r["code"]: (r["main_caretaker_id"], r["acting_caretaker_id"])
        for r in api.get("/api/v1/contractors").json()["results"]
    }
    assert listed == {
        present.code: (anna.pk, anna.pk),
        away.code: (jan.pk, piotr.pk),
        everyone_away.code: (jan.pk, None),
        nobody.code: (None, None),
    }
    one = api.get(f"/api/v1/contractors/{away.pk}").json()
    assert (one["main_caretaker_id"], one["acting_caretaker_id"]) == (jan.pk, piotr.pk)
    legal = CaretakerRole.objects.create(name="Opiekun prawny")  # another role: nobody there
    in_role = api.get(f"/api/v1/contractors?role_id={legal.pk}").json()["results"]
    assert {(r["main_caretaker_id"], r["acting_caretaker_id"]) for r in in_role} == {(None, None)}
