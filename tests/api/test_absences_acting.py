"""API: /absences, the acting caretaker in caretaker-info, deputies' priority,
/caretakers/resolve and /caretakers/acted-for."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from opiekun.caretakers.models import CaretakerAssignment, CaretakerRole
from opiekun.contractors.models import Contractor
from opiekun.operators.models import Absence, Operator, UnassignedAccess, Visibility

pytestmark = pytest.mark.django_db

DAY = "2030-06-15"


@pytest.fixture
def crew(make_operator: Callable[..., Operator]) -> dict[str, Operator]:
    return {name: make_operator(name) for name in ("anna", "bartek", "celina")}


def _assign(contractor: Contractor, operator: Operator, role: CaretakerRole, kind: str, **extra: Any) -> int:
    row = CaretakerAssignment.objects.create(
        contractor=contractor, operator=operator, role=role, type=kind, date_from=date(2030, 1, 1), **extra
    )
    return row.pk


# --- absences ---------------------------------------------------------------------------


def test_absences_crud(client_for: Callable[[Operator], Client], crew: dict[str, Operator]) -> None:
    anna = client_for(crew["anna"])
    body = {
        "operator_id": crew["anna"].pk,
        "date_from": "2030-07-01",
        "date_to": "2030-07-10",
        "kind": "vacation",
    }
    created = anna.post("/api/v1/absences", body, content_type="application/json")
    assert created.status_code == 201, created.content
    absence = created.json()
    assert absence == {**body, "id": absence["id"], "note": ""}
    url = f"/api/v1/absences/{absence['id']}"
    assert anna.get(url).json() == absence
    changed = anna.patch(url, {"note": "Mazury", "kind": "other"}, content_type="application/json")
    assert (
        changed.status_code == 200
        and changed.json()["note"] == "Mazury"
        and changed.json()["kind"] == "other"
    )
    listed = anna.get(
        "/api/v1/absences", {"operator_id": str(crew["anna"].pk), "date_from": "2030-07-10"}
    ).json()
    assert [a["id"] for a in listed["results"]] == [absence["id"]]
    assert anna.get("/api/v1/absences", {"date_to": "2030-06-30"}).json()["count"] == 0
    assert anna.delete(url).status_code == 204
    assert anna.get(url).status_code == 404


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"date_to": "2030-06-30"}, "date_to"),
        ({"operator_id": 999999}, "operator_id"),
        ({"date_from": "2030-07-05", "date_to": "2030-07-20"}, "date_from"),
        ({"kind": "holiday"}, "kind"),
        ({"date_from": "2030-13-01"}, "date_from"),
        ({"operator_id": True}, "operator_id"),  # a boolean is not an id (not 1)
    ],
)
def test_bad_absences_are_field_errors_and_write_nothing(
    api: Client, crew: dict[str, Operator], admin_op: Operator, change: dict[str, Any], field: str
) -> None:
    admin_op.can_manage_absences = True
    admin_op.save()
    Absence.objects.create(operator=crew["anna"], date_from=date(2030, 7, 1), date_to=date(2030, 7, 10))
    body = {"operator_id": str(crew["anna"].pk), "date_from": "2030-07-11", "date_to": "2030-07-12", **change}
    response = api.post("/api/v1/absences", body, content_type="application/json")
    assert response.status_code == 422, response.content
    assert ["body", field] in [e["loc"] for e in response.json()["detail"]]
    assert Absence.objects.count() == 1


def test_someone_elses_absence_is_forbidden_and_an_own_only_operator_sees_only_related_ones(
    client_for: Callable[[Operator], Client],
    crew: dict[str, Operator],
    make_operator: Callable[..., Operator],
) -> None:
    bartek = client_for(crew["bartek"])
    body = {"operator_id": str(crew["anna"].pk), "date_from": "2030-07-01", "date_to": "2030-07-10"}
    assert bartek.post("/api/v1/absences", body, content_type="application/json").status_code == 403
    absence = Absence.objects.create(
        operator=crew["anna"], date_from=date(2030, 7, 1), date_to=date(2030, 7, 2)
    )
    assert (
        bartek.patch(
            f"/api/v1/absences/{absence.pk}", {"note": "x"}, content_type="application/json"
        ).status_code
        == 403
    )
    own_only = make_operator("olek", visibility=Visibility.OWN, unassigned_access=UnassignedAccess.DENIED)
    assert client_for(own_only).get(f"/api/v1/absences/{absence.pk}").status_code == 404
    assert client_for(own_only).get("/api/v1/absences").json()["count"] == 0


# --- priority, caretaker-info -----------------------------------------------------------


def test_priority_in_add_patch_and_json(
    api: Client, contractor: Contractor, crew: dict[str, Operator], default_role: CaretakerRole
) -> None:
    body = {
        "contractor_ids": [contractor.pk],
        "operator_id": crew["bartek"].pk,
        "date_from": "2030-01-01",
        "type": "deputy",
        "priority": 3,
    }
    added = api.post("/api/v1/caretakers/add", body, content_type="application/json").json()
    pk = added["results"][0]["assignment_id"]
    assert api.get(f"/api/v1/caretakers/{pk}").json()["priority"] == 3
    # Adding the same deputy again merges, keeping the existing row's priority.
    again = api.post(
        "/api/v1/caretakers/add",
        {**body, "date_from": "2029-12-01", "priority": 9},
        content_type="application/json",
    ).json()
    assert again["results"][0]["outcome"] == "merged"
    assert CaretakerAssignment.objects.get(pk=pk).priority == 3
    patched = api.patch(f"/api/v1/caretakers/{pk}", {"priority": -1}, content_type="application/json")
    assert patched.status_code == 200 and patched.json()["priority"] == -1
    assert (
        api.patch(
            f"/api/v1/caretakers/{pk}", {"priority": 40000}, content_type="application/json"
        ).status_code
        == 422
    )


def test_caretaker_info_gains_acting_and_reason(
    api: Client, contractor: Contractor, crew: dict[str, Operator], default_role: CaretakerRole
) -> None:
    _assign(contractor, crew["anna"], default_role, "main")
    deputy = _assign(contractor, crew["bartek"], default_role, "deputy")
    url = f"/api/v1/contractors/{contractor.pk}/caretaker-info"
    info = api.get(url, {"on": DAY}).json()
    assert info["reason"] == "main" and info["acting"]["operator_id"] == crew["anna"].pk
    Absence.objects.create(operator=crew["anna"], date_from=date(2030, 6, 1), date_to=date(2030, 6, 30))
    info = api.get(url, {"on": DAY}).json()
    assert info["reason"] == "main_absent"
    assert info["acting"] == {
        "operator_id": crew["bartek"].pk,
        "operator_name": "Bartek Tester",
        "assignment_id": deputy,
        "type": "deputy",
        "stands_in_for": crew["anna"].pk,
        "until": "2030-06-30",
    }
    assert info["by_role"][0]["reason"] == "main_absent"
    Absence.objects.create(operator=crew["bartek"], date_from=date(2030, 6, 15), date_to=date(2030, 6, 15))
    info = api.get(url, {"on": DAY}).json()
    assert info["acting"] is None and info["reason"] == "none"


# --- resolve -----------------------------------------------------------------------------


def test_resolve_answers_in_order_with_not_found_for_invisible_contractors(
    freeze_today: Callable[[date], None],
    client_for: Callable[[Operator], Client],
    make_contractors: Callable[[int], list[Contractor]],
    make_operator: Callable[..., Operator],
    crew: dict[str, Operator],
    default_role: CaretakerRole,
    legal_role: CaretakerRole,
) -> None:
    freeze_today(date(2030, 6, 15))
    mine, other = make_contractors(2)
    own_only = make_operator("olek", visibility=Visibility.OWN, unassigned_access=UnassignedAccess.DENIED)
    _assign(mine, own_only, default_role, "main", date_to=None)
    _assign(mine, crew["bartek"], default_role, "deputy", priority=2)
    _assign(mine, crew["celina"], default_role, "deputy", priority=1)
    _assign(mine, crew["anna"], legal_role, "main")
    _assign(other, crew["anna"], default_role, "main")
    Absence.objects.create(operator=own_only, date_from=date(2030, 6, 10), date_to=date(2030, 6, 20))
    items = [
        {"contractor_id": other.pk, "on": DAY},
        {"contractor_id": mine.pk, "on": DAY},
        {"contractor_id": mine.pk, "on": "2030-06-21"},
        {"contractor_id": mine.pk, "on": DAY, "role_id": legal_role.pk},
        {"contractor_id": 999999, "on": DAY},
    ]
    response = client_for(own_only).post(
        "/api/v1/caretakers/resolve", {"items": items}, content_type="application/json"
    )
    assert response.status_code == 200, response.content
    results = response.json()["results"]
    assert results[0] == {"contractor_id": other.pk, "on": DAY, "error": "not_found"}
    assert results[4] == {"contractor_id": 999999, "on": DAY, "error": "not_found"}
    absent = results[1]
    assert absent["reason"] == "main_absent" and absent["main"]["absent"] is True
    assert [d["operator_id"] for d in absent["deputies"]] == [crew["celina"].pk, crew["bartek"].pk]
    assert absent["acting"]["operator_id"] == crew["celina"].pk and absent["acting"]["until"] == "2030-06-20"
    assert results[2]["reason"] == "main" and results[2]["acting"]["operator_id"] == own_only.pk
    assert results[3]["role_id"] == legal_role.pk and results[3]["acting"]["operator_id"] == crew["anna"].pk


@pytest.mark.parametrize(
    ("body", "loc"),
    [
        ({"items": []}, ["body", "items"]),
        ({"items": [{"contractor_id": 1, "on": "2030-02-30"}]}, ["body", "items", 0, "on"]),
        ({"items": [{"contractor_id": 1, "on": DAY, "role_id": 999999}]}, ["body", "items", 0, "role_id"]),
        (
            {"items": [{"contractor_id": 1, "on": DAY, "branch_id": 999999}]},
            ["body", "items", 0, "branch_id"],
        ),
        ({"items": [{"contractor_id": 1, "on": DAY}] * 10_001}, ["body", "items"]),
    ],
)
def test_resolve_refuses_bad_input_with_field_errors(
    api: Client, body: dict[str, Any], loc: list[Any]
) -> None:
    response = api.post("/api/v1/caretakers/resolve", body, content_type="application/json")
    assert response.status_code == 422, response.content
    assert loc in [e["loc"] for e in response.json()["detail"]]


@pytest.mark.parametrize(
    ("method", "url", "body", "message"),
    [
        (
            "post",
            "/api/v1/caretakers/resolve",
            {"items": [{"contractor_id": 1, "on": DAY, "role_id": 999999}]},
            "Nieznana rola 999999.",
        ),
        (
            "post",
            "/api/v1/caretakers/resolve",
            {"items": [{"contractor_id": 1, "on": DAY, "branch_id": 999999}]},
            "Nieznany oddział 999999.",
        ),
        (
            "get",
            "/api/v1/absences?date_from=2030-07-05&date_to=2030-07-01",
            None,
            "Data do nie może być wcześniejsza niż data od.",
        ),
        (
            "get",
            "/api/v1/caretakers/acted-for?operator_id=1&date_from=2030-07-05&date_to=2030-07-01",
            None,
            "Data do nie może być wcześniejsza niż data od.",
        ),
        (
            "get",
            "/api/v1/caretakers?date_from=2030-07-05&date_to=2030-07-01",
            None,
            "Data do nie może być wcześniejsza niż data od.",
        ),
    ],
)
def test_field_errors_of_part_two_follow_accept_language(
    api: Client, method: str, url: str, body: dict[str, Any] | None, message: str
) -> None:
    """The endpoints' own messages are the service's, in the asker's language."""
    if method == "post":
        response = api.post(url, body, content_type="application/json", headers={"accept-language": "pl"})
    else:
        response = api.get(url, headers={"accept-language": "pl"})
    assert response.status_code == 422, response.content
    assert [e["msg"] for e in response.json()["detail"]] == [message]


