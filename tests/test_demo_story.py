"""`opiekun demo` gives every screen of part two something to show on the first login:
handovers in force and planned, absences, a deputy acting today, upcoming changes."""

from __future__ import annotations

from datetime import timedelta
from io import StringIO

import pytest
from django.contrib.auth.models import User
from django.core.management import call_command

from opiekun.caretakers.acting_rules import ActingReason
from opiekun.caretakers.models import CaretakerAssignment, Handover
from opiekun.caretakers.selectors import caretaker_info
from opiekun.contractors.models import Contractor
from opiekun.dates import today
from opiekun.notices.selectors import UpcomingFilters, upcoming_changes
from opiekun.operators.models import Absence, Operator

pytestmark = pytest.mark.django_db


def _operator(username: str) -> Operator:
    return Operator.objects.get(user__username=username)


def test_the_demo_tells_handovers_in_force_and_one_planned() -> None:
    call_command("demo", stdout=StringIO())
    day = today()
    states = sorted(
        (h.from_operator.user.username, h.state_on(day).value)
        for h in Handover.objects.select_related("from_operator__user")
    )
    assert states == [
        ("anna.nowak", "in_force"),
        ("katarzyna.wojcik", "in_force"),
        ("michal.zielinski", "planned"),
    ]
    # Every row a handover wrote names it in the audit trail.
    for handover in Handover.objects.all():
        trail = CaretakerAssignment.history.filter(history_change_reason__endswith=f":{handover.pk}")
        assert trail.count() >= handover.assignments > 0


def test_a_deputy_acts_today_for_an_absent_main_and_some_clients_have_nobody_acting() -> None:
    call_command("demo", stdout=StringIO())
    day = today()
    piotr = _operator("piotr.wisniewski")
    assert Absence.objects.filter(operator=piotr, date_from__lte=day, date_to__gte=day).exists()
    admin = User.objects.get(username="admin")
    reasons = {}
    for contractor in Contractor.objects.filter(
        pk__in=CaretakerAssignment.objects.on(day).filter(operator=piotr, type="main").values("contractor")
    ):
        info = caretaker_info(viewer=admin, contractor_id=contractor.pk, on=day)
        acting = info.acting.holder.operator_id if info.acting.holder else None
        reasons[contractor.pk] = (info.acting.reason, acting)
    magdalena = _operator("magdalena.lewandowska").pk
    assert (ActingReason.MAIN_ABSENT, magdalena) in reasons.values()  # the first deputy acts
    assert (ActingReason.NONE, None) in reasons.values()  # Piotr's clients without a deputy


def test_a_manager_sees_upcoming_changes_within_the_default_fortnight() -> None:
    call_command("demo", stdout=StringIO())
    rows = upcoming_changes(viewer=User.objects.get(username="anna.nowak"), filters=UpcomingFilters())
    kinds = {row["kind"] for row in rows}
    assert {"acting", "ends", "handover_in", "handover_out"} <= kinds
    assert all(today() <= row["day"] <= today() + timedelta(days=14) for row in rows)


def test_running_the_demo_again_adds_no_handover_or_absence() -> None:
    call_command("demo", stdout=StringIO())
    before = (Handover.objects.count(), Absence.objects.count(), CaretakerAssignment.objects.count())
    call_command("demo", stdout=StringIO())
    assert before == (Handover.objects.count(), Absence.objects.count(), CaretakerAssignment.objects.count())
    assert before[:2] == (3, 2)
