"""Nieobecności, the list and the calendar: a bad filter answers 400 with its message
(no list; the calendar of this month and its message), a good one 200 — as
Nadchodzące zmiany and Klienci bez opiekuna answer."""

from __future__ import annotations

from datetime import date

import pytest
from django.test import Client
from django.urls import reverse

from opiekun.operators.absences import absence_create
from opiekun.operators.models import Operator

pytestmark = pytest.mark.django_db


@pytest.fixture
def boss(client: Client, admin_op: Operator) -> Client:
    client.force_login(admin_op.user)
    return client


@pytest.mark.parametrize(
    "query",
    [
        {"date_from": "31.02.2030"},
        {"date_from": "2030-06-10", "date_to": "2030-06-01"},
        {"operator": "999999"},
        {"operator": "abc"},
        {"kind": "bogus"},
    ],
)
def test_a_bad_list_filter_is_a_400_with_its_message(
    boss: Client, admin_op: Operator, query: dict[str, str]
) -> None:
    absence_create(actor=admin_op.user, operator_id=admin_op.pk, date_from="2030-06-01", date_to="2030-06-05")
    response = boss.get(reverse("absences:list"), query)
    assert response.status_code == 400
    html = response.content.decode()
    assert "field-error" in html and "Popraw zaznaczone powyżej filtry" in html
    assert 'data-testid="absences"' not in html


def test_a_good_list_filter_is_a_200(boss: Client) -> None:
    assert boss.get(reverse("absences:list"), {"date_from": "2030-06-01"}).status_code == 200


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ({"month": "2030-13"}, "Podaj miesiąc w postaci RRRR-MM."),
        ({"month": "x"}, "Podaj miesiąc w postaci RRRR-MM."),
        ({"operator": "999999"}, "Nieznany operator 999999."),
        ({"operator": "abc"}, "Nieznany operator abc."),
    ],
)
def test_a_bad_calendar_month_or_operator_is_said_not_swallowed(
    boss: Client, query: dict[str, str], message: str
) -> None:
    response = boss.get(reverse("absences:calendar"), query)
    assert response.status_code == 400
    assert message in response.content.decode()
    boss.post("/i18n/setlang/", {"language": "en", "next": "/"})
    english = boss.get(reverse("absences:calendar"), query).content.decode()
    assert ("Enter the month as YYYY-MM." if "month" in query else "Unknown operator") in english


def test_the_calendar_of_a_good_month_and_operator(boss: Client, admin_op: Operator) -> None:
    absence_create(actor=admin_op.user, operator_id=admin_op.pk, date_from="2030-06-01", date_to="2030-06-05")
    response = boss.get(reverse("absences:calendar"), {"month": "2030-06", "operator": str(admin_op.pk)})
    assert response.status_code == 200 and "alert-error" not in response.content.decode()
    assert response.content.decode().count('class="absent') == (date(2030, 6, 5) - date(2030, 6, 1)).days + 1
