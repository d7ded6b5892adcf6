"""Nieobecności: the operator selects (the absence's operator, the list's filter) are
drawn by `LongSelect`, and the pages are the ones Django's `Select` drew — in both
languages, with nothing chosen, a value chosen, and an error on the field."""

from __future__ import annotations

import re
from collections.abc import Callable
from functools import partial

import pytest
from django.urls import reverse

from opiekun.operators.absence_forms import AbsenceFilterForm, AbsenceForm
from opiekun.operators.absences import absence_create
from opiekun.operators.models import Operator
from opiekun.widgets import LongSelect
from tests.clients import logged_in
from tests.selects import same_page

pytestmark = pytest.mark.django_db
LANGUAGES = ["pl", "en"]


@pytest.fixture
def team(make_operator: Callable[..., Operator]) -> list[Operator]:
    """Who enters anyone's absences, a name to escape, a former operator (listed by the
    filter only)."""
    chief = make_operator("chief", superuser=True)
    odd = make_operator("ewa")
    odd.user.first_name = 'Ewa <b>"&'
    odd.user.save()
    make_operator("gone", active=False)
    return [chief, odd]


def test_the_operator_selects_are_long_selects() -> None:
    assert isinstance(AbsenceForm.base_fields["operator_id"].widget, LongSelect)
    assert isinstance(AbsenceFilterForm.base_fields["operator"].widget, LongSelect)


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_absence_form_draws_as_before(
    team: list[Operator], make_operator: Callable[..., Operator], language: str
) -> None:
    """The chief's select lists every active operator, the empty choice first."""
    boss, odd = team
    client = logged_in(boss, language)
    url = reverse("absences:create")
    page = same_page(lambda: client.get(url), AbsenceForm, "operator_id")
    assert '<option value="" selected>—</option>' in page and "Ewa &lt;b&gt;&quot;&amp;" in page
    # A value chosen and another field wrong; then the operator itself wrong.
    chosen = {"operator_id": odd.pk, "date_from": "31.02.2030", "date_to": "01.03.2030", "kind": "vacation"}
    page = same_page(lambda: client.post(url, chosen), AbsenceForm, "operator_id")
    assert f'<option value="{odd.pk}" selected>' in page and 'class="field-error"' in page
    for wrong in ("abc", "999999", ""):
        data = {**chosen, "operator_id": wrong}
        page = same_page(partial(client.post, url, data), AbsenceForm, "operator_id")
        select = re.search(r'<select name="operator_id"[^>]*>', page)
        assert select is not None and 'aria-invalid="true"' in select.group(0), wrong
    # Editing: the absence's operator chosen from the start.
    absence = absence_create(
        actor=boss.user, operator_id=odd.pk, date_from="2030-06-01", date_to="2030-06-05"
    )
    page = same_page(
        lambda: client.get(reverse("absences:edit", args=[absence.pk])), AbsenceForm, "operator_id"
    )
    assert f'<option value="{odd.pk}" selected>' in page
    # An operator who enters only their own absences: one option, no empty one.
    own = make_operator("jan")
    client = logged_in(own, language)
    page = same_page(lambda: client.get(url), AbsenceForm, "operator_id")
    assert f'<option value="{own.pk}" selected>' in page and '<option value=""' not in page


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_list_filter_draws_as_before(team: list[Operator], language: str) -> None:
    boss, odd = team
    client = logged_in(boss, language)
    url = reverse("absences:list")
    for query, status in (({}, 200), ({"operator": odd.pk}, 200), ({"operator": "abc"}, 400)):
        page = same_page(partial(client.get, url, query), AbsenceFilterForm, "operator")
        assert client.get(url, query).status_code == status
        assert "Gone Tester" in page  # former operators stay in the filter
        if query:
            selected = f'<option value="{odd.pk}" selected>' in page
            assert selected == (status == 200)
