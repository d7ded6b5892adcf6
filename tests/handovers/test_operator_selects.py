"""Przekazania klientów: the operator selects (the wizard's "hands over", the list's
filter) are drawn by `LongSelect`, and the pages are the ones Django's `Select` drew —
in both languages, with nothing chosen, a value chosen, and an error on the field. The
recipients stay checkboxes (several may be chosen)."""

from __future__ import annotations

import re
from collections.abc import Callable
from functools import partial

import pytest
from django import forms
from django.urls import reverse

from opiekun.caretakers.handover_forms import HandoverFilterForm, HandoverForm
from opiekun.contractors.models import Contractor
from opiekun.operators.models import Operator
from opiekun.widgets import LongSelect
from tests.clients import logged_in
from tests.selects import same_page

pytestmark = pytest.mark.django_db
LANGUAGES = ["pl", "en"]


@pytest.fixture
def boss(admin_op: Operator, make_operator: Callable[..., Operator], sellers: list[Operator]) -> Operator:
    odd = make_operator("ewa")
    odd.user.first_name = 'Ewa <b>"&'
    odd.user.save()
    make_operator("gone", active=False)
    return admin_op


def test_the_operator_selects_are_long_selects() -> None:
    assert isinstance(HandoverForm.base_fields["from_operator_id"].widget, LongSelect)
    assert isinstance(HandoverFilterForm.base_fields["operator"].widget, LongSelect)
    assert isinstance(HandoverForm.base_fields["to_operator_ids"].widget, forms.CheckboxSelectMultiple)


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_wizard_draws_as_before(
    boss: Operator,
    sellers: list[Operator],
    portfolio_of: Callable[[int], list[Contractor]],
    language: str,
) -> None:
    portfolio_of(1)
    client = logged_in(boss, language)
    url = reverse("handovers:new")
    page = same_page(lambda: client.get(url), HandoverForm, "from_operator_id")
    assert '<option value="" selected>—</option>' in page and "Ewa &lt;b&gt;&quot;&amp;" in page
    chosen = sellers[0].pk
    page = same_page(lambda: client.get(url, {"from_operator_id": chosen}), HandoverForm, "from_operator_id")
    assert f'<option value="{chosen}" selected>' in page
    for wrong in ("abc", "999999"):
        data = {"step": "what", "from_operator_id": wrong, "types": ["main"]}
        page = same_page(partial(client.post, url, data), HandoverForm, "from_operator_id")
        select = re.search(r'<select name="from_operator_id"[^>]*>', page)
        assert select is not None and 'aria-invalid="true"' in select.group(0), wrong


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_list_filter_draws_as_before(boss: Operator, sellers: list[Operator], language: str) -> None:
    client = logged_in(boss, language)
    url = reverse("handovers:list")
    chosen = sellers[1].pk
    for query, status in (({}, 200), ({"operator": chosen}, 200), ({"operator": "zzz"}, 400)):
        page = same_page(partial(client.get, url, query), HandoverFilterForm, "operator")
        assert client.get(url, query).status_code == status
        assert "Gone Tester" in page  # former operators stay in the filter
        if query:
            assert (f'<option value="{chosen}" selected>' in page) == (status == 200)