def test_resolve_takes_the_same_number_of_queries_for_10_and_1000_items(
    api: Client,
    make_contractors: Callable[[int], list[Contractor]],
    crew: dict[str, Operator],
    default_role: CaretakerRole,
    coverage_rebuilt_after: None,  # the rows below are written with bulk_create, around the writer
) -> None:
    contractors = make_contractors(1000)
    CaretakerAssignment.objects.bulk_create(
        CaretakerAssignment(
            contractor=c, operator=crew["anna"], role=default_role, type="main", date_from=date(2030, 1, 1)
        )
        for c in contractors
    )
    Absence.objects.create(operator=crew["anna"], date_from=date(2030, 6, 1), date_to=date(2030, 6, 30))
    counts = []
    api.post(
        "/api/v1/caretakers/resolve",
        {"items": [{"contractor_id": 1, "on": DAY}]},
        content_type="application/json",
    )
    for size in (10, 1000):
        items = [{"contractor_id": c.pk, "on": DAY} for c in contractors[:size]]
        with CaptureQueriesContext(connection) as queries:
            response = api.post(
                "/api/v1/caretakers/resolve", {"items": items}, content_type="application/json"
            )
        assert response.status_code == 200
        assert len(response.json()["results"]) == size
        counts.append(len(queries))
    assert counts[0] == counts[1] <= 10


