"""The caretaker dialogs as a user meets them: the enova365 wording, every field
error at once, messages naming things as the user knows them, and *Zakończ*
proposing a day it accepts."""

from __future__ import annotations

import re
from datetime import date, timedelta
from typing import Any

import pytest
from django.test import Client

from opiekun.caretakers.models import CaretakerAssignment, CaretakerRole
from opiekun.caretakers.services import caretaker_add
from opiekun.contractors.models import Contractor
from opiekun.dates import today
from opiekun.operators.models import Operator, UnassignedAccess, Visibility

pytestmark = pytest.mark.django_db
ADD = "/opiekunowie/dodaj/"


@pytest.fixture
def boss_client(client: Client, admin_op: Operator) -> Client:
    client.force_login(admin_op.user)
    return client


def _form(operator: Operator | None, role: CaretakerRole, **extra: Any) -> dict[str, Any]:
    return {
        "operator_id": operator.pk if operator else "",
        "date_from": "01.01.2025",
        "date_to": "",
        "on_overlap": "warn",
        "type": "main",
        "role_id": role.pk,
        "branch_id": "",
        **extra,
    }


def test_the_overlap_policy_is_worded_as_in_enova365(
    boss_client: Client, default_role: CaretakerRole
) -> None:
    page = boss_client.get(f"{ADD}?ids=1").content.decode()
    assert "Przy nachodzeniu dat" in page
    assert "nakładaniu" not in page


def test_an_empty_operator_does_not_hide_the_date_errors(
    boss_client: Client, default_role: CaretakerRole, contractor: Contractor
) -> None:
    data = {**_form(None, default_role, date_from="31.02.2025", date_to="nigdy"), "ids": [contractor.pk]}
    errors = boss_client.post(ADD, data).context["form"].errors
    assert set(errors) == {"operator_id", "date_from", "date_to"}
    data = {**_form(None, default_role, date_from="10.01.2025", date_to="1.1.25"), "ids": [contractor.pk]}
    errors = boss_client.post(ADD, data).context["form"].errors
    assert set(errors) == {"operator_id", "date_to"}
    assert errors["date_to"] == ["Data do nie może być wcześniejsza niż data od."]
    assert not CaretakerAssignment.objects.exists()


def test_edit_shows_every_field_error_at_once(
    boss_client: Client, actor: Any, admin_op: Operator, default_role: CaretakerRole, contractor: Contractor
) -> None:
    caretaker_add(
        actor=actor, contractor_ids=[contractor.pk], operator_id=admin_op.pk, date_from="2024-01-01"
    )
    row = CaretakerAssignment.objects.get()
    data = _form(None, default_role, date_from="", date_to="32.01.2024")
    errors = boss_client.post(f"/opiekunowie/{row.pk}/edytuj/", data).context["form"].errors
    assert set(errors) == {"operator_id", "date_from", "date_to"}


def test_short_dates_are_taken_in_the_dialog(
    boss_client: Client, admin_op: Operator, default_role: CaretakerRole, contractor: Contractor
) -> None:
    data = {**_form(admin_op, default_role, date_from="1.1.26", date_to="31 12 26"), "ids": [contractor.pk]}
    assert boss_client.post(ADD, data).templates[0].name == "caretakers/add_summary.html"
    row = CaretakerAssignment.objects.get()
    assert (row.date_from, row.date_to) == (date(2026, 1, 1), date(2026, 12, 31))


def test_date_fields_have_a_calendar_and_the_users_placeholder(
    boss_client: Client, default_role: CaretakerRole
) -> None:
    page = boss_client.get(f"{ADD}?ids=1").content.decode()
    assert page.count('data-picker="Wybierz datę z kalendarza"') == 2
    assert 'placeholder="dd.mm.rrrr"' in page
    boss_client.cookies["django_language"] = "en"
    page = boss_client.get(f"{ADD}?ids=1").content.decode()
    assert 'placeholder="YYYY-MM-DD"' in page and f'value="{today().isoformat()}"' in page


