"""A deputy's "until" when a deputy ahead of them becomes a deputy during the main
caretaker's absence: every face that says it — the contractors list's mark, the CRM tab,
caretaker-info, resolve — says the last day the deputy really stands in, the day the
stored acting periods ("acted for", Nadchodzące zmiany) end. It said the end of the
main's absence: only the rows in force on the day were read."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

import pytest
from django.test import Client

from opiekun.caretakers.acting import ScopeDay, acted_for_rows, resolve_scopes
from opiekun.caretakers.models import CaretakerRole
from opiekun.caretakers.selectors import caretaker_info
from opiekun.caretakers.services import caretaker_add
from opiekun.contractors.models import Contractor
from opiekun.coverage.models import ActingPeriod
from opiekun.operators.absences import absence_create
from opiekun.operators.models import Operator

pytestmark = pytest.mark.django_db

DAY = date(2030, 6, 12)  # anna is away 10-20 June; celina is a deputy from the 15th
TAKEN_OVER = date(2030, 6, 14)


@pytest.fixture
def scope(
    actor: Any, contractor: Contractor, default_role: CaretakerRole, make_operator: Callable[..., Operator]
) -> dict[str, Any]:
    anna, bartek, celina = (make_operator(name) for name in ("anna", "bartek", "celina"))
    ids = [contractor.pk]
    caretaker_add(actor=actor, contractor_ids=ids, operator_id=anna.pk, date_from="2030-01-01")
    for deputy, start, priority in ((bartek, "2030-01-01", 2), (celina, "2030-06-15", 1)):
        caretaker_add(
            actor=actor,
            contractor_ids=ids,
            operator_id=deputy.pk,
            date_from=start,
            type="deputy",
            priority=priority,
        )
    absence_create(actor=anna.user, operator_id=anna.pk, date_from="2030-06-10", date_to="2030-06-20")
    return {"contractor": contractor, "role": default_role, "bartek": bartek, "celina": celina}


def test_the_stored_stand_in_ends_when_the_deputy_ahead_begins(scope: dict[str, Any], actor: Any) -> None:
    periods = ActingPeriod.objects.order_by("date_from").values_list("operator_id", "date_from", "date_to")
    assert list(periods) == [
        (scope["bartek"].pk, date(2030, 6, 10), TAKEN_OVER),
        (scope["celina"].pk, date(2030, 6, 15), date(2030, 6, 20)),
    ]
    (acted,) = list(acted_for_rows(viewer=actor, operator_id=scope["bartek"].pk))
    assert acted.period.end == TAKEN_OVER


def test_caretaker_info_and_resolve_say_the_same_until(scope: dict[str, Any], actor: Any) -> None:
    info = caretaker_info(viewer=actor, contractor_id=scope["contractor"].pk, on=DAY)
    assert info.acting_assignment is not None and info.acting_assignment.operator == scope["bartek"]
    assert info.acting.until == TAKEN_OVER
    (answer,) = resolve_scopes([ScopeDay(scope["contractor"].pk, scope["role"].pk, None, DAY)])
    assert answer.acting.until == TAKEN_OVER
    # From the 15th celina stands in, to the end of the absence.
    info = caretaker_info(viewer=actor, contractor_id=scope["contractor"].pk, on=date(2030, 6, 16))
    assert info.acting.until == date(2030, 6, 20)


def test_the_api_says_it(scope: dict[str, Any], admin_op: Operator) -> None:
    from opiekun.operators.tokens import token_issue

    _, raw = token_issue(user=admin_op.user, name="test")
    api = Client(headers={"authorization": f"Bearer {raw}", "accept-language": "en"})
    pk = scope["contractor"].pk
    info = api.get(f"/api/v1/contractors/{pk}/caretaker-info", {"on": DAY.isoformat()}).json()
    assert info["acting"]["until"] == TAKEN_OVER.isoformat()
    resolved = api.post(
        "/api/v1/caretakers/resolve",
        {"items": [{"contractor_id": pk, "on": DAY.isoformat()}]},
        content_type="application/json",
    ).json()
    assert resolved["results"][0]["acting"]["until"] == TAKEN_OVER.isoformat()


def test_the_contractors_list_and_the_crm_tab_say_it(
    scope: dict[str, Any], client: Client, admin_op: Operator, freeze_today: Callable[[date], None]
) -> None:
    freeze_today(DAY)
    client.force_login(admin_op.user)
    listed = client.get("/kontrahenci/").content.decode()
    assert "14.06.2030" in listed and "20.06.2030" not in listed
    tab = client.get(f"/kontrahenci/{scope['contractor'].pk}/opiekunowie/").content.decode()
    acting = tab.split('data-testid="acting"')[1].split("</dd>")[0]
    assert "14.06.2030" in acting
