"""Who is who on screen: the audit names people, not logins; lists sorted by surname
show "Nazwisko Imię"."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.test import Client
from django.urls import reverse

from opiekun.caretakers.services import caretaker_add
from opiekun.contractors.models import Contractor
from opiekun.operators.models import Operator

pytestmark = pytest.mark.django_db


@pytest.fixture
def people(make_operator: Callable[..., Operator]) -> dict[str, Operator]:
    made = {}
    for login, first, last in [
        ("anowak", "Anna", "Nowak"),
        ("zabel", "Zofia", "Abel"),
        ("kwojcik", "Karol", "Wójcik"),
    ]:
        operator = make_operator(login)
        User.objects.filter(pk=operator.user.pk).update(first_name=first, last_name=last)
        operator.user.refresh_from_db()
        made[login] = operator
    return made


def _client(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _options(html: str, name: str) -> list[str]:
    select = re.search(rf'<select name="{name}".*?</select>', html, re.S)
    assert select, name
    return [
        label.strip() for label in re.findall(r"<option value=\"\d+\"[^>]*>([^<]*)</option>", select.group(0))
    ]


def test_the_audit_names_who_changed_what(
    people: dict[str, Operator], make_contractors: Callable[..., list[Contractor]]
) -> None:
    (firm,) = make_contractors(1)
    anna = people["anowak"]
    caretaker_add(
        actor=anna.user,
        contractor_ids=[firm.pk],
        operator_id=people["zabel"].pk,
        date_from="2024-01-01",
        on_overlap="replace",
    )
    html = _client(anna.user).get(reverse("contractors:caretakers", args=[firm.pk])).content.decode()
    audit = html[html.index('data-testid="audit"') :]
    assert "<td>Anna Nowak</td>" in audit
    assert "anowak" not in audit


def test_operators_sorted_by_surname_read_surname_first(
    actor: Any, people: dict[str, Operator], make_contractors: Callable[..., list[Contractor]]
) -> None:
    client = _client(actor)
    listed = client.get(reverse("operators:list")).content.decode()
    names = re.findall(r'<tr data-operator="[^"]+">\s*<td>([^<]+)', listed)
    assert names[:3] == ["Abel Zofia", "Nowak Anna", "Tester Boss"]
    ids = "&".join(f"ids={c.pk}" for c in make_contractors(1))
    dialog = client.get(reverse("caretakers:add") + "?" + ids).content.decode()
    assert _options(dialog, "operator_id")[:3] == ["Abel Zofia", "Nowak Anna", "Tester Boss"]
    report = client.get(reverse("reports:by_caretaker"), {"operator": people["anowak"].pk}).content.decode()
    assert _options(report, "operator")[:3] == ["Abel Zofia", "Nowak Anna", "Tester Boss"]
