"""POST /caretakers/add under every policy, GET /caretakers (Kontrahenci wg opiekuna),
GET/PATCH/DELETE /caretakers/{id}, caretaker-info, caretaker-audit, and the
dictionaries — with the permissions, visibility and 422s of docs/semantics.md and docs/api.md."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from opiekun.caretakers.models import Branch, CaretakerAssignment, CaretakerRole
from opiekun.contractors.models import Contractor
from opiekun.dates import today
from opiekun.operators.models import Operator, UnassignedAccess, Visibility

JSON = "application/json"
ADD = "/api/v1/caretakers/add"


def _add(client: Client, **body: Any) -> Any:
    return client.post(ADD, body, content_type=JSON)


@pytest.fixture
def anna(make_operator: Callable[..., Operator]) -> Operator:
    return make_operator("anna")


@pytest.fixture
def bob(make_operator: Callable[..., Operator]) -> Operator:
    return make_operator("bob")


def _rows(contractor: Contractor) -> list[tuple[str, str, date, date | None]]:
    return [
        (a.operator.user.username, a.type, a.date_from, a.date_to)
        for a in CaretakerAssignment.objects.filter(contractor=contractor)
        .select_related("operator__user")
        .order_by("date_from", "id")
    ]


def test_add_to_many_contractors(api: Client, anna: Operator, make_contractors: Any) -> None:
    contractors = make_contractors(3)
    response = _add(
        api,
        contractor_ids=[c.pk for c in contractors],
        operator_id=anna.pk,
        date_from="2030-01-01",
        on_overlap="keep",
    )
    assert response.status_code == 200
    body = response.json()
    assert body["applied"] is True and body["confirm_token"] is None
    assert body["counts"]["added"] == 3
    first = body["results"][0]
    assert first["outcome"] == "added" and first["conflicts"] == []
    assert first["changes"] == [
        {
            "kind": "created",
            "assignment_id": None,
            "operator_id": anna.pk,
            "type": "main",
            "before": None,
            "after": [{"date_from": "2030-01-01", "date_to": None}],
        }
    ]
    held = CaretakerAssignment.objects.get(pk=first["assignment_id"])
    assert (held.operator_id, held.date_from) == (anna.pk, date(2030, 1, 1))


def test_same_again_is_unchanged_and_dd_mm_yyyy_is_accepted(
    api: Client, anna: Operator, contractor: Contractor
) -> None:
    body = {
        "contractor_ids": [contractor.pk],
        "operator_id": anna.pk,
        "date_from": "2030-01-01",
        "date_to": "31.12.2030",
        "on_overlap": "replace",
    }
    assert api.post(ADD, body, content_type=JSON).json()["results"][0]["outcome"] == "added"
    again = api.post(ADD, body, content_type=JSON).json()["results"][0]
    assert again["outcome"] == "unchanged" and again["changes"] == []
    assert _rows(contractor) == [("anna", "main", date(2030, 1, 1), date(2030, 12, 31))]


def test_keep_skips_and_lists_the_conflict(
    api: Client, anna: Operator, bob: Operator, contractor: Contractor
) -> None:
    _add(api, contractor_ids=[contractor.pk], operator_id=anna.pk, date_from="2030-01-01")
    result = _add(
        api, contractor_ids=[contractor.pk], operator_id=bob.pk, date_from="2030-06-01", on_overlap="keep"
    ).json()["results"][0]
    assert result["outcome"] == "skipped"
    conflict = result["conflicts"][0]
    assert (conflict["operator_id"], conflict["operator_name"], conflict["date_from"]) == (
        anna.pk,
        "Anna Tester",
        "2030-01-01",
    )
    assert conflict["role_id"] == CaretakerRole.objects.get(is_default=True).pk
    assert _rows(contractor) == [("anna", "main", date(2030, 1, 1), None)]


def test_replace_trims_the_old_caretaker(
    api: Client, anna: Operator, bob: Operator, contractor: Contractor
) -> None:
    _add(api, contractor_ids=[contractor.pk], operator_id=anna.pk, date_from="2030-01-01")
    result = _add(
        api, contractor_ids=[contractor.pk], operator_id=bob.pk, date_from="2030-06-01", on_overlap="replace"
    ).json()["results"][0]
    assert result["outcome"] == "replaced"
    trimmed = next(c for c in result["changes"] if c["kind"] == "trimmed")
    assert trimmed["before"] == {"date_from": "2030-01-01", "date_to": None}
    assert trimmed["after"] == [{"date_from": "2030-01-01", "date_to": "2030-05-31"}]
    assert _rows(contractor) == [
        ("anna", "main", date(2030, 1, 1), date(2030, 5, 31)),
        ("bob", "main", date(2030, 6, 1), None),
    ]


def test_warn_previews_then_confirms(
    api: Client, anna: Operator, bob: Operator, make_contractors: Any
) -> None:
    busy, free = make_contractors(2)
    _add(api, contractor_ids=[busy.pk], operator_id=anna.pk, date_from="2030-01-01")
    request = {
        "contractor_ids": [busy.pk, free.pk],
        "operator_id": bob.pk,
        "date_from": "2030-03-01",
        "date_to": "2030-03-31",
        "on_overlap": "warn",
    }
    preview = api.post(ADD, request, content_type=JSON)
    assert preview.status_code == 409
    body = preview.json()
    assert body["applied"] is False and body["confirm_token"]
    outcomes = {r["contractor_id"]: r["outcome"] for r in body["results"]}
    assert outcomes == {busy.pk: "replaced", free.pk: "added"}
    split = next(c for c in body["results"][0]["changes"] if c["kind"] == "split")
    assert split["after"] == [
        {"date_from": "2030-01-01", "date_to": "2030-02-28"},
        {"date_from": "2030-04-01", "date_to": None},
    ]
    assert _rows(free) == []  # nothing written by the preview

    confirmed = api.post(ADD, {**request, "confirm_token": body["confirm_token"]}, content_type=JSON)
    assert confirmed.status_code == 200 and confirmed.json()["applied"] is True
    assert _rows(busy) == [
        ("anna", "main", date(2030, 1, 1), date(2030, 2, 28)),
        ("bob", "main", date(2030, 3, 1), date(2030, 3, 31)),
        ("anna", "main", date(2030, 4, 1), None),
    ]
    assert _rows(free) == [("bob", "main", date(2030, 3, 1), date(2030, 3, 31))]


def test_warn_without_conflicts_applies_at_once(api: Client, anna: Operator, contractor: Contractor) -> None:
    response = _add(
        api, contractor_ids=[contractor.pk], operator_id=anna.pk, date_from="2030-01-01", on_overlap="warn"
    )
    assert response.status_code == 200 and response.json()["applied"] is True


def test_stale_confirmation_is_409_with_a_fresh_preview(
    api: Client, anna: Operator, bob: Operator, make_operator: Any, contractor: Contractor
) -> None:
    _add(api, contractor_ids=[contractor.pk], operator_id=anna.pk, date_from="2030-01-01")
    request = {
        "contractor_ids": [contractor.pk],
        "operator_id": bob.pk,
        "date_from": "2030-06-01",
        "on_overlap": "warn",
    }
    token = api.post(ADD, request, content_type=JSON).json()["confirm_token"]
    held = CaretakerAssignment.objects.get(contractor=contractor)
    assert (
        api.patch(f"/api/v1/caretakers/{held.pk}", {"date_to": "2030-12-31"}, content_type=JSON).status_code
        == 200
    )

    stale = api.post(ADD, {**request, "confirm_token": token}, content_type=JSON)
    assert stale.status_code == 409
    body = stale.json()
    assert "changed" in body["detail"]
    assert body["applied"] is False and body["confirm_token"] not in (None, token)
    assert body["results"][0]["conflicts"][0]["date_to"] == "2030-12-31"
    assert _rows(contractor) == [("anna", "main", date(2030, 1, 1), date(2030, 12, 31))]
    forged = api.post(ADD, {**request, "confirm_token": "forged"}, content_type=JSON)
    assert forged.status_code == 422 and forged.json()["detail"][0]["loc"] == ["body", "confirm_token"]


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"contractor_ids": []}, "contractor_ids"),
        ({"contractor_ids": "1"}, "contractor_ids"),
        ({"contractor_ids": [999999]}, "contractor_ids"),
        ({"contractor_ids": [2**63]}, "contractor_ids"),
        ({"operator_id": 999999}, "operator_id"),
        ({"operator_id": 2**64}, "operator_id"),
        ({"role_id": 999999}, "role_id"),
        ({"branch_id": 999999}, "branch_id"),
        ({"date_from": "2030-02-30"}, "date_from"),
        ({"date_from": None}, "date_from"),
        ({"date_to": "2029-12-31"}, "date_to"),
        ({"on_overlap": "maybe"}, "on_overlap"),
        ({"type": "boss"}, "type"),
        ({"colour": "red"}, "colour"),
    ],
)
def test_bad_add_bodies_are_422_and_write_nothing(
    api: Client, anna: Operator, contractor: Contractor, change: dict[str, Any], field: str
) -> None:
    body = {"contractor_ids": [contractor.pk], "operator_id": anna.pk, "date_from": "2030-01-01", **change}
    response = api.post(ADD, body, content_type=JSON)
    assert response.status_code == 422, response.content
    errors = response.json()["detail"]
    assert any(e["loc"][:2] == ["body", field] for e in errors), errors
    assert all(e["msg"] for e in errors)
    assert not CaretakerAssignment.objects.exists()


def test_inactive_operator_is_422(api: Client, make_operator: Any, contractor: Contractor) -> None:
    gone = make_operator("gone", active=False)
    response = _add(api, contractor_ids=[contractor.pk], operator_id=gone.pk, date_from="2030-01-01")
    assert response.status_code == 422
    assert "inactive" in response.json()["detail"][0]["msg"]


def test_adding_needs_the_permission_to_assign(
    make_operator: Any,
    client_for: Callable[[Operator], Client],
    anna: Operator,
    contractor: Contractor,
) -> None:
    client = client_for(make_operator("viewer", can_assign=False))
    response = _add(client, contractor_ids=[contractor.pk], operator_id=anna.pk, date_from="2030-01-01")
    assert response.status_code == 403
    assert not CaretakerAssignment.objects.exists()


def test_invisible_contractors_are_unknown_and_read_only_ones_refused(
    make_operator: Any,
    client_for: Callable[[Operator], Client],
    anna: Operator,
    make_contractors: Any,
) -> None:
    hidden, readable = make_contractors(2)
    CaretakerAssignment.objects.create(
        contractor=hidden,
        operator=anna,
        type="main",
        role=CaretakerRole.objects.get(is_default=True),
        date_from=today(),
    )
    me = make_operator("me", visibility=Visibility.OWN, unassigned_access=UnassignedAccess.READ_ONLY)
    client = client_for(me)
    unknown = _add(client, contractor_ids=[hidden.pk], operator_id=me.pk, date_from="2030-01-01")
    assert unknown.status_code == 422 and "Unknown" in unknown.json()["detail"][0]["msg"]
    refused = _add(client, contractor_ids=[readable.pk], operator_id=me.pk, date_from="2030-01-01")
    assert refused.status_code == 422 and "may not change" in refused.json()["detail"][0]["msg"]
    assert CaretakerAssignment.objects.count() == 1


# --- Kontrahenci wg opiekuna ---------------------------------------------------------


@pytest.fixture
def history(
    api: Client,
    anna: Operator,
    bob: Operator,
    make_contractors: Any,
    legal_role: CaretakerRole,
    branch: Branch,
) -> list[Contractor]:
    """Anna cares for c1 in 2030 and c2 from 2031; Bob is c1's deputy in Q1 2030 and
    c3's legal caretaker in the Kraków branch from 2030."""
    c1, c2, c3 = make_contractors(3)
    _add(api, contractor_ids=[c1.pk], operator_id=anna.pk, date_from="2030-01-01", date_to="2030-12-31")
    _add(api, contractor_ids=[c2.pk], operator_id=anna.pk, date_from="2031-01-01")
    _add(
        api,
        contractor_ids=[c1.pk],
        operator_id=bob.pk,
        type="deputy",
        date_from="2030-01-01",
        date_to="2030-03-31",
    )
    _add(
        api,
        contractor_ids=[c3.pk],
        operator_id=bob.pk,
        role_id=legal_role.pk,
        branch_id=branch.pk,
        date_from="2030-01-01",
    )
    return [c1, c2, c3]


