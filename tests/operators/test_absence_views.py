"""The Nieobecności screens, the acted-for report and the absences on the CRM tab."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

import pytest
from django.test import Client
from django.urls import reverse

from opiekun.caretakers.models import CaretakerAssignment, CaretakerRole
from opiekun.contractors.models import Contractor
from opiekun.operators.models import Absence, Operator

pytestmark = pytest.mark.django_db


@pytest.fixture
def anna(make_operator: Callable[..., Operator]) -> Operator:
    return make_operator("anna")


def _client(operator: Operator) -> Client:
    client = Client()
    client.force_login(operator.user)
    return client


def test_edit_and_delete_own_absence_and_not_someone_elses(
    anna: Operator, make_operator: Callable[..., Operator]
) -> None:
    absence = Absence.objects.create(operator=anna, date_from=date(2030, 7, 1), date_to=date(2030, 7, 3))
    client = _client(anna)
    response = client.post(
        reverse("absences:edit", args=[absence.pk]),
        {"operator_id": anna.pk, "date_from": "02.07.2030", "date_to": "03.07.2030", "kind": "business_trip"},
    )
    assert response.status_code == 302
    absence.refresh_from_db()
    assert (absence.date_from, absence.kind) == (date(2030, 7, 2), "business_trip")
    other = _client(make_operator("bartek"))
    assert other.post(reverse("absences:delete", args=[absence.pk])).status_code == 403
    assert client.post(reverse("absences:delete", args=[absence.pk])).status_code == 302
    assert not Absence.objects.exists()


def test_calendar_marks_the_absent_days(anna: Operator) -> None:
    Absence.objects.create(operator=anna, date_from=date(2030, 7, 30), date_to=date(2030, 8, 2))
    html = (
        _client(anna)
        .get(reverse("absences:calendar"), {"operator": str(anna.pk), "month": "2030-08"})
        .content.decode()
    )
    assert html.count('class="absent') == 2  # 1 and 2 August


def test_acted_for_report_and_the_timeline(
    anna: Operator,
    make_operator: Callable[..., Operator],
    contractor: Contractor,
    default_role: CaretakerRole,
) -> None:
    bartek = make_operator("bartek")
    for op, kind in ((anna, "main"), (bartek, "deputy")):
        CaretakerAssignment.objects.create(
            contractor=contractor, operator=op, role=default_role, type=kind, date_from=date(2030, 1, 1)
        )
    Absence.objects.create(operator=anna, date_from=date(2030, 7, 1), date_to=date(2030, 7, 14))
    client = _client(anna)
    report = client.get(reverse("reports:by_caretaker"), {"mode": "acted_for", "operator": str(bartek.pk)})
    assert report.status_code == 200
    rows = report.context["page"].object_list
    assert [(r["date_from"], r["date_to"], r["stands_in_for"]) for r in rows] == [
        (date(2030, 7, 1), date(2030, 7, 14), "Anna Tester")
    ]
    missing = client.get(reverse("reports:by_caretaker"), {"mode": "acted_for"})
    assert "operator" in missing.context["form"].errors
    tab = client.get(reverse("contractors:caretakers", args=[contractor.pk])).content.decode()
    assert 'class="absence"' in tab and "absence-hatch" in tab
    # and in the text list beside the picture, on Anna's bar only
    listing = tab[tab.index('data-testid="timeline-list"') :]
    assert listing.count('class="absence-text"') == 1
    assert "01.07.2030 – 14.07.2030" in listing
