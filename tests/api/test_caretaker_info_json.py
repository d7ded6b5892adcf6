"""caretaker-info's answer is written directly, not through its response schema: it
must be byte for byte what the schema (`InfoOut`, documented in the OpenAPI schema)
renders for the same caretakers — main, deputies, branches, absences, nobody."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import date
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.test import Client
from ninja.responses import NinjaJSONEncoder

from opiekun.caretakers.info_api import InfoOut
from opiekun.caretakers.models import Branch, CaretakerAssignment, CaretakerRole
from opiekun.caretakers.selectors import caretaker_info
from opiekun.contractors.models import Contractor
from opiekun.operators.models import Absence, Operator


def _assign(
    contractor: Contractor,
    operator: Operator,
    role: CaretakerRole,
    kind: str,
    *,
    branch: Branch | None = None,
    start: date = date(2030, 1, 1),
    end: date | None = None,
    priority: int = 0,
) -> None:
    CaretakerAssignment.objects.create(
        contractor=contractor,
        operator=operator,
        role=role,
        branch=branch,
        type=kind,
        date_from=start,
        date_to=end,
        priority=priority,
    )


def _schema_json(viewer: User, contractor_id: int, query: dict[str, Any]) -> bytes:
    """What django-ninja renders through `InfoOut` for the selector's answer."""
    info = caretaker_info(viewer=viewer, contractor_id=contractor_id, **query)
    return json.dumps(InfoOut.from_orm(info).model_dump(), cls=NinjaJSONEncoder).encode()


@pytest.mark.django_db
def test_caretaker_info_answers_what_its_schema_renders(
    api: Client,
    actor: User,
    make_operator: Callable[..., Operator],
    make_contractors: Callable[[int], list[Contractor]],
    default_role: CaretakerRole,
    legal_role: CaretakerRole,
    branch: Branch,
) -> None:
    anna, bartek, celina = (make_operator(n) for n in ("anna", "bartek", "celina"))
    celina.user.first_name = celina.user.last_name = ""  # no full name: the login is shown
    celina.user.save()
    full, nobody = make_contractors(2)
    _assign(full, anna, default_role, "main", end=date(2030, 12, 31))
    _assign(full, bartek, default_role, "deputy", priority=2)
    _assign(full, celina, default_role, "deputy", priority=1, start=date(2030, 3, 1))
    _assign(full, celina, legal_role, "main")
    _assign(full, bartek, legal_role, "main", branch=branch)
    _assign(full, anna, legal_role, "deputy", branch=branch)
    Absence.objects.create(operator=anna, date_from=date(2030, 6, 1), date_to=date(2030, 6, 20))
    Absence.objects.create(operator=anna, date_from=date(2030, 6, 21), date_to=date(2030, 6, 30))
    Absence.objects.create(operator=celina, date_from=date(2030, 6, 10), date_to=date(2030, 6, 12))
    Absence.objects.create(operator=bartek, date_from=date(2030, 6, 11), date_to=date(2030, 6, 11))
    asked: list[tuple[Contractor, dict[str, Any]]] = [
        (full, {"on": date(2030, 2, 1)}),  # main present
        (full, {"on": date(2030, 6, 5)}),  # main away: the first deputy by priority acts
        (full, {"on": date(2030, 6, 10)}),  # that deputy away too: the next one
        (full, {"on": date(2030, 6, 11)}),  # every deputy away: nobody acts
        (full, {"on": date(2030, 6, 11), "role_id": legal_role.pk}),
        (full, {"on": date(2030, 6, 11), "role_id": legal_role.pk, "branch_id": branch.pk}),
        (full, {"on": date(2031, 1, 5)}),  # the main's assignment over: deputies without a main
        (full, {"on": date(2029, 1, 5)}),  # before every assignment
        (nobody, {"on": date(2030, 6, 5)}),
    ]
    for contractor, query in asked:
        params = {k: v.isoformat() if isinstance(v, date) else v for k, v in query.items()}
        response = api.get(f"/api/v1/contractors/{contractor.pk}/caretaker-info", params)
        assert response.status_code == 200
        assert response["Content-Type"] == "application/json; charset=utf-8"
        assert response.content == _schema_json(actor, contractor.pk, query), query
    body = api.get(f"/api/v1/contractors/{full.pk}/caretaker-info", {"on": "2030-06-10"}).json()
    assert body["reason"] == "main_absent" and body["acting"]["operator_id"] == bartek.pk
    assert body["acting"]["until"] == "2030-06-10"  # Bartek is away himself the next day
    assert [d["operator_name"] for d in body["deputies"]] == ["celina", "Bartek Tester"]


@pytest.mark.django_db
def test_a_caretaker_info_call_takes_two_queries(
    client_for: Callable[[Operator], Client],
    make_operator: Callable[..., Operator],
    contractor: Contractor,
    default_role: CaretakerRole,
) -> None:
    """The bearer token with its user and operator profile in one query (through the
    digest's unique index), then the contractor with its caretakers and their
    absences in one more."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    anna, own = make_operator("anna"), make_operator("own", visibility="own")
    _assign(contractor, anna, default_role, "main", start=date(2020, 1, 1))
    _assign(contractor, own, default_role, "deputy", start=date(2020, 1, 1))
    for viewer in (anna, own):
        client = client_for(viewer)
        url = f"/api/v1/contractors/{contractor.pk}/caretaker-info"
        assert client.get(url).status_code == 200  # records the token's first use
        with CaptureQueriesContext(connection) as queries:
            response = client.get(url)
        assert response.status_code == 200 and response.json()["main"]["operator_id"] == anna.pk
        assert len(queries) == 2, [q["sql"] for q in queries]
        assert "operators_operator" in queries[0]["sql"]