def _listed(client: Client, query: str) -> list[tuple[str, str]]:
    response = client.get(f"/api/v1/caretakers?{query}")
    assert response.status_code == 200, response.content
    return [(r["contractor_code"], r["operator_name"].split()[0]) for r in response.json()["results"]]


def test_contractors_by_caretaker_for_a_period(
    api: Client,
    history: list[Contractor],
    anna: Operator,
    bob: Operator,
    legal_role: CaretakerRole,
    branch: Branch,
) -> None:
    c1, c2, c3 = (c.code for c in history)
    assert _listed(api, f"operator_id={anna.pk}&ordering=contractor") == [(c1, "Anna"), (c2, "Anna")]
    assert _listed(api, f"operator_id={anna.pk}&date_from=2031-06-01") == [(c2, "Anna")]
    assert _listed(api, f"operator_id={anna.pk}&date_to=2030-06-30") == [(c1, "Anna")]
    assert _listed(api, f"contractor_id={history[0].pk}&on=2030-02-15&ordering=operator") == [
        (c1, "Anna"),
        (c1, "Bob"),
    ]
    assert _listed(api, "type=deputy") == [(c1, "Bob")]
    assert _listed(api, f"role_id={legal_role.pk}") == [(c3, "Bob")]
    assert _listed(api, f"branch_id={branch.pk}") == [(c3, "Bob")]
    row = api.get(f"/api/v1/caretakers?branch_id={branch.pk}").json()["results"][0]
    assert set(row) >= {
        "id",
        "contractor_id",
        "operator_id",
        "type",
        "role_id",
        "branch_id",
        "date_from",
        "date_to",
        "role_name",
        "branch_name",
        "contractor_name",
    }
    assert (row["role_name"], row["branch_name"]) == ("Opiekun prawny", "Kraków")


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("date_from=yesterday", "date_from"),
        ("on=2030-13-01", "on"),
        ("type=boss", "type"),
        ("operator_id=-1", "operator_id"),
        ("role_id=1e3", "role_id"),
        ("branch_id=99999999999999999999", "branch_id"),
        ("ordering=secret", "ordering"),
        ("date_from=2030-02-01&date_to=2030-01-01", "date_to"),
        ("page_size=1000", "page_size"),
    ],
)
def test_bad_list_queries_are_422(api: Client, query: str, field: str) -> None:
    response = api.get(f"/api/v1/caretakers?{query}")
    assert response.status_code == 422
    assert [e["loc"] for e in response.json()["detail"]] == [["query", field]]