@pytest.mark.parametrize(
    ("start", "end", "proposed"),
    [
        (-30, None, 0),  # running: today
        (0, None, 0),  # starts today: today
        (10, None, 10),  # starts in 10 days: its first day, not today
        (10, 40, 10),
        (-30, -5, -5),  # ended five days ago: its own last day
        (-30, 20, 0),
    ],
)
def test_end_proposes_a_day_it_accepts(
    boss_client: Client,
    actor: Any,
    admin_op: Operator,
    contractor: Contractor,
    start: int,
    end: int | None,
    proposed: int,
) -> None:
    day = today()
    caretaker_add(
        actor=actor,
        contractor_ids=[contractor.pk],
        operator_id=admin_op.pk,
        date_from=day + timedelta(days=start),
        date_to=day + timedelta(days=end) if end is not None else None,
    )
    row = CaretakerAssignment.objects.get()
    url = f"/opiekunowie/{row.pk}/zakoncz/"
    shown = boss_client.get(url).context["form"]["date_to"].value()
    assert shown == (day + timedelta(days=proposed)).strftime("%d.%m.%Y")
    response = boss_client.post(url, {"date_to": shown})
    assert response.status_code == 302, response.context["form"].errors
    row.refresh_from_db()
    assert row.date_to == day + timedelta(days=proposed)


def test_messages_show_periods_in_the_users_format(
    boss_client: Client,
    actor: Any,
    admin_op: Operator,
    make_operator: Any,
    default_role: CaretakerRole,
    contractor: Contractor,
) -> None:
    anna = make_operator("anna")
    caretaker_add(
        actor=actor,
        contractor_ids=[contractor.pk],
        operator_id=anna.pk,
        date_from="2026-12-01",
        date_to="2027-03-31",
    )
    data = {
        **_form(admin_op, default_role, date_from="01.01.2027", on_overlap="keep"),
        "ids": [contractor.pk],
    }
    page = boss_client.post(ADD, data).content.decode()
    assert "Anna Tester (Główny, 01.12.2026 – 31.03.2027)" in page
    boss_client.cookies["django_language"] = "en"
    warn = boss_client.post(ADD, {**data, "on_overlap": "warn"})
    change = warn.context["changes"][0]
    assert (change["before"], change["after"]) == ("2026-12-01 – 2027-03-31", "2026-12-01 – 2026-12-31")


def test_a_refused_selection_names_the_contractors_not_their_ids(
    client: Client,
    actor: Any,
    make_operator: Any,
    default_role: CaretakerRole,
    make_contractors: Any,
) -> None:
    reader = make_operator(visibility=Visibility.OWN, unassigned_access=UnassignedAccess.READ_ONLY)
    mine, unassigned = make_contractors(2)
    caretaker_add(actor=actor, contractor_ids=[mine.pk], operator_id=reader.pk, date_from="2024-01-01")
    unassigned.name = "Farbmet sp. z o.o."
    unassigned.save()
    client.force_login(reader.user)
    data = {**_form(reader, default_role), "ids": [mine.pk, unassigned.pk, 987654321]}
    form = client.post(ADD, data).context["form"]
    assert form.non_field_errors() == [
        f"Tych kontrahentów możesz tylko przeglądać: {unassigned.code} Farbmet sp. z o.o.",
        "1 zaznaczony kontrahent już nie istnieje lub jest dla Ciebie niewidoczny.",
    ]
    page = client.post(ADD, data).content.decode()
    alert = re.search(r'<div class="alert alert-error".*?</div>', page, re.S)
    assert alert is not None and "987654321" not in alert.group(0)
    assert "contractor_ids" not in page
    assert not CaretakerAssignment.objects.exclude(contractor=mine).exists()


def test_an_empty_selection_is_said_without_the_fields_name(
    boss_client: Client, admin_op: Operator, default_role: CaretakerRole
) -> None:
    form = boss_client.post(ADD, _form(admin_op, default_role)).context["form"]
    assert form.non_field_errors() == ["Zaznacz co najmniej jednego kontrahenta."]


def test_edit_collision_names_operator_type_and_period_not_the_id(
    boss_client: Client,
    actor: Any,
    admin_op: Operator,
    make_operator: Any,
    default_role: CaretakerRole,
    contractor: Contractor,
) -> None:
    anna = make_operator("anna")
    caretaker_add(
        actor=actor,
        contractor_ids=[contractor.pk],
        operator_id=anna.pk,
        date_from="2026-12-01",
        date_to="2027-03-31",
    )
    caretaker_add(
        actor=actor, contractor_ids=[contractor.pk], operator_id=admin_op.pk, date_from="2027-04-01"
    )
    mine = CaretakerAssignment.objects.get(operator=admin_op)
    other = CaretakerAssignment.objects.get(operator=anna)
    data = _form(admin_op, default_role, date_from="01.03.2027")
    message = boss_client.post(f"/opiekunowie/{mine.pk}/edytuj/", data).context["form"].non_field_errors()[0]
    assert "Anna Tester" in message and "Główny" in message and "01.12.2026 – 31.03.2027" in message
    assert f"#{other.pk}" not in message and f"nr {other.pk}" not in message and "2026-12-01" not in message
