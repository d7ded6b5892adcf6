"""Edge input on the web UI's forms and files: what is shown reads back as it was saved."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse
from django.utils import translation

from opiekun.caretakers.exports import csv_pieces
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