def test_lists_hide_invisible_contractors(
    history: list[Contractor],
    make_operator: Any,
    client_for: Callable[[Operator], Client],
    anna: Operator,
) -> None:
    CaretakerAssignment.objects.create(
        contractor=history[0],
        operator=anna,
        type="main",
        date_from=today(),
        role=CaretakerRole.objects.get(is_default=True),
        branch=Branch.objects.get(),
    )
    me = make_operator("me", visibility=Visibility.OWN, unassigned_access=UnassignedAccess.DENIED)
    body = client_for(me).get("/api/v1/caretakers").json()
    assert (body["count"], body["results"]) == (0, [])
    hidden = CaretakerAssignment.objects.filter(contractor=history[0]).first()
    assert hidden is not None
    assert client_for(me).get(f"/api/v1/caretakers/{hidden.pk}").status_code == 404


def test_detail_patch_delete(api: Client, history: list[Contractor], bob: Operator) -> None:
    row = CaretakerAssignment.objects.get(contractor=history[1])
    url = f"/api/v1/caretakers/{row.pk}"
    assert api.get(url).json()["date_to"] is None
    patched = api.patch(url, {"date_to": "2031-12-31", "operator_id": bob.pk}, content_type=JSON)
    assert patched.status_code == 200
    assert (patched.json()["date_to"], patched.json()["operator_id"]) == ("2031-12-31", bob.pk)
    reopened = api.patch(url, {"date_to": None}, content_type=JSON)
    assert reopened.json()["date_to"] is None
    assert api.delete(url).status_code == 204
    assert api.get(url).status_code == 404
    assert api.delete(url).status_code == 404