def test_acted_for_lists_the_periods_a_deputy_stood_in(
    api: Client, contractor: Contractor, crew: dict[str, Operator], default_role: CaretakerRole
) -> None:
    _assign(contractor, crew["anna"], default_role, "main")
    deputy = _assign(contractor, crew["bartek"], default_role, "deputy")
    Absence.objects.create(operator=crew["anna"], date_from=date(2030, 6, 1), date_to=date(2030, 6, 30))
    Absence.objects.create(operator=crew["bartek"], date_from=date(2030, 6, 10), date_to=date(2030, 6, 12))
    response = api.get(
        "/api/v1/caretakers/acted-for", {"operator_id": str(crew["bartek"].pk), "date_to": "2030-12-31"}
    )
    assert response.status_code == 200, response.content
    periods = [(r["date_from"], r["date_to"]) for r in response.json()["results"]]
    assert periods == [("2030-06-01", "2030-06-09"), ("2030-06-13", "2030-06-30")]
    first = response.json()["results"][0]
    assert first["assignment_id"] == deputy and first["stands_in_for"] == crew["anna"].pk
    bad = api.get(
        "/api/v1/caretakers/acted-for",
        {"operator_id": str(crew["bartek"].pk), "date_from": "2030-02-01", "date_to": "2030-01-01"},
    )
    assert bad.status_code == 422


