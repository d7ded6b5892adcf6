"""A deputy's "until" when a deputy ahead of them becomes a deputy during the main
caretaker's absence: every face that says it — the contractors list's mark, the CRM tab,
caretaker-info, resolve — says the last day the deputy really stands in, the day the
stored acting periods ("acted for", Nadchodzące zmiany) end. It said the end of the
main's absence: only the rows in force on the day were read."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta
from typing import Any

import pytest
from django.db import transaction
from django.test import Client
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from opiekun.caretakers.acting import ActingReason, ScopeDay, acted_for_rows, resolve_scopes
from opiekun.caretakers.models import CaretakerRole
from opiekun.caretakers.selectors import caretaker_info
from opiekun.caretakers.services import caretaker_add
from opiekun.contractors.models import Contractor
from opiekun.coverage.models import ActingPeriod
from opiekun.operators.absences import absence_create
from opiekun.operators.models import Operator
from tests.budgets import examples

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


# --- every face's until against the stored acting periods, by Hypothesis ------------------

FIRST = date(2030, 6, 1)


def _day(offset: int) -> date:
    return FIRST + timedelta(days=offset)


@st.composite
def worlds(draw: Any) -> dict[str, Any]:
    """A main caretaker from the start, away for a stretch; up to three deputies starting
    on any of 25 days with any priority (one ahead starting during the absence is the
    case the rows of a day cannot tell); some absences of the deputies (never
    overlapping one another)."""
    deputies = draw(st.lists(st.tuples(st.integers(0, 24), st.integers(-1, 1)), min_size=1, max_size=3))
    start = draw(st.integers(0, 10))
    absences = [(0, start, start + draw(st.integers(3, 15)))]
    for operator in range(1, len(deputies) + 1):
        cuts = sorted(set(draw(st.lists(st.integers(0, 30), max_size=2))))
        absences += [(operator, a, b) for a, b in zip(cuts[::2], cuts[1::2], strict=False)]
    return {"deputies": deputies, "absences": absences}


@settings(
    max_examples=examples(1),  # each example writes through the services
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(world=worlds())
def test_every_face_says_until_the_end_of_the_stored_stand_in(
    world: dict[str, Any],
    actor: Any,
    contractor: Contractor,
    default_role: CaretakerRole,
    make_operator: Callable[..., Operator],
) -> None:
    with transaction.atomic():
        operators = [make_operator() for _ in range(len(world["deputies"]) + 1)]
        ids = [contractor.pk]
        caretaker_add(actor=actor, contractor_ids=ids, operator_id=operators[0].pk, date_from=FIRST)
        for operator, (start, priority) in zip(operators[1:], world["deputies"], strict=True):
            caretaker_add(
                actor=actor,
                contractor_ids=ids,
                operator_id=operator.pk,
                date_from=_day(start),
                type="deputy",
                priority=priority,
            )
        for index, start, end in world["absences"]:
            who = operators[index]
            absence_create(actor=who.user, operator_id=who.pk, date_from=_day(start), date_to=_day(end))
        stored = {}
        for period in ActingPeriod.objects.filter(contractor=contractor):
            for offset in range((period.date_to - period.date_from).days + 1):
                stored[period.date_from + timedelta(days=offset)] = (period.assignment_id, period.date_to)
        days = [_day(offset) for offset in range(32)]
        answers = resolve_scopes([ScopeDay(contractor.pk, default_role.pk, None, day) for day in days])
        for day, answer in zip(days, answers, strict=True):
            acting = answer.acting
            if acting.reason == ActingReason.MAIN_ABSENT:
                assert acting.holder is not None
                assert stored.get(day) == (acting.holder.assignment_id, acting.until), day
                info = caretaker_info(viewer=actor, contractor_id=contractor.pk, on=day)
                assert info.acting.until == acting.until, day
            else:
                assert day not in stored, day
        transaction.set_rollback(True)