def test_patch_that_breaks_an_invariant_is_422_naming_the_other(
    api: Client,
    history: list[Contractor],
    bob: Operator,
) -> None:
    deputy = CaretakerAssignment.objects.get(contractor=history[0], type="deputy")
    response = api.patch(f"/api/v1/caretakers/{deputy.pk}", {"type": "main"}, content_type=JSON)
    assert response.status_code == 422
    error = response.json()["detail"][0]
    assert error["loc"] == ["body"] and "Collides with the assignment of" in error["msg"]
    # The other assignment by id too, for a client (`ctx`).
    other = CaretakerAssignment.objects.get(pk=error["ctx"]["assignment_id"])
    assert (other.contractor_id, other.type) == (history[0].pk, "main") and other.pk != deputy.pk
    assert other.operator.display_name in error["msg"]


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"date_to": "2020-01-01"}, "date_to"),
        ({"role_id": None}, "role_id"),
        ({"type": "boss"}, "type"),
        ({"operator_id": 424242}, "operator_id"),
        ({"date_from": "soon"}, "date_from"),
        ({"contractor_id": 1}, "contractor_id"),
    ],
)
def test_bad_patches_are_422(
    api: Client, history: list[Contractor], body: dict[str, Any], field: str
) -> None:
    row = CaretakerAssignment.objects.get(contractor=history[1])
    response = api.patch(f"/api/v1/caretakers/{row.pk}", body, content_type=JSON)
    assert response.status_code == 422
    assert ["body", field] in [e["loc"][:2] for e in response.json()["detail"]]


