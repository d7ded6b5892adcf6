"""Edge input on the web UI's forms and files: what is shown reads back as it was saved."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date
from typing import Any

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse
from django.utils import translation

from opiekun.caretakers.exports import csv_pieces
from opiekun.caretakers.models import CaretakerAssignment, CaretakerRole
from opiekun.contractors.models import Contractor
from opiekun.operators.models import Absence, Operator

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(("language", "shown"), [("pl", "01.01.0001"), ("en", "0001-01-01")])
def test_an_absence_from_year_1_is_shown_readably_and_saved_unchanged(
    make_operator: Callable[..., Operator], language: str, shown: str
) -> None:
    anna = make_operator("anna")
    absence = Absence.objects.create(operator=anna, date_from=date(1, 1, 1), date_to=date(9999, 12, 31))
    client = Client()
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language  # the UI's language: the cookie
    client.force_login(anna.user)
    url = reverse("absences:edit", args=[absence.pk])
    form = client.get(url).context["form"]
    assert form["date_from"].value() == shown
    data = {name: form[name].value() for name in ("operator_id", "date_from", "date_to", "kind")}
    response = client.post(url, data | {"note": "x"})
    assert response.status_code == 302
    absence.refresh_from_db()
    assert (absence.date_from, absence.date_to, absence.note) == (date(1, 1, 1), date(9999, 12, 31), "x")


@pytest.mark.parametrize(("language", "cell"), [("pl", "01.01.0001"), ("en", "0001-01-01")])
def test_csv_dates_of_early_years_have_four_digit_years(language: str, cell: str) -> None:
    with translation.override(language):
        text = b"".join(csv_pieces([["date"], [date(1, 1, 1)]])).decode("utf-8-sig")
    assert text.splitlines() == ["date", cell]


def test_the_contractor_form_names_a_wrong_nip_beside_a_too_long_name(actor: Any) -> None:
    client = Client()
    client.force_login(actor)
    data = {"code": "NEW", "name": "x" * 251, "nip": "1234567890", "regon": "123", "active": "on"}
    form = client.post(reverse("contractors:create"), data).context["form"]
    assert set(form.errors) == {"name", "nip", "regon"}
    assert not Contractor.objects.filter(code="NEW").exists()


@pytest.mark.parametrize(
    ("data", "wrong"),
    [
        ({"kind": "none", "date_from": "1.1.1"}, {"kind", "date_from"}),
        ({"operator_id": "0", "date_from": "30.02.2027"}, {"operator_id", "date_from"}),
        ({"note": "x" * 501, "date_from": "10.01.2027", "date_to": "01.01.2027"}, {"note", "date_to"}),
    ],
)
def test_the_absence_form_names_every_wrong_field_at_once(
    make_operator: Callable[..., Operator], data: dict[str, str], wrong: set[str]
) -> None:
    anna = make_operator("anna")
    client = Client()
    client.force_login(anna.user)
    valid = {
        "operator_id": str(anna.pk),
        "date_from": "01.01.2027",
        "date_to": "05.01.2027",
        "kind": "vacation",
    }
    response = client.post(reverse("absences:create"), valid | data)
    assert response.status_code == 200
    assert set(response.context["form"].errors) == wrong
    assert not Absence.objects.exists()


def test_a_dialog_asked_for_something_gone_answers_a_dialog_saying_so(actor: Any) -> None:
    client = Client()
    client.force_login(actor)
    url = reverse("caretakers:edit", args=[987654321])
    dialog = client.post(url, {"operator_id": "1"}, headers={"HX-Request": "true"})
    assert dialog.status_code == 404
    assert (dialog["HX-Retarget"], dialog["HX-Reswap"]) == ("#modal", "innerHTML")
    html = dialog.content.decode()
    assert 'data-testid="dialog-refused"' in html and "już nie istnieje" in html
    assert 'class="mainnav"' not in html  # the dialog alone, not a page
    page = client.get(url)
    assert (
        page.status_code == 404 and 'class="mainnav"' in page.content.decode() and "HX-Retarget" not in page
    )


def test_a_dialog_refused_for_lack_of_permission_says_so(
    make_operator: Callable[..., Operator], make_contractors: Callable[[int], list[Contractor]]
) -> None:
    viewer = make_operator("viewer", can_assign=False)
    contractor = make_contractors(1)[0]
    client = Client()
    client.force_login(viewer.user)
    dialog = client.get(f"/opiekunowie/dodaj/?ids={contractor.pk}", headers={"HX-Request": "true"})
    assert dialog.status_code == 403 and dialog["HX-Retarget"] == "#modal"
    assert "Nie masz do tego uprawnień." in dialog.content.decode()


def test_the_add_dialog_offers_the_deputy_priority_and_names_a_wrong_one(
    actor: Any, make_operator: Callable[..., Operator], make_contractors: Callable[[int], list[Contractor]]
) -> None:
    deputy = make_operator("ewa")
    contractor = make_contractors(1)[0]
    client = Client()
    client.force_login(actor)
    url = reverse("caretakers:add")
    assert 'name="priority"' in client.get(url, {"ids": contractor.pk}).content.decode()
    data = {"ids": contractor.pk, "operator_id": deputy.pk, "date_from": "01.01.2027"}
    data |= {"on_overlap": "keep", "type": "deputy", "role_id": CaretakerRole.objects.get(is_default=True).pk}
    html = client.post(url, data | {"priority": "99999"}).content.decode()
    assert re.search(r'data-field="priority">.*?class="field-error"', html, re.S)
    assert not CaretakerAssignment.objects.exists()
    client.post(url, data | {"priority": "2"})
    assert CaretakerAssignment.objects.get().priority == 2
