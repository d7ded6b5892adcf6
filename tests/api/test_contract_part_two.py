"""DESIGN.md §9–§12a read as an outside integrator reads them: one story through the
API only — a handover's every kind of row (cut, moved, ended before D, ending on D−1,
merged, conflicting) under warn, keep and replace, its record, audit and cancel; then
absences, the acting caretaker, resolve, coverage with absences and acted-for — each
answer's fields as §12a names them."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

import pytest
from django.test import Client

from opiekun.contractors.models import Contractor
from opiekun.operators.models import Operator

pytestmark = pytest.mark.django_db

JSON = "application/json"
HANDOVER_FIELDS = {
    "id",
    "from_operator_id",
    "to_operator_ids",
    "date",
    "state",
    "contractors",
    "assignments",
    "created_by",
    "created_at",
}


@pytest.fixture
def world(
    client_for: Callable[[Operator], Client],
    make_operator: Callable[..., Operator],
    make_contractors: Callable[[int], list[Contractor]],
    default_role: Any,
    freeze_today: Callable[[date], None],
) -> dict[str, Any]:
    freeze_today(date(2030, 3, 1))
    chief = make_operator("chief", superuser=True)
    people = {name: make_operator(name).pk for name in ("piotr", "tomasz", "kasia", "michal")}
    firms = [c.pk for c in make_contractors(7)]
    return {"api": client_for(chief), "ops": people, "c": dict(enumerate(firms, start=1))}


def _post(api: Client, url: str, body: dict[str, Any]) -> Any:
    return api.post(url, body, content_type=JSON)


def _add(
    api: Client, contractor: int, operator: int, start: str, end: str | None = None, **extra: Any
) -> None:
    body = {"contractor_ids": [contractor], "operator_id": operator, "date_from": start, "date_to": end}
    response = _post(api, "/api/v1/caretakers/add", {**body, "on_overlap": "replace", **extra})
    assert response.status_code == 200, response.content


def _rows(api: Client, contractor: int) -> list[tuple[Any, ...]]:
    page = api.get("/api/v1/caretakers", {"contractor_id": contractor, "page_size": 50}).json()
    return sorted((r["operator_id"], r["type"], r["date_from"], r["date_to"]) for r in page["results"])


def test_a_handover_by_the_letter_of_section_9(world: dict[str, Any]) -> None:
    api, c = world["api"], world["c"]
    p, t = world["ops"]["piotr"], world["ops"]["tomasz"]
    _add(api, c[1], p, "2030-01-01")  # starts before D: cut
    _add(api, c[2], p, "2030-03-05", "2030-05-01", type="deputy")  # a deputy, cut
    _add(api, c[3], p, "2030-03-15", "2030-06-01")  # starts after D: moves whole
    _add(api, c[4], p, "2029-01-01", "2030-02-01")  # ended before D: stays
    _add(api, c[5], p, "2030-01-01", "2030-03-09")  # ends on D−1: stays
    _add(api, c[6], p, "2030-01-01")
    _add(api, c[6], t, "2030-01-01", type="deputy")  # the target a deputy where he receives the main
    _add(api, c[7], p, "2030-01-01", "2030-03-31")
    _add(api, c[7], t, "2030-04-01")  # the target's own row right after: merges
    before = {i: _rows(api, c[i]) for i in c}
    body = {
        "from_operator_id": p,
        "to_operator_ids": [t],
        "date": "2030-03-10",
        "contractor_ids": list(c.values()),
    }

    preview = _post(api, "/api/v1/handovers", body)
    assert preview.status_code == 200
    answer = preview.json()
    assert answer["applied"] is False and answer["confirm_token"]
    summary = answer["preview"]
    assert (summary["contractors"], summary["assignments"]) == (5, 5)
    assert summary["targets"] == [{"operator_id": t, "contractors": 5, "assignments": 5}]
    by_id = {r["contractor_id"]: r for r in summary["results"]}
    assert {r["contractor_id"]: r["outcome"] for r in summary["results"]} == {
        c[1]: "added",
        c[2]: "added",
        c[3]: "added",
        c[6]: "replaced",
        c[7]: "merged",
    }
    assert all(
        set(r) == {"contractor_id", "to_operator_id", "outcome", "changes", "conflicts"}
        for r in by_id.values()
    )
    assert [x["operator_id"] for x in by_id[c[6]]["conflicts"]] == [t]
    assert {i: _rows(api, c[i]) for i in c} == before  # a preview writes nothing

    kept = _post(api, "/api/v1/handovers", {**body, "on_overlap": "keep"}).json()["preview"]
    assert (kept["contractors"], kept["skipped"]) == (4, 1)
    assert {r["contractor_id"]: r["outcome"] for r in kept["results"]}[c[6]] == "skipped"

    done = _post(api, "/api/v1/handovers", {**body, "confirm_token": answer["confirm_token"]})
    assert done.status_code == 201
    handover = done.json()["handover"]
    assert done.json()["applied"] is True and set(handover) >= HANDOVER_FIELDS
    assert (handover["from_operator_id"], handover["to_operator_ids"], handover["date"]) == (
        p,
        [t],
        "2030-03-10",
    )
    assert (handover["state"], handover["contractors"], handover["assignments"]) == ("planned", 5, 5)
    assert _rows(api, c[1]) == [(p, "main", "2030-01-01", "2030-03-09"), (t, "main", "2030-03-10", None)]
    assert _rows(api, c[2]) == [
        (p, "deputy", "2030-03-05", "2030-03-09"),
        (t, "deputy", "2030-03-10", "2030-05-01"),
    ]
    assert _rows(api, c[3]) == [(t, "main", "2030-03-15", "2030-06-01")]
    assert (_rows(api, c[4]), _rows(api, c[5])) == (before[4], before[5])
    assert _rows(api, c[6]) == [
        (p, "main", "2030-01-01", "2030-03-09"),
        (t, "deputy", "2030-01-01", "2030-03-09"),
        (t, "main", "2030-03-10", None),
    ]
    assert _rows(api, c[7]) == [(p, "main", "2030-01-01", "2030-03-09"), (t, "main", "2030-03-10", None)]
    trail = api.get(f"/api/v1/contractors/{c[1]}/caretaker-audit").json()["entries"]
    handed = sorted(e["action"] for e in trail if e["reason"] == f"handover:{handover['id']}")
    assert handed == ["changed", "created"]  # piotr's row cut, tomasz's made: both carry the handover's id

    listed = api.get("/api/v1/handovers", {"operator_id": t, "state": "planned"}).json()
    assert [h["id"] for h in listed["results"]] == [handover["id"]]
    assert api.get("/api/v1/handovers", {"state": "in_force"}).json()["count"] == 0
    upcoming = api.get("/api/v1/upcoming-changes", {"operator_id": t, "days": 14}).json()["results"]
    assert all(
        set(u) == {"kind", "date", "contractor_id", "operator_id", "assignment_id", "handover_id"}
        for u in upcoming
    )
    handed_in = {u["contractor_id"] for u in upcoming if u["kind"] == "handover_in"}
    assert {c[1], c[2], c[6], c[7]} <= handed_in
    assert {u["handover_id"] for u in upcoming if u["kind"] == "handover_in"} == {handover["id"]}

    cancelled = _post(api, f"/api/v1/handovers/{handover['id']}/cancel", {})
    assert cancelled.status_code == 200 and cancelled.json()["state"] == "cancelled"
    assert {i: _rows(api, c[i]) for i in c} == before
    again = _post(api, f"/api/v1/handovers/{handover['id']}/cancel", {})
    assert again.status_code == 409 and set(again.json()) == {"detail", "changed"}


def test_absences_and_the_acting_caretaker_by_the_letter_of_section_10_and_11(world: dict[str, Any]) -> None:
    api, c, ops = world["api"], world["c"], world["ops"]
    p, k, m = ops["piotr"], ops["kasia"], ops["michal"]
    _add(api, c[1], p, "2030-01-01")
    _add(api, c[1], k, "2030-01-01", type="deputy", priority=5)
    _add(api, c[1], m, "2030-02-01", type="deputy", priority=1)  # lower priority first
    for operator, start, end in ((p, "2030-04-10", "2030-04-20"), (m, "2030-04-15", "2030-04-25")):
        made = _post(api, "/api/v1/absences", {"operator_id": operator, "date_from": start, "date_to": end})
        assert made.status_code == 201
        assert set(made.json()) == {"id", "operator_id", "date_from", "date_to", "kind", "note"}
        assert made.json()["kind"] == "vacation"
    expected = {
        "2030-04-09": ("main", p, None),
        "2030-04-12": ("main_absent", m, "2030-04-14"),  # until michal's own absence
        "2030-04-16": ("main_absent", k, "2030-04-20"),  # until piotr is back
        "2030-04-21": ("main", p, None),
    }
    for day, (reason, acting, until) in expected.items():
        info = api.get(f"/api/v1/contractors/{c[1]}/caretaker-info", {"on": day}).json()
        assert (info["reason"], info["acting"]["operator_id"], info["acting"]["until"]) == (
            reason,
            acting,
            until,
        )
        assert [d["operator_id"] for d in info["deputies"]] == [m, k]
    items = [{"contractor_id": c[1], "on": day} for day in expected] + [
        {"contractor_id": 999_999, "on": "2030-04-12"}
    ]
    resolved = _post(api, "/api/v1/caretakers/resolve", {"items": items}).json()["results"]
    assert [(r["on"], r["reason"], r["acting"]["operator_id"]) for r in resolved[:4]] == [
        (day, reason, acting) for day, (reason, acting, _until) in expected.items()
    ]
    assert all(
        {"contractor_id", "on", "main", "deputies", "acting", "reason"} <= set(r) for r in resolved[:4]
    )
    assert resolved[4] == {"contractor_id": 999_999, "on": "2030-04-12", "error": "not_found"}

    window = {"date_from": "2030-04-01", "date_to": "2030-04-30", "page_size": 500}
    acting_gaps = {**window, "consider_absences": "true"}
    assert [
        g
        for g in api.get("/api/v1/coverage-gaps", acting_gaps).json()["results"]
        if g["contractor_id"] == c[1]
    ] == []
    _post(
        api,
        "/api/v1/absences",
        {"operator_id": k, "date_from": "2030-04-15", "date_to": "2030-04-20", "kind": "sick_leave"},
    )
    info = api.get(f"/api/v1/contractors/{c[1]}/caretaker-info", {"on": "2030-04-16"}).json()
    assert (info["reason"], info["acting"]) == ("none", None)
    gaps = api.get("/api/v1/coverage-gaps", acting_gaps).json()
    mine = [g for g in gaps["results"] if g["contractor_id"] == c[1]]
    assert len(mine) == 1 and {"contractor_id", "role_id", "branch_id", "date_from", "date_to"} <= set(
        mine[0]
    )
    assert (mine[0]["date_from"], mine[0]["date_to"], mine[0]["branch_id"]) == (
        "2030-04-15",
        "2030-04-20",
        None,
    )
    main_gaps = api.get("/api/v1/coverage-gaps", window).json()["results"]
    assert [g for g in main_gaps if g["contractor_id"] == c[1]] == []  # a main caretaker all along
    open_window = api.get("/api/v1/coverage-gaps", {"date_from": "2030-04-01"}).json()["results"]
    nobody = [g for g in open_window if g["contractor_id"] == c[2]]
    assert [(g["date_from"], g["date_to"]) for g in nobody] == [("2030-04-01", None)]  # clipped, open-ended

    acted = api.get("/api/v1/caretakers/acted-for", {"operator_id": m}).json()["results"]
    assert [(a["contractor_id"], a["stands_in_for"], a["date_from"], a["date_to"]) for a in acted] == [
        (c[1], p, "2030-04-10", "2030-04-14")
    ]
    absences = api.get("/api/v1/absences", {"date_from": "2030-04-21", "date_to": "2030-04-22"}).json()[
        "results"
    ]
    assert [a["operator_id"] for a in absences] == [m]