def test_caretaker_writes_need_the_permission(
    history: list[Contractor], make_operator: Any, client_for: Callable[[Operator], Client]
) -> None:
    client = client_for(make_operator("viewer", can_assign=False))
    row = CaretakerAssignment.objects.get(contractor=history[1])
    url = f"/api/v1/caretakers/{row.pk}"
    assert client.get(url).status_code == 200
    assert client.patch(url, {"date_to": "2031-12-31"}, content_type=JSON).status_code == 403
    assert client.delete(url).status_code == 403
    assert CaretakerAssignment.objects.get(pk=row.pk).date_to is None


@pytest.mark.parametrize("bad_id", ["abc", "0", str(2**63), "99999999999999999999999"])
def test_bad_assignment_ids_are_404(api: Client, bad_id: str) -> None:
    for method in ("get", "patch", "delete"):
        response = getattr(api, method)(f"/api/v1/caretakers/{bad_id}", {}, content_type=JSON)
        assert response.status_code == 404


# --- per contractor ----------------------------------------------------------------


def test_caretaker_info(
    api: Client, history: list[Contractor], legal_role: CaretakerRole, branch: Branch
) -> None:
    c1, _, c3 = history
    info = api.get(f"/api/v1/contractors/{c1.pk}/caretaker-info?on=2030-02-01").json()
    assert info["contractor_id"] == c1.pk and info["on"] == "2030-02-01"
    assert info["main"]["operator_name"] == "Anna Tester"
    assert [d["operator_name"] for d in info["deputies"]] == ["Bob Tester"]
    assert len(info["by_role"]) == 1
    later = api.get(f"/api/v1/contractors/{c1.pk}/caretaker-info?on=2030-05-01").json()
    assert later["deputies"] == []
    legal = api.get(
        f"/api/v1/contractors/{c3.pk}/caretaker-info?on=2030-05-01"
        f"&role_id={legal_role.pk}&branch_id={branch.pk}"
    ).json()
    assert legal["main"]["operator_name"] == "Bob Tester"
    assert api.get(f"/api/v1/contractors/{c3.pk}/caretaker-info?on=2030-05-01").json()["main"] is None
    assert api.get(f"/api/v1/contractors/{c1.pk}/caretaker-info?on=x").status_code == 422
    assert api.get("/api/v1/contractors/987654/caretaker-info").status_code == 404
    unknown = api.get(f"/api/v1/contractors/{c1.pk}/caretaker-info?role_id=987654&branch_id=987655")
    assert unknown.status_code == 422
    locs = {tuple(item["loc"]) for item in unknown.json()["detail"]}
    assert locs == {("query", "role_id"), ("query", "branch_id")}  # query parameters, not the body


