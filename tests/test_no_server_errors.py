"""No input yields a 500: every screen of the web UI, every query parameter it reads,
with values of every wrong kind, and every form posted with them."""

from __future__ import annotations

import itertools
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from opiekun.caretakers.services import caretaker_add

WRONG = ["", "abc", "-1", "0", "99999999999999999999999", "31.02.2026", "<script>", "\x00", "9" * 300]
PARAMS = [
    "page",
    "q",
    "caretaker",
    "role",
    "active",
    "sort",
    "operator",
    "contractor",
    "date_from",
    "date_to",
    "on",
    "type",
    "branch",
    "kind",
    "month",
    "mode",
    "state",
]


@pytest.fixture
def boss_client(actor: Any, make_contractors: Any, make_operator: Any, default_role: Any) -> Client:
    contractors = make_contractors(3)
    caretaker_add(
        actor=actor,
        contractor_ids=[c.pk for c in contractors],
        operator_id=make_operator().pk,
        date_from="2025-01-01",
        on_overlap="keep",
    )
    client = Client()
    client.force_login(actor)
    return client


SCREENS = [
    "contractors:list",
    "reports:by_caretaker",
    "operators:list",
    "dictionaries:roles",
    "dictionaries:branches",
    "absences:list",
    "absences:calendar",
    "handovers:list",
]


# One test per screen (every parameter, every wrong value on it) and per form: the workers
# share them out, instead of one worker sending all of them.
@pytest.mark.django_db
@pytest.mark.parametrize("screen_name", SCREENS)
def test_screens_answer_every_wrong_query_parameter_without_a_server_error(
    boss_client: Client, screen_name: str
) -> None:
    screen = reverse(screen_name)
    failures = []
    for param, value in itertools.product(PARAMS, WRONG):
        status = boss_client.get(screen, {param: value}).status_code
        if status >= 500:
            failures.append((screen, param, value, status))
    assert failures == []


FORMS = {
    "caretakers:add": [
        "ids",
        "operator_id",
        "date_from",
        "date_to",
        "on_overlap",
        "type",
        "role_id",
        "branch_id",
        "confirm_token",
        "priority",
    ],
    "absences:create": ["operator_id", "date_from", "date_to", "kind", "note"],
    "contractors:create": ["code", "name", "nip", "regon", "email", "active"],
    "handovers:new": [
        "step",
        "from_operator_id",
        "types",
        "role_ids",
        "branch_ids",
        "contractor_codes",
        "to_operator_ids",
        "date",
        "on_overlap",
        "confirm_token",
    ],
}


@pytest.mark.django_db
@pytest.mark.parametrize("form_name", FORMS)
def test_forms_answer_every_wrong_value_without_a_server_error(boss_client: Client, form_name: str) -> None:
    url = reverse(form_name)
    fields = FORMS[form_name]
    failures = []
    for field, value in itertools.product(fields, WRONG):
        data = {name: "1" for name in fields} | {field: value}
        status = boss_client.post(url, data).status_code
        if status >= 500:
            failures.append((url, field, value, status))
    assert failures == []