def test_acted_for_reads_no_assignment_when_nobody_else_is_away(
    api: Client, contractor: Contractor, crew: dict[str, Operator], default_role: CaretakerRole
) -> None:
    _assign(contractor, crew["anna"], default_role, "main")
    _assign(contractor, crew["bartek"], default_role, "deputy")
    # Only the deputy is away, and the main's absence ends before the period asked for.
    Absence.objects.create(operator=crew["bartek"], date_from=date(2030, 6, 10), date_to=date(2030, 6, 12))
    Absence.objects.create(operator=crew["anna"], date_from=date(2030, 5, 1), date_to=date(2030, 5, 31))
    with CaptureQueriesContext(connection) as queries:
        response = api.get(
            "/api/v1/caretakers/acted-for",
            {"operator_id": str(crew["bartek"].pk), "date_from": "2030-06-01", "date_to": "2030-12-31"},
        )
    assert response.status_code == 200, response.content
    assert response.json()["results"] == []
    assert not [q for q in queries.captured_queries if "caretakers_caretakerassignment" in q["sql"]]
    # With the main away inside the period, the deputy's acting is found.
    Absence.objects.create(operator=crew["anna"], date_from=date(2030, 7, 1), date_to=date(2030, 7, 3))
    response = api.get(
        "/api/v1/caretakers/acted-for",
        {"operator_id": str(crew["bartek"].pk), "date_from": "2030-06-01", "date_to": "2030-12-31"},
    )
    periods = [(r["date_from"], r["date_to"]) for r in response.json()["results"]]
    assert periods == [("2030-07-01", "2030-07-03")]


def test_acted_for_pages_the_stored_periods_in_a_fixed_number_of_queries(
    api: Client,
    make_contractors: Callable[[int], list[Contractor]],
    crew: dict[str, Operator],
    default_role: CaretakerRole,
) -> None:
    """Read from the acting periods the writers keep: the count is exact, the pages
    follow one another by start, then contractor, each period clipped to the window,
    and no assignment is read, however many periods there are."""
    contractors = make_contractors(3)
    for c in contractors:
        _assign(c, crew["anna"], default_role, "main")
        _assign(c, crew["bartek"], default_role, "deputy")
    for month in (2, 4, 6, 8):
        Absence.objects.create(
            operator=crew["anna"], date_from=date(2030, month, 10), date_to=date(2030, month, 20)
        )
    window: dict[str, str | int] = {
        "operator_id": str(crew["bartek"].pk),
        "date_from": "2030-02-15",
        "date_to": "2030-08-12",
    }

    def page(number: int) -> tuple[int, list[tuple[str, str, int]], int]:
        with CaptureQueriesContext(connection) as queries:
            response = api.get("/api/v1/caretakers/acted-for", {**window, "page": number, "page_size": 5})
        assert response.status_code == 200, response.content
        assert not [q for q in queries.captured_queries if "caretakers_caretakerassignment" in q["sql"]]
        body = response.json()
        rows = [(r["date_from"], r["date_to"], r["contractor_id"]) for r in body["results"]]
        return body["count"], rows, len(queries)

    page(1)  # the first request of the client reads what it caches
    (count, first, queries_first), (_, second, _), (_, third, queries_third) = page(1), page(2), page(3)
    assert count == 12
    ids = [c.pk for c in contractors]
    expected = [
        (start, end, c)
        for start, end in (
            ("2030-02-15", "2030-02-20"),
            ("2030-04-10", "2030-04-20"),
            ("2030-06-10", "2030-06-20"),
            ("2030-08-10", "2030-08-12"),
        )
        for c in ids
    ]
    assert first + second + third == expected
    assert queries_first == queries_third