def test_caretaker_audit_and_state_at_a_moment(
    api: Client, anna: Operator, bob: Operator, contractor: Contractor
) -> None:
    _add(api, contractor_ids=[contractor.pk], operator_id=anna.pk, date_from="2030-01-01")
    between = timezone.now()
    _add(
        api, contractor_ids=[contractor.pk], operator_id=bob.pk, date_from="2030-06-01", on_overlap="replace"
    )
    url = f"/api/v1/contractors/{contractor.pk}/caretaker-audit"
    body = api.get(url).json()
    assert body["assignments"] is None and body["at"] is None
    actions = [(e["action"], e["user"], e["reason"]) for e in body["entries"]]
    assert sorted(actions) == sorted(
        [("created", "boss", "caretaker_add")] * 2 + [("changed", "boss", "caretaker_add")]
    )
    changed = next(e for e in body["entries"] if e["action"] == "changed")
    assert (changed["before"]["date_to"], changed["after"]["date_to"]) == (None, "2030-05-31")

    then = api.get(url, {"at": between.isoformat()}).json()
    assert [(a["operator_id"], a["date_to"]) for a in then["assignments"]] == [(anna.pk, None)]
    assert [e["action"] for e in then["entries"]] == ["created"]
    naive = (timezone.localtime(between) + timedelta(days=1)).replace(tzinfo=None)
    assert len(api.get(url, {"at": naive.isoformat()}).json()["assignments"]) == 2
    for bad in ("yesterday", "0001-01-01T00:00:00+05:00", "9999-12-31T23:59:59-05:00"):
        response = api.get(url, {"at": bad})
        assert response.status_code == 422, bad
        assert response.json()["detail"][0]["loc"] == ["query", "at"]


def test_per_contractor_endpoints_respect_visibility(
    make_operator: Any,
    client_for: Callable[[Operator], Client],
    anna: Operator,
    contractor: Contractor,
) -> None:
    CaretakerAssignment.objects.create(
        contractor=contractor,
        operator=anna,
        type="main",
        date_from=today(),
        role=CaretakerRole.objects.get(is_default=True),
    )
    client = client_for(make_operator("me", visibility=Visibility.OWN))
    for tail in ("caretaker-info", "caretaker-audit"):
        assert client.get(f"/api/v1/contractors/{contractor.pk}/{tail}").status_code == 404


# --- dictionaries --------------------------------------------------------------------


def test_roles_and_branches(api: Client, default_role: CaretakerRole) -> None:
    created = api.post("/api/v1/roles", {"name": "Opiekun serwisowy"}, content_type=JSON)
    assert created.status_code == 201
    assert created.json()["is_default"] is False
    names = [r["name"] for r in api.get("/api/v1/roles").json()["results"]]
    assert "Opiekun serwisowy" in names and default_role.name in names
    duplicate = api.post("/api/v1/roles", {"name": "opiekun SERWISOWY"}, content_type=JSON)
    assert duplicate.status_code == 422 and duplicate.json()["detail"][0]["loc"] == ["body", "name"]
    new_default = api.post("/api/v1/roles", {"name": "Główny", "is_default": True}, content_type=JSON)
    assert new_default.json()["is_default"] is True
    assert CaretakerRole.objects.get(is_default=True).name == "Główny"

    branch = api.post("/api/v1/branches", {"code": "WAW", "name": "Warszawa"}, content_type=JSON)
    assert branch.status_code == 201
    assert [b["code"] for b in api.get("/api/v1/branches").json()["results"]] == ["WAW"]
    assert (
        api.post("/api/v1/branches", {"code": "waw", "name": "Again"}, content_type=JSON).status_code == 422
    )
    assert api.post("/api/v1/branches", {"code": "", "name": "Empty"}, content_type=JSON).status_code == 422


def test_dictionaries_need_their_permission(
    make_operator: Any, client_for: Callable[[Operator], Client]
) -> None:
    client = client_for(make_operator("clerk", can_manage_dictionaries=False))
    assert client.post("/api/v1/roles", {"name": "X"}, content_type=JSON).status_code == 403
    assert client.post("/api/v1/branches", {"code": "X", "name": "X"}, content_type=JSON).status_code == 403
    assert client.get("/api/v1/roles").status_code == 200
    assert not CaretakerRole.objects.filter(name="X").exists()
    assert not Branch.objects.exists()
