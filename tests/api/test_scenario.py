"""The seed article's procedure, end to end through the API only: log in, select
contractors, "Dodaj opiekuna" under each policy (WARN confirmed, and a stale
confirmation refused), then read the contractor's caretakers, its caretaker info,
its audit trail and Kontrahenci wg opiekuna — and hand a portfolio over."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.test import Client

from opiekun.operators.models import Operator

JSON = "application/json"


def test_caretaker_procedure_end_to_end(
    make_operator: Callable[..., Operator],
    make_contractors: Callable[..., Any],
    legal_role: Any,
) -> None:
    make_operator("kierownik", superuser=True, can_manage_dictionaries=True)
    anna, bob = make_operator("anna"), make_operator("bob")
    make_contractors(4, prefix="ACME")
    make_contractors(2, prefix="ZETA")

    # Log in: a bearer token from the username and password.
    login = Client().post(
        "/api/v1/auth/token", {"username": "kierownik", "password": "secret-pass-1"}, content_type=JSON
    )
    client = Client(headers={"authorization": f"Bearer {login.json()['token']}"})

    def add(**body: Any) -> Any:
        return client.post("/api/v1/caretakers/add", body, content_type=JSON)

    # 1. Kontrahenci: select several contractors (here: by a search).
    selected = client.get("/api/v1/contractors?search=ACME&page_size=500").json()
    assert selected["count"] == 4
    ids = [c["id"] for c in selected["results"]]

    # 2. Czynności → Dodaj opiekuna: Anna, main, open-ended, "Nie zamieniaj operatora".
    first = add(
        contractor_ids=ids, operator_id=anna.pk, date_from="2030-01-01", on_overlap="keep", type="main"
    )
    assert first.status_code == 200 and first.json()["counts"]["added"] == 4

    # KEEP with Bob over the same days: nothing changes, each conflict is named.
    kept = add(contractor_ids=ids, operator_id=bob.pk, date_from="2030-07-01", on_overlap="keep")
    assert kept.json()["counts"]["skipped"] == 4
    assert {r["conflicts"][0]["operator_id"] for r in kept.json()["results"]} == {anna.pk}

    # WARN: a preview and a token first; the confirmation applies exactly that preview.
    warn = {
        "contractor_ids": ids[:2],
        "operator_id": bob.pk,
        "date_from": "2030-07-01",
        "date_to": "2030-08-31",
        "on_overlap": "warn",
    }
    preview = add(**warn)
    assert preview.status_code == 409
    assert {r["outcome"] for r in preview.json()["results"]} == {"replaced"}
    confirmed = add(**warn, confirm_token=preview.json()["confirm_token"])
    assert confirmed.status_code == 200 and confirmed.json()["counts"]["replaced"] == 2

    # A second WARN whose data changes before it is confirmed is refused as stale.
    warn_again = {**warn, "contractor_ids": ids[2:], "date_from": "2030-09-01", "date_to": None}
    token = add(**warn_again).json()["confirm_token"]
    add(
        contractor_ids=ids[2:3],
        operator_id=bob.pk,
        date_from="2030-10-01",
        date_to="2030-10-31",
        on_overlap="replace",
    )
    stale = add(**warn_again, confirm_token=token)
    assert stale.status_code == 409 and stale.json()["detail"]
    fresh = add(**warn_again, confirm_token=stale.json()["confirm_token"])
    assert fresh.status_code == 200

    # REPLACE, as a deputy in the legal role: no conflict with the main caretaker.
    deputy = add(
        contractor_ids=ids[:1],
        operator_id=anna.pk,
        type="deputy",
        role_id=legal_role.pk,
        date_from="2030-01-01",
        on_overlap="replace",
    )
    assert deputy.json()["results"][0]["outcome"] == "added"

    # 3. The contractor's caretakers (its CRM → Opiekun kontrahenta tab).
    history = client.get(f"/api/v1/caretakers?contractor_id={ids[0]}&ordering=date_from").json()
    assert [(r["operator_id"], r["type"], r["date_from"], r["date_to"]) for r in history["results"]] == [
        (anna.pk, "main", "2030-01-01", "2030-06-30"),
        (anna.pk, "deputy", "2030-01-01", None),
        (bob.pk, "main", "2030-07-01", "2030-08-31"),
        (anna.pk, "main", "2030-09-01", None),
    ]
    info = client.get(f"/api/v1/contractors/{ids[0]}/caretaker-info?on=2030-08-15").json()
    assert info["main"]["operator_id"] == bob.pk
    assert [(s["role_id"], s["main"] is not None, len(s["deputies"])) for s in info["by_role"]] == [
        (info["main"]["role_id"], True, 0),
        (legal_role.pk, False, 1),
    ]
    audit = client.get(f"/api/v1/contractors/{ids[0]}/caretaker-audit").json()["entries"]
    assert {e["user"] for e in audit} == {"kierownik"}
    assert {"created", "changed"} <= {e["action"] for e in audit}

    # 4. Kontrahenci wg opiekuna: whom did Bob care for in the summer of 2030?
    summer = client.get(
        f"/api/v1/caretakers?operator_id={bob.pk}&date_from=2030-07-01&date_to=2030-08-31"
    ).json()
    assert sorted(r["contractor_id"] for r in summer["results"]) == sorted(ids[:2])

    # 5. Handover: Anna's portfolio on 2031-01-01 goes to Bob from that day.
    portfolio = client.get(
        f"/api/v1/caretakers?operator_id={anna.pk}&on=2031-01-01&type=main&page_size=500"
    ).json()
    handed = sorted({r["contractor_id"] for r in portfolio["results"]})
    assert handed == sorted(ids[:2])  # the others went to Bob from 2030-09-01
    handover = add(contractor_ids=handed, operator_id=bob.pk, date_from="2031-01-01", on_overlap="replace")
    assert handover.status_code == 200
    after = client.get(f"/api/v1/caretakers?operator_id={anna.pk}&on=2031-01-01&type=main").json()
    assert after["count"] == 0
